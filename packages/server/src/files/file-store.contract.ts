import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FileStore } from "./file-store";

/** Reads a stream to one buffer (test objects are small). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

async function* pieces(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function* failing(after: Buffer): AsyncGenerator<Uint8Array> {
  yield after;
  throw new Error("the client went away");
}

/** The {@link FileStore} contract, for every implementation. */
export function fileStoreContract(name: string, open: () => Promise<FileStore>): void {
  describe(`${name} (FileStore contract)`, () => {
    let store: FileStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it("stores a body streamed in pieces and returns its size and bytes", async () => {
      const data = randomBytes(700 * 1024 + 17);
      expect(await store.put("abcdefghij", pieces(data, 64 * 1024))).toBe(data.length);
      expect(await store.exists("abcdefghij")).toBe(true);
      expect((await readAll((await store.get("abcdefghij"))!)).equals(data)).toBe(true);
    });

    it("returns the bytes of a range, across chunk boundaries", async () => {
      const data = randomBytes(600 * 1024);
      await store.put("ranged-key", pieces(data, 100_000));
      const start = 256 * 1024 - 10;
      const end = 512 * 1024 + 10;
      const got = await readAll((await store.get("ranged-key", { start, end }))!);
      expect(got.equals(data.subarray(start, end + 1))).toBe(true);
      const tail = await readAll(
        (await store.get("ranged-key", { start: data.length - 1, end: data.length - 1 }))!,
      );
      expect(tail.equals(data.subarray(data.length - 1))).toBe(true);
    });

    it("answers undefined for a key that holds nothing", async () => {
      expect(await store.get("missing-key")).toBeUndefined();
      expect(await store.exists("missing-key")).toBe(false);
    });

    it("stores an empty object as existing and empty", async () => {
      expect(await store.put("empty-key", pieces(Buffer.alloc(0), 1))).toBe(0);
      expect(await store.exists("empty-key")).toBe(true);
      expect((await readAll((await store.get("empty-key"))!)).length).toBe(0);
    });

    it("leaves nothing under the key when the body fails midway", async () => {
      await expect(store.put("failed-key", failing(randomBytes(300 * 1024)))).rejects.toThrow(
        "went away",
      );
      expect(await store.exists("failed-key")).toBe(false);
    });

    it("sweeps what an unfinished put left, and that put then stores nothing", async () => {
      const kept = randomBytes(500);
      await store.put("swept-kept", pieces(kept, 100));
      // A put that stops midway, as one cut short by a crash: its bytes so far are written.
      let resume = () => {};
      const resumed = new Promise<void>((r) => {
        resume = r;
      });
      let started = () => {};
      const wrote = new Promise<void>((r) => {
        started = r;
      });
      async function* stalled(): AsyncGenerator<Uint8Array> {
        yield randomBytes(300 * 1024);
        started();
        await resumed;
        yield randomBytes(10);
      }
      const running = store.put("swept-key", stalled());
      await wrote;
      // Give the store a moment to write what it was given.
      await new Promise((r) => setTimeout(r, 200));
      expect(await store.sweepTemporary(Date.now() - 3_600_000)).toBe(0);
      expect(await store.sweepTemporary(Date.now() + 1000)).toBe(1);
      resume();
      await expect(running).rejects.toThrow();
      expect(await store.exists("swept-key")).toBe(false);
      expect((await readAll((await store.get("swept-kept"))!)).equals(kept)).toBe(true);
      expect(await store.sweepTemporary(Date.now() + 1000)).toBe(0);
    });

    it("keeps the previous object whole when a replacing put fails", async () => {
      const first = randomBytes(1000);
      await store.put("kept-key", pieces(first, 100));
      await expect(store.put("kept-key", failing(randomBytes(300 * 1024)))).rejects.toThrow();
      expect((await readAll((await store.get("kept-key"))!)).equals(first)).toBe(true);
    });

    it("replaces an object with a later put", async () => {
      await store.put("replaced", pieces(randomBytes(400 * 1024), 1000));
      const second = randomBytes(10);
      await store.put("replaced", pieces(second, 3));
      expect((await readAll((await store.get("replaced"))!)).equals(second)).toBe(true);
    });

    it("deletes an object, and deleting a missing one resolves", async () => {
      await store.put("deleted", pieces(randomBytes(10), 10));
      await store.delete("deleted");
      expect(await store.exists("deleted")).toBe(false);
      await store.delete("deleted");
    });

    it("refuses a key that could name a path", async () => {
      await expect(store.put("../escape", pieces(Buffer.alloc(1), 1))).rejects.toThrow();
      await expect(store.get("a/b")).rejects.toThrow();
    });
  });
}
