import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { PresenceStore } from "./presence-store";

/** The PresenceStore contract, run against every implementation. */
export function presenceStoreContract(name: string, open: () => Promise<PresenceStore>) {
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
