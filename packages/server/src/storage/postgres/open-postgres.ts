import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import { migrateToLatest } from "../migrate";
import type { Database } from "../schema";
import { type SearchIndexLog, syncSearchIndex } from "../sql/search";
import { sqlStorage } from "../sql/sql-storage";
import type { Storage } from "../storage";

/** Type OIDs whose text form we read as numbers: int8 (ids, seqs, times, counts) and numeric. */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export interface PostgresOptions {
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /**
   * Send batches stored at once, on different channels and connections (see `SendQueue`).
   * Default: a third of the pool, between 1 and 4.
   */
  sendLanes?: number;
  /** Maintain the search index (default on); see `syncSearchIndex`. */
  search?: boolean;
  /** Where the index's build reports its progress. */
  log?: SearchIndexLog;
}

/**
 * Opens a PostgreSQL database (`postgres://user:pass@host:port/db`) over a `pg` pool and
 * migrates it. Several nodes may open the same database at once: Kysely's migrator serializes
 * them with an advisory lock.
 *
 * int8 and numeric values arrive as JavaScript numbers: ids, seqs and epoch milliseconds stay far
 * below 2^53, and `count(*)` is int8. The parser is set on this pool only, not on `pg` globally.
 */
export async function openPostgresStorage(
  url: string,
  options: PostgresOptions = {},
): Promise<Storage> {
  const search = options.search ?? true;
  const db = await openPostgresDatabase(url, options);
  try {
    await syncSearchIndex(db, "postgres", search, options.log);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const sendLanes =
    options.sendLanes ?? Math.min(4, Math.max(1, Math.floor((options.poolSize ?? 10) / 3)));
  return sqlStorage(db, "postgres", undefined, { search, sendLanes });
}

/** The migrated Kysely database under {@link openPostgresStorage} (also for copying data in). */
export async function openPostgresDatabase(
  url: string,
  options: PostgresOptions = {},
): Promise<Kysely<Database>> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client whose connection drops emits on the pool; without a listener that would
  // crash the process. The next query gets a fresh connection.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    await migrateToLatest(db, "postgres", rows[0]?.schema);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}
