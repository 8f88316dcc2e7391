import type { ExpressionBuilder, Selectable, Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type { Database } from "../schema";
import type { ServerInviteRow, ServerInviteStore } from "../server-invite-store";
import { insertAdminAudit } from "./admin";
import type { SqlContext } from "./context";

function toServerInvite(row: Selectable<Database["server_invites"]>): ServerInviteRow {
  return {
    id: Number(row.id),
    createdBy: { id: Number(row.created_by), name: row.created_by_name },
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    maxUses: row.max_uses === null ? null : Number(row.max_uses),
    uses: Number(row.uses),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    note: row.note,
  };
}

/** The condition of an invite usable at `now`: not revoked, expired or used up. */
function usableAt(now: number) {
  return (eb: ExpressionBuilder<Database, "server_invites">) =>
    eb.and([
      eb("revoked_at", "is", null),
      eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]),
      eb.or([eb("max_uses", "is", null), eb("uses", "<", eb.ref("max_uses"))]),
    ]);
}

/**
 * Takes one use of the server invite with this code hash, in the caller's transaction:
 * INVITE_INVALID when none is usable now (unknown, expired, used up or revoked: one answer). A
 * conditional update: on PostgreSQL it waits for the row lock of a concurrent sign-up and
 * re-reads the row, so two cannot both take the last use.
 */
export async function useServerInvite(
  trx: Transaction<Database>,
  codeHash: string,
  now: number,
): Promise<void> {
  const used = await trx
    .updateTable("server_invites")
    .set((eb) => ({ uses: eb("uses", "+", 1) }))
    .where("code_hash", "=", codeHash)
    .where(usableAt(now))
    .executeTakeFirst();
  if (Number(used.numUpdatedRows) === 0) throw new ParleyError("INVITE_INVALID");
}

/** {@link ServerInviteStore} over SQL. */
export function sqlServerInviteStore(sql: SqlContext): ServerInviteStore {
  const { db } = sql;
  return {
    async createServerInvite(input, change) {
      return sql.write(async (trx) => {
        const row = await trx
          .insertInto("server_invites")
          .values({
            code_hash: input.codeHash,
            created_by: change.actor.id,
            created_by_name: change.actor.name,
            created_at: sql.now(),
            expires_at: input.expiresAt,
            max_uses: input.maxUses,
            revoked_at: null,
            note: input.note,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const invite = toServerInvite(row);
        await insertAdminAudit(sql, trx, {
          ...change,
          targetKind: "invite",
          target: { id: invite.id, name: invite.note ?? "" },
        });
        return invite;
      });
    },

    async serverInvites({ live, beforeId, limit }) {
      let q = db.selectFrom("server_invites").selectAll();
      if (beforeId !== undefined) q = q.where("id", "<", beforeId);
      if (live) q = q.where(usableAt(sql.now()));
      const rows = await q.orderBy("id", "desc").limit(limit).execute();
      return rows.map(toServerInvite);
    },

    async liveServerInvite(codeHash) {
      const row = await db
        .selectFrom("server_invites")
        .selectAll()
        .where("code_hash", "=", codeHash)
        .where(usableAt(sql.now()))
        .executeTakeFirst();
      return row && toServerInvite(row);
    },

    async revokeServerInvite(id, change) {
      return sql.write(async (trx) => {
        const revoked = await trx
          .updateTable("server_invites")
          .set({ revoked_at: sql.now() })
          .where("id", "=", id)
          .where("revoked_at", "is", null)
          .returningAll()
          .executeTakeFirst();
        if (revoked) {
          const invite = toServerInvite(revoked);
          await insertAdminAudit(sql, trx, {
            ...change,
            targetKind: "invite",
            target: { id: invite.id, name: invite.note ?? "" },
          });
          return invite;
        }
        const row = await trx
          .selectFrom("server_invites")
          .selectAll()
          .where("id", "=", id)
          .executeTakeFirst();
        return row && toServerInvite(row);
      });
    },
  };
}
