import { describe, expect, it } from "vitest";
import { MemoryPresenceStore } from "./memory-presence-store";
import { presenceStoreContract } from "./presence-store.contract";

presenceStoreContract("MemoryPresenceStore", async () => new MemoryPresenceStore());

describe("MemoryPresenceStore", () => {
  it("keeps counting when a user goes from one connection to several and back", async () => {
    const store = new MemoryPresenceStore();
    expect(await store.connect(1, "a")).toBe(true);
    expect(await store.connect(1, "a")).toBe(false);
    expect(await store.connect(1, "b")).toBe(false);
    expect(await store.disconnect(1, "a")).toBe(false);
    expect(await store.disconnect(1, "a")).toBe(false);
    expect(await store.connect(1, "c")).toBe(false);
    expect(await store.disconnect(1, "b")).toBe(false);
    expect(await store.online([1])).toEqual(new Set([1]));
    expect(await store.disconnect(1, "c")).toBe(true);
    expect(await store.online([1])).toEqual(new Set());
  });
});
