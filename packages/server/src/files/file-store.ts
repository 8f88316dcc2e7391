import type { Readable } from "node:stream";

/** Bytes `start` to `end` of a stored object, both inclusive (as HTTP ranges count). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where the bytes of uploaded files (and their thumbnails) live, by key. Keys are the server's
 * own (a file id, with a suffix for a thumbnail): `[A-Za-z0-9_.-]`, never a client's name.
 *
 * Contract:
 * - **Atomic put.** `put` streams the body in (never buffering it whole) and resolves with the
 *   size after the object is durably stored; until then readers see the key's previous state
 *   (nothing, or the object it replaces). A body that fails (the client went away, a size limit
 *   destroyed it) rejects and leaves nothing behind under the key.
 * - **Get.** `get` resolves to a stream of the object (or of `range` of it), or undefined when
 *   the key holds nothing. A range past the end is the caller's to refuse (it knows the size).
 * - **Idempotent delete.** `delete` of a missing key resolves.
 * - **Leftovers swept.** `sweepTemporary(before)` removes what puts started before `before`
 *   (epoch ms) left unfinished, as a crash does, and resolves with how many it removed; a put
 *   still running past it then rejects rather than store part of its body.
 * - Every node of a cluster sees the same objects when the store is shared (PostgreSQL); the
 *   disk store is for one node.
 */
export interface FileStore {
  put(key: string, body: AsyncIterable<Uint8Array>): Promise<number>;
  get(key: string, range?: ByteRange): Promise<Readable | undefined>;
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  sweepTemporary(before: number): Promise<number>;
  close(): Promise<void>;
}

/** Keys a store accepts: the server's ids and suffixes, never a path. */
export const FILE_KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

/** Throws for a key that is not the server's own (a programming error, never user input). */
export function checkKey(key: string): void {
  if (!FILE_KEY.test(key) || key.includes("..")) throw new Error(`invalid file key ${key}`);
}
