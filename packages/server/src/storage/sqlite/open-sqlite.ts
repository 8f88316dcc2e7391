import { chmodSync, closeSync, existsSync, fsync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { migrateToLatest } from "../migrate";
import type { Database } from "../schema";
import { type SearchIndexLog, syncSearchIndex } from "../sql/search";
import { sqlStorage } from "../sql/sql-storage";
import type { Storage } from "../storage";
import { FALLBACK_CHECKPOINT_PAGES, startCheckpointer } from "./checkpointer";
import { ParleySqliteDialect } from "./sqlite-driver";

/**
 * Opens (creating when needed) a SQLite database file and migrates it. WAL lets readers run
 * beside the writer. Durability matches `synchronous=FULL` (the WAL is on disk before any write
 * is acknowledged) without stopping the event loop for it: COMMIT runs with
 * `synchronous=NORMAL`, which leaves the WAL unsynced, and the transaction batcher then fsyncs the WAL
 * file on libuv's thread pool before it settles the transaction's writes. (Checkpoints sync by
 * themselves in both modes.) Checkpoints run on a worker thread with a connection of its own
 * (`startCheckpointer`), not inside the server's commits. Migrations run with FULL.
 *
 * The files are private to the server's user: a directory it creates is 0700, and the database
 * is created (or tightened) to 0600 before SQLite opens it, which then gives the -wal and -shm
 * files the database's mode.
 *
 * `search` (default on) maintains the search index, building it when needed, with progress
 * through `log` (see `syncSearchIndex`).
 */
export async function openSqliteStorage(
  path: string,
  options: {
    search?: boolean;
    log?: SearchIndexLog;
    /** Overwrite deleted content in the file (the default; off only to measure its cost). */
    secureDelete?: boolean;
  } = {},
): Promise<Storage> {
  const search = options.search ?? true;
  const inMemory = path === ":memory:";
  if (!inMemory) makePrivate(path);
  const sqlite = new BetterSqlite3(path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // What is deleted (a message's content, a removed account's messages) is overwritten in the
  // file, not left in free space where a copy of the file would still hold it.
  sqlite.pragma(`secure_delete = ${options.secureDelete === false ? "OFF" : "ON"}`);
  const db = new Kysely<Database>({ dialect: new ParleySqliteDialect(sqlite) });
  await migrateToLatest(db, "sqlite");
  await syncSearchIndex(db, "sqlite", search, options.log);
  if (inMemory) return sqlStorage(db, "sqlite", undefined, { search });
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
  const wal = fileSyncer(`${path}-wal`);
  let checkpointer: ReturnType<typeof startCheckpointer> | undefined;
  return sqlStorage(
    db,
    "sqlite",
    {
      sync: wal.sync,
      attach: (hold) => {
        checkpointer = startCheckpointer(path, { hold });
      },
      close: async () => {
        await checkpointer?.close();
        wal.close();
      },
    },
    { search },
  );
}

/**
 * Creates the database's directory (0700; an existing one is left as it is, as it may be
 * shared, such as /tmp) and the database file (0600), and tightens existing database files
 * to 0600.
 */
function makePrivate(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
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
