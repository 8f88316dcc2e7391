import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterAll } from "vitest";
import { migrateUpTo } from "../migrate";
import type { Database } from "../schema";
import { searchIndexContract, seedBeforeSearch } from "../search-store.contract";
import { nameKeyMigrationContract, storageContract } from "../storage.contract";
import { openSqliteStorage } from "./open-sqlite";
import { ParleySqliteDialect } from "./sqlite-driver";

const dir = mkdtempSync(join(tmpdir(), "parley-sqlite-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storageContract("SQLite file", () => openSqliteStorage(join(dir, `db-${n++}.db`)));

nameKeyMigrationContract("SQLite file", async (upTo) => {
  const path = join(dir, `db-${n++}.db`);
  const db = new Kysely<Database>({ dialect: new ParleySqliteDialect(new BetterSqlite3(path)) });
  await migrateUpTo(db, "sqlite", upTo);
  return { db: db as never, reopen: () => openSqliteStorage(path) };
});

searchIndexContract("SQLite file", async () => {
  const path = join(dir, `db-${n++}.db`);
  return {
    openAt: (search, log) => openSqliteStorage(path, { search, ...(log ? { log } : {}) }),
    async openOld(messages) {
      const db = new Kysely<Database>({
        dialect: new ParleySqliteDialect(new BetterSqlite3(path)),
      });
      await migrateUpTo(db, "sqlite", "0013_direct_messages");
      await seedBeforeSearch(db as never, messages);
      await db.destroy();
    },
  };
});
