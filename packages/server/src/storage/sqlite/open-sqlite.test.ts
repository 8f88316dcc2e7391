import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStorage } from "./open-sqlite";

const root = mkdtempSync(join(tmpdir(), "parley-open-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (path: string) => statSync(path).mode & 0o777;

describe("openSqliteStorage", () => {
  it("creates the database directory 0700 and the database, WAL and shared-memory files 0600", async () => {
    const dir = join(root, "fresh", "data");
    const path = join(dir, "parley.db");
    const storage = await openSqliteStorage(path);
    await storage.createUserWithSession(
      { username: "someone", passwordHash: null, isGuest: true },
      "token-hash",
    );
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(root, "fresh"))).toBe(0o700);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(mode(file), file).toBe(0o600);
    await storage.close();
  });

  it("tightens an existing world-readable database to 0600, leaving its directory as it is", async () => {
    const dir = join(root, "shared");
    const path = join(dir, "parley.db");
    await (await openSqliteStorage(path)).close();
    chmodSync(dir, 0o755);
    chmodSync(path, 0o644);
    writeFileSync(`${path}-wal`, "");
    chmodSync(`${path}-wal`, 0o644);
    const storage = await openSqliteStorage(path);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-wal`)).toBe(0o600);
    expect(mode(dir)).toBe(0o755);
    await storage.close();
  });
});
