import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskFileStore } from "./disk-file-store";
import { fileStoreContract } from "./file-store.contract";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "files-disk-"));
  dirs.push(dir);
  return dir;
}

fileStoreContract("DiskFileStore", async () => new DiskFileStore(freshDir()));

describe("DiskFileStore", () => {
  it("keeps each object private to the server's user, under its key's first two characters", async () => {
    const root = freshDir();
    const store = new DiskFileStore(root);
    await store.put(
      "Xy123",
      (async function* () {
        yield new Uint8Array([1, 2, 3]);
      })(),
    );
    expect(readdirSync(join(root, "Xy"))).toEqual(["Xy123"]);
    expect(statSync(join(root, "Xy", "Xy123")).mode & 0o777).toBe(0o600);
  });
});
