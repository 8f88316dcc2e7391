import {
  type ChannelEvent,
  ChannelKind,
  deletedUsername,
  EventType,
  nameKey,
} from "@parley/protocol";
import { sql as raw, type Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type { AdminAuditRow, AdminChange, AdminStore, AdminUserRow } from "../admin-store";
import type { Database } from "../schema";
import { removeMembership } from "./channels";
import {
  isUniqueViolation,
  renameMemberships,
  revokeSessions,
  type SqlContext,
  toUser,
} from "./context";

/** `%` and `_` of a LIKE pattern taken literally (with `\` as the escape). */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `server_settings` key of the settings admins set (JSON). */
const SETTINGS_KEY = "admin-settings";

/** Records an admin change in the admin audit log, inside the change's transaction. */
export async function insertAdminAudit(
  sql: SqlContext,
  trx: Transaction<Database>,
  change: AdminChange,
): Promise<void> {
  await trx
    .insertInto("admin_audit")
    .values({
      actor_id: change.actor.id,
      actor_name: change.actor.name,
      action: change.action,
      target_kind: change.targetKind ?? "user",
      target_id: change.target.id,
      target_name: change.target.name,
      before: change.before === undefined ? null : JSON.stringify(change.before),
      after: change.after === undefined ? null : JSON.stringify(change.after),
      created_at: sql.now(),
    })
    .execute();
}

/** {@link AdminStore} over SQL: reads for the console, and writes that record their audit entry. */
export function sqlAdminStore(sql: SqlContext): AdminStore {
  const { db } = sql;

  const users = () =>
    db
      .selectFrom("users as u")
      .selectAll("u")
      .select((eb) =>
        eb
          .selectFrom("sessions as s")
          .select((e) => e.fn.countAll<number>().as("n"))
          .whereRef("s.user_id", "=", "u.id")
          .where("s.revoked_at", "is", null)
          .as("live_sessions"),
      );

  const toAdminUser = (
    row: Awaited<ReturnType<ReturnType<typeof users>["executeTakeFirstOrThrow"]>>,
  ): AdminUserRow => ({
    ...toUser(row),
    lastActiveAt: row.is_guest && row.last_active_at !== null ? Number(row.last_active_at) : null,
    sessions: Number(row.live_sessions ?? 0),
  });

  const audit = (trx: Transaction<Database>, change: AdminChange) =>
    insertAdminAudit(sql, trx, change);

  const revoke = (trx: Transaction<Database>, userId: number) =>
    revokeSessions(trx, sql.now(), userId);

  return {
    async adminUsers({ query, kind, beforeId, limit, now }) {
      let q = users();
      if (query) {
        q = q.where(
          raw<boolean>`u.username_lower like ${`%${likeLiteral(nameKey(query))}%`} escape '\\'`,
        );
      }
      // A deleted account is a name kept for its messages: listed only when asked for.
      q =
        kind === "deleted"
          ? q.where("u.deleted_at", "is not", null)
          : q.where("u.deleted_at", "is", null);
      if (kind === "deactivated") q = q.where("u.deactivated_at", "is not", null);
      if (kind === "registered") q = q.where("u.is_guest", "=", 0);
      if (kind === "guests") q = q.where("u.is_guest", "=", 1);
      if (kind === "admins") q = q.where("u.is_admin", "=", 1);
      if (kind === "banned")
        q = q
          .where("u.banned_at", "is not", null)
          .where((eb) => eb.or([eb("u.banned_until", "is", null), eb("u.banned_until", ">", now)]));
      if (beforeId !== undefined) q = q.where("u.id", "<", beforeId);
      const rows = await q.orderBy("u.id", "desc").limit(limit).execute();
      return rows.map(toAdminUser);
    },

    async adminUser(userId) {
      const row = await users().where("u.id", "=", userId).executeTakeFirst();
      return row ? toAdminUser(row) : undefined;
    },

    async userMemberships(userId) {
      const rows = await db
        .selectFrom("memberships as ms")
        .innerJoin("channels as c", "c.id", "ms.channel_id")
        .select(["c.id", "c.name", "c.kind", "ms.role"])
        .where("ms.user_id", "=", userId)
        .orderBy("c.name_lower")
        .execute();
      return rows.map((r) => ({
        channelId: Number(r.id),
        name: r.name,
        kind: Number(r.kind),
        role: Number(r.role),
      }));
    },

    async userMessages(userId, beforeId, limit) {
      let q = db
        .selectFrom("messages as m")
        .innerJoin("channels as c", "c.id", "m.channel_id")
        .select(["m.id", "m.channel_id", "c.name", "m.seq", "m.content", "m.created_at"])
        .where("m.author_id", "=", userId)
        .where("m.deleted_at", "is", null)
        .where("c.deleted_at", "is", null);
      if (beforeId !== undefined) q = q.where("m.id", "<", beforeId);
      const rows = await q.orderBy("m.id", "desc").limit(limit).execute();
      return rows.map((r) => ({
        id: Number(r.id),
        channelId: Number(r.channel_id),
        channelName: r.name,
        seq: Number(r.seq),
        content: r.content,
        createdAt: Number(r.created_at),
      }));
    },

    async recordAdminChange(change) {
      await sql.write((trx) => audit(trx, change));
    },

    async setServerBanAudited(userId, ban, change) {
      return sql.write(async (trx) => {
        await trx
          .updateTable("users")
          .set({
            banned_at: ban ? sql.now() : null,
            banned_until: ban?.until ?? null,
            ban_reason: ban?.reason ?? null,
          })
          .where("id", "=", userId)
          .execute();
        const revoked = ban ? await revoke(trx, userId) : [];
        await audit(trx, change);
        return revoked;
      });
    },

    async setPasswordAudited(userId, passwordHash, change) {
      return sql.write(async (trx) => {
        await trx
          .updateTable("users")
          .set({ password_hash: passwordHash })
          .where("id", "=", userId)
          .execute();
        const revoked = await revoke(trx, userId);
        await audit(trx, change);
        return revoked;
      });
    },

    async renameUserAudited(userId, username, change) {
      try {
        await sql.write(async (trx) => {
          await trx
            .updateTable("users")
            .set({ username, username_lower: nameKey(username) })
            .where("id", "=", userId)
            .execute();
          await renameMemberships(trx, userId, nameKey(username));
          await audit(trx, change);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ParleyError("USERNAME_TAKEN");
        throw err;
      }
    },

    async setDeactivatedAudited(userId, on, change) {
      return sql.write(async (trx) => {
        await trx
          .updateTable("users")
          .set({ deactivated_at: on ? sql.now() : null })
          .where("id", "=", userId)
          .execute();
        const revoked = on ? await revoke(trx, userId) : [];
        await audit(trx, change);
        return revoked;
      });
    },

    async deleteUserAudited(userId, change) {
      return sql.write(async (trx) => {
        const now = sql.now();
        const name = deletedUsername(userId);
        const user = await trx
          .updateTable("users")
          .set({
            username: name,
            username_lower: nameKey(name),
            password_hash: null,
            deleted_at: now,
            deactivated_at: null,
            display_name: null,
            status_text: null,
            avatar: null,
          })
          .where("id", "=", userId)
          .returning(["is_guest"])
          .executeTakeFirstOrThrow();
        await renameMemberships(trx, userId, nameKey(name));
        await revoke(trx, userId);
        // Its messages' events show the new name (found by the messages' author index; its
        // other events, joins and reactions, keep the name they were stored with).
        await raw`update events set actor_name = ${name}
          where actor_id = ${userId}
            and (channel_id, seq) in (select channel_id, seq from messages where author_id = ${userId})`.execute(
          trx,
        );
        await trx.deleteFrom("push_subscriptions").where("user_id", "=", userId).execute();
        await trx
          .deleteFrom("blocks")
          .where((eb) => eb.or([eb("user_id", "=", userId), eb("blocked_id", "=", userId)]))
          .execute();
        await trx
          .updateTable("files")
          .set({ deleted_at: now })
          .where("uploader_id", "=", userId)
          .where("message_id", "is", null)
          .where("deleted_at", "is", null)
          .execute();
        const channels = await trx
          .selectFrom("memberships as m")
          .innerJoin("channels as c", "c.id", "m.channel_id")
          .select(["c.id", "c.kind"])
          .where("m.user_id", "=", userId)
          .orderBy("c.id")
          .execute();
        const removals: { channelId: number; events: ChannelEvent[] }[] = [];
        for (const c of channels) {
          // A direct message's members are fixed: the conversation keeps its deleted member.
          if (Number(c.kind) !== ChannelKind.Channel) continue;
          const channelId = Number(c.id);
          const events = await removeMembership(sql, trx, channelId, userId, {
            type: EventType.MemberLeft,
            actor: { id: userId, name },
            data: { ex: true, ...(Number(user.is_guest) === 1 ? { g: true } : {}) },
          });
          removals.push({ channelId, events });
        }
        await audit(trx, change);
        return { channelIds: channels.map((c) => Number(c.id)), removals };
      });
    },

    async idleGuests(before, limit) {
      const rows = await db
        .selectFrom("users")
        .selectAll()
        .where("is_guest", "=", 1)
        .where("deleted_at", "is", null)
        .where("last_active_at", "<", before)
        .orderBy("last_active_at")
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map(toUser);
    },

    async revokeSessionsAudited(userId, change) {
      return sql.write(async (trx) => {
        const revoked = await revoke(trx, userId);
        await audit(trx, change);
        return revoked;
      });
    },

    async storedSettings() {
      const row = await db
        .selectFrom("server_settings")
        .select("value")
        .where("key", "=", SETTINGS_KEY)
        .executeTakeFirst();
      return row?.value;
    },

    async saveSettingsAudited(json, change) {
      await sql.write(async (trx) => {
        await trx
          .insertInto("server_settings")
          .values({ key: SETTINGS_KEY, value: json })
          .onConflict((oc) => oc.column("key").doUpdateSet({ value: json }))
          .execute();
        await audit(trx, change);
      });
    },

    async recordNodeStats(sample, pruneBefore) {
      await sql.write(async (trx) => {
        await trx
          .insertInto("node_stats")
          .values({
            node: sample.node,
            at: sample.at,
            connections: sample.connections,
            messages: sample.messages,
            lag_ms: sample.lagMs,
          })
          .onConflict((oc) => oc.columns(["node", "at"]).doNothing())
          .execute();
        await trx.deleteFrom("node_stats").where("at", "<", pruneBefore).execute();
      });
    },

    async nodeStats(since) {
      const rows = await db
        .selectFrom("node_stats")
        .selectAll()
        .where("at", ">=", since)
        .orderBy("at")
        .orderBy("node")
        .execute();
      return rows.map((r) => ({
        node: r.node,
        at: Number(r.at),
        connections: Number(r.connections),
        messages: Number(r.messages),
        lagMs: Number(r.lag_ms),
      }));
    },

    async storedMessages() {
      const row = await db
        .selectFrom("messages")
        .select((eb) => eb.fn.max("id").as("top"))
        .executeTakeFirst();
      return Number(row?.top ?? 0);
    },

    async databaseBytes() {
      if (sql.dialect === "sqlite") {
        const { rows } = await raw<{ bytes: number }>`select page_count * page_size as bytes
          from pragma_page_count(), pragma_page_size()`.execute(db);
        return Number(rows[0]?.bytes ?? 0);
      }
      const { rows } = await raw<{
        bytes: string;
      }>`select pg_database_size(current_database()) as bytes`.execute(db);
      return Number(rows[0]?.bytes ?? 0);
    },

    async channelNames(ids) {
      if (ids.length === 0) return new Map();
      const rows = await db
        .selectFrom("channels")
        .select(["id", "name"])
        .where("id", "in", [...ids])
        .execute();
      return new Map(rows.map((r) => [Number(r.id), r.name]));
    },

    async channelIdByName(name) {
      const row = await db
        .selectFrom("channels")
        .select("id")
        .where("name_lower", "=", nameKey(name))
        .executeTakeFirst();
      return row ? Number(row.id) : undefined;
    },

    async adminAudit({ actorId, targetId, action, beforeId, limit }) {
      let q = db.selectFrom("admin_audit").selectAll();
      if (actorId !== undefined) q = q.where("actor_id", "=", actorId);
      if (targetId !== undefined)
        q = q.where("target_kind", "=", "user").where("target_id", "=", targetId);
      if (action !== undefined) q = q.where("action", "=", action);
      if (beforeId !== undefined) q = q.where("id", "<", beforeId);
      const rows = await q.orderBy("id", "desc").limit(limit).execute();
      return rows.map(
        (r): AdminAuditRow => ({
          id: Number(r.id),
          at: Number(r.created_at),
          actorId: Number(r.actor_id),
          actorName: r.actor_name,
          action: r.action,
          targetKind: r.target_kind,
          targetId: Number(r.target_id),
          targetName: r.target_name,
          before: r.before === null ? null : JSON.parse(r.before),
          after: r.after === null ? null : JSON.parse(r.after),
        }),
      );
    },
  };
}
