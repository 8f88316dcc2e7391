import { matchesSearchTerms, nameKey, type SearchQuery, type SearchTerm } from "@parley/protocol";
import { type Kysely, type RawBuilder, sql } from "kysely";
import { ParleyError } from "../../errors";
import { directKey } from "../channel-store";
import type { SqlDialect } from "../migrations";
import type { Database } from "../schema";
import type { SearchRow, SearchStore } from "../search-store";
import type { SqlContext } from "./context";

/**
 * {@link SearchStore} over SQL. SQLite matches in `messages_fts`, an FTS5 table over
 * `messages.content` (external content, `unicode61 remove_diacritics 2`; a prefix `wor*`
 * reads the range of words it starts); PostgreSQL in `messages.search`, a `tsvector` ('simple'
 * configuration over the folded content, `parley_search_vector`) under a GIN index. Both are
 * kept in step by triggers (see {@link syncSearchIndex}). Every term goes in as a literal: an
 * FTS5 string (in double quotes, a quote doubled) of tokens that hold only letters, digits and
 * marks, or a tsquery built by `phraseto_tsquery` from a bound parameter.
 *
 * Two plans answer a query that names a channel or an author (see {@link scanBudget}): the
 * index's matches kept when theirs, or their messages read newest first by their own index and
 * matched here as the index matches ({@link matchesSearchTerms}), up to a budget of messages
 * read, after which the index answers the rest of the page.
 */
export function sqlSearchStore(ctx: SqlContext, enabled: boolean): SearchStore {
  const { db, dialect } = ctx;
  const wordCounts = new WordCounts(db);
  return {
    async searchMessages({ userId, query, beforeId, limit }) {
      if (!enabled) throw new ParleyError("SEARCH_DISABLED");
      if (query.impossible) return [];
      // Channels and authors named by the query, as ids: the planner then sees how few their
      // messages may be (a subquery of names hides it).
      const channelKeys = [
        ...query.channels.map(nameKey),
        ...(query.dms.length > 0 ? await directChannelKeys(db, userId, query.dms) : []),
      ];
      const channelIds =
        channelKeys.length > 0 ? await idsOf(db, "channels", "name_lower", channelKeys) : [];
      if (query.channels.length + query.dms.length > 0 && channelIds.length === 0) return [];
      const authorIds =
        query.from.length > 0
          ? await idsOf(db, "users", "username_lower", query.from.map(nameKey))
          : [];
      if (query.from.length > 0 && authorIds.length === 0) return [];

      const narrow: RawBuilder<unknown>[] = [];
      if (channelIds.length > 0) narrow.push(sql`m.channel_id in (${list(channelIds)})`);
      if (authorIds.length > 0) narrow.push(sql`m.author_id in (${list(authorIds)})`);
      // Every condition but the words and the page's cursor.
      const where: RawBuilder<unknown>[] = [sql`m.deleted_at is null`, ...narrow];
      if (query.mentions.length > 0) {
        const others = query.mentions.filter((n) => n.toLowerCase() !== "me").map(nameKey);
        const me = others.length < query.mentions.length;
        const ids = [
          ...(me ? [sql`${userId}`] : []),
          ...(others.length > 0
            ? [sql`select id from users where username_lower in (${list(others)})`]
            : []),
        ];
        where.push(
          sql`exists (select 1 from mentions mt where mt.channel_id = m.channel_id and mt.seq = m.seq and mt.user_id in (${sql.join(ids, sql` union all `)}))`,
        );
      }
      if (query.since !== undefined) where.push(sql`m.created_at >= ${query.since}`);
      if (query.until !== undefined) where.push(sql`m.created_at < ${query.until}`);
      if (query.hasLink)
        where.push(sql`(lower(m.content) like '%http://%' or lower(m.content) like '%https://%')`);
      if (query.pinned) where.push(sql`m.pinned_at is not null`);

      const page = (
        from: RawBuilder<unknown>,
        conditions: RawBuilder<unknown>[],
        order: RawBuilder<unknown>,
        n: number,
      ) => selectPage(db, userId, from, conditions, order, n);

      let found: SearchRow[] = [];
      let before = beforeId;
      // One author's messages newest first are an index by id; one channel's, an index by seq
      // (which follows id within a channel).
      const scannable =
        authorIds.length === 1 || (channelIds.length === 1 && authorIds.length === 0);
      if (query.include.length > 0 && scannable) {
        const budget =
          dialect === "sqlite"
            ? await scanBudget(db, wordCounts, narrow, query.include, limit)
            : POSTGRES_SCAN_BUDGET;
        if (budget > 0) {
          const scan = await scanNewestFirst(
            page,
            // PostgreSQL plans each statement (milliseconds): one statement reads the budget.
            dialect === "postgres" ? budget : SCAN_CHUNK_FIRST,
            where,
            authorIds.length === 1 ? undefined : channelIds[0],
            query,
            before,
            limit,
            budget,
          );
          found = scan.rows;
          if (scan.done) return found;
          before = scan.before;
        }
      }

      const id =
        dialect === "sqlite" && query.include.length > 0 && narrow.length === 0
          ? sql`f.rowid`
          : sql`m.id`;
      const rest = limit - found.length;
      const matched = [...where];
      const from =
        dialect === "sqlite"
          ? sqliteMatch(query, narrow.length > 0, matched)
          : postgresMatch(query, matched);
      // PostgreSQL rechecks every row holding a phrase's words (its GIN index keeps no
      // positions): naming the searcher's channels lets it keep only the rows of those first.
      if (
        dialect === "postgres" &&
        narrow.length === 0 &&
        query.include.some((t) => t.tokens.length > 1)
      )
        matched.push(sql`m.channel_id in (${list(await memberChannelIds(db, userId))})`);
      if (before !== undefined) matched.push(sql`${id} < ${before}`);
      return found.concat(await page(from, matched, id, rest));
    },
  };
}

type PageOf = (
  from: RawBuilder<unknown>,
  conditions: RawBuilder<unknown>[],
  order: RawBuilder<unknown>,
  n: number,
) => Promise<SearchRow[]>;

/** Up to `n` messages of the user's channels that meet `conditions`, newest first by `order`. */
async function selectPage(
  db: Kysely<Database>,
  userId: number,
  from: RawBuilder<unknown>,
  conditions: RawBuilder<unknown>[],
  order: RawBuilder<unknown>,
  n: number,
): Promise<SearchRow[]> {
  const { rows } = await sql<{
    id: number;
    channel_id: number;
    seq: number;
    author_id: number;
    username: string;
    created_at: number;
    content: string;
  }>`select m.id, m.channel_id, m.seq, m.author_id, u.username, m.created_at, m.content
    from ${from}
    join memberships ms on ms.channel_id = m.channel_id and ms.user_id = ${userId}
    join users u on u.id = m.author_id
    where ${sql.join(conditions, sql` and `)}
    order by ${order} desc
    limit ${n}`.execute(db);
  return rows.map(
    (r): SearchRow => ({
      channelId: Number(r.channel_id),
      seq: Number(r.seq),
      messageId: Number(r.id),
      authorId: Number(r.author_id),
      authorName: r.username,
      createdAt: Number(r.created_at),
      content: r.content,
    }),
  );
}

/** Messages read per statement of a SQLite scan at first; each statement reads twice the last. */
const SCAN_CHUNK_FIRST = 100;
const SCAN_CHUNK_MAX = 3200;

/**
 * Reads the named channel's or author's messages (`where`) newest first (a channel's by seq,
 * `channelId`; an author's by id), keeping those that match the query's words, until the page
 * is full, they run out (`done`), or `budget` messages were read: then the index takes over
 * below `before`.
 */
async function scanNewestFirst(
  page: PageOf,
  firstChunk: number,
  where: RawBuilder<unknown>[],
  channelId: number | undefined,
  query: SearchQuery,
  beforeId: number | undefined,
  limit: number,
  budget: number,
): Promise<{ rows: SearchRow[]; done: boolean; before?: number }> {
  const order = channelId === undefined ? sql`m.id` : sql`m.seq`;
  const rows: SearchRow[] = [];
  let read = 0;
  let chunk = firstChunk;
  let last: SearchRow | undefined;
  while (read < budget) {
    const conditions = [...where];
    if (last !== undefined)
      conditions.push(
        channelId === undefined ? sql`m.id < ${last.messageId}` : sql`m.seq < ${last.seq}`,
      );
    else if (beforeId !== undefined) {
      conditions.push(sql`m.id < ${beforeId}`);
      // In the channel's order, start at the cursor's seq rather than read down to it.
      if (channelId !== undefined)
        conditions.push(
          sql`m.seq < coalesce((select seq from messages where id = ${beforeId} and channel_id = ${channelId}), ${Number.MAX_SAFE_INTEGER})`,
        );
    }
    const n = Math.min(chunk, budget - read);
    const batch = await page(sql`messages m`, conditions, order, n);
    for (const row of batch) {
      read++;
      last = row;
      if (!matchesSearchTerms(row.content, query.include, query.exclude)) continue;
      rows.push(row);
      if (rows.length === limit) return { rows, done: true };
    }
    if (batch.length < n) return { rows, done: true };
    chunk = Math.min(chunk * 2, SCAN_CHUNK_MAX);
  }
  const before = last?.messageId ?? beforeId;
  return { rows, done: false, ...(before !== undefined ? { before } : {}) };
}

/** Bound parameters, comma-separated. */
const list = (values: readonly unknown[]) => sql.join(values.map((v) => sql`${v}`));

/** The keys of the user's direct messages with each of `names` (the two of them only). */
async function directChannelKeys(
  db: Kysely<Database>,
  userId: number,
  names: readonly string[],
): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("username_lower", "in", names.map(nameKey))
    .execute();
  return rows.map((r) => directKey([userId, Number(r.id)]));
}

/** An FTS5 string: the term's tokens in double quotes (a quote doubled), `*` after a prefix. */
function fts5Term(term: SearchTerm): string {
  const phrase = `"${term.tokens.join(" ").replaceAll('"', '""')}"`;
  return term.prefix ? `${phrase} *` : phrase;
}

/** The ids of the rows of `table` whose `column` is one of `keys`. */
async function idsOf(
  db: Kysely<Database>,
  table: "channels" | "users",
  column: "name_lower" | "username_lower",
  keys: readonly string[],
): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select id from ${sql.table(table)}
    where ${sql.ref(column)} in (${list(keys)})`.execute(db);
  return rows.map((r) => Number(r.id));
}

/**
 * What reading one message in a scan costs (a row read and matched here, about 1.6 µs) in
 * matches of a word read from the index and kept when in the named channel or author's (about
 * 0.45 µs each), as measured at a million messages (bench/search.ts).
 */
const SCAN_ROW_COST = 4;

/** How many messages of the named channel or author are counted at most, to choose. */
const NARROW_COUNT_CAP = 20_000;

/** Messages read at most for a prefix term alone, whose matches the vocabulary cannot count. */
const PREFIX_SCAN_BUDGET = 2_000;

/**
 * PostgreSQL, which keeps no count of a word's messages: messages of the named channel or
 * author read first (a few milliseconds), before its index answers a query whose words are rare
 * there.
 */
const POSTGRES_SCAN_BUDGET = 1_000;

/**
 * SQLite, for a query that names one channel or one author: how many of their messages to read
 * newest first and match here before its index answers the rest (0: the index at once). Reading
 * theirs is cheap when the page fills from a few of them (`of` in one channel), the index when
 * the word is rare next to their number. It counts their messages (up to a cap), looks up each
 * word's number of messages in the index's vocabulary (`messages_fts_terms`), and estimates how
 * many of theirs a page takes if the words are spread evenly; the budget leaves room for words
 * that are not.
 */
async function scanBudget(
  db: Kysely<Database>,
  wordCounts: WordCounts,
  narrow: RawBuilder<unknown>[],
  include: readonly SearchTerm[],
  limit: number,
): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from messages m
    where ${sql.join(narrow, sql` and `)} limit ${NARROW_COUNT_CAP})`.execute(db);
  const messages = Number(rows[0]?.n ?? 0);
  const words = include.flatMap((t) => (t.prefix ? t.tokens.slice(0, -1) : t.tokens));
  if (words.length === 0) return PREFIX_SCAN_BUDGET;
  const counts = await wordCounts.of(words);
  // A word missing from the vocabulary matches nothing: the index answers at once.
  if (counts.some((n) => n === 0)) return 0;
  const total = await wordCounts.messages();
  const density = counts.reduce((d, n) => d * Math.min(1, n / total), 1);
  const all = messages < NARROW_COUNT_CAP ? messages : Number.POSITIVE_INFINITY;
  const expected = Math.min(all, limit / density);
  if (expected * SCAN_ROW_COST >= Math.min(...counts)) return 0;
  return Math.ceil(4 * expected) + SCAN_CHUNK_FIRST;
}

/** How long a word's message count is trusted: it only steers a plan, never a result. */
const WORD_COUNT_TTL_MS = 600_000;
/** Words whose counts are kept (the common ones are the dear ones to look up, and recur). */
const WORD_COUNT_ENTRIES = 2000;

/**
 * Words' numbers of messages from the index's vocabulary, kept a while: looking up a word
 * reads its whole list of matches (about 40 ms for `of` at ten million messages), the very
 * cost the plan choice is there to avoid.
 */
class WordCounts {
  private readonly counts = new Map<string, { n: number; at: number }>();
  private total: { n: number; at: number } | undefined;
  constructor(private readonly db: Kysely<Database>) {}

  /** About how many messages there are (the highest id), kept as long as a word's count. */
  async messages(): Promise<number> {
    const now = Date.now();
    if (!this.total || now - this.total.at > WORD_COUNT_TTL_MS) {
      const { rows } = await sql<{
        top: number | null;
      }>`select max(id) as top from messages`.execute(this.db);
      this.total = { n: Math.max(1, Number(rows[0]?.top ?? 0)), at: now };
    }
    return this.total.n;
  }

  async of(words: readonly string[]): Promise<number[]> {
    const now = Date.now();
    const missing = [
      ...new Set(
        words.filter((w) => {
          const hit = this.counts.get(w);
          return !hit || now - hit.at > WORD_COUNT_TTL_MS;
        }),
      ),
    ];
    if (missing.length > 0) {
      const { rows } = await sql<{ term: string; doc: number }>`select term, doc
        from messages_fts_terms where term in (${list(missing)})`.execute(this.db);
      const found = new Map(rows.map((r) => [r.term, Number(r.doc)]));
      for (const w of missing) {
        this.counts.delete(w);
        this.counts.set(w, { n: found.get(w) ?? 0, at: now });
      }
      while (this.counts.size > WORD_COUNT_ENTRIES) {
        const oldest = this.counts.keys().next().value;
        if (oldest === undefined) break;
        this.counts.delete(oldest);
      }
    }
    return words.map((w) => this.counts.get(w)?.n ?? 0);
  }
}

/**
 * The FROM of a SQLite search, adding its conditions to `where`: the index drives the query,
 * unless it names channels or authors (`narrowed`), whose messages are then read by their
 * indexes and kept if in the set of matches.
 */
function sqliteMatch(
  query: SearchQuery,
  narrowed: boolean,
  where: RawBuilder<unknown>[],
): RawBuilder<unknown> {
  const exclude = query.exclude.map(fts5Term).join(" OR ");
  if (query.include.length > 0 && narrowed) {
    const include = query.include.map(fts5Term).join(" AND ");
    const match = exclude ? `(${include}) NOT (${exclude})` : include;
    where.push(sql`m.id in (select rowid from messages_fts where messages_fts match ${match})`);
    return sql`messages m`;
  }
  if (query.include.length === 0) {
    if (exclude)
      where.push(
        sql`m.id not in (select rowid from messages_fts where messages_fts match ${exclude})`,
      );
    return sql`messages m`;
  }
  const include = query.include.map(fts5Term).join(" AND ");
  where.push(sql`messages_fts match ${exclude ? `(${include}) NOT (${exclude})` : include}`);
  return sql`messages_fts f join messages m on m.id = f.rowid`;
}

/**
 * A tsquery of one term, from bound parameters only. A phrase also requires its word pairs
 * (the pairs of its whole words, before a last prefix), each one lexeme of the vector (see
 * migration 0021): the GIN index finds the few messages holding them, where the words alone
 * would be every message holding each, rechecked one by one.
 */
function tsTerm(term: SearchTerm): RawBuilder<unknown> {
  // Tokens hold only letters, digits and marks: quoted, they are literals of the tsquery.
  const phrase = term.prefix
    ? sql`to_tsquery('simple', ${`${term.tokens.map((t) => `'${t}'`).join(" <-> ")}:*`})`
    : sql`phraseto_tsquery('simple', ${term.tokens.join(" ")})`;
  const whole = term.prefix ? term.tokens.slice(0, -1) : term.tokens;
  if (whole.length < 2) return phrase;
  // No pairs (words too long to be lexemes): the phrase alone.
  return sql`coalesce(parley_search_pair_query(${whole.join(" ")}) && ${phrase}, ${phrase})`;
}

/** The FROM of a PostgreSQL search, adding its conditions to `where`. */
function postgresMatch(query: SearchQuery, where: RawBuilder<unknown>[]): RawBuilder<unknown> {
  if (query.include.length > 0)
    where.push(sql`m.search @@ (${sql.join(query.include.map(tsTerm), sql` && `)})`);
  if (query.exclude.length > 0)
    where.push(
      sql`not coalesce(m.search @@ (${sql.join(query.exclude.map(tsTerm), sql` || `)}), false)`,
    );
  return sql`messages m`;
}

/** The ids of the channels the user is a member of (a phrase's candidates on PostgreSQL). */
async function memberChannelIds(db: Kysely<Database>, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom("memberships")
    .select("channel_id")
    .where("user_id", "=", userId)
    .execute();
  // No channel: an id no channel has keeps the list well-formed.
  return rows.length > 0 ? rows.map((r) => Number(r.channel_id)) : [0];
}

/** Where a log line of the index's build goes (a pino logger's `info`, bound). */
export type SearchIndexLog = (fields: Record<string, unknown>, message: string) => void;

/** Rows per statement of a rebuild. */
const REBUILD_CHUNK = 20_000;

/** `server_settings` key of the index's state: "built" once complete; absent otherwise. */
export const SEARCH_STATE_KEY = "search_index";

/** PostgreSQL advisory lock taken while one node syncs the index (an arbitrary constant). */
const SYNC_LOCK = 7_351_842_016;

/**
 * Brings the index in line with the setting, at start, before the node serves.
 *
 * On: the triggers that keep the index in step are created (if missing); then, unless the
 * index is recorded as built, it is rebuilt from every message in chunks, with progress in the
 * log, and recorded as built. Off: the triggers are dropped and the record is cleared, so the
 * index is not maintained, and the next start with search on rebuilds it. A rebuild that stops
 * half way (a crash) starts over at the next start. On PostgreSQL, nodes starting together
 * sync one at a time (an advisory lock); the setting is the deployment's: a node started with
 * it off stops the maintenance for every node.
 */
export async function syncSearchIndex(
  db: Kysely<Database>,
  dialect: SqlDialect,
  on: boolean,
  log: SearchIndexLog = () => {},
): Promise<void> {
  if (dialect === "sqlite") return syncIndex(db, dialect, on, log);
  await db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${SYNC_LOCK})`.execute(conn);
    try {
      await syncIndex(conn, dialect, on, log);
    } finally {
      await sql`select pg_advisory_unlock(${SYNC_LOCK})`.execute(conn);
    }
  });
}

async function syncIndex(
  db: Kysely<Database>,
  dialect: SqlDialect,
  on: boolean,
  log: SearchIndexLog,
): Promise<void> {
  const triggers = dialect === "sqlite" ? SQLITE_TRIGGERS : POSTGRES_TRIGGERS;
  if (!on) {
    for (const statement of triggers.drop) await sql.raw(statement).execute(db);
    await db.deleteFrom("server_settings").where("key", "=", SEARCH_STATE_KEY).execute();
    return;
  }
  for (const statement of triggers.create) await sql.raw(statement).execute(db);
  const state = await db
    .selectFrom("server_settings")
    .select("value")
    .where("key", "=", SEARCH_STATE_KEY)
    .executeTakeFirst();
  if (state?.value === "built") return;
  await rebuild(db, dialect, log);
  await db
    .insertInto("server_settings")
    .values({ key: SEARCH_STATE_KEY, value: "built" })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value: "built" }))
    .execute();
}

/** Indexes every message afresh, `REBUILD_CHUNK` ids per statement. */
async function rebuild(db: Kysely<Database>, dialect: SqlDialect, log: SearchIndexLog) {
  const started = Date.now();
  const { max } = await db
    .selectFrom("messages")
    .select((eb) => eb.fn.max("id").as("max"))
    .executeTakeFirstOrThrow();
  const last = Number(max ?? 0);
  log({ messages: last }, "search index: building");
  if (dialect === "sqlite") {
    await sql`insert into messages_fts(messages_fts) values ('delete-all')`.execute(db);
  } else await sql`drop index if exists messages_search`.execute(db);
  let reported = started;
  for (let from = 0; from < last; from += REBUILD_CHUNK) {
    const to = Math.min(from + REBUILD_CHUNK, last);
    if (dialect === "sqlite")
      await sql`insert into messages_fts(rowid, content)
        select id, content from messages where id > ${from} and id <= ${to}`.execute(db);
    else
      await sql`update messages set search = parley_search_vector(content)
        where id > ${from} and id <= ${to}`.execute(db);
    if (Date.now() - reported >= 5000) {
      reported = Date.now();
      log({ done: to, of: last }, "search index: building");
    }
  }
  if (dialect === "postgres") {
    await sql`create index if not exists messages_search on messages using gin (search)`.execute(
      db,
    );
    // The planner's statistics of the new vectors: with them it walks the newest messages for
    // a common word instead of fetching and sorting every match.
    await sql`analyze messages`.execute(db);
  }
  log({ messages: last, ms: Date.now() - started }, "search index: built");
}

/** SQLite: the FTS5 table follows inserts, content updates (edits, deletions) and row deletes. */
const SQLITE_TRIGGERS = {
  create: [
    `create trigger if not exists messages_fts_insert after insert on messages begin
       insert into messages_fts(rowid, content) values (new.id, new.content);
     end`,
    `create trigger if not exists messages_fts_update after update of content on messages begin
       insert into messages_fts(messages_fts, rowid, content) values ('delete', old.id, old.content);
       insert into messages_fts(rowid, content) values (new.id, new.content);
     end`,
    `create trigger if not exists messages_fts_delete after delete on messages begin
       insert into messages_fts(messages_fts, rowid, content) values ('delete', old.id, old.content);
     end`,
  ],
  drop: [
    "drop trigger if exists messages_fts_insert",
    "drop trigger if exists messages_fts_update",
    "drop trigger if exists messages_fts_delete",
  ],
};

/** PostgreSQL: the vector is computed in the row before every insert and content update. */
const POSTGRES_TRIGGERS = {
  create: [
    `create or replace function parley_search_row() returns trigger language plpgsql as $$
     begin
       new.search := parley_search_vector(new.content);
       return new;
     end $$`,
    "drop trigger if exists messages_search on messages",
    `create trigger messages_search before insert or update of content on messages
       for each row execute function parley_search_row()`,
  ],
  drop: ["drop trigger if exists messages_search on messages"],
};
