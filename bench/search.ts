/**
 * What full-text search costs and gives, in one run:
 *
 *   node --import tsx bench/search.ts [--messages 1000000] [--postgres postgres://…]
 *                                     [--rate 50] [--requests 200] [--sends 3000] [--rounds 5]
 *
 * 1. Builds (or reuses) a database of `messages` messages of Zipf-distributed words (an embedded
 *    list of common English words, then generated ones) over 1,000 channels and 10,000 users,
 *    written as rows straight through the schema (no events: search reads messages only), with
 *    search off; then opens it with search on, which builds the index as a first start after
 *    migration 0014 does, and reports the build time and the index's size on disk per million
 *    messages. SQLite files are kept as /tmp/search-bench-<N>.sqlite for the next run; with
 *    `--postgres`, the schema `search_bench_<N>` of that database is.
 * 2. Searches as a member of 50 of the channels, open loop at `rate` requests a second (each
 *    latency counted from when it was due, so a backlog shows), a page of 25, through the
 *    server's SearchService (parse, storage, snippets): a rare word, a common word, a phrase,
 *    a prefix (`abc*`: FTS5 reads the range of words it starts), a word and a rarer word in
 *    one channel (`in:#…`) and a common word in one author's messages (`from:@…`). The baseline, in
 *    the same run and on the same database: the same visibility and page with
 *    `content LIKE '%word%'` (at most `requests`/4 of them, since each scans the table).
 * 3. The send path with search on against off (`PARLEY_SEARCH`), a node of each in this
 *    process, `sends` acked sends each, 50 in flight, alternating `rounds` times; with
 *    `--postgres`, each node on a fresh schema of that database.
 */
import { existsSync, rmSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { ParleyClient } from "@parley/client";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, sql } from "kysely";
import pg from "pg";
import { SearchService } from "../packages/server/src/services/search-service";
import { migrateToLatest } from "../packages/server/src/storage/migrate";
import {
  openPostgresDatabase,
  openPostgresStorage,
} from "../packages/server/src/storage/postgres/open-postgres";
import type { Database } from "../packages/server/src/storage/schema";
import { openSqliteStorage } from "../packages/server/src/storage/sqlite/open-sqlite";
import { ParleySqliteDialect } from "../packages/server/src/storage/sqlite/sqlite-driver";
import type { Storage } from "../packages/server/src/storage/storage";
import { startInProcessNode } from "./lib/in-process-node";
import { describeRun, runInfo } from "./lib/machine";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    postgres: { type: "string" },
    rate: { type: "string", default: "50" },
    requests: { type: "string", default: "200" },
    sends: { type: "string", default: "3000" },
    rounds: { type: "string", default: "5" },
  },
});
const MESSAGES = Number(values.messages);
const RATE = Number(values.rate);
const REQUESTS = Number(values.requests);
const SENDS = Number(values.sends);
const ROUNDS = Number(values.rounds);
const USERS = 10_000;
const CHANNELS = 1_000;
const SEARCHER_CHANNELS = 50;
const PAGE = 25;
const CHUNK = 10_000;

// --- text -----------------------------------------------------------------------------------

/** Common English words, most frequent first; generated words follow them in rank. */
const COMMON = `the be to of and a in that have i it for not on with he as you do at this but his
by from they we say her she or an will my one all would there their what so up out if about who
get which go me when make can like time no just him know take people into year your good some
could them see other than then now look only come its over think also back after use two how our
work first well way even new want because any these give day most us deploy build test review
merge release fix bug issue ticket server client channel message meeting call today tomorrow
week thanks please sure yes ok lunch coffee team plan update change branch commit push pull
error log metric alert page ship done check let try need still again thing really here ready`
  .split(/\s+/)
  .filter(Boolean);

/** A deterministic generator (mulberry32), so every run builds the same database. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = 20_000;
const SYLLABLES =
  "ka lo mi ne ru sa ti vo ze pa ri do fu ge hi ja ku la mo nu pe qui ro su ta ve wa xi yo zu".split(
    " ",
  );

function vocabulary(random: () => number): string[] {
  const words = [...COMMON];
  const seen = new Set(words);
  while (words.length < VOCABULARY) {
    const n = 2 + Math.floor(random() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(w)) {
      seen.add(w);
      words.push(w);
    }
  }
  return words;
}

/** Zipf (s = 1) sampling over ranks: cumulative weights, then a binary search. */
function zipf(n: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let r = 0; r < n; r++) cumulative[r] = sum += 1 / (r + 1);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const WORDS = vocabulary(prng(1));

/** The database's rows, in id order: a message every call. */
function* rows(count: number) {
  const random = prng(2);
  const rank = zipf(WORDS.length, random);
  const seqs = new Uint32Array(CHANNELS + 1);
  const start = Date.now() - 365 * 86_400_000;
  const step = (365 * 86_400_000) / count;
  for (let id = 1; id <= count; id++) {
    const channel = 1 + Math.floor(random() * CHANNELS);
    const author = 1 + Math.floor(random() * USERS);
    const length = 3 + Math.floor(random() * 18);
    const words: string[] = [];
    for (let i = 0; i < length; i++) words.push(WORDS[rank()]!);
    if (random() < 0.02) words.push(`https://example.com/${WORDS[rank()]}`);
    yield {
      id,
      channel,
      seq: ++seqs[channel]!,
      author,
      content: words.join(" "),
      createdAt: Math.round(start + id * step),
    };
  }
}

const userName = (i: number) => `user${i}`;
/** The searcher is user 1, in channels 1–50. */
const SEARCHER = 1;

// --- building -------------------------------------------------------------------------------

/** The statements of the bulk load, shared by both databases (PostgreSQL's in batches). */
interface Loader {
  users(names: string[]): Promise<void>;
  channels(count: number): Promise<void>;
  memberships(pairs: [number, number][]): Promise<void>;
  messages(batch: ReturnType<typeof rows> extends Iterable<infer R> ? R[] : never): Promise<void>;
  close(): Promise<void>;
}

async function load(loader: Loader) {
  const t = performance.now();
  await loader.users(Array.from({ length: USERS }, (_, i) => userName(i + 1)));
  await loader.channels(CHANNELS);
  // The searcher in its 50 channels; every channel's owner (its author 1..) a member too.
  const pairs: [number, number][] = [];
  for (let c = 1; c <= SEARCHER_CHANNELS; c++) pairs.push([c, SEARCHER]);
  for (let c = SEARCHER_CHANNELS + 1; c <= CHANNELS; c++) pairs.push([c, 2 + (c % (USERS - 1))]);
  await loader.memberships(pairs);
  let batch: Parameters<Loader["messages"]>[0] = [];
  for (const row of rows(MESSAGES)) {
    batch.push(row);
    if (batch.length === CHUNK) {
      await loader.messages(batch);
      batch = [];
      if (row.id % 1_000_000 === 0) process.stderr.write(`  · ${row.id} messages written\n`);
    }
  }
  if (batch.length) await loader.messages(batch);
  await loader.close();
  return performance.now() - t;
}

function sqliteLoader(path: string): Loader {
  const db = new BetterSqlite3(path);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = OFF");
  const insertMessage = db.prepare(
    "insert into messages (id, channel_id, seq, author_id, nonce, content, kind, created_at) values (?, ?, ?, ?, ?, ?, 0, ?)",
  );
  return {
    async users(names) {
      const s = db.prepare(
        "insert into users (username, username_lower, password_hash, is_guest, created_at) values (?, ?, null, 1, 0)",
      );
      db.transaction(() => {
        for (const n of names) s.run(n, n);
      })();
    },
    async channels(count) {
      const s = db.prepare(
        "insert into channels (name, name_lower, topic, created_by, created_at, last_seq, slow_mode) values (?, ?, '', 1, 0, 0, 0)",
      );
      db.transaction(() => {
        for (let c = 1; c <= count; c++) s.run(`c${c}`, `c${c}`);
      })();
    },
    async memberships(pairs) {
      const s = db.prepare(
        "insert into memberships (channel_id, user_id, role, joined_at) values (?, ?, 1, 0)",
      );
      db.transaction(() => {
        for (const [c, u] of pairs) s.run(c, u);
      })();
    },
    async messages(batch) {
      db.transaction(() => {
        for (const m of batch)
          insertMessage.run(m.id, m.channel, m.seq, m.author, `n${m.id}`, m.content, m.createdAt);
      })();
    },
    async close() {
      db.prepare(
        "update channels set last_seq = (select coalesce(max(seq), 0) from messages where channel_id = channels.id)",
      ).run();
      db.close();
    },
  };
}

function postgresLoader(db: Kysely<Database>): Loader {
  return {
    async users(names) {
      await sql`insert into users (username, username_lower, password_hash, is_guest, created_at)
        select n, n, null, 1, 0 from unnest(${names}::text[]) as n`.execute(db);
    },
    async channels(count) {
      await sql`insert into channels (name, name_lower, topic, created_by, created_at, last_seq, slow_mode)
        select 'c' || i, 'c' || i, '', 1, 0, 0, 0 from generate_series(1, ${count}) as i`.execute(
        db,
      );
    },
    async memberships(pairs) {
      await sql`insert into memberships (channel_id, user_id, role, joined_at)
        select c, u, 1, 0 from unnest(${pairs.map((p) => p[0])}::bigint[], ${pairs.map((p) => p[1])}::bigint[]) as t(c, u)`.execute(
        db,
      );
    },
    async messages(batch) {
      await sql`insert into messages (id, channel_id, seq, author_id, nonce, content, kind, created_at)
        select id, c, s, a, 'n' || id, x, 0, t from unnest(
          ${batch.map((m) => m.id)}::bigint[], ${batch.map((m) => m.channel)}::bigint[],
          ${batch.map((m) => m.seq)}::bigint[], ${batch.map((m) => m.author)}::bigint[],
          ${batch.map((m) => m.content)}::text[], ${batch.map((m) => m.createdAt)}::bigint[]
        ) as r(id, c, s, a, x, t)`.execute(db);
    },
    async close() {
      await sql`select setval(pg_get_serial_sequence('messages', 'id'), (select max(id) from messages))`.execute(
        db,
      );
      await sql`update channels set last_seq = coalesce((select max(seq) from messages where channel_id = channels.id), 0)`.execute(
        db,
      );
      await sql`analyze`.execute(db);
    },
  };
}

interface Built {
  storage: Storage;
  /** A Kysely on the same database, for the LIKE baseline. */
  raw: Kysely<Database>;
  loadMs: number | null;
  indexMs: number | null;
  indexBytes: number;
  close(): Promise<void>;
}

async function buildSqlite(): Promise<Built> {
  const path = `/tmp/search-bench-${MESSAGES}.sqlite`;
  let loadMs: number | null = null;
  let indexMs: number | null = null;
  const ready = existsSync(path) && isBuilt(path);
  if (!ready) {
    for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
    await (await openSqliteStorage(path, { search: false })).close();
    loadMs = await load(sqliteLoader(path));
  }
  const t = performance.now();
  const storage = await openSqliteStorage(path, { search: true, log: progress });
  if (!ready) indexMs = performance.now() - t;
  const raw = new Kysely<Database>({
    dialect: new ParleySqliteDialect(new BetterSqlite3(path, { readonly: true })),
  });
  const stat = new BetterSqlite3(path, { readonly: true });
  const { bytes } = stat
    .prepare("select sum(pgsize) as bytes from dbstat where name like 'messages_fts%'")
    .get() as { bytes: number };
  stat.close();
  process.stderr.write(`  · ${path}: ${(statSync(path).size / 2 ** 20).toFixed(0)} MiB\n`);
  return {
    storage,
    raw,
    loadMs,
    indexMs,
    indexBytes: bytes,
    async close() {
      await storage.close();
      await raw.destroy();
    },
  };
}

function isBuilt(path: string): boolean {
  try {
    const db = new BetterSqlite3(path, { readonly: true });
    const row = db.prepare("select value from server_settings where key = 'search_index'").get();
    const count = db.prepare("select max(id) as n from messages").get() as { n: number };
    db.close();
    return row !== undefined && count.n === MESSAGES;
  } catch {
    return false;
  }
}

/** Runs `statement` on the database at `url`, in a connection of its own. */
async function adminQuery(url: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

async function buildPostgres(base: string): Promise<Built> {
  const schema = `search_bench_${MESSAGES}`;
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  await adminQuery(base, `create schema if not exists ${schema}`);
  const raw = await openPostgresDatabase(url.toString(), { poolSize: 2 });
  let loadMs: number | null = null;
  let indexMs: number | null = null;
  const state = await sql<{ n: number | null; built: string | null }>`
    select (select max(id) from messages) as n,
           (select value from server_settings where key = 'search_index') as built`.execute(raw);
  const ready = state.rows[0]?.n === MESSAGES && state.rows[0]?.built === "built";
  if (!ready) {
    await sql.raw(`drop schema ${schema} cascade; create schema ${schema}`).execute(raw);
    await migrateToLatest(raw, "postgres", schema);
    loadMs = await load(postgresLoader(raw));
  }
  const t = performance.now();
  const storage = await openPostgresStorage(url.toString(), { poolSize: 4, log: progress });
  if (!ready) indexMs = performance.now() - t;
  const { rows: size } = await sql<{ bytes: number }>`
    select pg_relation_size('messages_search') + (select sum(pg_column_size(search)) from messages) as bytes`.execute(
    raw,
  );
  return {
    storage,
    raw,
    loadMs,
    indexMs,
    indexBytes: Number(size[0]?.bytes ?? 0),
    async close() {
      await storage.close();
      await raw.destroy();
    },
  };
}

function progress(fields: Record<string, unknown>, message: string) {
  process.stderr.write(`  · ${message} ${JSON.stringify(fields)}\n`);
}

// --- searching ------------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/**
 * Runs `count` calls of `fn` open loop at `rate` a second; latencies from when each was due.
 * Resolves to p50, p99 and the results of the last call.
 */
async function openLoop(count: number, fn: () => Promise<number>) {
  const interval = 1000 / RATE;
  const start = performance.now();
  const latencies: number[] = [];
  let found = 0;
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const due = start + i * interval;
      // A timer may fire a little early: wait until the request is due.
      while (performance.now() < due)
        await new Promise((r) => setTimeout(r, Math.max(1, due - performance.now())));
      found = await fn();
      latencies.push(performance.now() - due);
    }),
  );
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), found };
}

/** The LIKE baseline: the same visibility, order and page as the index's search. */
function like(raw: Kysely<Database>, patterns: string[], extra = sql``) {
  return async () => {
    const { rows } = await sql`select m.id, m.content from messages m
      join memberships ms on ms.channel_id = m.channel_id and ms.user_id = ${SEARCHER}
      where m.deleted_at is null and ${sql.join(
        patterns.map((p) => sql`lower(m.content) like ${`%${p}%`}`),
        sql` and `,
      )} ${extra}
      order by m.id desc limit ${PAGE + 1}`.execute(raw);
    return rows.length;
  };
}

async function searches(built: Built) {
  const service = new SearchService(built.storage);
  // Words by rank: rank 3 of the Zipf list is in about 1 message of 12 words' 2.3 %; the rare
  // word is far down the list.
  const common = WORDS[3]!;
  const rare = WORDS[15_000]!;
  const [p1, p2] = [WORDS[10]!, WORDS[11]!];
  const mid = WORDS[60]!;
  const uncommon = WORDS[3_000]!;
  const author = userName(1 + ((SEARCHER_CHANNELS * 7) % USERS));
  const cases: { name: string; q: string; baseline: () => Promise<number> }[] = [
    { name: "rare word", q: rare, baseline: like(built.raw, [rare]) },
    { name: "common word", q: common, baseline: like(built.raw, [common]) },
    { name: "phrase", q: `"${p1} ${p2}"`, baseline: like(built.raw, [`${p1} ${p2}`]) },
    {
      name: "prefix of 3 letters",
      q: `${mid.slice(0, 3)}*`,
      baseline: like(built.raw, [mid.slice(0, 3)]),
    },
    {
      name: "word in:#channel",
      q: `${mid} in:#c7`,
      baseline: like(built.raw, [mid], sql`and m.channel_id = 7`),
    },
    {
      name: "rare word in:#channel",
      q: `${uncommon} in:#c7`,
      baseline: like(built.raw, [uncommon], sql`and m.channel_id = 7`),
    },
    {
      name: "from:@user",
      q: `${common} from:@${author}`,
      baseline: like(
        built.raw,
        [common],
        sql`and m.author_id = (select id from users where username_lower = ${author})`,
      ),
    },
  ];
  const out: string[] = [];
  out.push(
    `| query | hits | index alone p50 ms | index at ${RATE}/s p50 ms | p99 ms | LIKE alone p50 ms | LIKE at ${RATE}/s p50 ms | p99 ms | LIKE / index (alone) |`,
  );
  out.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  const index = (q: string) => async () =>
    (await service.search(SEARCHER, q, { limit: PAGE })).r.length;
  const cell = (r: { p50: number; p99: number } | null) =>
    r ? `${r.p50.toFixed(1)} | ${r.p99.toFixed(1)}` : "saturated | –";
  for (const c of cases) {
    // A warm-up call each (the page cache, the statement), then one at a time, then open loop
    // at the rate: only when one at a time keeps up with it, since otherwise the backlog only
    // grows with the count (shown as "saturated").
    await index(c.q)();
    const alone = await closedLoop(20, index(c.q));
    const loaded = alone.p50 < 1000 / RATE ? await openLoop(REQUESTS, index(c.q)) : null;
    await c.baseline();
    const base = await closedLoop(5, c.baseline);
    const baseLoaded =
      base.p50 < 1000 / RATE
        ? await openLoop(Math.max(10, Math.floor(REQUESTS / 4)), c.baseline)
        : null;
    out.push(
      `| ${c.name} (\`${c.q}\`) | ${alone.found} | ${alone.p50.toFixed(2)} | ${cell(loaded)} | ${base.p50.toFixed(1)} | ${cell(baseLoaded)} | ${(base.p50 / alone.p50).toFixed(1)}× |`,
    );
  }
  return out.join("\n");
}

/** Runs `count` calls of `fn` one after another: the time one takes alone. */
async function closedLoop(count: number, fn: () => Promise<number>) {
  const latencies: number[] = [];
  let found = 0;
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    found = await fn();
    latencies.push(performance.now() - t);
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), found };
}

// --- the send path --------------------------------------------------------------------------

/** One run of the send path: sends per second, and this process's CPU (node and client) per send. */
interface Sent {
  rate: number;
  cpuUs: number;
}

async function sendRate(search: boolean): Promise<Sent> {
  const env: Record<string, string> = { PARLEY_SEARCH: search ? "on" : "off" };
  // PostgreSQL: each node on a fresh schema of the database, dropped after.
  const schema = values.postgres ? `search_bench_sends_${process.pid}` : undefined;
  if (values.postgres && schema) {
    await adminQuery(
      values.postgres,
      `drop schema if exists ${schema} cascade; create schema ${schema}`,
    );
    const url = new URL(values.postgres);
    url.searchParams.set("options", `-c search_path=${schema}`);
    env.PARLEY_DATABASE_URL = url.toString();
  }
  const parley = await startInProcessNode("search", env);
  const writer = await parley.node.services.auth.register("writer", "correct horse battery");
  const { channel } = await parley.engines.storage.createChannel({
    name: "busy",
    topic: "",
    owner: { id: writer.user.id, name: writer.user.username },
  });
  const client = new ParleyClient({
    url: "memory://parley",
    WebSocket: parley.WebSocket,
    token: writer.token,
  });
  await client.connect();
  const random = prng(3);
  const rank = zipf(WORDS.length, random);
  const texts = Array.from({ length: SENDS }, () =>
    Array.from({ length: 3 + Math.floor(random() * 18) }, () => WORDS[rank()]).join(" "),
  );
  let next = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  await Promise.all(
    Array.from({ length: 50 }, async () => {
      while (next < SENDS) await client.send(channel.id, texts[next++]!);
    }),
  );
  const used = process.cpuUsage(cpu);
  const rate = SENDS / ((performance.now() - start) / 1000);
  await client.close();
  await parley.close();
  if (values.postgres && schema) await adminQuery(values.postgres, `drop schema ${schema} cascade`);
  return { rate, cpuUs: (used.user + used.system) / SENDS };
}

async function sendPath(): Promise<string> {
  await sendRate(true); // warm-up
  const on: Sent[] = [];
  const off: Sent[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    off.push(await sendRate(false));
    on.push(await sendRate(true));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const list = (xs: number[], digits = 0) => xs.map((x) => x.toFixed(digits)).join(", ");
  const row = (name: string, xs: number[], ys: number[], digits = 0) =>
    `| ${name} | ${list(xs, digits)} | ${median(xs).toFixed(digits)} | ${list(ys, digits)} | ${median(ys).toFixed(digits)} |`;
  return [
    "| search | sends/s per round | median | CPU µs per send, per round | median |",
    "| --- | --- | ---: | --- | ---: |",
    row(
      "off",
      off.map((r) => r.rate),
      off.map((r) => r.cpuUs),
    ),
    row(
      "on",
      on.map((r) => r.rate),
      on.map((r) => r.cpuUs),
    ),
    row(
      "on / off (sends/s), off / on (CPU)",
      on.map((r, i) => r.rate / off[i]!.rate),
      on.map((r, i) => off[i]!.cpuUs / r.cpuUs),
      2,
    ),
  ].join("\n");
}

// --- the run --------------------------------------------------------------------------------

console.log(describeRun(runInfo()));
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
const engine = values.postgres ? "PostgreSQL" : "SQLite";
const built = values.postgres ? await buildPostgres(values.postgres) : await buildSqlite();
const perMillion = built.indexBytes / (MESSAGES / 1_000_000) / 2 ** 20;
console.log(
  `\n${engine}, ${MESSAGES.toLocaleString("en")} messages, ${CHANNELS} channels, ${USERS} users; searcher in ${SEARCHER_CHANNELS} channels`,
);
console.log(
  `load ${built.loadMs === null ? "reused" : `${(built.loadMs / 1000).toFixed(0)} s`}, index build ${built.indexMs === null ? "reused" : `${(built.indexMs / 1000).toFixed(0)} s`}, index ${(built.indexBytes / 2 ** 20).toFixed(0)} MiB (${perMillion.toFixed(0)} MiB per million messages)`,
);
console.log(`\n${REQUESTS} searches each at ${RATE}/s, a page of ${PAGE}:\n`);
console.log(await searches(built));
await built.close();
console.log(
  `\nSend path on ${engine}, ${SENDS} sends, 50 in flight, ${ROUNDS} alternating rounds:\n`,
);
console.log(await sendPath());
console.log(
  `\nload average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
