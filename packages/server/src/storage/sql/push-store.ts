import type { NotifyLevel } from "@parley/protocol";
import type { PushStore, PushSubscriptionRow, PushTarget } from "../push-store";
import type { SqlContext } from "./context";

const toRow = (r: {
  user_id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
}): PushSubscriptionRow => ({
  userId: Number(r.user_id),
  endpoint: r.endpoint,
  p256dh: r.p256dh,
  auth: r.auth,
});

/**
 * {@link PushStore} over SQL: an upsert on the endpoint's unique key takes a device over; the
 * per-user bound deletes past the newest `max` in the same write. Push targets are one join of
 * the channel's memberships with the subscriptions.
 */
export function sqlPushStore(sql: SqlContext): PushStore {
  const { db } = sql;
  return {
    async subscribe(sub, max) {
      await sql.write(async (trx) => {
        const row = {
          user_id: sub.userId,
          endpoint: sub.endpoint,
          p256dh: sub.p256dh,
          auth: sub.auth,
          user_agent: sub.userAgent,
          created_at: sql.now(),
        };
        await trx
          .insertInto("push_subscriptions")
          .values(row)
          .onConflict((oc) =>
            oc.column("endpoint").doUpdateSet({
              user_id: row.user_id,
              p256dh: row.p256dh,
              auth: row.auth,
              user_agent: row.user_agent,
              created_at: row.created_at,
            }),
          )
          .execute();
        const kept = trx
          .selectFrom("push_subscriptions")
          .select("id")
          .where("user_id", "=", sub.userId)
          .orderBy("created_at", "desc")
          .orderBy("id", "desc")
          .limit(max);
        await trx
          .deleteFrom("push_subscriptions")
          .where("user_id", "=", sub.userId)
          .where("id", "not in", kept)
          .execute();
      });
    },

    async unsubscribe(userId, endpoint) {
      await sql.write((trx) =>
        trx
          .deleteFrom("push_subscriptions")
          .where("endpoint", "=", endpoint)
          .where("user_id", "=", userId)
          .execute(),
      );
    },

    async removeSubscription(endpoint) {
      await sql.write((trx) =>
        trx.deleteFrom("push_subscriptions").where("endpoint", "=", endpoint).execute(),
      );
    },

    async subscriptions(userId) {
      const rows = await db
        .selectFrom("push_subscriptions")
        .select(["user_id", "endpoint", "p256dh", "auth"])
        .where("user_id", "=", userId)
        .orderBy("created_at")
        .orderBy("id")
        .execute();
      return rows.map(toRow);
    },

    async pushTargets(channelId, exceptUserId) {
      // Read after every batch of messages: the SQL is built once.
      const text = sql.statement("push:targets", () =>
        db
          .selectFrom("memberships as m")
          .innerJoin("push_subscriptions as p", "p.user_id", "m.user_id")
          .select(["p.user_id", "p.endpoint", "p.p256dh", "p.auth", "m.notify_level"])
          .where("m.channel_id", "=", 0)
          .where("m.user_id", "<>", 0)
          .orderBy("p.user_id")
          .orderBy("p.id"),
      );
      const rows = await sql.runSql<{
        user_id: number;
        endpoint: string;
        p256dh: string;
        auth: string;
        notify_level: number;
      }>(db, text, [channelId, exceptUserId]);
      const targets = new Map<number, PushTarget>();
      for (const r of rows) {
        const userId = Number(r.user_id);
        let target = targets.get(userId);
        if (!target) {
          target = { userId, level: Number(r.notify_level) as NotifyLevel, subscriptions: [] };
          targets.set(userId, target);
        }
        target.subscriptions.push(toRow(r));
      }
      return [...targets.values()];
    },

    async hasSubscriptions() {
      const row = await db
        .selectFrom("push_subscriptions")
        .select("id")
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async settingOrInsert(key, value) {
      return sql.write(async (trx) => {
        await trx
          .insertInto("server_settings")
          .values({ key, value })
          .onConflict((oc) => oc.column("key").doNothing())
          .execute();
        const row = await trx
          .selectFrom("server_settings")
          .select("value")
          .where("key", "=", key)
          .executeTakeFirstOrThrow();
        return row.value;
      });
    },
  };
}
