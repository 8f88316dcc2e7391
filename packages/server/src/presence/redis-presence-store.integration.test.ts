import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { describeWith, serviceUrl } from "../../test/services";
import type { PresenceChange, PresenceStore } from "./presence-store";
import { presenceStoreContract } from "./presence-store.contract";
import { RedisPresenceStore } from "./redis-presence-store";

const prefix = () => `test-${randomBytes(4).toString("hex")}:`;
/** Short leases so that expiry tests take a second, not half a minute. */
const open = (p: string) =>
  RedisPresenceStore.connect({
    url: serviceUrl("redis"),
    prefix: p,
    leaseMs: 600,
    heartbeatMs: 100,
  });

describeWith(["redis"], "RedisPresenceStore", () => {
  presenceStoreContract("RedisPresenceStore", () => open(prefix()), {
    async openPair(): Promise<[PresenceStore, PresenceStore]> {
      const p = prefix();
      return [await open(p), await open(p)];
    },
    crash: (store) => (store as RedisPresenceStore).abandonForTest(),
  });

  it("registers its connections again after Redis lost them, and reports them online", async () => {
    const p = prefix();
    const store = await open(p);
    const seen: PresenceChange[] = [];
    store.onChange((c) => seen.push(...c));
    await store.connect(5, "c1");
    await store.connect(5, "c2");
    await store.connect(6, "c3");
    // As a restart of a Redis without persistence would: every key of this deployment is gone.
    const admin = new Redis(serviceUrl("redis"));
    const keys = await admin.keys(`${p}*`);
    await admin.del(...keys);
    await admin.quit();
    expect(await store.online([5, 6])).toEqual(new Set());
    await store.beat();
    expect(await store.online([5, 6])).toEqual(new Set([5, 6]));
    expect(seen.sort((x, y) => x.userId - y.userId)).toEqual([
      { userId: 5, online: true },
      { userId: 6, online: true },
    ]);
    expect(await store.disconnect(5, "c1")).toBe(false);
    expect(await store.disconnect(5, "c2")).toBe(true);
    await store.close();
  });
});
