import BetterSqlite3 from "better-sqlite3";
import { Kysely, type LogEvent, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParleySqliteDialect } from "./sqlite/sqlite-driver";
import { TransactionBatcher } from "./transaction-batcher";

interface Db {
  t: { k: string; v: number };
}

describe("TransactionBatcher over SQLite", () => {
  let db: Kysely<Db>;
  let statements: string[];
  beforeEach(async () => {
    statements = [];
    db = new Kysely<Db>({
      dialect: new ParleySqliteDialect(new BetterSqlite3(":memory:")),
      log: (event: LogEvent) => {
        if (event.level === "query") statements.push(event.query.sql.toLowerCase());
      },
    });
    await db.schema
      .createTable("t")
      .addColumn("k", "text", (c) => c.primaryKey())
      .addColumn("v", "integer")
      .execute();
    statements = [];
  });
  afterEach(() => db.destroy());

  const insert = (k: string, v: number) => (trx: Kysely<Db>) =>
    trx.insertInto("t").values({ k, v }).returning("v").executeTakeFirstOrThrow();

  it("commits the writes of one turn together, each with its own result, in order", async () => {
    const commits = new TransactionBatcher(db);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => commits.run(insert(`k${i}`, i))),
    );
    expect(results.map((r) => r.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(statements.filter((s) => s === "commit")).toHaveLength(1);
    expect(await db.selectFrom("t").select("k").execute()).toHaveLength(20);
  });

  it("rolls back a failing unit alone and rejects only its caller", async () => {
    const commits = new TransactionBatcher(db);
    const outcomes = await Promise.allSettled([
      commits.run(insert("a", 1)),
      commits.run(async (trx) => {
        await insert("b", 2)(trx);
        await insert("a", 3)(trx); // primary key taken: the whole unit, "b" included, goes
      }),
      commits.run(insert("c", 4)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const rows = await db.selectFrom("t").select(["k", "v"]).orderBy("k").execute();
    expect(rows).toEqual([
      { k: "a", v: 1 },
      { k: "c", v: 4 },
    ]);
  });

  it("takes what arrives during a commit into the next one", async () => {
    const commits = new TransactionBatcher(db, { maxUnits: 3 });
    const first = Array.from({ length: 7 }, (_, i) => commits.run(insert(`k${i}`, i)));
    await Promise.all(first);
    // At most three units per transaction: 7 units need three commits.
    expect(statements.filter((s) => s === "commit")).toHaveLength(3);
  });

  it("settles units only after the sync that follows their commit, in commit order", async () => {
    const syncs: (() => void)[] = [];
    const commits = new TransactionBatcher(db, {
      spacingMs: 0,
      sync: () => new Promise<void>((r) => syncs.push(r)),
    });
    const settled: string[] = [];
    const first = commits.run(insert("a", 1)).then(() => settled.push("a"));
    while (syncs.length < 1) await new Promise((r) => setImmediate(r));
    // Committed (readable) but not synced: not settled; the next transaction runs meanwhile.
    const second = commits.run(insert("b", 2)).then(() => settled.push("b"));
    while ((await db.selectFrom("t").select("k").execute()).length < 2)
      await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toEqual([]);
    // The second transaction's sync starts only once the first's is done.
    expect(syncs).toHaveLength(1);
    syncs[0]!();
    await first;
    expect(settled).toEqual(["a"]);
    while (syncs.length < 2) await new Promise((r) => setImmediate(r));
    syncs[1]!();
    await second;
    expect(settled).toEqual(["a", "b"]);
  });

  it("makes the transactions committed during a sync durable with one sync after it", async () => {
    const syncs: (() => void)[] = [];
    const commits = new TransactionBatcher(db, {
      spacingMs: 0,
      sync: () => new Promise<void>((r) => syncs.push(r)),
    });
    const settled: string[] = [];
    const first = commits.run(insert("a", 1)).then(() => settled.push("a"));
    while (syncs.length < 1) await new Promise((r) => setImmediate(r));
    // Two more transactions commit, one after the other, while the first sync runs.
    const later = [
      commits.run(insert("b", 2)).then(() => settled.push("b")),
      commits.run(insert("c", 3)).then(() => settled.push("c")),
    ];
    while ((await db.selectFrom("t").select("k").execute()).length < 2)
      await new Promise((r) => setImmediate(r));
    commits.run(insert("d", 4)).then(() => settled.push("d"));
    while ((await db.selectFrom("t").select("k").execute()).length < 4)
      await new Promise((r) => setImmediate(r));
    expect(statements.filter((s) => s === "commit").length).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 5));
    expect(syncs).toHaveLength(1);
    syncs[0]!();
    await first;
    while (syncs.length < 2) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 5));
    // One sync for all three, and none settled before it.
    expect(syncs).toHaveLength(2);
    expect(settled).toEqual(["a"]);
    syncs[1]!();
    await Promise.all(later);
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual(["a", "b", "c", "d"]);
    expect(syncs).toHaveLength(2);
  });

  it("holds new transactions until released, after the running one has committed", async () => {
    const commits = new TransactionBatcher(db, { spacingMs: 0 });
    let finish: () => void = () => {};
    const gate = new Promise<void>((r) => {
      finish = r;
    });
    const first = commits.run(async (trx) => {
      await insert("a", 1)(trx);
      await gate;
    });
    while (!statements.includes("savepoint unit")) await new Promise((r) => setImmediate(r));
    // Asked while the first transaction runs: granted only once it has committed.
    let granted = false;
    const held = commits.hold().then((release) => {
      granted = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(granted).toBe(false);
    finish();
    const release = await held;
    await first;
    expect(statements.filter((s) => s === "commit")).toHaveLength(1);
    const later = [commits.run(insert("b", 2)), commits.run(insert("c", 3))];
    await new Promise((r) => setTimeout(r, 20));
    // Nothing started while held.
    expect(statements.filter((s) => s === "commit")).toHaveLength(1);
    expect(await db.selectFrom("t").select("k").execute()).toEqual([{ k: "a" }]);
    release();
    release(); // a second release changes nothing
    await Promise.all(later);
    // The writes that waited went together.
    expect(statements.filter((s) => s === "commit")).toHaveLength(2);
    await commits.run(insert("d", 4));
    expect(statements.filter((s) => s === "commit")).toHaveLength(3);
  });

  it("fails the units of a transaction whose sync fails, and goes on", async () => {
    let fail = true;
    const commits = new TransactionBatcher(db, {
      spacingMs: 0,
      sync: async () => {
        if (fail) throw new Error("EIO");
      },
    });
    await expect(commits.run(insert("a", 1))).rejects.toThrow("EIO");
    fail = false;
    await expect(commits.run(insert("b", 2))).resolves.toMatchObject({ v: 2 });
  });

  it("fails every unit of a transaction that cannot commit, and stores none of them", async () => {
    // A deferred foreign key is checked at commit: the savepoints pass, the commit fails.
    await sql`pragma foreign_keys = on`.execute(db);
    await sql`create table child (k text references t(k) deferrable initially deferred)`.execute(
      db,
    );
    const commits = new TransactionBatcher(db);
    const ok = commits.run(insert("x", 1));
    const orphan = commits.run((trx) => sql`insert into child values ('nobody')`.execute(trx));
    await expect(ok).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(await db.selectFrom("t").select("k").execute()).toEqual([]);
    // The next turn commits normally.
    await commits.run(insert("y", 2));
    expect(await db.selectFrom("t").select("k").execute()).toEqual([{ k: "y" }]);
  });
});
