import {
  type ChannelEvent,
  EventType,
  type HistoryPage,
  LIMITS,
  MUTATION_EVENT_TYPES,
  type ReactionSummary,
} from "@parley/protocol";
import { ParleyError } from "../../errors";
import type { EventLog, HistoryQuery } from "../event-log";
import type { Db, MessagePostedEvent, SqlContext } from "./context";

/**
 * {@link EventLog} over SQL: history pages, snapshots and replay by statements kept in the
 * context's cache, and reactions with their events.
 */
export function sqlEventLog(sql: SqlContext): EventLog {
  const { db } = sql;

  /**
   * Refuses a reaction on an unknown or deleted message (NO_SUCH_MESSAGE). On PostgreSQL the
   * row is share-locked until commit, so a deletion either waits for the reaction (and then
   * deletes it) or commits first and is seen here.
   */
  async function requireMessage(trx: Db, channelId: number, messageId: number): Promise<void> {
    let q = trx
      .selectFrom("messages")
      .select("deleted_at")
      .where("id", "=", messageId)
      .where("channel_id", "=", channelId);
    if (sql.dialect === "postgres") q = q.forShare();
    const row = await q.executeTakeFirst();
    if (!row || row.deleted_at !== null) throw new ParleyError("NO_SUCH_MESSAGE");
  }

  async function historyIn(trx: Db, channelId: number, query: HistoryQuery): Promise<HistoryPage> {
    const { limit } = query;
    const types = MUTATION_EVENT_TYPES as readonly number[];
    const newestBelow = (bound: number | undefined, n: number) =>
      sql.events(trx, "below", [channelId, ...types, bound ?? Number.MAX_SAFE_INTEGER, n]);
    const oldestFrom = (bound: number, n: number) =>
      sql.events(trx, "from", [channelId, ...types, bound, n]);
    const exists = async (op: "<" | ">", seq: number) =>
      (op === "<" ? await newestBelow(seq, 1) : await oldestFrom(seq + 1, 1)).length > 0;

    let older: ChannelEvent[] = [];
    let newer: ChannelEvent[] = [];
    let mb: boolean | undefined;
    let ma: boolean | undefined;
    if (query.after !== undefined) {
      newer = await oldestFrom(query.after + 1, limit + 1);
      ma = newer.length > limit;
      newer = newer.slice(0, limit);
    } else if (query.around !== undefined) {
      const half = Math.floor(limit / 2);
      older = await newestBelow(query.around, half + 1);
      mb = older.length > half;
      older = older.slice(0, half);
      newer = await oldestFrom(query.around, limit - older.length + 1);
      ma = newer.length > limit - older.length;
      newer = newer.slice(0, limit - older.length);
    } else {
      older = await newestBelow(query.before, limit + 1);
      mb = older.length > limit;
      older = older.slice(0, limit);
      if (query.before === undefined) ma = false;
    }
    const events = [...older.reverse(), ...newer];
    const first = events[0];
    const last = events.at(-1);
    if (mb === undefined) {
      const bound = first?.s ?? (query.after ?? 0) + 1;
      mb = await exists("<", bound);
    }
    if (ma === undefined) {
      const bound = last?.s ?? (query.before ?? query.around ?? 1) - 1;
      ma = await exists(">", bound);
    }
    await attachReactions(trx, events);
    return { e: events, mb, ma };
  }

  async function attachReactions(trx: Db, events: ChannelEvent[]): Promise<void> {
    const messageIds = events
      .filter((e) => e.t === EventType.MessagePosted)
      .map((e) => (e as MessagePostedEvent).i);
    if (messageIds.length === 0) return;
    const byMessage = await reactionsOf(trx, messageIds);
    for (const e of events) {
      if (e.t !== EventType.MessagePosted) continue;
      const r = byMessage.get(e.i);
      if (r) e.r = r;
    }
  }

  async function reactionsOf(
    trx: Db,
    messageIds: number[],
  ): Promise<Map<number, ReactionSummary[]>> {
    const build = () =>
      db
        .selectFrom("reactions as r")
        .innerJoin("users as u", "u.id", "r.user_id")
        .select(["r.message_id", "r.emoji", "r.user_id", "u.username"])
        .where("r.message_id", "in", messageIds)
        .orderBy("r.created_at")
        .orderBy("r.user_id");
    // Kept per id count up to a page's (101); a longer replay builds its own.
    const text =
      messageIds.length <= LIMITS.historyMax + 1
        ? sql.statement(`reactions:${messageIds.length}`, build)
        : build().compile().sql;
    const rows = await sql.runSql<{
      message_id: number;
      emoji: string;
      user_id: number;
      username: string;
    }>(trx, text, messageIds);
    const out = new Map<number, ReactionSummary[]>();
    for (const row of rows) {
      const messageId = Number(row.message_id);
      let list = out.get(messageId);
      if (!list) {
        list = [];
        out.set(messageId, list);
      }
      let entry = list.find((x) => x.e === row.emoji);
      if (!entry) {
        entry = { e: row.emoji, u: [] };
        list.push(entry);
      }
      entry.u.push({ i: Number(row.user_id), n: row.username });
    }
    return out;
  }

  return {
    async addReaction(channelId, messageId, emoji, actor, maxDistinct) {
      return sql.write(async (trx) => {
        await requireMessage(trx, channelId, messageId);
        await sql.assertStanding(trx, channelId, actor.id, sql.now());
        const mine = await trx
          .selectFrom("reactions")
          .select("emoji")
          .where("message_id", "=", messageId)
          .where("emoji", "=", emoji)
          .where("user_id", "=", actor.id)
          .executeTakeFirst();
        if (mine) return undefined;
        const distinct = await trx
          .selectFrom("reactions")
          .select("emoji")
          .distinct()
          .where("message_id", "=", messageId)
          .execute();
        if (distinct.length >= maxDistinct && !distinct.some((r) => r.emoji === emoji)) {
          throw new ParleyError("TOO_MANY_REACTIONS");
        }
        await trx
          .insertInto("reactions")
          .values({ message_id: messageId, user_id: actor.id, emoji, created_at: sql.now() })
          .execute();
        return sql.appendEvent(trx, channelId, {
          type: EventType.ReactionAdded,
          actor,
          messageId,
          data: { m: messageId, e: emoji },
        });
      });
    },

    async removeReaction(channelId, messageId, emoji, actor) {
      return sql.write(async (trx) => {
        await requireMessage(trx, channelId, messageId);
        await sql.assertStanding(trx, channelId, actor.id, sql.now());
        const deleted = await trx
          .deleteFrom("reactions")
          .where("message_id", "=", messageId)
          .where("emoji", "=", emoji)
          .where("user_id", "=", actor.id)
          .executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) throw new ParleyError("NO_SUCH_REACTION");
        return sql.appendEvent(trx, channelId, {
          type: EventType.ReactionRemoved,
          actor,
          messageId,
          data: { m: messageId, e: emoji },
        });
      });
    },

    history(channelId, query) {
      return historyIn(db, channelId, query);
    },

    async pinned(channelId) {
      const events = await sql.events(db, "pinned", [
        channelId,
        EventType.MessagePosted,
        LIMITS.pinsPerChannel,
      ]);
      await attachReactions(db, events);
      return events as MessagePostedEvent[];
    },

    async snapshot(channelId, limit) {
      let tx = db.transaction();
      // PostgreSQL needs one snapshot for both reads; SQLite's transaction holds the only connection.
      if (sql.dialect === "postgres") tx = tx.setIsolationLevel("repeatable read");
      return tx.execute(async (trx) => {
        const row = await trx
          .selectFrom("channels")
          .select("last_seq")
          .where("id", "=", channelId)
          .executeTakeFirst();
        if (!row) throw new ParleyError("NO_SUCH_CHANNEL");
        const page = await historyIn(trx, channelId, { limit });
        return { page, lastSeq: Number(row.last_seq) };
      });
    },

    async eventsAfter(channelId, afterSeq, limit) {
      const events = await sql.events(db, "after", [channelId, afterSeq, limit]);
      await attachReactions(db, events);
      return events;
    },

    async lastSeqs(channelIds) {
      const out = new Map<number, number>();
      // Chunks keep the statement's parameters well under SQLite's and PostgreSQL's limits.
      for (let i = 0; i < channelIds.length; i += 500) {
        const rows = await db
          .selectFrom("channels")
          .select(["id", "last_seq"])
          .where("id", "in", channelIds.slice(i, i + 500))
          .execute();
        for (const r of rows) out.set(Number(r.id), Number(r.last_seq));
      }
      return out;
    },
  };
}
