import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type ByteRange, checkKey, type FileStore } from "./file-store";

/**
 * {@link FileStore} on a local directory: `<root>/<first two characters of the key>/<key>`, each
 * object written to a temporary name beside it (0600), fsynced, then renamed over the key, so a
 * reader sees the old object or the whole new one. One node only (a cluster needs a shared
 * store). Temporary files end in `.tmp` and are never read; one a crash left is swept once it
 * was last written before the sweep's time (a running put keeps writing to its own).
 */
export class DiskFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private path(key: string): string {
    checkKey(key);
    return join(this.root, key.slice(0, 2), key);
  }

  async put(key: string, body: AsyncIterable<Uint8Array>): Promise<number> {
    const path = this.path(key);
    await mkdir(join(this.root, key.slice(0, 2)), { recursive: true, mode: 0o700 });
    const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temp, "wx", 0o600);
    let size = 0;
    try {
      for await (const chunk of body) {
        await handle.write(chunk);
        size += chunk.byteLength;
      }
      await handle.sync();
      await handle.close();
      await rename(temp, path);
      return size;
    } catch (err) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const path = this.path(key);
    // Opened before it is returned, so a missing object is undefined rather than a stream error.
    const handle = await open(path, "r").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return undefined;
      throw err;
    });
    if (!handle) return undefined;
    return createReadStream("", { fd: handle, ...(range ?? {}) });
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      () => true,
      () => false,
    );
  }

  async sweepTemporary(before: number): Promise<number> {
    let removed = 0;
    const dirs = await readdir(this.root).catch(() => [] as string[]);
    for (const dir of dirs) {
      const names = await readdir(join(this.root, dir)).catch(() => [] as string[]);
      for (const name of names) {
        if (!name.endsWith(".tmp")) continue;
        const path = join(this.root, dir, name);
        const info = await stat(path).catch(() => undefined);
        if (!info || info.mtimeMs >= before) continue;
        await rm(path, { force: true });
        removed++;
      }
    }
    return removed;
  }

  async close(): Promise<void> {}
}
