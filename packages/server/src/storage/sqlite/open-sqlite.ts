import { closeSync, fsync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { migrateToLatest } from "../migrate";
import type { Database } from "../schema";
import { SqlStorage } from "../sql-storage";
import { ParleySqliteDialect } from "./sqlite-driver";

/**
 * Opens (creating when needed) a SQLite database file and migrates it. WAL lets readers run
 * beside the writer. Durability matches `synchronous=FULL` (the WAL is on disk before any write
 * is acknowledged) without stopping the event loop for it: COMMIT runs with
 * `synchronous=NORMAL`, which leaves the WAL unsynced, and the group commit then fsyncs the WAL
 * file on libuv's thread pool before it settles the transaction's writes. (Checkpoints sync by
 * themselves in both modes.) Migrations run with FULL.
 */
export async function openSqliteStorage(path: string): Promise<SqlStorage> {
  const inMemory = path === ":memory:";
  if (!inMemory) mkdirSync(dirname(path), { recursive: true });
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new ParleySqliteDialect(sqlite) });
  await migrateToLatest(db, "sqlite");
  if (inMemory) return new SqlStorage(db, "sqlite");
  sqlite.pragma("synchronous = NORMAL");
  return new SqlStorage(db, "sqlite", fileSyncer(`${path}-wal`));
}

/**
 * fsync of a file on the thread pool, through a descriptor opened at the first call and kept
 * until `close`: the WAL file lives as long as the connection (SQLite removes it only when the
 * last connection closes; a checkpoint rewinds it in place).
 */
function fileSyncer(path: string): { sync: () => Promise<void>; close: () => void } {
  let fd: number | undefined;
  return {
    sync: () =>
      new Promise<void>((resolve, reject) => {
        try {
          fd ??= openSync(path, "r");
        } catch (err) {
          reject(err);
          return;
        }
        fsync(fd, (err) => (err ? reject(err) : resolve()));
      }),
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
