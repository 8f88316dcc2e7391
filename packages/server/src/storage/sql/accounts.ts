import { ChannelKind, nameKey } from "@parley/protocol";
import type { Selectable, Transaction } from "kysely";
import { ParleyError } from "../../errors";
import type { AccountStore, NewUser } from "../account-store";
import type { Database } from "../schema";
import type { SessionRow, UserRow } from "../storage";
import {
  isUniqueViolation,
  renameMemberships,
  revokeSessions,
  type SqlContext,
  toUser,
} from "./context";
import { useServerInvite } from "./server-invites";

/** A session joined with its user, as a hello's token finds it. */
type SessionUserRow = Omit<Selectable<Database["users"]>, "last_active_at"> & {
  session_id: number;
  session_created_at: number;
};

/** {@link AccountStore} over SQL: users, guests, sessions and the server-wide ban. */
export function sqlAccountStore(sql: SqlContext): AccountStore {
  const { db } = sql;

  async function insertUser(trx: Transaction<Database>, input: NewUser): Promise<UserRow> {
    const now = sql.now();
    try {
      const [row] = await sql.query<Selectable<Database["users"]>>(
        trx,
        "users:insert",
        () =>
          db
            .insertInto("users")
            .values({
              username: "",
              username_lower: "",
              password_hash: "",
              is_guest: 0,
              created_at: 0,
              last_active_at: 0,
            })
            .returningAll(),
        [
          input.username,
          nameKey(input.username),
          input.passwordHash,
          input.isGuest ? 1 : 0,
          now,
          // A guest's activity starts with its creation (accounts are not tracked).
          input.isGuest ? now : null,
        ],
      );
      return toUser(row!);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ParleyError("USERNAME_TAKEN");
      throw err;
    }
  }

  async function insertSession(
    trx: Transaction<Database>,
    userId: number,
    tokenHash: string,
  ): Promise<SessionRow> {
    const [row] = await sql.query<Selectable<Database["sessions"]>>(
      trx,
      "sessions:insert",
      () =>
        db
          .insertInto("sessions")
          .values({ user_id: 0, token_hash: "", created_at: 0, revoked_at: 0 })
          .returningAll(),
      [userId, tokenHash, sql.now(), null],
    );
    if (!row) throw new Error("The session was not stored");
    return { id: Number(row.id), userId: Number(row.user_id), createdAt: Number(row.created_at) };
  }

  return {
    createUserWithSession(input, tokenHash) {
      return sql.write(async (trx) => {
        if (input.inviteHash !== undefined) await useServerInvite(trx, input.inviteHash, sql.now());
        const user = await insertUser(trx, input);
        return { user, session: await insertSession(trx, user.id, tokenHash) };
      });
    },

    async getUser(id) {
      const row = await db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
      return row && toUser(row);
    },

    async findUserByName(username) {
      const row = await db
        .selectFrom("users")
        .selectAll()
        .where("username_lower", "=", nameKey(username))
        .executeTakeFirst();
      return row && toUser(row);
    },

    async updatePassword(userId, passwordHash) {
      await sql.write((trx) =>
        trx
          .updateTable("users")
          .set({ password_hash: passwordHash })
          .where("id", "=", userId)
          .execute(),
      );
    },

    async upgradeGuest(userId, passwordHash, username, inviteHash) {
      let row: Selectable<Database["users"]> | undefined;
      try {
        row = await sql.write(async (trx) => {
          if (inviteHash !== undefined) await useServerInvite(trx, inviteHash, sql.now());
          const upgraded = await trx
            .updateTable("users")
            .set({
              password_hash: passwordHash,
              is_guest: 0,
              ...(username !== undefined ? { username, username_lower: nameKey(username) } : {}),
            })
            .where("id", "=", userId)
            .where("is_guest", "=", 1)
            .returningAll()
            .executeTakeFirst();
          // Not a guest (any more): nothing changes, the invite's use included.
          if (!upgraded) throw new ParleyError("NOT_A_GUEST");
          if (username !== undefined) await renameMemberships(trx, userId, nameKey(username));
          return upgraded;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new ParleyError("USERNAME_TAKEN");
        throw err;
      }
      if (!row) throw new ParleyError("NOT_A_GUEST");
      return toUser(row);
    },

    async updateProfile(userId, change) {
      return sql.write(async (trx) => {
        const before = await trx
          .selectFrom("users")
          .select("avatar")
          .where("id", "=", userId)
          .where("is_guest", "=", 0)
          .where("deleted_at", "is", null)
          .executeTakeFirst();
        if (!before) throw new ParleyError("NO_SUCH_USER");
        const row = await trx
          .updateTable("users")
          .set({
            ...(change.displayName !== undefined ? { display_name: change.displayName } : {}),
            ...(change.statusText !== undefined ? { status_text: change.statusText } : {}),
            ...(change.avatar !== undefined ? { avatar: change.avatar } : {}),
          })
          .where("id", "=", userId)
          .returningAll()
          .executeTakeFirstOrThrow();
        return { user: toUser(row), previousAvatar: before.avatar };
      });
    },

    async markGuestActive(userId) {
      await sql.write((trx) =>
        trx
          .updateTable("users")
          .set({ last_active_at: sql.now() })
          .where("id", "=", userId)
          .where("is_guest", "=", 1)
          .execute(),
      );
    },

    async staleGuestMemberships(before, limit) {
      const rows = await db
        .selectFrom("memberships as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .innerJoin("channels as c", "c.id", "m.channel_id")
        .select(["m.channel_id", "u.id", "u.username"])
        .where("u.is_guest", "=", 1)
        .where("u.last_active_at", "<", before)
        // A DM is the conversation itself, not a room to tidy: its members stay.
        .where("c.kind", "=", ChannelKind.Channel)
        .orderBy("u.last_active_at")
        .orderBy("m.channel_id")
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        channelId: Number(r.channel_id),
        user: { id: Number(r.id), name: r.username },
      }));
    },

    async setAdmin(userId, on) {
      const row = await sql.write((trx) =>
        trx
          .updateTable("users")
          .set({ is_admin: on ? 1 : 0 })
          .where("id", "=", userId)
          .where("is_guest", "=", 0)
          .returning("id")
          .executeTakeFirst(),
      );
      if (!row) throw new ParleyError("NO_SUCH_USER");
    },

    async admins() {
      const rows = await db
        .selectFrom("users")
        .selectAll()
        .where("is_admin", "=", 1)
        .orderBy("username_lower")
        .execute();
      return rows.map(toUser);
    },

    createSession(userId, tokenHash) {
      return sql.write((trx) => insertSession(trx, userId, tokenHash));
    },

    async findSession(tokenHash) {
      const [row] = await sql.query<SessionUserRow>(
        db,
        "session:byToken",
        () =>
          db
            .selectFrom("sessions as s")
            .innerJoin("users as u", "u.id", "s.user_id")
            .select([
              "s.id as session_id",
              "s.created_at as session_created_at",
              "u.id",
              "u.username",
              "u.username_lower",
              "u.password_hash",
              "u.is_guest",
              "u.created_at",
              "u.banned_at",
              "u.banned_until",
              "u.ban_reason",
              "u.is_admin",
              "u.deactivated_at",
              "u.deleted_at",
              "u.display_name",
              "u.status_text",
              "u.avatar",
            ])
            .where("s.token_hash", "=", "")
            .where("s.revoked_at", "is", null),
        [tokenHash],
      );
      if (!row) return undefined;
      const user = toUser(row);
      return {
        session: {
          id: Number(row.session_id),
          userId: user.id,
          createdAt: Number(row.session_created_at),
        },
        user,
      };
    },

    async revokeSession(sessionId) {
      const row = await sql.write((trx) =>
        trx
          .updateTable("sessions")
          .set({ revoked_at: sql.now() })
          .where("id", "=", sessionId)
          .where("revoked_at", "is", null)
          .returning("user_id")
          .executeTakeFirst(),
      );
      return row ? Number(row.user_id) : undefined;
    },

    async revokeUserSessions(userId, exceptSessionId) {
      return sql.write((trx) => revokeSessions(trx, sql.now(), userId, exceptSessionId));
    },
  };
}
