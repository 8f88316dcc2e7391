import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { migrateToLatest } from "../migrate";
import type { Database } from "../schema";
import { SqlStorage } from "../sql-storage";
import { ParleySqliteDialect } from "./sqlite-driver";

/** Distinct statements kept prepared; queries with variable `IN (…)` lists make many texts. */
const STATEMENT_CACHE_SIZE = 1000;

/**
 * Makes `prepare` return the already prepared statement for SQL it has seen. Kysely prepares
 * every query it runs, which cost a third of the write path's time; the texts repeat, so the
 * statements can be reused (better-sqlite3 re-prepares one itself after a schema change).
 * Least recently used texts are dropped beyond {@link STATEMENT_CACHE_SIZE}.
 */
export function cacheStatements(sqlite: BetterSqlite3.Database, max = STATEMENT_CACHE_SIZE): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, BetterSqlite3.Statement>();
  sqlite.prepare = ((source: string) => {
    let statement = cache.get(source);
    if (statement) {
      cache.delete(source);
    } else {
      statement = prepare(source);
      if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    }
    cache.set(source, statement);
    return statement;
  }) as typeof sqlite.prepare;
}

/**
 * Opens (creating when needed) a SQLite database file and migrates it.
 * WAL lets readers run beside the writer; synchronous=FULL makes each commit durable before
 * its promise resolves, so an ack always follows a durable write (group commit keeps that cheap).
 */
export async function openSqliteStorage(path: string): Promise<SqlStorage> {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  cacheStatements(sqlite);
  const db = new Kysely<Database>({ dialect: new ParleySqliteDialect(sqlite) });
  await migrateToLatest(db, "sqlite");
  return new SqlStorage(db, "sqlite");
}
