import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { migrateUpTo } from "../migrate";
import type { Database } from "../schema";
import { find, searchIndexContract, seedBeforeSearch } from "../search-store.contract";
import { syncSearchIndex } from "../sql/search";
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

describe("SQLite file › migration 0017 (search index without prefix indexes)", () => {
  it("makes the index again without prefix indexes and rebuilds it at the next start", async () => {
    const path = join(dir, `db-${n++}.db`);
    // A database as release 0016 left it, its index built with prefix indexes.
    const db = new Kysely<Database>({ dialect: new ParleySqliteDialect(new BetterSqlite3(path)) });
    await migrateUpTo(db, "sqlite", "0013_direct_messages");
    await seedBeforeSearch(db as never, ["alphabet soup", "alpine lake"]);
    await migrateUpTo(db, "sqlite", "0016_files");
    await syncSearchIndex(db, "sqlite", true);
    await db.destroy();
    expect(ftsTable(path)).toContain("prefix='2 3'");

    const lines: string[] = [];
    const storage = await openSqliteStorage(path, {
      log: (_fields, message) => lines.push(message),
    });
    try {
      const alice = await storage.findUserByName("alice");
      const me = { id: alice!.id, name: "alice" };
      expect(await find(storage, me, "alp*")).toEqual(["alpine lake", "alphabet soup"]);
      expect(await find(storage, me, "alpha*")).toEqual(["alphabet soup"]);
      expect(await find(storage, me, "lake")).toEqual(["alpine lake"]);
      expect(lines).toEqual(["search index: building", "search index: built"]);
    } finally {
      await storage.close();
    }
    expect(ftsTable(path)).not.toContain("prefix");
  });
});

/** The statement that made the FTS5 table of the database at `path`. */
function ftsTable(path: string): string {
  const file = new BetterSqlite3(path, { readonly: true });
  try {
    const row = file.prepare("select sql from sqlite_master where name = 'messages_fts'").get() as
      | { sql: string }
      | undefined;
    return row?.sql ?? "";
  } finally {
    file.close();
  }
}
