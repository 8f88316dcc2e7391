import {
  type ChannelEvent,
  ChannelKind,
  EventType,
  excerpt,
  type FileRef,
  type LinkPreview,
  MessageKind,
  MUTATION_EVENT_TYPES,
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
import { ParleyError, restrictionError } from "../../errors";
import type { SqlDialect } from "../migrations";
import type { Restriction } from "../moderation-store";
import type { Database } from "../schema";
import type { ChannelRow, NewEvent, UserRow } from "../storage";
import { TransactionBatcher } from "../transaction-batcher";
import { type Mentions, parseMentions } from "./mentions";

export type Db = Kysely<Database> | Transaction<Database>;

/**
 * What makes SQLite's commits durable and keeps its WAL small, off the event loop
 * (`open-sqlite.ts`): `sync` makes what was committed durable, `attach` gives it the way to hold
 * the writer for a moment (`TransactionBatcher.hold`), `close` stops it before the connection
 * closes.
 */
export interface SqliteDurability {
  sync: () => Promise<void>;
  attach: (hold: () => Promise<() => void>) => void;
  close: () => Promise<void>;
}
export type MessagePostedEvent = ChannelEvent & { t: typeof EventType.MessagePosted };
type EventRow = Selectable<Database["events"]> & {
  content: string | null;
  nonce: string | null;
  kind: number | null;
  version: number | null;
  edited_at: number | null;
  deleted_at: number | null;
  deleted_by: number | null;
  deleted_by_name: string | null;
  deleted_by_mod: number | null;
  pinned_at: number | null;
  pinned_by: number | null;
  pinned_by_name: string | null;
  /** A reply: the answered message's id, and its current row (null when it is gone). */
  reply_to: number | null;
  reply_seq: number | null;
  reply_author: number | null;
  reply_author_name: string | null;
  reply_content: string | null;
  reply_deleted_at: number | null;
  /** The resolved mentions of the current content (JSON), null when none. */
  mentions: string | null;
  /** The attached files' descriptions (JSON `FileRef[]`), null when none and once deleted. */
  files: string | null;
  /** The link previews (JSON `LinkPreview[]`), null when none and once deleted. */
  link_previews: string | null;
  /** Replay only: the message's current edit seq, and the content of the version an edit wrote. */
  edit_seq?: number | null;
  version_content?: string | null;
};

/**
 * What every slice of the SQL storage shares: the database, its dialect, the one writer's
 * commits, the cache of statements kept as SQL text, and the helpers that store an event with
 * the channel's next seq. A channel's next seq comes from
 * `UPDATE channels SET last_seq = last_seq + 1 … RETURNING`, which takes the channel row's
 * write lock until commit, so concurrent writers on any node serialize per channel.
 */
export class SqlContext {
  /** SQLite's writes share commits; PostgreSQL commits each write transaction by itself. */
  private readonly batcher?: TransactionBatcher<Database>;

  readonly now: () => number = Date.now;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: SqlDialect,
    /**
     * SQLite: makes commits durable off the event loop (see {@link TransactionBatcher}); closed with
     * the storage.
     */
    private readonly durability?: SqliteDurability,
  ) {
    if (dialect === "sqlite") {
      const batcher = new TransactionBatcher(db, { sync: durability?.sync });
      this.batcher = batcher;
      durability?.attach(() => batcher.hold());
    }
  }

  /**
   * True when writes share commits in the order they were asked for (SQLite); false when each
   * is its own transaction on a pool that may run them in any order (PostgreSQL).
   */
  get writesInOrder(): boolean {
    return this.batcher !== undefined;
  }

  /**
   * Runs a write transaction. On SQLite, the one writer, the transactions asked for in the same
   * turn share one commit and its fsync ({@link TransactionBatcher}); on PostgreSQL each is its own
   * transaction on a pooled connection. Resolves after the commit.
   */
  write<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.batcher ? this.batcher.run(fn) : this.db.transaction().execute(fn);
  }

  /**
   * Statements built with Kysely once and kept as SQL text, by name: building a query through
   * the builder had cost about half of the write path. Names with a row count (multi-row
   * inserts, batch reads, reactions of a page) are bounded by the sizes the callers use.
   */
  private readonly compiled = new Map<string, string>();

  /** The SQL of the statement named `key`, built by `build` (or written as text) the first time. */
  statement(key: string, build: () => Compilable | string): string {
    let text = this.compiled.get(key);
    if (text === undefined) {
      const built = build();
      text = typeof built === "string" ? built : built.compile().sql;
      this.compiled.set(key, text);
    }
    return text;
  }

  /**
   * Runs the statement named `key`, built by `build` the first time (placeholder values there
   * only shape the SQL), with `parameters` in the order of its placeholders; resolves to its
   * rows. For the reads and writes of every hello and join: building a query through Kysely
   * cost more than SQLite's running it.
   */
  query<R>(db: Db, key: string, build: () => Compilable, parameters: unknown[]): Promise<R[]> {
    const text = this.statement(key, () => {
      const compiled = build().compile();
      this.parameterCounts.set(key, compiled.parameters.length);
      return compiled.sql;
    });
    // Every value the builder was given is a placeholder: one given in the shape alone (not a
    // parameter here) would shift the others.
    const count = this.parameterCounts.get(key);
    if (count !== parameters.length)
      throw new Error(`Statement ${key} takes ${count} parameters, given ${parameters.length}`);
    return this.runSql<R>(db, text, parameters);
  }

  /** How many parameters each statement of {@link query} takes. */
  private readonly parameterCounts = new Map<string, number>();

  /** Runs one of the send path's single statements ({@link HOT}); resolves to its rows. */
  run<R>(db: Db, name: keyof typeof HOT, parameters: unknown[]): Promise<R[]> {
    return this.runSql<R>(
      db,
      this.statement(name, () => HOT[name](this.db, this.dialect)),
      parameters,
    );
  }

  async runSql<R>(db: Db, text: string, parameters: unknown[]): Promise<R[]> {
    return (await db.executeQuery<R>(CompiledQuery.raw(text, parameters))).rows;
  }

  /**
   * Takes the channel's next seq (and reads its slow mode and archive in the same statement).
   * NO_SUCH_CHANNEL when there is no such channel (or it was deleted).
   */
  async nextSeq(
    trx: Transaction<Database>,
    channelId: number,
  ): Promise<{ seq: number; slowMode: number; archived: boolean }> {
    const [row] = await this.run<SeqRow>(trx, "nextSeq", [1, channelId]);
    if (!row || row.deleted_at !== null) throw new ParleyError("NO_SUCH_CHANNEL");
    return {
      seq: Number(row.last_seq),
      slowMode: Number(row.slow_mode),
      archived: row.archived_at !== null,
    };
  }

  /**
   * Refuses a write by a user who is not a member (NOT_A_MEMBER) or is muted (MUTED, with the
   * time left), read in the writing transaction: the storage, not a node's view, decides.
   */
  async assertStanding(db: Db, channelId: number, userId: number, now: number): Promise<void> {
    const [row] = await this.run<StandingRow>(db, "standing", [channelId, userId]);
    const error = standingError(row, now);
    if (error) throw error;
  }

  /** Stores one non-message event with the channel's next seq, inside `trx`. */
  async appendEvent(
    trx: Transaction<Database>,
    channelId: number,
    ev: NewEvent,
  ): Promise<ChannelEvent> {
    const { seq, archived } = await this.nextSeq(trx, channelId);
    if (archived && ARCHIVED_REFUSES.has(ev.type)) throw new ParleyError("CHANNEL_ARCHIVED");
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
   * - `message`: message id, MessagePosted: the message's post;
   * - `pinned`: channel, the MessagePosted type, limit: its pinned live messages, most
   *   recently pinned first.
   *
   * A MessagePosted event is the message in its current state (the message row's columns),
   * a reply with the quote of the answered message's current row (joined, no extra query);
   * a MessageEdited event's content is the version it wrote (its row in `message_versions`,
   * or the message's content while that version is current), read only by `after`, the one
   * shape that returns edits.
   */
  async events(
    db: Db,
    shape: "below" | "from" | "after" | "message" | "pinned",
    parameters: unknown[],
  ): Promise<ChannelEvent[]> {
    const text = this.statement(`events:${shape}`, () => {
      const base = this.db
        .selectFrom("events as e")
        .leftJoin("messages as m", "m.id", "e.message_id")
        .leftJoin("messages as q", "q.id", "m.reply_to")
        .leftJoin("users as qu", "qu.id", "q.author_id")
        .select(EVENT_COLUMNS);
      const displayable = base
        .where("e.channel_id", "=", 0)
        .where("e.type", "not in", MUTATION_EVENT_TYPES as EventType[]);
      if (shape === "below")
        return displayable.where("e.seq", "<", 0).orderBy("e.seq", "desc").limit(0);
      if (shape === "from")
        return displayable.where("e.seq", ">=", 0).orderBy("e.seq", "asc").limit(0);
      if (shape === "after")
        return base
          .leftJoin("message_versions as mv", (j) =>
            j.onRef("mv.message_id", "=", "e.message_id").onRef("mv.seq", "=", "e.seq"),
          )
          .select(["m.edit_seq", "mv.content as version_content"])
          .where("e.channel_id", "=", 0)
          .where("e.seq", ">", 0)
          .orderBy("e.seq")
          .limit(0);
      if (shape === "pinned")
        return base
          .where("e.channel_id", "=", 0)
          .where("e.type", "=", EventType.MessagePosted)
          .where("m.pinned_at", "is not", null)
          .where("m.deleted_at", "is", null)
          .orderBy("m.pinned_at", "desc")
          .limit(0);
      // The post alone: edits, deletions and reactions reference the message too.
      return base.where("e.message_id", "=", 0).where("e.type", "=", EventType.MessagePosted);
    });
    return (await this.runSql<EventRow>(db, text, parameters)).map(toEvent);
  }

  async close(): Promise<void> {
    // The durability's own connection and files first: the last connection's close
    // checkpoints the WAL and removes it.
    await this.durability?.close();
    await this.db.destroy();
  }
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
  "m.version",
  "m.edited_at",
  "m.deleted_at",
  "m.deleted_by",
  "m.deleted_by_name",
  "m.deleted_by_mod",
  "m.pinned_at",
  "m.pinned_by",
  "m.pinned_by_name",
  "m.reply_to",
  "q.seq as reply_seq",
  "q.author_id as reply_author",
  "qu.username as reply_author_name",
  "q.content as reply_content",
  "q.deleted_at as reply_deleted_at",
  "m.mentions",
  "m.files",
  "m.link_previews",
] as const;

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
      .returning(["last_seq", "slow_mode", "archived_at", "deleted_at"]),
} satisfies Record<string, (db: Kysely<Database>, dialect: SqlDialect) => Compilable>;

/** What taking a seq reads of its channel. */
export interface SeqRow {
  last_seq: number;
  slow_mode: number;
  archived_at: number | null;
  deleted_at: number | null;
}

/**
 * What an archived channel no longer stores: new content and changes to it or to the channel.
 * Deleting a message stays possible (its author's right, moderation, retention), and so do
 * joins, leaves, moderation of members and the archive's own change.
 */
export const ARCHIVED_REFUSES: ReadonlySet<EventType> = new Set([
  EventType.MessagePosted,
  EventType.MessageEdited,
  EventType.ReactionAdded,
  EventType.ReactionRemoved,
  EventType.MessagePinned,
  EventType.MessageUnpinned,
  EventType.TopicChanged,
  EventType.SlowModeChanged,
  EventType.ChannelVisibilityChanged,
]);

/** A membership with its mute, if any (`muted` is null when there is no mute row). */
export interface StandingRow {
  role: number;
  muted: number | null;
  until: number | null;
  reason: string | null;
  /** The send path's read only: 1 or more when a block stands in the DM (see `directBlock`). */
  blocked?: number;
}

/**
 * A membership joined with its mute: `role`, `muted` (the mute row's user, null for none) and
 * the mute's `until`. On PostgreSQL the membership row is share-locked until commit, so a
 * concurrent removal of it waits for the writer or is seen by it (never both stored in the
 * wrong order); every writer takes membership rows before the channel row, so this cannot
 * deadlock with a kick.
 */
export function standingQuery<O>(
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

/**
 * PostgreSQL: a multi-row insert into `table` of any number of rows, each column one array
 * parameter (`types` names the columns, in parameter order) read back into rows by `unnest`.
 */
export function unnestInsert(
  table: string,
  types: Readonly<Record<string, string>>,
  returning?: string,
): string {
  const columns = Object.keys(types);
  const arrays = columns.map((c, i) => `$${i + 1}::${types[c]}[]`).join(", ");
  return `insert into ${table} (${columns.join(", ")}) select * from unnest(${arrays})${returning ? ` returning ${returning}` : ""}`;
}

/** `rows` (each `width` values) as `width` arrays, one per column: unnest's parameters. */
export function columnsOf(rows: readonly (readonly unknown[])[]): unknown[][] {
  const width = rows[0]?.length ?? 0;
  const columns: unknown[][] = Array.from({ length: width }, () => new Array(rows.length));
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < width; c++) columns[c]![r] = row[c];
  }
  return columns;
}

/**
 * A stored mute or ban as a restriction in force at `now`; undefined for no row, or one whose
 * end has passed (it is none before the sweep lifts it).
 */
export function inForce(
  row: { until: number | null; reason: string | null } | undefined,
  now: number,
): Restriction | undefined {
  if (!row) return undefined;
  const until = row.until === null ? null : Number(row.until);
  return until !== null && until <= now ? undefined : { until, reason: row.reason };
}

/** The end of a standing's mute that is still on at `now` (null: never), or undefined. */
export function mutedUntil(row: StandingRow, now: number): number | null | undefined {
  return row.muted === null ? undefined : inForce(row, now)?.until;
}

/** NOT_A_MEMBER without a membership, MUTED for a mute still on at `now`; else undefined. */
export function standingError(row: StandingRow | undefined, now: number): ParleyError | undefined {
  if (!row) return new ParleyError("NOT_A_MEMBER");
  const until = mutedUntil(row, now);
  return until === undefined ? undefined : restrictionError("MUTED", until, now);
}

/**
 * Revokes, at `now`, every live session of the user but `exceptSessionId`, in `trx`; resolves
 * to their ids. The one way sessions are revoked in bulk (a password change, a ban, an admin's
 * sign-out).
 */
export async function revokeSessions(
  trx: Transaction<Database>,
  now: number,
  userId: number,
  exceptSessionId?: number,
): Promise<number[]> {
  let query = trx
    .updateTable("sessions")
    .set({ revoked_at: now })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null);
  if (exceptSessionId !== undefined) query = query.where("id", "!=", exceptSessionId);
  const rows = await query.returning("id").execute();
  return rows.map((r) => Number(r.id));
}

/** True for a unique-constraint violation on SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    code === "SQLITE_CONSTRAINT_UNIQUE" ||
    code === "SQLITE_CONSTRAINT_PRIMARYKEY" ||
    code === "23505"
  );
}

export function toUser(
  row: Omit<Selectable<Database["users"]>, "last_active_at" | "deactivated_at" | "deleted_at"> &
    Partial<Pick<Selectable<Database["users"]>, "deactivated_at" | "deleted_at">>,
): UserRow {
  return {
    id: Number(row.id),
    username: row.username,
    passwordHash: row.password_hash,
    isGuest: Number(row.is_guest) === 1,
    createdAt: Number(row.created_at),
    bannedAt: optionalTime(row.banned_at),
    bannedUntil: optionalTime(row.banned_until),
    banReason: row.ban_reason ?? null,
    isAdmin: Number(row.is_admin) === 1,
    deactivatedAt: optionalTime(row.deactivated_at),
    deletedAt: optionalTime(row.deleted_at),
    displayName: row.display_name,
    statusText: row.status_text,
    avatar: row.avatar,
  };
}

/** A nullable time column as a number (or null; also for a column not selected). */
function optionalTime(value: number | null | undefined): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function toChannel(row: Selectable<Database["channels"]>): ChannelRow {
  return {
    id: Number(row.id),
    name: row.name,
    topic: row.topic,
    createdBy: Number(row.created_by),
    createdAt: Number(row.created_at),
    lastSeq: Number(row.last_seq),
    slowMode: Number(row.slow_mode),
    retentionDays: Number(row.retention_days ?? 0),
    archivedAt: optionalTime(row.archived_at),
    isPrivate: Number(row.private) === 1,
    isDirect: Number(row.kind) === ChannelKind.Direct,
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
    const version = Number(row.version ?? 1);
    if (version > 1) event.v = version;
    if (row.edited_at !== null && row.edited_at !== undefined) event.ed = Number(row.edited_at);
    if (row.deleted_at !== null && row.deleted_at !== undefined) {
      event.dl = {
        u: Number(row.deleted_by),
        un: row.deleted_by_name ?? "",
        ...(Number(row.deleted_by_mod) === 1 ? { mod: true as const } : {}),
        ts: Number(row.deleted_at),
      };
    }
    if (row.pinned_at !== null && row.pinned_at !== undefined) {
      event.pn = {
        u: Number(row.pinned_by),
        un: row.pinned_by_name ?? "",
        ts: Number(row.pinned_at),
      };
    }
    if (row.reply_to !== null && row.reply_to !== undefined) {
      const live = row.reply_content !== null && row.reply_deleted_at === null;
      event.rp = {
        m: Number(row.reply_to),
        s: Number(row.reply_seq ?? 0),
        a: Number(row.reply_author ?? 0),
        an: row.reply_author_name ?? "",
        x: live ? excerpt(row.reply_content ?? "") : "",
        ...(live ? {} : { dl: true as const }),
      };
    }
    if (row.mentions) Object.assign(event, parseMentions(row.mentions));
    if (row.files) event.f = JSON.parse(row.files) as FileRef[];
    if (row.link_previews) event.lp = JSON.parse(row.link_previews) as LinkPreview[];
    return event;
  }
  if (t === EventType.MessageEdited) {
    // Stored as {m, v, mn?, mg?}: the content lives once, in the version's row or on the
    // message. A deleted message's edits keep no mentions, as they keep no content.
    const { m, v, mn, mg } = JSON.parse(row.data) as { m: number; v: number } & Mentions;
    const live = row.deleted_at === null || row.deleted_at === undefined;
    const current =
      row.edit_seq !== null && row.edit_seq !== undefined && Number(row.edit_seq) === s;
    return {
      s,
      t,
      ts,
      a,
      an,
      m,
      v,
      x: row.version_content ?? (current ? (row.content ?? "") : ""),
      ed: ts,
      ...(live && mn ? { mn } : {}),
      ...(live && mg ? { mg } : {}),
    };
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

/**
 * A new membership's read marker: the seq of the join event stored next in the same
 * transaction (the channel's last seq + 1), so nothing from before the join is unread.
 */
export function readUpToJoin(channelId: number) {
  return sql<number>`(select last_seq + 1 from channels where id = ${channelId})`;
}

/** Keeps a user's memberships' `name_key` in step with a new name key (renames). */
export async function renameMemberships(trx: Db, userId: number, key: string): Promise<void> {
  await trx
    .updateTable("memberships")
    .set({ name_key: key })
    .where("user_id", "=", userId)
    .execute();
}

/** A new membership's `name_key`: its user's name key, read in the inserting statement. */
export function memberNameKey(userId: number) {
  return sql<string>`(select username_lower from users where id = ${userId})`;
}
