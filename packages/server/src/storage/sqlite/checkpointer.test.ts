import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startCheckpointer } from "./checkpointer";

describe("startCheckpointer", () => {
  let dir: string;
  let path: string;
  let db: BetterSqlite3.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "parley-checkpointer-"));
    path = join(dir, "db.sqlite");
    db = new BetterSqlite3(path);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    // No checkpoint of its own: whatever is copied back is the checkpointer's doing.
    db.pragma("wal_autocheckpoint = 0");
    db.exec("create table t (k integer primary key, v text)");
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (from: number, rows: number) => {
    const insert = db.prepare("insert into t (k, v) values (?, ?)");
    for (let i = from; i < from + rows; i++) db.transaction(() => insert.run(i, "x".repeat(500)))();
  };
  it("copies the WAL into the database file from its own thread, so the WAL restarts", async () => {
    const checkpointer = startCheckpointer(path, { intervalMs: 20 });
    try {
      write(0, 2000);
      const walBytes = statSync(`${path}-wal`).size;
      // Until a pass has seen all of it: two passes in a row find the same WAL.
      const { stats } = checkpointer;
      let seen = -1;
      for (;;) {
        const runs = stats.runs;
        while (stats.runs === runs) await new Promise((r) => setTimeout(r, 5));
        if (stats.log >= 2000 && stats.log === seen) break;
        seen = stats.log;
      }
      expect(checkpointer.stats.errors).toBe(0);
      // All of it is in the database file: the next writes reuse the WAL from its start
      // instead of growing it.
      write(2000, 500);
      expect(statSync(`${path}-wal`).size).toBe(walBytes);
    } finally {
      await checkpointer.close();
    }
    // Its connection is gone: the server's close, now the last, removes the WAL.
    db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = new BetterSqlite3(path, { readonly: true });
    expect(reopened.prepare("select count(*) n from t").get()).toEqual({ n: 2500 });
    reopened.close();
  });

  it("restarts the WAL under steady writes by holding the writer for the last frames", async () => {
    /** WAL bytes after a writer that never pauses on its own wrote for `ms` beside a checkpointer. */
    const walAfterWrites = async (file: string, withHold: boolean, ms: number) => {
      const writer = new BetterSqlite3(file);
      writer.pragma("journal_mode = WAL");
      writer.pragma("synchronous = NORMAL");
      writer.pragma("wal_autocheckpoint = 0");
      writer.exec("create table t (k integer primary key, v text)");
      let held = 0;
      let holds = 0;
      const hold = async () => {
        held++;
        holds++;
        return () => {
          held--;
        };
      };
      const checkpointer = startCheckpointer(file, {
        ...(withHold ? { hold } : {}),
        intervalMs: 20,
        restartFrames: 100,
      });
      const insert = writer.prepare("insert into t (k, v) values (?, ?)");
      let transactions = 0;
      try {
        while (checkpointer.stats.runs === 0) await new Promise((r) => setTimeout(r, 5));
        const until = Date.now() + ms;
        while (Date.now() < until) {
          if (held === 0) {
            writer.transaction(() => {
              for (let i = 0; i < 20; i++) insert.run(transactions * 20 + i, "x".repeat(500));
            })();
            transactions++;
          }
          await new Promise((r) => setImmediate(r));
        }
        return {
          bytes: statSync(`${file}-wal`).size,
          holds,
          restarts: checkpointer.stats.restarts,
        };
      } finally {
        await checkpointer.close();
        writer.close();
        expect(held).toBe(0);
      }
    };
    // The same writer beside a checkpointer that cannot hold it: its passes never catch up, and
    // the WAL holds every frame written.
    const unheld = await walAfterWrites(join(dir, "unheld.sqlite"), false, 1000);
    const heldRun = await walAfterWrites(join(dir, "held.sqlite"), true, 1000);
    expect(heldRun.holds).toBeGreaterThan(1);
    expect(heldRun.restarts).toBeGreaterThan(1);
    expect(heldRun.bytes).toBeLessThan(unheld.bytes / 3);
  });

  it("runs with nothing to copy, and closes its connection when told", async () => {
    const checkpointer = startCheckpointer(path, { intervalMs: 20 });
    while (checkpointer.stats.runs < 2) await new Promise((r) => setTimeout(r, 20));
    await checkpointer.close();
    expect(checkpointer.stats.errors).toBe(0);
    db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it("keeps a process that has nothing else to do alive until it has closed", () => {
    // The worker is unreferenced while it runs; a close awaited as a script's last work must
    // still finish (the script's top-level await would otherwise be left unsettled).
    const module = pathToFileURL(join(import.meta.dirname, "checkpointer.ts")).href;
    const script = `const { startCheckpointer } = await import(${JSON.stringify(module)});
      const c = startCheckpointer(${JSON.stringify(path)}, { intervalMs: 20 });
      await c.close();
      console.log("closed");`;
    const out = execFileSync(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 30_000 },
    );
    expect(out.trim()).toBe("closed");
  });
});
