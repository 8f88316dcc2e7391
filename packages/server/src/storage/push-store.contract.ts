import { EventType, NotifyLevel, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";

/** The {@link PushStore} contract, run against every implementation. */
export function pushStoreContract(name: string, open: Open) {
  describe(`${name} › PushStore contract`, () => {
    const fx = storageFixture(open);
    const sub = (userId: number, n: number | string) => ({
      userId,
      endpoint: `https://push.example.com/s/${n}`,
      p256dh: `key-${n}`,
      auth: `auth-${n}`,
      userAgent: null,
    });
    const account = (username: string) =>
      createUser(fx.storage, { username, passwordHash: "h", isGuest: false });
    const endpoints = async (userId: number) =>
      (await fx.storage.subscriptions(userId)).map((s) => s.endpoint);

    it("keeps a subscription once however often it is subscribed", async () => {
      const { storage, alice } = fx;
      await storage.subscribe(sub(alice.id, 1), 10);
      await storage.subscribe({ ...sub(alice.id, 1), p256dh: "newer" }, 10);
      expect(await storage.subscriptions(alice.id)).toEqual([
        { userId: alice.id, endpoint: sub(alice.id, 1).endpoint, p256dh: "newer", auth: "auth-1" },
      ]);
    });

    it("moves an endpoint to the latest user who subscribes it", async () => {
      const { storage, alice } = fx;
      const carol = await account("carol");
      await storage.subscribe(sub(alice.id, 1), 10);
      await storage.subscribe(sub(carol.id, 1), 10);
      expect(await endpoints(alice.id)).toEqual([]);
      expect(await endpoints(carol.id)).toEqual([sub(carol.id, 1).endpoint]);
    });

    it("drops a user's oldest subscription past the limit", async () => {
      const { storage, alice } = fx;
      for (const n of [1, 2, 3]) await storage.subscribe(sub(alice.id, n), 3);
      await storage.subscribe(sub(alice.id, 4), 3);
      expect(await endpoints(alice.id)).toEqual([2, 3, 4].map((n) => sub(alice.id, n).endpoint));
    });

    it("unsubscribes only the caller's own endpoint, and removes any by endpoint", async () => {
      const { storage, alice } = fx;
      const carol = await account("carol");
      await storage.subscribe(sub(alice.id, 1), 10);
      await storage.subscribe(sub(alice.id, 2), 10);
      await storage.unsubscribe(carol.id, sub(alice.id, 1).endpoint);
      expect(await endpoints(alice.id)).toHaveLength(2);
      await storage.unsubscribe(alice.id, sub(alice.id, 1).endpoint);
      await storage.unsubscribe(alice.id, "https://push.example.com/unknown");
      expect(await endpoints(alice.id)).toEqual([sub(alice.id, 2).endpoint]);
      await storage.removeSubscription(sub(alice.id, 2).endpoint);
      expect(await endpoints(alice.id)).toEqual([]);
    });

    it("lists a channel's subscribed members but one, with their levels", async () => {
      const { storage, alice, bob } = fx;
      const carol = await account("carol");
      const dave = await account("dave");
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      for (const u of [bob.id, carol.id, dave.id])
        await storage.addMember(channel.id, u, Role.Member, {
          type: EventType.MemberJoined,
          actor: { id: u, name: "x" },
        });
      await storage.setNotifyLevel(carol.id, channel.id, NotifyLevel.All);
      await storage.subscribe(sub(alice.id, "a"), 10);
      await storage.subscribe(sub(carol.id, "c1"), 10);
      await storage.subscribe(sub(carol.id, "c2"), 10);
      // dave has none; bob, a guest here, has none either.
      const outsider = await account("erin");
      await storage.subscribe(sub(outsider.id, "e"), 10);
      const targets = await storage.pushTargets(channel.id, alice.id);
      expect(targets).toEqual([
        {
          userId: carol.id,
          level: NotifyLevel.All,
          subscriptions: [
            {
              userId: carol.id,
              endpoint: sub(carol.id, "c1").endpoint,
              p256dh: "key-c1",
              auth: "auth-c1",
            },
            {
              userId: carol.id,
              endpoint: sub(carol.id, "c2").endpoint,
              p256dh: "key-c2",
              auth: "auth-c2",
            },
          ],
        },
      ]);
      const fromCarol = await storage.pushTargets(channel.id, carol.id);
      expect(fromCarol.map((t) => [t.userId, t.level])).toEqual([[alice.id, NotifyLevel.Mentions]]);
    });

    it("says whether anyone holds a subscription, as devices subscribe and go", async () => {
      const { storage, alice } = fx;
      expect(await storage.hasSubscriptions()).toBe(false);
      await storage.subscribe(sub(alice.id, "a"), 10);
      expect(await storage.hasSubscriptions()).toBe(true);
      await storage.removeSubscription(sub(alice.id, "a").endpoint);
      expect(await storage.hasSubscriptions()).toBe(false);
    });

    it("keeps the first value of a setting, however many insert it at once", async () => {
      const { storage } = fx;
      const values = await Promise.all(
        ["one", "two", "three", "four"].map((v) => storage.settingOrInsert("vapid", v)),
      );
      expect(new Set(values).size).toBe(1);
      expect(await storage.settingOrInsert("vapid", "later")).toBe(values[0]);
      expect(await storage.settingOrInsert("other", "x")).toBe("x");
    });
  });
}
