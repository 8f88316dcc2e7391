import { afterEach, describe, expect, it } from "vitest";
import { ParleyError } from "../errors";
import { PasswordHasher } from "./password-hasher";

describe("PasswordHasher", () => {
  let hasher: PasswordHasher;
  afterEach(() => hasher.close());

  it("hashes with argon2id and verifies only the right password", async () => {
    hasher = new PasswordHasher({ concurrency: 1 });
    const stored = await hasher.hash("correct horse battery");
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(stored, "correct horse battery")).toBe(true);
    expect(await hasher.verify(stored, "wrong horse battery")).toBe(false);
    expect(await hasher.verify("not a hash", "anything")).toBe(false);
  });

  it("runs at most `concurrency` hashes at once and refuses past the queue with SERVER_BUSY", async () => {
    hasher = new PasswordHasher({ concurrency: 2, queue: 3 });
    const peaks: number[] = [];
    const all = Array.from({ length: 8 }, (_, i) => {
      const p = hasher.hash(`password ${i}`);
      peaks.push(hasher.load.active);
      return p;
    });
    expect(() => hasher.admit()).toThrow(expect.objectContaining({ errorName: "SERVER_BUSY" }));
    const results = await Promise.allSettled(all);
    expect(() => hasher.admit()).not.toThrow();
    expect(Math.max(...peaks)).toBe(2);
    const refused = results.filter((r) => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    expect(refused).toHaveLength(3);
    const err = (refused[0] as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(ParleyError);
    expect(err).toMatchObject({ errorName: "SERVER_BUSY", code: 1402 });
    expect(err.detail.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(hasher.load).toEqual({ active: 0, waiting: 0 });
  });

  it("keeps the event loop's thread pool free: hashes run on worker threads", async () => {
    hasher = new PasswordHasher({ concurrency: 2, queue: 10 });
    const hashing = Promise.all(Array.from({ length: 6 }, (_, i) => hasher.hash(`p${i}`)));
    // Four fs calls on libuv's four threads finish while six hashes are still under way.
    const { stat } = await import("node:fs/promises");
    await Promise.all([stat("."), stat("."), stat("."), stat(".")]);
    expect(hasher.load.active + hasher.load.waiting).toBeGreaterThan(0);
    await hashing;
  });
});
