import type { BlockStore } from "../block-store";
import type { SqlContext } from "./context";

/** {@link BlockStore} over SQL: the `blocks` table. */
export function sqlBlockStore(sql: SqlContext): BlockStore {
  const { db } = sql;
  return {
    async setBlock(userId, blockedId, on) {
      const result = await sql.write((trx) =>
        on
          ? trx
              .insertInto("blocks")
              .values({ user_id: userId, blocked_id: blockedId, created_at: sql.now() })
              .onConflict((oc) => oc.columns(["user_id", "blocked_id"]).doNothing())
              .executeTakeFirst()
              .then((r) => Number(r.numInsertedOrUpdatedRows ?? 0))
          : trx
              .deleteFrom("blocks")
              .where("user_id", "=", userId)
              .where("blocked_id", "=", blockedId)
              .executeTakeFirst()
              .then((r) => Number(r.numDeletedRows)),
      );
      return result > 0;
    },

    async blockedBy(userId) {
      const rows = await sql.query<{ blocked_id: number }>(
        db,
        "blockedBy",
        () =>
          db
            .selectFrom("blocks")
            .select("blocked_id")
            .where("user_id", "=", 0)
            .orderBy("blocked_id"),
        [userId],
      );
      return rows.map((r) => Number(r.blocked_id));
    },

    async blockedEitherWay(userId, others) {
      if (others.length === 0) return false;
      const row = await db
        .selectFrom("blocks")
        .select("user_id")
        .where((eb) =>
          eb.or([
            eb.and([eb("user_id", "=", userId), eb("blocked_id", "in", [...others])]),
            eb.and([eb("blocked_id", "=", userId), eb("user_id", "in", [...others])]),
          ]),
        )
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}
