import { ChannelKind, EventType, nameKey, Role } from "@parley/protocol";
import { sql as raw, type Selectable, type Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type {
  AdminChannelMemberRow,
  AdminChannelRow,
  AdminChannelStore,
} from "../admin-channel-store";
import type { Database } from "../schema";
import { insertAdminAudit, likeLiteral } from "./admin";
import { type SqlContext, toChannel, toUser } from "./context";

type ListedRow = Selectable<Database["channels"]> & {
  member_count: number | string | null;
  last_at: number | string | null;
  owner_id: number | string | null;
};

/** {@link AdminChannelStore} over SQL. */
export function sqlAdminChannelStore(sql: SqlContext): AdminChannelStore {
  const { db } = sql;

  /** Channels (never direct messages, never deleted ones) with their console figures. */
  const listed = () =>
    db
      .selectFrom("channels as c")
      .selectAll("c")
      .select([
        raw<number>`(select count(*) from memberships m where m.channel_id = c.id)`.as(
          "member_count",
        ),
        raw<
          number | null
        >`(select e.created_at from events e where e.channel_id = c.id and e.seq = c.last_seq)`.as(
          "last_at",
        ),
        raw<
          number | null
        >`(select min(m.user_id) from memberships m where m.channel_id = c.id and m.role = ${Role.Owner})`.as(
          "owner_id",
        ),
      ])
      .where("c.kind", "=", ChannelKind.Channel)
      .where("c.deleted_at", "is", null);

  async function complete(rows: ListedRow[]): Promise<AdminChannelRow[]> {
    const ownerIds = [...new Set(rows.flatMap((r) => (r.owner_id ? [Number(r.owner_id)] : [])))];
    const owners = new Map<number, string>();
    if (ownerIds.length > 0) {
      const users = await db
        .selectFrom("users")
        .select(["id", "username"])
        .where("id", "in", ownerIds)
        .execute();
      for (const u of users) owners.set(Number(u.id), u.username);
    }
    return rows.map((r) => {
      const ownerId = r.owner_id === null ? null : Number(r.owner_id);
      return {
        ...toChannel(r),
        members: Number(r.member_count ?? 0),
        lastActivityAt: r.last_at === null ? null : Number(r.last_at),
        owner: ownerId === null ? null : { id: ownerId, name: owners.get(ownerId) ?? "" },
      };
    });
  }

  /** One RoleChanged of `userId` to `role`, by `actor`. */
  async function changeRole(
    trx: Transaction<Database>,
    channelId: number,
    user: { id: number; name: string },
    role: Role,
    actor: { id: number; name: string },
  ) {
    await trx
      .updateTable("memberships")
      .set({ role })
      .where("channel_id", "=", channelId)
      .where("user_id", "=", user.id)
      .execute();
    return sql.appendEvent(trx, channelId, {
      type: EventType.RoleChanged,
      actor,
      data: { u: user.id, un: user.name, rl: role },
    });
  }

  return {
    async adminChannels({ query, kind, beforeId, limit }) {
      let q = listed();
      if (query) {
        q = q.where(
          raw<boolean>`c.name_lower like ${`%${likeLiteral(nameKey(query))}%`} escape '\\'`,
        );
      }
      if (kind === "public") q = q.where("c.private", "=", 0);
      if (kind === "private") q = q.where("c.private", "=", 1);
      if (kind === "archived") q = q.where("c.archived_at", "is not", null);
      if (beforeId !== undefined) q = q.where("c.id", "<", beforeId);
      return complete(await q.orderBy("c.id", "desc").limit(limit).execute());
    },

    async adminChannel(channelId) {
      const rows = await listed().where("c.id", "=", channelId).execute();
      return (await complete(rows))[0];
    },

    async adminChannelMembers(channelId, afterUserId, limit) {
      let q = db
        .selectFrom("memberships as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .selectAll("u")
        .select(["m.role", "m.joined_at"])
        .where("m.channel_id", "=", channelId);
      if (afterUserId !== undefined) q = q.where("m.user_id", ">", afterUserId);
      const rows = await q.orderBy("m.user_id").limit(limit).execute();
      return rows.map(
        (r): AdminChannelMemberRow => ({
          user: toUser(r),
          role: Number(r.role) as Role,
          joinedAt: Number(r.joined_at),
        }),
      );
    },

    async setChannelOwnerAudited(channelId, userId, actor, change) {
      return sql.write(async (trx) => {
        const target = await trx
          .selectFrom("memberships as m")
          .innerJoin("users as u", "u.id", "m.user_id")
          .select(["m.role", "u.username"])
          .where("m.channel_id", "=", channelId)
          .where("m.user_id", "=", userId)
          .executeTakeFirst();
        if (!target) throw new ParleyError("TARGET_NOT_MEMBER");
        if (Number(target.role) === Role.Owner) return [];
        const owners = await trx
          .selectFrom("memberships as m")
          .innerJoin("users as u", "u.id", "m.user_id")
          .select(["m.user_id", "u.username"])
          .where("m.channel_id", "=", channelId)
          .where("m.role", "=", Role.Owner)
          .orderBy("m.user_id")
          .execute();
        const events = [];
        for (const o of owners) {
          const owner = { id: Number(o.user_id), name: o.username };
          events.push(await changeRole(trx, channelId, owner, Role.Moderator, actor));
        }
        const heir = { id: userId, name: target.username };
        events.push(await changeRole(trx, channelId, heir, Role.Owner, actor));
        await insertAdminAudit(sql, trx, change);
        return events;
      });
    },

    async setChannelArchivedAudited(channelId, on, actor, change) {
      return sql.write(async (trx) => {
        const updated = await trx
          .updateTable("channels")
          .set({ archived_at: on ? sql.now() : null })
          .where("id", "=", channelId)
          .where("archived_at", on ? "is" : "is not", null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) return undefined;
        await insertAdminAudit(sql, trx, change);
        return sql.appendEvent(trx, channelId, {
          type: EventType.ChannelArchived,
          actor,
          data: { ar: on },
        });
      });
    },

    async deleteChannelAudited(channelId, change) {
      return sql.write(async (trx) => {
        const now = sql.now();
        const updated = await trx
          .updateTable("channels")
          // A newline is in no name's key: the name is free again at once.
          .set({ deleted_at: now, name_lower: `\ndeleted:${channelId}` })
          .where("id", "=", channelId)
          .where("deleted_at", "is", null)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) throw new ParleyError("NO_SUCH_CHANNEL");
        const members = await trx
          .deleteFrom("memberships")
          .where("channel_id", "=", channelId)
          .returning("user_id")
          .execute();
        for (const table of ["invites", "mutes", "bans"] as const)
          await trx.deleteFrom(table).where("channel_id", "=", channelId).execute();
        // Nobody reads or attaches its files from this commit on; the file sweep deletes them.
        await trx
          .updateTable("files")
          .set({ deleted_at: now })
          .where("channel_id", "=", channelId)
          .where("deleted_at", "is", null)
          .execute();
        await insertAdminAudit(sql, trx, change);
        return members.map((m) => Number(m.user_id)).sort((a, b) => a - b);
      });
    },

    async purgeDeletedChannel(channelId, limit) {
      return sql.write(async (trx) => {
        const channel = await trx
          .selectFrom("channels")
          .select("deleted_at")
          .where("id", "=", channelId)
          .executeTakeFirst();
        if (!channel) return { removedMessages: 0, done: true };
        if (channel.deleted_at === null) throw new ParleyError("NO_SUCH_CHANNEL");
        const messages = await trx
          .selectFrom("messages")
          .select(["id", "seq"])
          .where("channel_id", "=", channelId)
          .orderBy("id")
          .limit(limit)
          .execute();
        if (messages.length > 0) {
          const ids = messages.map((m) => Number(m.id));
          for (const table of [
            "reactions",
            "message_versions",
            "message_changes",
            "reports",
          ] as const)
            await trx.deleteFrom(table).where("message_id", "in", ids).execute();
          await trx
            .deleteFrom("mentions")
            .where("channel_id", "=", channelId)
            .where(
              "seq",
              "in",
              messages.map((m) => Number(m.seq)),
            )
            .execute();
          // The search entries go with the rows (SQLite's trigger; PostgreSQL's column).
          await trx.deleteFrom("messages").where("id", "in", ids).execute();
          return { removedMessages: ids.length, done: false };
        }
        const first = await trx
          .selectFrom("events")
          .select((eb) => eb.fn.min("seq").as("seq"))
          .where("channel_id", "=", channelId)
          .executeTakeFirst();
        if (first?.seq !== null && first?.seq !== undefined) {
          await trx
            .deleteFrom("events")
            .where("channel_id", "=", channelId)
            .where("seq", "<", Number(first.seq) + limit)
            .execute();
          return { removedMessages: 0, done: false };
        }
        for (const table of ["mentions", "message_changes", "reports", "audit_log"] as const)
          await trx.deleteFrom(table).where("channel_id", "=", channelId).execute();
        await trx.deleteFrom("channels").where("id", "=", channelId).execute();
        return { removedMessages: 0, done: true };
      });
    },

    async deletedChannels(limit) {
      const rows = await db
        .selectFrom("channels")
        .select("id")
        .where("deleted_at", "is not", null)
        .orderBy("id")
        .limit(limit)
        .execute();
      return rows.map((r) => Number(r.id));
    },
  };
}
