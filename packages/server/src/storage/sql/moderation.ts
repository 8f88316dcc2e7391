import { type ChannelEvent, EventType, Role } from "@parley/protocol";
import type { Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type {
  ChannelWords,
  ModerationInput,
  ModerationStore,
  Restriction,
} from "../moderation-store";
import type { Database } from "../schema";
import { type Actor, SYSTEM_ACTOR } from "../storage";
import { removeMembership } from "./channels";
import { inForce, mutedUntil, type SqlContext, type StandingRow } from "./context";

type RestrictionTable = "mutes" | "bans";

/**
 * {@link ModerationStore} over SQL: each action with its event and its audit row in one
 * transaction.
 */
export function sqlModerationStore(sql: SqlContext): ModerationStore {
  const { db } = sql;

  const audit = (trx: Transaction<Database>, action: string, input: AuditInput) =>
    insertAudit(sql, trx, action, input);

  async function upsertRestriction(
    trx: Transaction<Database>,
    table: RestrictionTable,
    input: ModerationInput,
  ): Promise<void> {
    const row = {
      until: input.until ?? null,
      reason: input.reason ?? null,
      actor_id: input.actor.id,
      created_at: sql.now(),
    };
    await trx
      .insertInto(table)
      .values({ channel_id: input.channelId, user_id: input.target.id, ...row })
      .onConflict((oc) => oc.columns(["channel_id", "user_id"]).doUpdateSet(row))
      .execute();
  }

  function restrict(
    table: RestrictionTable,
    action: string,
    type: EventType,
    input: ModerationInput,
  ): Promise<ChannelEvent> {
    return sql.write(async (trx) => {
      // A mute orders with the target's writes as a kick does: it locks the membership first.
      if (table === "mutes" && sql.dialect === "postgres")
        await trx
          .selectFrom("memberships")
          .select("role")
          .where("channel_id", "=", input.channelId)
          .where("user_id", "=", input.target.id)
          .forUpdate()
          .execute();
      await upsertRestriction(trx, table, input);
      await audit(trx, action, input);
      return sql.appendEvent(trx, input.channelId, {
        type,
        actor: input.actor,
        data: targetData(input),
      });
    });
  }

  /** Deletes a restriction (only an expired one when `expiredAt` is given) with its event. */
  function lift(
    table: RestrictionTable,
    action: string,
    type: EventType,
    input: ModerationInput,
    expiredAt?: number,
  ): Promise<ChannelEvent | undefined> {
    return sql.write(async (trx) => {
      let query = trx
        .deleteFrom(table)
        .where("channel_id", "=", input.channelId)
        .where("user_id", "=", input.target.id);
      if (expiredAt !== undefined) query = query.where("until", "<=", expiredAt);
      const deleted = await query.executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return undefined;
      await audit(trx, action, input);
      return sql.appendEvent(trx, input.channelId, {
        type,
        actor: input.actor,
        data: { u: input.target.id, un: input.target.name },
      });
    });
  }

  async function activeRestriction(
    table: RestrictionTable,
    channelId: number,
    userId: number,
  ): Promise<Restriction | undefined> {
    const [row] = await sql.query<{ until: number | null; reason: string | null }>(
      db,
      `restriction:${table}`,
      () =>
        db
          .selectFrom(table)
          .select(["until", "reason"])
          .where("channel_id", "=", 0)
          .where("user_id", "=", 0),
      [channelId, userId],
    );
    return inForce(row, sql.now());
  }

  return {
    async kick(input) {
      return sql.write(async (trx) => {
        const events = await removeMembership(sql, trx, input.channelId, input.target.id, {
          type: EventType.MemberKicked,
          actor: input.actor,
          data: targetData(input),
        });
        if (events.length > 0) await audit(trx, "kick", input);
        return events;
      });
    },

    async mute(input) {
      return restrict("mutes", "mute", EventType.MemberMuted, input);
    },

    async unmute(input) {
      return lift("mutes", "unmute", EventType.MemberUnmuted, input);
    },

    async ban(input) {
      return sql.write(async (trx) => {
        await upsertRestriction(trx, "bans", input);
        const removal = await removeMembership(sql, trx, input.channelId, input.target.id, {
          type: EventType.MemberBanned,
          actor: input.actor,
          data: targetData(input),
        });
        await audit(trx, "ban", input);
        if (removal.length > 0) return removal;
        // Not a member: the ban is still an event of the channel.
        return [
          await sql.appendEvent(trx, input.channelId, {
            type: EventType.MemberBanned,
            actor: input.actor,
            data: targetData(input),
          }),
        ];
      });
    },

    async unban(input) {
      return lift("bans", "unban", EventType.MemberUnbanned, input);
    },

    async standing(channelId, userId) {
      const [row] = await sql.run<StandingRow>(db, "standing", [channelId, userId]);
      if (!row) return undefined;
      const until = mutedUntil(row, sql.now());
      return {
        role: Number(row.role) as Role,
        ...(until !== undefined ? { mute: { until, reason: row.reason } } : {}),
      };
    },

    activeBan(channelId, userId) {
      return activeRestriction("bans", channelId, userId);
    },

    async setRole(input, role) {
      return sql.write(async (trx) => {
        const updated = await trx
          .updateTable("memberships")
          .set({ role })
          .where("channel_id", "=", input.channelId)
          .where("user_id", "=", input.target.id)
          .where("role", "!=", role)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return undefined;
        await audit(trx, role === Role.Moderator ? "mod" : "unmod", input);
        return sql.appendEvent(trx, input.channelId, {
          type: EventType.RoleChanged,
          actor: input.actor,
          data: { ...targetData(input), rl: role },
        });
      });
    },

    async setTopic(channelId, topic, actor) {
      return sql.write(async (trx) => {
        await trx.updateTable("channels").set({ topic }).where("id", "=", channelId).execute();
        await audit(trx, "topic", { channelId, actor, reason: topic });
        return sql.appendEvent(trx, channelId, {
          type: EventType.TopicChanged,
          actor,
          data: { tp: topic },
        });
      });
    },

    async setSlowMode(channelId, seconds, actor) {
      return sql.write(async (trx) => {
        await trx
          .updateTable("channels")
          .set({ slow_mode: seconds })
          .where("id", "=", channelId)
          .execute();
        await audit(trx, "slow", { channelId, actor, reason: String(seconds) });
        return sql.appendEvent(trx, channelId, {
          type: EventType.SlowModeChanged,
          actor,
          data: { sl: seconds },
        });
      });
    },

    async changeChannelWords(channelId, change, actor, max) {
      return sql.write(async (trx) => {
        let q = trx
          .selectFrom("channels")
          .select(["blocked_words", "held_words"])
          .where("id", "=", channelId);
        if (sql.dialect === "postgres") q = q.forUpdate();
        const row = await q.executeTakeFirst();
        if (!row) throw new ParleyError("NO_SUCH_CHANNEL");
        const words = toChannelWords(row);
        const entry = "add" in change ? change.add : change.remove;
        const list = "add" in change && change.hold ? "held" : "blocked";
        const other = list === "held" ? "blocked" : "held";
        let next: ChannelWords;
        if ("add" in change) {
          if (words[list].includes(entry)) return { words };
          // An entry is in one list: adding it to one takes it out of the other.
          const moved = words[other].includes(entry);
          if (!moved && words.blocked.length + words.held.length >= max)
            throw new ParleyError("LIMIT_REACHED", `A channel may list at most ${max} words`);
          next = {
            [list]: [...words[list], entry],
            [other]: words[other].filter((w) => w !== entry),
          } as unknown as ChannelWords;
        } else {
          if (!words.blocked.includes(entry) && !words.held.includes(entry)) return { words };
          next = {
            blocked: words.blocked.filter((w) => w !== entry),
            held: words.held.filter((w) => w !== entry),
          };
        }
        await trx
          .updateTable("channels")
          .set({
            blocked_words: JSON.stringify(next.blocked),
            held_words: JSON.stringify(next.held),
          })
          .where("id", "=", channelId)
          .execute();
        const verb = "add" in change ? (change.hold ? "hold" : "block") : "unblock";
        await audit(trx, "automod", { channelId, actor, reason: `${verb} ${entry}` });
        const event = await sql.appendEvent(trx, channelId, {
          type: EventType.BlockedWordsChanged,
          actor,
          data: { bw: next.blocked.length, hw: next.held.length },
        });
        return { words: next, event };
      });
    },

    async channelWords(channelId) {
      const row = await db
        .selectFrom("channels")
        .select(["blocked_words", "held_words"])
        .where("id", "=", channelId)
        .executeTakeFirst();
      return row ? toChannelWords(row) : { blocked: [], held: [] };
    },

    async setRetention(channelId, days, actor) {
      return sql.write(async (trx) => {
        await trx
          .updateTable("channels")
          .set({ retention_days: days })
          .where("id", "=", channelId)
          .execute();
        await audit(trx, "retention", { channelId, actor, reason: String(days) });
        return sql.appendEvent(trx, channelId, {
          type: EventType.RetentionChanged,
          actor,
          data: { rd: days },
        });
      });
    },

    async setVisibility(channelId, isPrivate, actor) {
      return sql.write(async (trx) => {
        const updated = await trx
          .updateTable("channels")
          .set({ private: isPrivate ? 1 : 0 })
          .where("id", "=", channelId)
          .where("private", "!=", isPrivate ? 1 : 0)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return undefined;
        await audit(trx, isPrivate ? "private" : "public", { channelId, actor });
        return sql.appendEvent(trx, channelId, {
          type: EventType.ChannelVisibilityChanged,
          actor,
          data: { pv: isPrivate },
        });
      });
    },

    async recordAudit(input) {
      await sql.write((trx) => audit(trx, input.action, input));
    },

    async auditLog(filter, limit) {
      let q = db.selectFrom("audit_log").selectAll();
      if (filter.channelId !== undefined) q = q.where("channel_id", "=", filter.channelId);
      if (filter.actorId !== undefined) q = q.where("actor_id", "=", filter.actorId);
      if (filter.targetId !== undefined) q = q.where("target_id", "=", filter.targetId);
      if (filter.action !== undefined) q = q.where("action", "=", filter.action);
      if (filter.since !== undefined) q = q.where("created_at", ">=", filter.since);
      if (filter.until !== undefined) q = q.where("created_at", "<", filter.until);
      if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
      const rows = await q.orderBy("id", "desc").limit(limit).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        channelId: Number(r.channel_id),
        actor: { id: Number(r.actor_id), name: r.actor_name },
        target:
          r.target_id === null ? null : { id: Number(r.target_id), name: r.target_name ?? "" },
        action: r.action,
        reason: r.reason,
        until: r.until === null ? null : Number(r.until),
        at: Number(r.created_at),
      }));
    },

    async expireRestrictions(now) {
      const out: { channelId: number; event: ChannelEvent }[] = [];
      for (const [table, action, type] of [
        ["mutes", "unmute", EventType.MemberUnmuted],
        ["bans", "unban", EventType.MemberUnbanned],
      ] as const) {
        const expired = await db
          .selectFrom(`${table} as r`)
          .innerJoin("users as u", "u.id", "r.user_id")
          .select(["r.channel_id", "r.user_id", "u.username"])
          .where("r.until", "is not", null)
          .where("r.until", "<=", now)
          .execute();
        for (const row of expired) {
          const event = await lift(
            table,
            action,
            type,
            {
              channelId: Number(row.channel_id),
              actor: SYSTEM_ACTOR,
              target: { id: Number(row.user_id), name: row.username },
            },
            now,
          );
          if (event) out.push({ channelId: Number(row.channel_id), event });
        }
      }
      return out;
    },

    async nextExpiry() {
      let next: number | undefined;
      for (const table of ["mutes", "bans"] as const) {
        const row = await db
          .selectFrom(table)
          .select((eb) => eb.fn.min("until").as("next"))
          .where("until", "is not", null)
          .executeTakeFirst();
        const value = row?.next === null || row?.next === undefined ? undefined : Number(row.next);
        if (value !== undefined && (next === undefined || value < next)) next = value;
      }
      return next;
    },
  };
}

/** What an audit row records besides its action. */
export interface AuditInput {
  channelId: number;
  actor: Actor;
  target?: Actor;
  reason?: string | null;
  until?: number | null;
}

/** Appends a row to the audit log inside `trx` (every audited action commits with its row). */
export async function insertAudit(
  sql: SqlContext,
  trx: Transaction<Database>,
  action: string,
  input: AuditInput,
): Promise<void> {
  await trx
    .insertInto("audit_log")
    .values({
      channel_id: input.channelId,
      actor_id: input.actor.id,
      actor_name: input.actor.name,
      target_id: input.target?.id ?? null,
      target_name: input.target?.name ?? null,
      action,
      reason: input.reason ?? null,
      until: input.until ?? null,
      created_at: sql.now(),
    })
    .execute();
}

/** The target fields of a moderation event: who, why, until when. */
function targetData(input: ModerationInput): Record<string, unknown> {
  return {
    u: input.target.id,
    un: input.target.name,
    ...(input.reason ? { rs: input.reason } : {}),
    ...(input.until ? { ut: input.until } : {}),
  };
}

function toChannelWords(row: { blocked_words: string; held_words: string }): ChannelWords {
  return {
    blocked: JSON.parse(row.blocked_words) as string[],
    held: JSON.parse(row.held_words) as string[],
  };
}
