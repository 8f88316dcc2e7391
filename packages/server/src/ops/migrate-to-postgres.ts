import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect, sql } from "kysely";
import { DiskFileStore } from "../files/disk-file-store";
import { PostgresFileStore } from "../files/postgres-file-store";
import { thumbKey } from "../services/file-service";
import { migrateToLatest } from "../storage/migrate";
import { openPostgresDatabase } from "../storage/postgres/open-postgres";
import type { Database } from "../storage/schema";
import { SEARCH_STATE_KEY } from "../storage/sql/search";

/** Tables in an order that satisfies every foreign key, with their primary key columns. */
export const TABLES = [
  ["users", ["id"]],
  ["sessions", ["id"]],
  ["channels", ["id"]],
  ["memberships", ["channel_id", "user_id"]],
  ["messages", ["id"]],
  ["events", ["channel_id", "seq"]],
  ["reactions", ["message_id", "emoji", "user_id"]],
  ["message_versions", ["message_id", "version"]],
  ["message_changes", ["channel_id", "actor_id", "op", "nonce"]],
  ["mutes", ["channel_id", "user_id"]],
  ["bans", ["channel_id", "user_id"]],
  ["audit_log", ["id"]],
  ["mentions", ["channel_id", "seq", "user_id"]],
  ["invites", ["id"]],
  ["server_settings", ["key"]],
  ["push_subscriptions", ["id"]],
  ["blocks", ["user_id", "blocked_id"]],
  ["files", ["id"]],
  ["file_chunks", ["key", "n"]],
  ["admin_audit", ["id"]],
  ["node_stats", ["node", "at"]],
  ["reports", ["id"]],
  ["server_invites", ["id"]],
] as const satisfies readonly (readonly [keyof Database, readonly string[]])[];

/** Tables whose `id` comes from a sequence on PostgreSQL. */
const SERIAL_TABLES = [
  "users",
  "sessions",
  "channels",
  "messages",
  "audit_log",
  "invites",
  "push_subscriptions",
  "admin_audit",
  "reports",
  "server_invites",
] as const;

/** Rows per INSERT: 500 rows of at most 15 columns stay far below PostgreSQL's 65535 parameters. */
const CHUNK = 500;

/**
 * Copies every table of a Parley SQLite database into an empty PostgreSQL database, keeping
 * ids and seqs, in one PostgreSQL transaction (all or nothing), then moves each id sequence past
 * the largest copied id so that new rows continue where the SQLite ones stopped. Stop the server
 * first: rows written during the copy would be missed.
 *
 * The source is brought to the current schema first (a no-op when it is current); the target is
 * created by the same migrations and must hold no Parley data.
 */
export async function migrateSqliteToPostgres(
  sqlitePath: string,
  postgresUrl: string,
  log: (line: string) => void = () => {},
  /** The disk file store's directory (PARLEY_FILES_DIR); by default `files` beside the database. */
  filesDir: string = join(dirname(sqlitePath), "files"),
): Promise<Record<string, number>> {
  const sqlite = new BetterSqlite3(sqlitePath, { fileMustExist: true });
  const source = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const target = await openPostgresDatabase(postgresUrl, { poolSize: 2 });
  try {
    await migrateToLatest(source, "sqlite");
    for (const [table] of TABLES) {
      const row = await target
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirst();
      if (Number(row?.n ?? 0) > 0)
        throw new Error(`the target database is not empty: table ${table} has rows`);
    }
    const counts: Record<string, number> = {};
    await target.transaction().execute(async (trx) => {
      for (const [table, key] of TABLES) {
        let copied = 0;
        // Read in primary-key order, in pages, so a large database never sits in memory whole.
        let offset = 0;
        for (;;) {
          let q = source.selectFrom(table).selectAll();
          // The search index is the database's own (FTS5 here, a tsvector there): the target
          // builds its own at the first start, so its "built" record stays behind.
          if (table === "server_settings") q = q.where("key", "<>", SEARCH_STATE_KEY) as typeof q;
          for (const column of key) q = q.orderBy(sql.ref(column));
          const rows = (await q.limit(CHUNK).offset(offset).execute()) as Record<string, unknown>[];
          if (rows.length === 0) break;
          await trx
            .insertInto(table)
            .values(rows as never)
            .execute();
          copied += rows.length;
          offset += rows.length;
          if (rows.length < CHUNK) break;
        }
        counts[table] = copied;
        log(`${table}: ${copied} rows`);
      }
      for (const table of SERIAL_TABLES) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(
          trx,
        );
      }
    });
    counts.file_bytes = await copyFiles(source, new DiskFileStore(filesDir), postgresUrl, log);
    return counts;
  } finally {
    await source.destroy();
    await target.destroy();
  }
}

/**
 * Copies the bytes of every file (and its thumbnail) from the disk store into PostgreSQL's
 * (`file_chunks`), where the nodes of a PostgreSQL deployment read them. A file whose bytes are
 * missing on disk is reported and left out (its row stays; a download answers 404).
 */
async function copyFiles(
  source: Kysely<Database>,
  disk: DiskFileStore,
  postgresUrl: string,
  log: (line: string) => void,
): Promise<number> {
  const target = PostgresFileStore.open(postgresUrl, 2);
  let copied = 0;
  try {
    const files = await source.selectFrom("files").select(["id", "thumb"]).orderBy("id").execute();
    for (const file of files) {
      for (const key of Number(file.thumb) === 1 ? [file.id, thumbKey(file.id)] : [file.id]) {
        const body = await disk.get(key);
        if (!body) {
          log(`file ${key}: no bytes on disk, left out`);
          continue;
        }
        await target.put(key, body);
        copied++;
      }
    }
    log(`file_bytes: ${copied} files`);
    return copied;
  } finally {
    await target.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: "string" },
      to: { type: "string" },
      "files-dir": { type: "string" },
    },
  });
  const from = values.from;
  const to = values.to;
  if (!from?.startsWith("sqlite:") || !to || !/^postgres(ql)?:\/\//.test(to)) {
    console.error(
      "usage: npm run migrate-to-postgres -- --from sqlite:./data/parley.db --to postgres://user:pass@host:5432/parley [--files-dir ./data/files]",
    );
    process.exit(2);
  }
  const started = Date.now();
  const database = from.slice("sqlite:".length);
  const { file_bytes: files = 0, ...rows } = await migrateSqliteToPostgres(
    database,
    to,
    (line) => console.log(line),
    values["files-dir"] ?? join(dirname(database), "files"),
  );
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  console.log(`copied ${total} rows and ${files} files in ${Date.now() - started} ms`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: Error) => {
    console.error(`migrate-to-postgres: ${err.message}`);
    process.exit(1);
  });
}
