import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PresenceChange, PresenceStore } from "./presence-store";

/** For a store shared by several nodes: two nodes of one deployment, and a way to crash one. */
export interface PresenceCluster {
  /** Two stores of one deployment (two nodes), with short leases. */
  openPair(): Promise<[PresenceStore, PresenceStore]>;
  /** Stops a store's renewals without cleaning up, as a crash (SIGKILL) would. */
  crash(store: PresenceStore): void;
}

/** Waits until `predicate` holds, or fails after `timeoutMs`. */
async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The PresenceStore contract, run against every implementation. */
export function presenceStoreContract(
  name: string,
  open: () => Promise<PresenceStore>,
  cluster?: PresenceCluster,
) {
  if (cluster) presenceClusterContract(name, cluster);
  describe(`${name} › PresenceStore contract`, () => {
    let store: PresenceStore;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(() => store.close());

    it("reports coming online on the first connection and offline on the last", async () => {
      expect(await store.connect(1, "a")).toBe(true);
      expect(await store.connect(1, "b")).toBe(false);
      expect(await store.online([1, 2])).toEqual(new Set([1]));
      expect(await store.disconnect(1, "a")).toBe(false);
      expect(await store.disconnect(1, "b")).toBe(true);
      expect(await store.online([1])).toEqual(new Set());
    });

    it("ignores an unknown connection and reports each transition once under concurrency", async () => {
      expect(await store.disconnect(5, "nope")).toBe(false);
      const ups = await Promise.all(["a", "b", "c", "d"].map((id) => store.connect(9, id)));
      expect(ups.filter(Boolean)).toHaveLength(1);
      const downs = await Promise.all(["a", "b", "c", "d"].map((id) => store.disconnect(9, id)));
      expect(downs.filter(Boolean)).toHaveLength(1);
    });
  });
}

function presenceClusterContract(name: string, cluster: PresenceCluster) {
  describe(`${name} › PresenceStore contract across nodes`, () => {
    let a: PresenceStore;
    let b: PresenceStore;
    beforeEach(async () => {
      [a, b] = await cluster.openPair();
    });
    afterEach(async () => {
      await a.close();
      await b.close();
    });

    it("counts a user's connections on every node: online once, offline once", async () => {
      expect(await a.connect(1, "a1")).toBe(true);
      expect(await b.connect(1, "b1")).toBe(false);
      expect(await b.online([1])).toEqual(new Set([1]));
      expect(await a.disconnect(1, "a1")).toBe(false);
      expect(await a.online([1])).toEqual(new Set([1]));
      expect(await b.disconnect(1, "b1")).toBe(true);
      expect(await a.online([1])).toEqual(new Set());
      const ups = await Promise.all([a.connect(2, "x"), b.connect(2, "y"), a.connect(2, "z")]);
      expect(ups.filter(Boolean)).toHaveLength(1);
      const downs = await Promise.all([
        a.disconnect(2, "x"),
        b.disconnect(2, "y"),
        a.disconnect(2, "z"),
      ]);
      expect(downs.filter(Boolean)).toHaveLength(1);
    });

    it("expires a crashed node's users within the lease and reports each offline once", async () => {
      const seen: PresenceChange[] = [];
      a.onChange?.((c) => seen.push(...c));
      b.onChange?.((c) => seen.push(...c));
      await a.connect(10, "only-on-a");
      await a.connect(11, "on-a");
      await b.connect(11, "on-b");
      cluster.crash(a);
      await until(() => seen.length > 0, 10_000, "the crashed node's lease to expire");
      expect(seen).toEqual([{ userId: 10, online: false }]);
      expect(await b.online([10, 11])).toEqual(new Set([11]));
      expect(await b.disconnect(11, "on-b")).toBe(true);
    });
  });
}
