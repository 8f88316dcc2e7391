import { EventType, Role } from "@parley/protocol";
import type { Kysely, Selectable } from "kysely";
import { ParleyError, restrictionError } from "../../errors";
import type { InviteRow, InviteStore } from "../invite-store";
import type { Database } from "../schema";
import { memberNameKey, readUpToJoin, type SqlContext } from "./context";

function toInvite(row: Selectable<Database["invites"]>): InviteRow {
  return {
    id: Number(row.id),
    channelId: Number(row.channel_id),
    createdBy: { id: Number(row.created_by), name: row.created_by_name },
    createdAt: Number(row.created_at),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    maxUses: row.max_uses === null ? null : Number(row.max_uses),
    uses: Number(row.uses),
  };
}

function isLive(invite: InviteRow, now: number): boolean {
  return (
    (invite.expiresAt === null || invite.expiresAt > now) &&
    (invite.maxUses === null || invite.uses < invite.maxUses)
  );
}

/** The link with this code hash, live or not. */
async function byHash(db: Kysely<Database>, codeHash: string): Promise<InviteRow | undefined> {
  const row = await db
    .selectFrom("invites")
    .selectAll()
    .where("code_hash", "=", codeHash)
    .executeTakeFirst();
  return row && toInvite(row);
}

/** {@link InviteStore} over SQL. */
export function sqlInviteStore(sql: SqlContext): InviteStore {
  const { db } = sql;

  return {
    async createInvite(input) {
      const row = await sql.write((trx) =>
        trx
          .insertInto("invites")
          .values({
            channel_id: input.channelId,
            code_hash: input.codeHash,
            created_by: input.creator.id,
            created_by_name: input.creator.name,
            created_at: sql.now(),
            expires_at: input.expiresAt,
            max_uses: input.maxUses,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      );
      return toInvite(row);
    },

    async findInvite(codeHash) {
      const invite = await byHash(db, codeHash);
      return invite && isLive(invite, sql.now()) ? invite : undefined;
    },

    async listInvites(channelId, createdBy) {
      let q = db.selectFrom("invites").selectAll().where("channel_id", "=", channelId);
      if (createdBy !== undefined) q = q.where("created_by", "=", createdBy);
      const now = sql.now();
      return (await q.orderBy("id", "desc").execute()).map(toInvite).filter((i) => isLive(i, now));
    },

    async revokeInvite(channelId, id, createdBy) {
      return sql.write(async (trx) => {
        let q = trx.deleteFrom("invites").where("channel_id", "=", channelId).where("id", "=", id);
        if (createdBy !== undefined) q = q.where("created_by", "=", createdBy);
        return Number((await q.executeTakeFirst()).numDeletedRows) > 0;
      });
    },

    async redeemInvite(codeHash, user, data) {
      return sql.write(async (trx) => {
        const now = sql.now();
        const found = await byHash(trx, codeHash);
        if (!found || !isLive(found, now)) throw new ParleyError("INVITE_INVALID");
        const ban = await trx
          .selectFrom("bans")
          .select("until")
          .where("channel_id", "=", found.channelId)
          .where("user_id", "=", user.id)
          .executeTakeFirst();
        const banUntil = ban && (ban.until === null ? null : Number(ban.until));
        if (ban && (banUntil === null || banUntil! > now)) {
          throw restrictionError("BANNED", banUntil ?? null);
        }
        const member = await trx
          .selectFrom("memberships")
          .select("role")
          .where("channel_id", "=", found.channelId)
          .where("user_id", "=", user.id)
          .executeTakeFirst();
        if (member) return { invite: found };
        // The use is taken by a conditional update: on PostgreSQL it waits for the row lock of
        // a concurrent redemption and re-reads the row, so two cannot both take the last use.
        const used = await trx
          .updateTable("invites")
          .set((eb) => ({ uses: eb("uses", "+", 1) }))
          .where("id", "=", found.id)
          .where((eb) => eb.or([eb("max_uses", "is", null), eb("uses", "<", eb.ref("max_uses"))]))
          .returningAll()
          .executeTakeFirst();
        if (!used) throw new ParleyError("INVITE_INVALID");
        const inserted = await trx
          .insertInto("memberships")
          .values({
            channel_id: found.channelId,
            user_id: user.id,
            role: Role.Member,
            joined_at: now,
            read_seq: readUpToJoin(found.channelId),
            name_key: memberNameKey(user.id),
          })
          .onConflict((oc) => oc.columns(["channel_id", "user_id"]).doNothing())
          .executeTakeFirst();
        // Joined by a concurrent request meanwhile: that one stored the join; this use is undone.
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
          throw new ParleyError("ALREADY_MEMBER");
        }
        const event = await sql.appendEvent(trx, found.channelId, {
          type: EventType.MemberJoined,
          actor: user,
          data: { ...data, iv: found.createdBy.id, ivn: found.createdBy.name },
        });
        return { invite: toInvite(used), event };
      });
    },
  };
}
