import { EventType, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";

/** The {@link AccountStore} contract (accounts and sessions), run against every implementation. */
export function accountStoreContract(name: string, open: Open) {
  describe(`${name} › AccountStore contract`, () => {
    const fx = storageFixture(open);

    it("changes an account's profile field by field, and refuses a guest's", async () => {
      const { storage, alice, bob } = fx;
      const first = await storage.updateProfile(alice.id, {
        displayName: "Alice Liddell",
        statusText: "down the rabbit hole",
        avatar: "A".repeat(22),
      });
      expect(first.previousAvatar).toBeNull();
      expect(first.user).toMatchObject({
        id: alice.id,
        displayName: "Alice Liddell",
        statusText: "down the rabbit hole",
        avatar: "A".repeat(22),
      });
      const second = await storage.updateProfile(alice.id, { avatar: "B".repeat(22) });
      expect(second.previousAvatar).toBe("A".repeat(22));
      expect(second.user).toMatchObject({ displayName: "Alice Liddell", avatar: "B".repeat(22) });
      const cleared = await storage.updateProfile(alice.id, {
        displayName: null,
        statusText: null,
      });
      expect(cleared.user).toMatchObject({ displayName: null, statusText: null });
      expect(await storage.getUser(alice.id)).toMatchObject({
        displayName: null,
        statusText: null,
        avatar: "B".repeat(22),
      });
      await expect(storage.updateProfile(bob.id, { displayName: "Bob" })).rejects.toMatchObject({
        errorName: "NO_SUCH_USER",
      });
      expect((await storage.getUser(bob.id))?.displayName).toBeNull();
    });

    it("refuses a username that differs only in case", async () => {
      const { storage, alice } = fx;
      await expect(
        createUser(storage, { username: "ALICE", passwordHash: null, isGuest: true }),
      ).rejects.toMatchObject({
        errorName: "USERNAME_TAKEN",
      });
      expect((await storage.findUserByName("Alice"))?.id).toBe(alice.id);
    });

    it("creates a user with its session in one transaction, or neither", async () => {
      const { storage } = fx;
      const { user, session } = await storage.createUserWithSession(
        { username: "carol", passwordHash: null, isGuest: true },
        "carol-token",
      );
      expect(user).toMatchObject({ username: "carol", isGuest: true });
      expect(session.userId).toBe(user.id);
      expect((await storage.findSession("carol-token"))?.user.id).toBe(user.id);
      // A taken name stores no session either.
      await expect(
        storage.createUserWithSession(
          { username: "Carol", passwordHash: null, isGuest: true },
          "second-token",
        ),
      ).rejects.toMatchObject({ errorName: "USERNAME_TAKEN" });
      expect(await storage.findSession("second-token")).toBeUndefined();
    });

    it("finds live sessions only and revokes them", async () => {
      const { storage } = fx;
      const { user: carol, session: s1 } = await storage.createUserWithSession(
        { username: "carol", passwordHash: "h", isGuest: false },
        "hash1",
      );
      const s2 = await storage.createSession(carol.id, "hash2");
      expect((await storage.findSession("hash1"))?.user.id).toBe(carol.id);
      expect(await storage.revokeSession(s1.id)).toBe(carol.id);
      expect(await storage.revokeSession(s1.id)).toBeUndefined();
      expect(await storage.findSession("hash1")).toBeUndefined();
      expect(await storage.revokeUserSessions(carol.id)).toEqual([s2.id]);
      expect(await storage.findSession("hash2")).toBeUndefined();
    });

    it("upgrades a guest in place", async () => {
      const { storage, bob } = fx;
      const upgraded = await storage.upgradeGuest(bob.id, "newhash");
      expect(upgraded).toMatchObject({
        id: bob.id,
        username: "bob",
        isGuest: false,
        passwordHash: "newhash",
      });
      await expect(storage.upgradeGuest(bob.id, "again")).rejects.toMatchObject({
        errorName: "NOT_A_GUEST",
      });
    });

    it("upgrades a guest under a new name, refusing one taken in any case", async () => {
      const { storage, bob } = fx;
      await expect(storage.upgradeGuest(bob.id, "h", "Alice")).rejects.toMatchObject({
        errorName: "USERNAME_TAKEN",
      });
      expect(await storage.getUser(bob.id)).toMatchObject({ username: "bob", isGuest: true });
      const renamed = await storage.upgradeGuest(bob.id, "h", "Robert");
      expect(renamed).toMatchObject({ id: bob.id, username: "Robert", isGuest: false });
      expect((await storage.findUserByName("robert"))?.id).toBe(bob.id);
      expect(await storage.findUserByName("bob")).toBeUndefined();
    });

    it("finds memberships of guests not seen since a time, oldest first", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const carol = await createUser(storage, {
        username: "carol",
        passwordHash: null,
        isGuest: true,
      });
      for (const u of [bob, { id: carol.id, name: carol.username }])
        await storage.addMember(channel.id, u.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: u,
        });
      const later = Date.now() + 1000;
      // Never seen: judged by creation. Accounts never appear.
      expect(await storage.staleGuestMemberships(later, 10)).toEqual([
        { channelId: channel.id, user: bob },
        { channelId: channel.id, user: { id: carol.id, name: "carol" } },
      ]);
      expect(await storage.staleGuestMemberships(later, 1)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 5));
      await storage.markGuestActive(bob.id);
      await storage.markGuestActive(alice.id);
      const stale = await storage.staleGuestMemberships(later, 10);
      expect(stale.map((m) => m.user.id)).toEqual([carol.id, bob.id]);
      expect(await storage.staleGuestMemberships(carol.createdAt, 10)).toEqual([]);
    });
  });
}
