import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { migrateToLatest } from "../migrate";
import type { Database } from "../schema";
import { SqlStorage } from "../sql-storage";
import { ParleySqliteDialect } from "./sqlite-driver";

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
  const db = new Kysely<Database>({ dialect: new ParleySqliteDialect(sqlite) });
  await migrateToLatest(db, "sqlite");
  return new SqlStorage(db, "sqlite");
}
