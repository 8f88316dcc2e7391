import {
  type ChannelEvent,
  EventType,
  type HistoryPage,
  LIMITS,
  MessageKind,
  MUTATION_EVENT_TYPES,
  nameKey,
  type ReactionSummary,
  Role,
} from "@parley/protocol";
import {
  type Compilable,
  CompiledQuery,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  sql,
  type Transaction,
} from "kysely";
import { ParleyError, restrictionError } from "../errors";
import { GroupCommit } from "./group-commit";
import type { SqlDialect } from "./migrations";
import type { Database } from "./schema";
import type {
  Actor,
  AppendResult,
  AuditEntry,
  ChannelListing,
  ChannelRow,
  HistoryQuery,
  MemberRow,
  ModerationInput,
  NewEvent,
  NewMessage,
  NewUser,
  Restriction,
  SessionRow,
  Standing,
  Storage,
  UserRow,
} from "./storage";
import { SYSTEM_ACTOR } from "./storage";

type Db = Kysely<Database> | Transaction<Database>;
type EventRow = Selectable<Database["events"]> & {
  content: string | null;
  nonce: string | null;
  kind: number | null;
};
type MessagePostedEvent = ChannelEvent & { t: typeof EventType.MessagePosted };

/** True for a unique-constraint violation on SQLite or PostgreSQL. */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "23505"
  );
}

function toUser(row: Omit<Selectable<Database["users"]>, "last_active_at">): UserRow {
  return {
    id: Number(row.id),
    username: row.username,
    passwordHash: row.password_hash,
    isGuest: Number(row.is_guest) === 1,
    createdAt: Number(row.created_at),
    bannedAt: row.banned_at === null || row.banned_at === undefined ? null : Number(row.banned_at),
  };
}

function toChannel(row: Selectable<Database["channels"]>): ChannelRow {
  return {
    id: Number(row.id),
    name: row.name,
    topic: row.topic,
    createdBy: Number(row.created_by),
    createdAt: Number(row.created_at),
    lastSeq: Number(row.last_seq),
    slowMode: Number(row.slow_mode),
  };
}

/** Event columns plus the message columns a message event needs. */
const EVENT_COLUMNS = [
  "e.channel_id",
  "e.seq",
  "e.type",
  "e.actor_id",
  "e.actor_name",
  "e.created_at",
  "e.message_id",
  "e.data",
  "m.content",
  "m.nonce",
  "m.kind",
] as const;

/**
 * {@link Storage} over Kysely: one implementation for SQLite and PostgreSQL. A channel's next
 * seq comes from `UPDATE channels SET last_seq = last_seq + 1 … RETURNING`, which takes the
 * channel row's write lock until commit, so concurrent writers on any node serialize per channel.
 */
export class SqlStorage implements Storage {
  /** SQLite's writes share commits; PostgreSQL commits each write transaction by itself. */
  private readonly groupCommit?: GroupCommit<Database>;

  private readonly now: () => number = Date.now;

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: SqlDialect,
    /**
     * SQLite: makes commits durable off the event loop (see {@link GroupCommit}); closed with
     * the storage.
     */
    private readonly durability?: { sync: () => Promise<void>; close: () => void },
  ) {
    if (dialect === "sqlite") this.groupCommit = new GroupCommit(db, { sync: durability?.sync });
  }

  /**
   * Runs a write transaction. On SQLite, the one writer, the transactions asked for in the same
   * turn share one commit and its fsync ({@link GroupCommit}); on PostgreSQL each is its own
   * transaction on a pooled connection. Resolves after the commit.
   */
  private write<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.groupCommit ? this.groupCommit.run(fn) : this.db.transaction().execute(fn);
  }

  /**
   * Statements built with Kysely once and kept as SQL text, by name: building a query through
   * the builder had cost about half of the write path. Names with a row count (multi-row
   * inserts, batch reads, reactions of a page) are bounded by the sizes the callers use.
   */
  private readonly compiled = new Map<string, string>();

  /** The SQL of the statement named `key`, built by `build` the first time. */
  private statement(key: string, build: () => Compilable): string {
    let text = this.compiled.get(key);
    if (text === undefined) {
      text = build().compile().sql;
      this.compiled.set(key, text);
    }
    return text;
  }

  /** The SQL of a multi-row insert of `rows` messages or message events (see {@link appendIn}). */
  private insertSql(table: "messages" | "events", rows: number): string {
    return this.statement(`insert:${table}:${rows}`, () =>
      table === "messages"
        ? this.db
            .insertInto("messages")
            .values(Array.from({ length: rows }, () => MESSAGE_ROW))
            .returning(["id", "channel_id", "seq"])
        : this.db.insertInto("events").values(Array.from({ length: rows }, () => EVENT_ROW)),
    );
  }

  /** Runs one of the send path's single statements ({@link HOT}); resolves to its rows. */
  private run<R>(db: Db, name: keyof typeof HOT, parameters: unknown[]): Promise<R[]> {
    return this.runSql<R>(
      db,
      this.statement(name, () => HOT[name](this.db, this.dialect)),
      parameters,
    );
  }

  private async runSql<R>(db: Db, text: string, parameters: unknown[]): Promise<R[]> {
    return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
  }

  createUser(input: NewUser): Promise<UserRow> {
    return this.write((trx) => this.insertUser(trx, input));
  }

  createUserWithSession(
    input: NewUser,
    tokenHash: string,
  ): Promise<{ user: UserRow; session: SessionRow }> {
    return this.write(async (trx) => {
      const user = await this.insertUser(trx, input);
      return { user, session: await this.insertSession(trx, user.id, tokenHash) };
    });
  }

  private async insertUser(trx: Transaction<Database>, input: NewUser): Promise<UserRow> {
    const now = this.now();
    try {
      const row = await trx
        .insertInto("users")
        .values({
          username: input.username,
          username_lower: nameKey(input.username),
          password_hash: input.passwordHash,
          is_guest: input.isGuest ? 1 : 0,
          created_at: now,
          // A guest's activity starts with its creation (accounts are not tracked).
          last_active_at: input.isGuest ? now : null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ParleyError("USERNAME_TAKEN");
      throw err;
    }
  }

  async getUser(id: number): Promise<UserRow | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findUserByName(username: string): Promise<UserRow | undefined> {
    const row = await this.db
      .selectFrom("users")
      .selectAll()
      .where("username_lower", "=", nameKey(username))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async updatePassword(userId: number, passwordHash: string): Promise<void> {
    await this.write((trx) =>
      trx
        .updateTable("users")
        .set({ password_hash: passwordHash })
        .where("id", "=", userId)
        .execute(),
    );
  }

  async setServerBan(userId: number, banned: boolean): Promise<void> {
    await this.write((trx) =>
      trx
        .updateTable("users")
        .set({ banned_at: banned ? this.now() : null })
        .where("id", "=", userId)
        .execute(),
    );
  }

  async upgradeGuest(userId: number, passwordHash: string, username?: string): Promise<UserRow> {
    let row: Selectable<Database["users"]> | undefined;
    try {
      row = await this.write((trx) =>
        trx
          .updateTable("users")
          .set({
            password_hash: passwordHash,
            is_guest: 0,
            ...(username !== undefined ? { username, username_lower: nameKey(username) } : {}),
          })
          .where("id", "=", userId)
          .where("is_guest", "=", 1)
          .returningAll()
          .executeTakeFirst(),
      );
    } catch (err) {
      if (isUniqueViolation(err)) throw new ParleyError("USERNAME_TAKEN");
      throw err;
    }
    if (!row) throw new ParleyError("NOT_A_GUEST");
    return toUser(row);
  }

  async markGuestActive(userId: number): Promise<void> {
    await this.write((trx) =>
      trx
        .updateTable("users")
        .set({ last_active_at: this.now() })
        .where("id", "=", userId)
        .where("is_guest", "=", 1)
        .execute(),
    );
  }

  async staleGuestMemberships(
    before: number,
    limit: number,
  ): Promise<{ channelId: number; user: Actor }[]> {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .select(["m.channel_id", "u.id", "u.username"])
      .where("u.is_guest", "=", 1)
      .where("u.last_active_at", "<", before)
      .orderBy("u.last_active_at")
      .orderBy("m.channel_id")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      channelId: Number(r.channel_id),
      user: { id: Number(r.id), name: r.username },
    }));
  }

  createSession(userId: number, tokenHash: string): Promise<SessionRow> {
    return this.write((trx) => this.insertSession(trx, userId, tokenHash));
  }

  private async insertSession(
    trx: Transaction<Database>,
    userId: number,
    tokenHash: string,
  ): Promise<SessionRow> {
    const row = await trx
      .insertInto("sessions")
      .values({ user_id: userId, token_hash: tokenHash, created_at: this.now(), revoked_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { id: Number(row.id), userId: Number(row.user_id), createdAt: Number(row.created_at) };
  }

  async findSession(
    tokenHash: string,
  ): Promise<{ session: SessionRow; user: UserRow } | undefined> {
    const row = await this.db
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
      ])
      .where("s.token_hash", "=", tokenHash)
      .where("s.revoked_at", "is", null)
      .executeTakeFirst();
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
  }

  async revokeSession(sessionId: number): Promise<number | undefined> {
    const row = await this.write((trx) =>
      trx
        .updateTable("sessions")
        .set({ revoked_at: this.now() })
        .where("id", "=", sessionId)
        .where("revoked_at", "is", null)
        .returning("user_id")
        .executeTakeFirst(),
    );
    return row ? Number(row.user_id) : undefined;
  }

  async revokeUserSessions(userId: number, exceptSessionId?: number): Promise<number[]> {
    const rows = await this.write((trx) => {
      let query = trx
        .updateTable("sessions")
        .set({ revoked_at: this.now() })
        .where("user_id", "=", userId)
        .where("revoked_at", "is", null);
      if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
      return query.returning("id").execute();
    });
    return rows.map((r) => Number(r.id));
  }

  async createChannel(input: {
    name: string;
    topic: string;
    owner: Actor;
    ownerIsGuest?: boolean;
  }): Promise<{ channel: ChannelRow; event: ChannelEvent }> {
    try {
      return await this.write(async (trx) => {
        const now = this.now();
        const row = await trx
          .insertInto("channels")
          .values({
            name: input.name,
            name_lower: nameKey(input.name),
            topic: input.topic,
            created_by: input.owner.id,
            created_at: now,
            last_seq: 0,
            slow_mode: 0,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        const channelId = Number(row.id);
        await trx
          .insertInto("memberships")
          .values({
            channel_id: channelId,
            user_id: input.owner.id,
            role: Role.Owner,
            joined_at: now,
          })
          .execute();
        const event = await this.appendEvent(trx, channelId, {
          type: EventType.MemberJoined,
          actor: input.owner,
          data: input.ownerIsGuest ? { g: true } : {},
        });
        return { channel: { ...toChannel(row), lastSeq: event.s }, event };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ParleyError("CHANNEL_NAME_TAKEN");
      throw err;
    }
  }

  async ensureChannels(names: readonly string[]): Promise<ChannelRow[]> {
    if (names.length === 0) return [];
    const keys = names.map(nameKey);
    const rows = await this.write(async (trx) => {
      // The server's own user (a name no one can register) owns what no user created.
      await trx
        .insertInto("users")
        .values({
          username: "",
          username_lower: "",
          password_hash: null,
          is_guest: 0,
          created_at: this.now(),
        })
        .onConflict((oc) => oc.column("username_lower").doNothing())
        .execute();
      const server = await trx
        .selectFrom("users")
        .select("id")
        .where("username_lower", "=", "")
        .executeTakeFirstOrThrow();
      await trx
        .insertInto("channels")
        .values(
          names.map((name, k) => ({
            name,
            name_lower: keys[k]!,
            topic: "",
            created_by: Number(server.id),
            created_at: this.now(),
            last_seq: 0,
            slow_mode: 0,
          })),
        )
        .onConflict((oc) => oc.column("name_lower").doNothing())
        .execute();
      return trx.selectFrom("channels").selectAll().where("name_lower", "in", keys).execute();
    });
    const byKey = new Map(rows.map((r) => [r.name_lower, toChannel(r)]));
    return [...new Set(keys)].map((k) => byKey.get(k)!);
  }

  async getChannel(id: number): Promise<ChannelRow | undefined> {
    const row = await this.db
      .selectFrom("channels")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row && toChannel(row);
  }

  private memberCountColumn() {
    return sql<number>`(select count(*) from memberships mc where mc.channel_id = c.id)`.as(
      "member_count",
    );
  }

  async listChannels(query: {
    search?: string;
    afterId?: number;
    limit: number;
    userId?: number;
  }): Promise<ChannelListing[]> {
    let q = this.db.selectFrom("channels as c").selectAll("c").select(this.memberCountColumn());
    if (query.search) {
      const pattern = `%${nameKey(query.search).replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
      q = q.where(sql<boolean>`c.name_lower like ${pattern} escape '\\'`);
    }
    if (query.afterId !== undefined) q = q.where("c.id", ">", query.afterId);
    const rows = await q.orderBy("c.id").limit(query.limit).execute();
    const roles = new Map<number, number>();
    if (query.userId !== undefined && rows.length > 0) {
      const memberships = await this.db
        .selectFrom("memberships")
        .select(["channel_id", "role"])
        .where("user_id", "=", query.userId)
        .where(
          "channel_id",
          "in",
          rows.map((r) => Number(r.id)),
        )
        .execute();
      for (const m of memberships) roles.set(Number(m.channel_id), Number(m.role));
    }
    return rows.map((r) => {
      const role = roles.get(Number(r.id)) as Role | undefined;
      return { ...toChannel(r), memberCount: Number(r.member_count), ...(role ? { role } : {}) };
    });
  }

  async userChannels(userId: number): Promise<ChannelListing[]> {
    const rows = await this.db
      .selectFrom("channels as c")
      .innerJoin("memberships as m", "m.channel_id", "c.id")
      .selectAll("c")
      .select(["m.role"])
      .select(this.memberCountColumn())
      .where("m.user_id", "=", userId)
      .orderBy("c.id")
      .execute();
    return rows.map((r) => ({
      ...toChannel(r),
      memberCount: Number(r.member_count),
      role: Number(r.role) as Role,
    }));
  }

  async memberLastSeqs(userId: number): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("channels as c", "c.id", "m.channel_id")
      .select(["c.id", "c.last_seq"])
      .where("m.user_id", "=", userId)
      .execute();
    return new Map(rows.map((r) => [Number(r.id), Number(r.last_seq)]));
  }

  async memberRole(channelId: number, userId: number): Promise<Role | undefined> {
    const row = await this.db
      .selectFrom("memberships")
      .select("role")
      .where("channel_id", "=", channelId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return row ? (Number(row.role) as Role) : undefined;
  }

  async members(channelId: number): Promise<MemberRow[]> {
    const rows = await this.db
      .selectFrom("memberships as m")
      .innerJoin("users as u", "u.id", "m.user_id")
      .selectAll("u")
      .select("m.role")
      .where("m.channel_id", "=", channelId)
      .orderBy("u.username_lower")
      .execute();
    return rows.map((r) => ({ user: toUser(r), role: Number(r.role) as Role }));
  }

  async membershipCount(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("user_id", "=", userId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async memberCount(channelId: number): Promise<number> {
    const row = await this.db
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("channel_id", "=", channelId)
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async memberIds(channelIds: readonly number[]): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>(channelIds.map((id) => [id, []]));
    if (channelIds.length === 0) return out;
    const rows = await this.db
      .selectFrom("memberships")
      .select(["channel_id", "user_id"])
      .where("channel_id", "in", [...channelIds])
      .execute();
    for (const r of rows) out.get(Number(r.channel_id))?.push(Number(r.user_id));
    return out;
  }

  async addMember(
    channelId: number,
    userId: number,
    role: Role,
    event: NewEvent,
  ): Promise<ChannelEvent | undefined> {
    return this.write(async (trx) => {
      const inserted = await trx
        .insertInto("memberships")
        .values({ channel_id: channelId, user_id: userId, role, joined_at: this.now() })
        .onConflict((oc) => oc.columns(["channel_id", "user_id"]).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return undefined;
      return this.appendEvent(trx, channelId, event);
    });
  }

  async removeMember(channelId: number, userId: number, event: NewEvent): Promise<ChannelEvent[]> {
    return this.write((trx) => this.removeIn(trx, channelId, userId, event));
  }

  /**
   * Removes a membership with its event; hands ownership on when the owner goes. The membership
   * rows change before the channel row takes the seq, the order every writer keeps (see
   * {@link standingQuery}).
   */
  private async removeIn(
    trx: Transaction<Database>,
    channelId: number,
    userId: number,
    event: NewEvent,
  ): Promise<ChannelEvent[]> {
    const removed = await trx
      .deleteFrom("memberships")
      .where("channel_id", "=", channelId)
      .where("user_id", "=", userId)
      .returning("role")
      .executeTakeFirst();
    if (!removed) return [];
    const heir =
      Number(removed.role) === Role.Owner ? await this.crownHeir(trx, channelId) : undefined;
    const events = [await this.appendEvent(trx, channelId, event)];
    if (heir) {
      events.push(
        await this.appendEvent(trx, channelId, {
          type: EventType.RoleChanged,
          actor: SYSTEM_ACTOR,
          data: { u: heir.id, un: heir.name, rl: Role.Owner },
        }),
      );
    }
    return events;
  }

  /**
   * Makes the longest-standing account with the highest role the owner; returns it. On
   * PostgreSQL the chosen member may be removed by a concurrent transaction before the update
   * reaches its row: then the next one is chosen.
   */
  private async crownHeir(
    trx: Transaction<Database>,
    channelId: number,
  ): Promise<Actor | undefined> {
    for (;;) {
      const heir = await trx
        .selectFrom("memberships as m")
        .innerJoin("users as u", "u.id", "m.user_id")
        .select(["m.user_id", "u.username"])
        .where("m.channel_id", "=", channelId)
        // Guests never moderate, so an account inherits before any guest.
        .orderBy("u.is_guest", "asc")
        .orderBy("m.role", "desc")
        .orderBy("m.joined_at", "asc")
        .orderBy("m.user_id", "asc")
        .executeTakeFirst();
      if (!heir) return undefined;
      const target = { id: Number(heir.user_id), name: heir.username };
      const updated = await trx
        .updateTable("memberships")
        .set({ role: Role.Owner })
        .where("channel_id", "=", channelId)
        .where("user_id", "=", target.id)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) > 0) return target;
    }
  }

  // --- moderation ---

  async kick(input: ModerationInput): Promise<ChannelEvent[]> {
    return this.write(async (trx) => {
      const events = await this.removeIn(trx, input.channelId, input.target.id, {
        type: EventType.MemberKicked,
        actor: input.actor,
        data: targetData(input),
      });
      if (events.length > 0) await this.audit(trx, "kick", input);
      return events;
    });
  }

  async mute(input: ModerationInput): Promise<ChannelEvent> {
    return this.restrict("mutes", "mute", EventType.MemberMuted, input);
  }

  async unmute(input: ModerationInput): Promise<ChannelEvent | undefined> {
    return this.lift("mutes", "unmute", EventType.MemberUnmuted, input);
  }

  async ban(input: ModerationInput): Promise<ChannelEvent[]> {
    return this.write(async (trx) => {
      await this.upsertRestriction(trx, "bans", input);
      const removal = await this.removeIn(trx, input.channelId, input.target.id, {
        type: EventType.MemberBanned,
        actor: input.actor,
        data: targetData(input),
      });
      await this.audit(trx, "ban", input);
      if (removal.length > 0) return removal;
      // Not a member: the ban is still an event of the channel.
      return [
        await this.appendEvent(trx, input.channelId, {
          type: EventType.MemberBanned,
          actor: input.actor,
          data: targetData(input),
        }),
      ];
    });
  }

  async unban(input: ModerationInput): Promise<ChannelEvent | undefined> {
    return this.lift("bans", "unban", EventType.MemberUnbanned, input);
  }

  async standing(channelId: number, userId: number): Promise<Standing | undefined> {
    const [row] = await this.run<StandingRow>(this.db, "standing", [channelId, userId]);
    if (!row) return undefined;
    const until = mutedUntil(row, this.now());
    return {
      role: Number(row.role) as Role,
      ...(until !== undefined ? { mute: { until, reason: row.reason } } : {}),
    };
  }

  activeBan(channelId: number, userId: number): Promise<Restriction | undefined> {
    return this.activeRestriction("bans", channelId, userId);
  }

  async setRole(input: ModerationInput, role: Role): Promise<ChannelEvent | undefined> {
    return this.write(async (trx) => {
      const updated = await trx
        .updateTable("memberships")
        .set({ role })
        .where("channel_id", "=", input.channelId)
        .where("user_id", "=", input.target.id)
        .where("role", "!=", role)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return undefined;
      await this.audit(trx, role === Role.Moderator ? "mod" : "unmod", input);
      return this.appendEvent(trx, input.channelId, {
        type: EventType.RoleChanged,
        actor: input.actor,
        data: { ...targetData(input), rl: role },
      });
    });
  }

  async setTopic(channelId: number, topic: string, actor: Actor): Promise<ChannelEvent> {
    return this.write(async (trx) => {
      await trx.updateTable("channels").set({ topic }).where("id", "=", channelId).execute();
      await this.audit(trx, "topic", { channelId, actor, reason: topic });
      return this.appendEvent(trx, channelId, {
        type: EventType.TopicChanged,
        actor,
        data: { tp: topic },
      });
    });
  }

  async setSlowMode(channelId: number, seconds: number, actor: Actor): Promise<ChannelEvent> {
    return this.write(async (trx) => {
      await trx
        .updateTable("channels")
        .set({ slow_mode: seconds })
        .where("id", "=", channelId)
        .execute();
      await this.audit(trx, "slow", { channelId, actor, reason: String(seconds) });
      return this.appendEvent(trx, channelId, {
        type: EventType.SlowModeChanged,
        actor,
        data: { sl: seconds },
      });
    });
  }

  async recordAudit(input: ModerationInput & { action: string }): Promise<void> {
    await this.write((trx) => this.audit(trx, input.action, input));
  }

  async auditLog(channelId: number, limit: number): Promise<AuditEntry[]> {
    const rows = await this.db
      .selectFrom("audit_log")
      .selectAll()
      .where("channel_id", "=", channelId)
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: Number(r.id),
      channelId: Number(r.channel_id),
      actor: { id: Number(r.actor_id), name: r.actor_name },
      target: r.target_id === null ? null : { id: Number(r.target_id), name: r.target_name ?? "" },
      action: r.action,
      reason: r.reason,
      until: r.until === null ? null : Number(r.until),
      at: Number(r.created_at),
    }));
  }

  async expireRestrictions(now: number): Promise<{ channelId: number; event: ChannelEvent }[]> {
    const out: { channelId: number; event: ChannelEvent }[] = [];
    for (const [table, action, type] of [
      ["mutes", "unmute", EventType.MemberUnmuted],
      ["bans", "unban", EventType.MemberUnbanned],
    ] as const) {
      const expired = await this.db
        .selectFrom(`${table} as r`)
        .innerJoin("users as u", "u.id", "r.user_id")
        .select(["r.channel_id", "r.user_id", "u.username"])
        .where("r.until", "is not", null)
        .where("r.until", "<=", now)
        .execute();
      for (const row of expired) {
        const event = await this.lift(
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
  }

  async nextExpiry(): Promise<number | undefined> {
    let next: number | undefined;
    for (const table of ["mutes", "bans"] as const) {
      const row = await this.db
        .selectFrom(table)
        .select((eb) => eb.fn.min("until").as("next"))
        .where("until", "is not", null)
        .executeTakeFirst();
      const value = row?.next === null || row?.next === undefined ? undefined : Number(row.next);
      if (value !== undefined && (next === undefined || value < next)) next = value;
    }
    return next;
  }

  private async upsertRestriction(
    trx: Transaction<Database>,
    table: "mutes" | "bans",
    input: ModerationInput,
  ): Promise<void> {
    const row = {
      until: input.until ?? null,
      reason: input.reason ?? null,
      actor_id: input.actor.id,
      created_at: this.now(),
    };
    await trx
      .insertInto(table)
      .values({ channel_id: input.channelId, user_id: input.target.id, ...row })
      .onConflict((oc) => oc.columns(["channel_id", "user_id"]).doUpdateSet(row))
      .execute();
  }

  private async restrict(
    table: "mutes" | "bans",
    action: string,
    type: EventType,
    input: ModerationInput,
  ): Promise<ChannelEvent> {
    return this.write(async (trx) => {
      // A mute orders with the target's writes as a kick does: it locks the membership first.
      if (table === "mutes" && this.dialect === "postgres")
        await trx
          .selectFrom("memberships")
          .select("role")
          .where("channel_id", "=", input.channelId)
          .where("user_id", "=", input.target.id)
          .forUpdate()
          .execute();
      await this.upsertRestriction(trx, table, input);
      await this.audit(trx, action, input);
      return this.appendEvent(trx, input.channelId, {
        type,
        actor: input.actor,
        data: targetData(input),
      });
    });
  }

  /** Deletes a restriction (only an expired one when `expiredAt` is given) with its event. */
  private async lift(
    table: "mutes" | "bans",
    action: string,
    type: EventType,
    input: ModerationInput,
    expiredAt?: number,
  ): Promise<ChannelEvent | undefined> {
    return this.write(async (trx) => {
      let query = trx
        .deleteFrom(table)
        .where("channel_id", "=", input.channelId)
        .where("user_id", "=", input.target.id);
      if (expiredAt !== undefined) query = query.where("until", "<=", expiredAt);
      const deleted = await query.executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) return undefined;
      await this.audit(trx, action, input);
      return this.appendEvent(trx, input.channelId, {
        type,
        actor: input.actor,
        data: { u: input.target.id, un: input.target.name },
      });
    });
  }

  private async activeRestriction(
    table: "mutes" | "bans",
    channelId: number,
    userId: number,
  ): Promise<Restriction | undefined> {
    const row = await this.db
      .selectFrom(table)
      .select(["until", "reason"])
      .where("channel_id", "=", channelId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (!row) return undefined;
    const until = row.until === null ? null : Number(row.until);
    if (until !== null && until <= this.now()) return undefined;
    return { until, reason: row.reason };
  }

  private async audit(
    trx: Transaction<Database>,
    action: string,
    input: {
      channelId: number;
      actor: Actor;
      target?: Actor;
      reason?: string | null;
      until?: number | null;
    },
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
        created_at: this.now(),
      })
      .execute();
  }

  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]> {
    return this.appendBatch(batch, true);
  }

  private async appendBatch(
    batch: readonly NewMessage[],
    retryConflict: boolean,
  ): Promise<AppendResult[]> {
    if (batch.length === 0) return [];
    // Channels are locked (by nextSeq) in ascending id order, so two nodes' batches over the same
    // channels queue behind each other instead of each holding a row the other waits for. The
    // sort is stable: a channel's messages keep their order. Results go back in input order.
    const order = batch.map((_, i) => i).sort((a, b) => batch[a]!.channelId - batch[b]!.channelId);
    try {
      return await this.write((trx) => this.appendIn(trx, batch, order));
    } catch (err) {
      if (batch.length === 1) {
        // Another node stored the same (channel, author, nonce) between our lookup and our
        // insert. Its row is committed now, so the retry's lookup returns it as the duplicate.
        if (retryConflict && isUniqueViolation(err)) return this.appendBatch(batch, false);
        return [{ ok: false, error: err as Error }];
      }
      // One bad message must not fail its batch: store them one by one instead. The group commit
      // keeps them in order and in one commit; PostgreSQL's pool could reorder them, so there they
      // go one after another.
      if (this.groupCommit)
        return (await Promise.all(batch.map((m) => this.appendBatch([m], true)))).flat();
      const results: AppendResult[] = [];
      for (const message of batch) results.push(...(await this.appendBatch([message], true)));
      return results;
    }
  }

  /**
   * Stores a batch in one transaction with few statements: per message, the nonce lookup and
   * the mute check; per channel, one `last_seq + n` update that takes the n seqs in a row; then
   * the messages and their events as multi-row inserts. A channel in slow mode (the rule reads
   * the author's previous message) goes message by message instead. Throws when the batch must
   * be stored one message at a time (a nonce twice in one batch, a slow-mode refusal).
   */
  private async appendIn(
    trx: Transaction<Database>,
    batch: readonly NewMessage[],
    order: readonly number[],
  ): Promise<AppendResult[]> {
    const results: AppendResult[] = new Array(batch.length);
    const now = this.now();
    const { existing: used, standing } = await this.lookUp(trx, batch);
    const byChannel = new Map<number, number[]>();
    for (const i of order) {
      const m = batch[i]!;
      const existing = used.get(`${m.channelId}:${m.author.id}:${m.nonce}`);
      if (existing !== undefined) {
        results[i] = {
          ok: true,
          event: await this.postedEvent(trx, existing),
          duplicate: true,
        };
        continue;
      }
      const refused = standingError(standing.get(`${m.channelId}:${m.author.id}`), now);
      if (refused) {
        results[i] = { ok: false, error: refused };
        continue;
      }
      const list = byChannel.get(m.channelId);
      if (list) list.push(i);
      else byChannel.set(m.channelId, [i]);
    }
    const stored: { i: number; seq: number }[] = [];
    for (const [channelId, indexes] of byChannel) {
      const [row] = await this.run<{ last_seq: number; slow_mode: number }>(trx, "nextSeq", [
        indexes.length,
        channelId,
      ]);
      if (!row) {
        for (const i of indexes)
          results[i] = { ok: false, error: new ParleyError("NO_SUCH_CHANNEL") };
        continue;
      }
      if (Number(row.slow_mode) > 0 && indexes.some((i) => !batch[i]!.slowModeExempt)) {
        // Give the seqs back (this transaction holds the row) and go one by one.
        await this.run(trx, "nextSeq", [-indexes.length, channelId]);
        for (const i of indexes)
          results[i] = { ok: true, ...(await this.appendMessage(trx, batch[i]!)) };
        continue;
      }
      const first = Number(row.last_seq) - indexes.length + 1;
      for (const [k, i] of indexes.entries()) stored.push({ i, seq: first + k });
    }
    for (let from = 0; from < stored.length; from += INSERT_ROWS) {
      const chunk = stored.slice(from, from + INSERT_ROWS);
      const rows = await this.runSql<{ id: number; channel_id: number; seq: number }>(
        trx,
        this.insertSql("messages", chunk.length),
        chunk.flatMap(({ i, seq }) => messageRow(batch[i]!, seq, now)),
      );
      const ids = new Map(rows.map((r) => [`${r.channel_id}:${r.seq}`, Number(r.id)]));
      const parameters: unknown[] = [];
      for (const { i, seq } of chunk) {
        const m = batch[i]!;
        const id = ids.get(`${m.channelId}:${seq}`)!;
        parameters.push(...messageEventRow(m, seq, id, now));
        results[i] = { ok: true, event: postedEvent(m, seq, id, now), duplicate: false };
      }
      await this.runSql(trx, this.insertSql("events", chunk.length), parameters);
    }
    return results;
  }

  /**
   * For a batch, in two reads per 32 messages: the stored message id of each
   * (channel, author, nonce) already used (keyed `channel:author:nonce`), and the standing of
   * each (channel, author) that is a membership (keyed `channel:author`: its role and mute).
   * On PostgreSQL the membership rows are share-locked until commit, so a kick or ban (which
   * deletes the row) either waits for this batch or commits first and is seen here.
   */
  private async lookUp(
    db: Db,
    batch: readonly NewMessage[],
  ): Promise<{ existing: Map<string, number>; standing: Map<string, StandingRow> }> {
    const existing = new Map<string, number>();
    const standing = new Map<string, StandingRow>();
    for (let from = 0; from < batch.length; from += INSERT_ROWS) {
      const chunk = batch.slice(from, from + INSERT_ROWS);
      const found = await this.runSql<{
        id: number;
        channel_id: number;
        author_id: number;
        nonce: string;
      }>(
        db,
        this.lookUpSql("nonces", chunk.length),
        chunk.flatMap((m) => [m.channelId, m.author.id, m.nonce]),
      );
      for (const r of found)
        existing.set(`${r.channel_id}:${r.author_id}:${r.nonce}`, Number(r.id));
      const members = await this.runSql<StandingRow & { channel_id: number; user_id: number }>(
        db,
        this.lookUpSql("standing", chunk.length),
        chunk.flatMap((m) => [m.channelId, m.author.id]),
      );
      for (const r of members) standing.set(`${r.channel_id}:${r.user_id}`, r);
    }
    return { existing, standing };
  }

  /** The SQL of a {@link lookUp} read for `rows` messages. */
  private lookUpSql(kind: "nonces" | "standing", rows: number): string {
    return this.statement(`${kind}:${rows}`, () =>
      kind === "nonces"
        ? this.db
            .selectFrom("messages")
            .select(["id", "channel_id", "author_id", "nonce"])
            .where(({ eb, refTuple, tuple }) =>
              eb(
                refTuple("channel_id", "author_id", "nonce"),
                "in",
                Array.from({ length: rows }, () => tuple(0, 0, "")),
              ),
            )
        : standingQuery(this.db, this.dialect, (q) =>
            q.select(["m.channel_id", "m.user_id"]).where(({ eb, refTuple, tuple }) =>
              eb(
                refTuple("m.channel_id", "m.user_id"),
                "in",
                Array.from({ length: rows }, () => tuple(0, 0)),
              ),
            ),
          ),
    );
  }

  private async postedEvent(db: Db, messageId: number): Promise<MessagePostedEvent> {
    const [event] = await this.events(db, "message", [messageId]);
    return event as MessagePostedEvent;
  }

  private async appendMessage(
    trx: Transaction<Database>,
    m: NewMessage,
  ): Promise<{ event: MessagePostedEvent; duplicate: boolean }> {
    const [existing] = await this.run<{ id: number }>(trx, "existing", [
      m.channelId,
      m.author.id,
      m.nonce,
    ]);
    if (existing)
      return { event: await this.postedEvent(trx, Number(existing.id)), duplicate: true };
    const now = this.now();
    await this.assertStanding(trx, m.channelId, m.author.id, now);
    const { seq, slowMode } = await this.nextSeq(trx, m.channelId);
    if (slowMode > 0 && !m.slowModeExempt) await this.checkSlowMode(trx, m, slowMode * 1000, now);
    const [message] = await this.runSql<{ id: number }>(
      trx,
      this.insertSql("messages", 1),
      messageRow(m, seq, now),
    );
    const messageId = Number(message!.id);
    await this.runSql(trx, this.insertSql("events", 1), messageEventRow(m, seq, messageId, now));
    return { event: postedEvent(m, seq, messageId, now), duplicate: false };
  }

  async addReaction(
    channelId: number,
    messageId: number,
    emoji: string,
    actor: Actor,
    maxDistinct: number,
  ): Promise<ChannelEvent | undefined> {
    return this.write(async (trx) => {
      await this.requireMessage(trx, channelId, messageId);
      await this.assertStanding(trx, channelId, actor.id, this.now());
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
        .values({ message_id: messageId, user_id: actor.id, emoji, created_at: this.now() })
        .execute();
      return this.appendEvent(trx, channelId, {
        type: EventType.ReactionAdded,
        actor,
        messageId,
        data: { m: messageId, e: emoji },
      });
    });
  }

  async removeReaction(
    channelId: number,
    messageId: number,
    emoji: string,
    actor: Actor,
  ): Promise<ChannelEvent> {
    return this.write(async (trx) => {
      await this.requireMessage(trx, channelId, messageId);
      await this.assertStanding(trx, channelId, actor.id, this.now());
      const deleted = await trx
        .deleteFrom("reactions")
        .where("message_id", "=", messageId)
        .where("emoji", "=", emoji)
        .where("user_id", "=", actor.id)
        .executeTakeFirst();
      if (Number(deleted.numDeletedRows) === 0) throw new ParleyError("NO_SUCH_REACTION");
      return this.appendEvent(trx, channelId, {
        type: EventType.ReactionRemoved,
        actor,
        messageId,
        data: { m: messageId, e: emoji },
      });
    });
  }

  async reactions(messageId: number): Promise<ReactionSummary[]> {
    return (await this.reactionsOf(this.db, [messageId])).get(messageId) ?? [];
  }

  history(channelId: number, query: HistoryQuery): Promise<HistoryPage> {
    return this.historyIn(this.db, channelId, query);
  }

  async snapshot(
    channelId: number,
    limit: number,
  ): Promise<{ page: HistoryPage; lastSeq: number }> {
    let tx = this.db.transaction();
    // PostgreSQL needs one snapshot for both reads; SQLite's transaction holds the only connection.
    if (this.dialect === "postgres") tx = tx.setIsolationLevel("repeatable read");
    return tx.execute(async (trx) => {
      const row = await trx
        .selectFrom("channels")
        .select("last_seq")
        .where("id", "=", channelId)
        .executeTakeFirst();
      if (!row) throw new ParleyError("NO_SUCH_CHANNEL");
      const page = await this.historyIn(trx, channelId, { limit });
      return { page, lastSeq: Number(row.last_seq) };
    });
  }

  private async historyIn(db: Db, channelId: number, query: HistoryQuery): Promise<HistoryPage> {
    const { limit } = query;
    const types = MUTATION_EVENT_TYPES as readonly number[];
    const newestBelow = (bound: number | undefined, n: number) =>
      this.events(db, "below", [channelId, ...types, bound ?? Number.MAX_SAFE_INTEGER, n]);
    const oldestFrom = (bound: number, n: number) =>
      this.events(db, "from", [channelId, ...types, bound, n]);
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
    await this.attachReactions(db, events);
    return { e: events, mb, ma };
  }

  async lastSeqs(channelIds: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    // Chunks keep the statement's parameters well under SQLite's and PostgreSQL's limits.
    for (let i = 0; i < channelIds.length; i += 500) {
      const rows = await this.db
        .selectFrom("channels")
        .select(["id", "last_seq"])
        .where("id", "in", channelIds.slice(i, i + 500))
        .execute();
      for (const r of rows) out.set(Number(r.id), Number(r.last_seq));
    }
    return out;
  }

  async eventsAfter(channelId: number, afterSeq: number, limit: number): Promise<ChannelEvent[]> {
    const events = await this.events(this.db, "after", [channelId, afterSeq, limit]);
    await this.attachReactions(this.db, events);
    return events;
  }

  async close(): Promise<void> {
    await this.db.destroy();
    this.durability?.close();
  }

  // --- internals ---

  private async requireMessage(trx: Db, channelId: number, messageId: number): Promise<void> {
    const row = await trx
      .selectFrom("messages")
      .select("id")
      .where("id", "=", messageId)
      .where("channel_id", "=", channelId)
      .executeTakeFirst();
    if (!row) throw new ParleyError("NO_SUCH_MESSAGE");
  }

  /** Takes the channel's next seq (and reads its slow mode in the same statement). */
  private async nextSeq(
    trx: Transaction<Database>,
    channelId: number,
  ): Promise<{ seq: number; slowMode: number }> {
    const [row] = await this.run<{ last_seq: number; slow_mode: number }>(trx, "nextSeq", [
      1,
      channelId,
    ]);
    if (!row) throw new ParleyError("NO_SUCH_CHANNEL");
    return { seq: Number(row.last_seq), slowMode: Number(row.slow_mode) };
  }

  /**
   * Refuses a write by a user who is not a member (NOT_A_MEMBER) or is muted (MUTED, with the
   * time left), read in the writing transaction: the storage, not a node's view, decides.
   */
  private async assertStanding(
    trx: Db,
    channelId: number,
    userId: number,
    now: number,
  ): Promise<void> {
    const [row] = await this.run<StandingRow>(trx, "standing", [channelId, userId]);
    const error = standingError(row, now);
    if (error) throw error;
  }

  /** Refuses a message sooner than `intervalMs` after the author's last one in the channel. */
  private async checkSlowMode(
    trx: Transaction<Database>,
    m: NewMessage,
    intervalMs: number,
    now: number,
  ): Promise<void> {
    const last = await trx
      .selectFrom("messages")
      .select("created_at")
      .where("channel_id", "=", m.channelId)
      .where("author_id", "=", m.author.id)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    const wait = last ? Number(last.created_at) + intervalMs - now : 0;
    if (wait > 0) {
      throw new ParleyError("SLOW_MODE", `Slow mode is on: wait ${Math.ceil(wait / 1000)} s`, {
        retryAfterMs: wait,
      });
    }
  }

  /** Stores one non-message event with the channel's next seq, inside `trx`. */
  private async appendEvent(
    trx: Transaction<Database>,
    channelId: number,
    ev: NewEvent,
  ): Promise<ChannelEvent> {
    const { seq } = await this.nextSeq(trx, channelId);
    const now = this.now();
    await trx
      .insertInto("events")
      .values({
        channel_id: channelId,
        seq,
        type: ev.type,
        actor_id: ev.actor.id,
        actor_name: ev.actor.name,
        created_at: now,
        message_id: ev.messageId ?? null,
        data: JSON.stringify(ev.data ?? {}),
      })
      .execute();
    return {
      ...(ev.data ?? {}),
      s: seq,
      t: ev.type,
      ts: now,
      a: ev.actor.id,
      an: ev.actor.name,
    } as ChannelEvent;
  }

  /**
   * Reads events (with their messages' columns) by one of the fixed query shapes, each
   * compiled once for the dialect. Parameters, in order:
   * - `below`: channel, the mutation types, seq bound (exclusive), limit: newest first;
   * - `from`: channel, the mutation types, seq bound (inclusive), limit: oldest first;
   * - `after`: channel, seq bound (exclusive), limit: every type, oldest first;
   * - `message`: message id.
   */
  private async events(
    db: Db,
    shape: "below" | "from" | "after" | "message",
    parameters: unknown[],
  ): Promise<ChannelEvent[]> {
    const text = this.statement(`events:${shape}`, () => {
      const base = this.db
        .selectFrom("events as e")
        .leftJoin("messages as m", "m.id", "e.message_id")
        .select(EVENT_COLUMNS);
      const displayable = base
        .where("e.channel_id", "=", 0)
        .where("e.type", "not in", MUTATION_EVENT_TYPES as EventType[]);
      if (shape === "below")
        return displayable.where("e.seq", "<", 0).orderBy("e.seq", "desc").limit(0);
      if (shape === "from")
        return displayable.where("e.seq", ">=", 0).orderBy("e.seq", "asc").limit(0);
      if (shape === "after")
        return base.where("e.channel_id", "=", 0).where("e.seq", ">", 0).orderBy("e.seq").limit(0);
      return base.where("e.message_id", "=", 0);
    });
    return (await this.runSql<EventRow>(db, text, parameters)).map(toEvent);
  }

  private async attachReactions(db: Db, events: ChannelEvent[]): Promise<void> {
    const messageIds = events
      .filter((e) => e.t === EventType.MessagePosted)
      .map((e) => (e as MessagePostedEvent).i);
    if (messageIds.length === 0) return;
    const byMessage = await this.reactionsOf(db, messageIds);
    for (const e of events) {
      if (e.t !== EventType.MessagePosted) continue;
      const r = byMessage.get(e.i);
      if (r) e.r = r;
    }
  }

  private async reactionsOf(db: Db, messageIds: number[]): Promise<Map<number, ReactionSummary[]>> {
    const build = () =>
      this.db
        .selectFrom("reactions as r")
        .innerJoin("users as u", "u.id", "r.user_id")
        .select(["r.message_id", "r.emoji", "r.user_id", "u.username"])
        .where("r.message_id", "in", messageIds)
        .orderBy("r.created_at")
        .orderBy("r.user_id");
    // Kept per id count up to a page's (101); a longer replay builds its own.
    const text =
      messageIds.length <= LIMITS.historyMax + 1
        ? this.statement(`reactions:${messageIds.length}`, build)
        : build().compile().sql;
    const rows = await this.runSql<{
      message_id: number;
      emoji: string;
      user_id: number;
      username: string;
    }>(db, text, messageIds);
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
}

/**
 * The send path's single statements, parameters in the order the comments give (placeholder
 * values here only shape the SQL).
 */
const HOT = {
  // channel_id, author_id, nonce
  existing: (db: Kysely<Database>) =>
    db
      .selectFrom("messages")
      .select("id")
      .where("channel_id", "=", 0)
      .where("author_id", "=", 0)
      .where("nonce", "=", ""),
  // channel_id, user_id
  standing: (db: Kysely<Database>, dialect: SqlDialect) =>
    standingQuery(db, dialect, (q) => q.where("m.channel_id", "=", 0).where("m.user_id", "=", 0)),
  // increment, channel id
  nextSeq: (db: Kysely<Database>) =>
    db
      .updateTable("channels")
      .set((eb) => ({ last_seq: eb("last_seq", "+", 1) }))
      .where("id", "=", 0)
      .returning(["last_seq", "slow_mode"]),
} satisfies Record<string, (db: Kysely<Database>, dialect: SqlDialect) => Compilable>;

/** A message row of the multi-row insert: channel_id, seq, author_id, nonce, content, kind, created_at. */
const MESSAGE_ROW = {
  channel_id: 0,
  seq: 0,
  author_id: 0,
  nonce: "",
  content: "",
  kind: 0,
  created_at: 0,
};

/**
 * An event row of the multi-row insert: channel_id, seq, type, actor_id, actor_name,
 * created_at, message_id, data.
 */
const EVENT_ROW = {
  channel_id: 0,
  seq: 0,
  type: 0,
  actor_id: 0,
  actor_name: "",
  created_at: 0,
  message_id: 0,
  data: "",
};

/** Most rows in one multi-row insert of the send path (8 parameters a row at most). */
const INSERT_ROWS = 32;

/** A membership with its mute, if any (`muted` is null when there is no mute row). */
interface StandingRow {
  role: number;
  muted: number | null;
  until: number | null;
  reason: string | null;
}

/**
 * A membership joined with its mute: `role`, `muted` (the mute row's user, null for none) and
 * the mute's `until`. On PostgreSQL the membership row is share-locked until commit, so a
 * concurrent removal of it waits for the writer or is seen by it (never both stored in the
 * wrong order); every writer takes membership rows before the channel row, so this cannot
 * deadlock with a kick.
 */
function standingQuery<O>(
  db: Kysely<Database>,
  dialect: SqlDialect,
  shape: (
    q: SelectQueryBuilder<
      Database & { m: Database["memberships"]; u: Database["mutes"] },
      "m" | "u",
      { role: number; muted: number | null; until: number | null; reason: string | null }
    >,
  ) => SelectQueryBuilder<
    Database & { m: Database["memberships"]; u: Database["mutes"] },
    "m" | "u",
    O
  >,
): Compilable {
  const q = shape(
    db
      .selectFrom("memberships as m")
      .leftJoin("mutes as u", (j) =>
        j.onRef("u.channel_id", "=", "m.channel_id").onRef("u.user_id", "=", "m.user_id"),
      )
      .select(["m.role", "u.user_id as muted", "u.until", "u.reason"]),
  );
  return dialect === "postgres" ? q.forShare("m") : q;
}

/** The end of a standing's mute that is still on at `now` (null: never), or undefined. */
function mutedUntil(row: StandingRow, now: number): number | null | undefined {
  if (row.muted === null) return undefined;
  const until = row.until === null ? null : Number(row.until);
  return until !== null && until <= now ? undefined : until;
}

/** NOT_A_MEMBER without a membership, MUTED for a mute still on at `now`; else undefined. */
function standingError(row: StandingRow | undefined, now: number): ParleyError | undefined {
  if (!row) return new ParleyError("NOT_A_MEMBER");
  const until = mutedUntil(row, now);
  return until === undefined ? undefined : restrictionError("MUTED", until, now);
}

/** The parameters of a message's row in {@link MESSAGE_ROW}'s order. */
function messageRow(m: NewMessage, seq: number, now: number): unknown[] {
  return [m.channelId, seq, m.author.id, m.nonce, m.content, m.kind, now];
}

/** The parameters of a message's event row in {@link EVENT_ROW}'s order. */
function messageEventRow(m: NewMessage, seq: number, messageId: number, now: number): unknown[] {
  return [
    m.channelId,
    seq,
    EventType.MessagePosted,
    m.author.id,
    m.author.name,
    now,
    messageId,
    "{}",
  ];
}

/** The event of a message just stored. */
function postedEvent(
  m: NewMessage,
  seq: number,
  messageId: number,
  now: number,
): MessagePostedEvent {
  const event: MessagePostedEvent = {
    s: seq,
    t: EventType.MessagePosted,
    ts: now,
    a: m.author.id,
    an: m.author.name,
    i: messageId,
    x: m.content,
    n: m.nonce,
  };
  if (m.kind !== MessageKind.Text) event.k = m.kind;
  return event;
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

function toEvent(row: EventRow): ChannelEvent {
  const s = Number(row.seq);
  const t = Number(row.type) as EventType;
  const ts = Number(row.created_at);
  const a = Number(row.actor_id);
  const an = row.actor_name;
  if (t === EventType.MessagePosted) {
    const event: MessagePostedEvent = {
      s,
      t,
      ts,
      a,
      an,
      i: Number(row.message_id),
      x: row.content ?? "",
      n: row.nonce ?? "",
    };
    const kind = Number(row.kind ?? 0);
    if (kind !== MessageKind.Text) event.k = kind as MessageKind;
    return event;
  }
  // The stored fields first, then the envelope's, which win (as they always have).
  const event = JSON.parse(row.data) as Record<string, unknown>;
  event.s = s;
  event.t = t;
  event.ts = ts;
  event.a = a;
  event.an = an;
  return event as unknown as ChannelEvent;
}
