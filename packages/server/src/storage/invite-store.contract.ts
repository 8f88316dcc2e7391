import { EventType, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { type Open, storageFixture } from "./contract-fixture";
import type { Actor, Storage } from "./storage";

/**
 * The {@link InviteStore} contract and the channel visibility it serves (the directory's
 * filter, ChannelVisibilityChanged), run against every implementation.
 */
export function inviteStoreContract(name: string, open: Open) {
  describe(`${name} › InviteStore contract`, () => {
    const fx = storageFixture(open);

    async function privateChannel(storage: Storage, owner: Actor, channelName = "secret") {
      return (await storage.createChannel({ name: channelName, topic: "", owner, isPrivate: true }))
        .channel;
    }

    /** A link to `channelId` by `creator` under `codeHash`: no expiry, no use limit unless given. */
    function link(
      storage: Storage,
      channelId: number,
      creator: Actor,
      codeHash: string,
      limits: { expiresAt?: number; maxUses?: number } = {},
    ) {
      return storage.createInvite({
        channelId,
        creator,
        codeHash,
        expiresAt: limits.expiresAt ?? null,
        maxUses: limits.maxUses ?? null,
      });
    }

    async function user(storage: Storage, username: string): Promise<Actor> {
      const { user: u } = await storage.createUserWithSession(
        { username, passwordHash: null, isGuest: true },
        `token-${username}`,
      );
      return { id: u.id, name: u.username };
    }

    it("lists a private channel to its members only, and keeps names unique across both kinds", async () => {
      const { storage, alice, bob } = fx;
      const hidden = await privateChannel(storage, alice);
      const open = (await storage.createChannel({ name: "open", topic: "", owner: alice })).channel;
      expect(hidden.isPrivate).toBe(true);
      expect(open.isPrivate).toBe(false);
      const ids = async (userId?: number) =>
        (await storage.listChannels({ limit: 10, ...(userId ? { userId } : {}) })).map((c) => c.id);
      expect(await ids(alice.id)).toEqual([hidden.id, open.id]);
      expect(await ids(bob.id)).toEqual([open.id]);
      expect(await ids()).toEqual([open.id]);
      expect(
        (await storage.listChannels({ limit: 10, search: "secr", userId: bob.id })).length,
      ).toBe(0);
      await expect(
        storage.createChannel({ name: "SECRET", topic: "", owner: bob }),
      ).rejects.toMatchObject({ errorName: "CHANNEL_NAME_TAKEN" });
    });

    it("stores a visibility change as an event, once, and keeps the members", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const event = await storage.setVisibility(channel.id, true, alice);
      expect(event).toMatchObject({ s: 3, t: EventType.ChannelVisibilityChanged, pv: true });
      expect(await storage.setVisibility(channel.id, true, alice)).toBeUndefined();
      expect((await storage.getChannel(channel.id))?.isPrivate).toBe(true);
      expect(await storage.memberRole(channel.id, bob.id)).toBe(Role.Member);
      expect((await storage.eventsAfter(channel.id, 2, 10)).map((e) => e.t)).toEqual([
        EventType.ChannelVisibilityChanged,
      ]);
      expect((await storage.auditLog({ channelId: channel.id }, 1))[0]?.action).toBe("private");
      expect(await storage.setVisibility(channel.id, false, alice)).toMatchObject({ pv: false });
    });

    it("creates, finds, lists and revokes links by their hash; a revoked link is gone", async () => {
      const { storage, alice, bob } = fx;
      const channel = await privateChannel(storage, alice);
      const mine = await link(storage, channel.id, alice, "h1");
      const theirs = await link(storage, channel.id, bob, "h2", {
        expiresAt: Date.now() + 60_000,
        maxUses: 3,
      });
      expect(mine).toMatchObject({ channelId: channel.id, createdBy: alice, uses: 0 });
      expect((await storage.findInvite("h2"))?.id).toBe(theirs.id);
      expect(await storage.findInvite("nope")).toBeUndefined();
      expect((await storage.listInvites(channel.id)).map((i) => i.id)).toEqual([
        theirs.id,
        mine.id,
      ]);
      expect((await storage.listInvites(channel.id, alice.id)).map((i) => i.id)).toEqual([mine.id]);
      // Only its creator's when a creator is named.
      expect(await storage.revokeInvite(channel.id, theirs.id, alice.id)).toBe(false);
      expect(await storage.revokeInvite(channel.id, theirs.id, bob.id)).toBe(true);
      expect(await storage.revokeInvite(channel.id, theirs.id)).toBe(false);
      expect(await storage.findInvite("h2")).toBeUndefined();
      await expect(storage.redeemInvite("h2", bob, {})).rejects.toMatchObject({
        errorName: "INVITE_INVALID",
      });
    });

    it("redeems a link: counts the use, adds the member and stores the join with the inviter", async () => {
      const { storage, alice, bob } = fx;
      const channel = await privateChannel(storage, alice);
      await link(storage, channel.id, alice, "h");
      const { invite, event } = await storage.redeemInvite("h", bob, { g: true });
      expect(invite.uses).toBe(1);
      expect(event).toMatchObject({
        s: 2,
        t: EventType.MemberJoined,
        a: bob.id,
        g: true,
        iv: alice.id,
        ivn: "alice",
      });
      expect(await storage.memberRole(channel.id, bob.id)).toBe(Role.Member);
      // A member redeeming again uses nothing and stores nothing.
      const again = await storage.redeemInvite("h", bob, {});
      expect(again.event).toBeUndefined();
      expect((await storage.findInvite("h"))?.uses).toBe(1);
      expect((await storage.getChannel(channel.id))?.lastSeq).toBe(2);
    });

    it("refuses expired and used-up links alike, storing nothing", async () => {
      const { storage, alice, bob } = fx;
      const channel = await privateChannel(storage, alice);
      const carol = await user(storage, "carol");
      await link(storage, channel.id, alice, "old", { expiresAt: Date.now() - 1 });
      await link(storage, channel.id, alice, "once", { maxUses: 1 });
      expect(await storage.findInvite("old")).toBeUndefined();
      expect(await storage.listInvites(channel.id)).toHaveLength(1);
      await expect(storage.redeemInvite("old", bob, {})).rejects.toMatchObject({
        errorName: "INVITE_INVALID",
      });
      await storage.redeemInvite("once", bob, {});
      expect(await storage.listInvites(channel.id)).toHaveLength(0);
      await expect(storage.redeemInvite("once", carol, {})).rejects.toMatchObject({
        errorName: "INVITE_INVALID",
      });
      expect(await storage.memberRole(channel.id, carol.id)).toBeUndefined();
      expect((await storage.getChannel(channel.id))?.lastSeq).toBe(2);
    });

    it("refuses a banned user with the ban, using nothing", async () => {
      const { storage, alice, bob } = fx;
      const channel = await privateChannel(storage, alice);
      await storage.ban({ channelId: channel.id, actor: alice, target: bob, until: null });
      await link(storage, channel.id, alice, "h", { maxUses: 5 });
      await expect(storage.redeemInvite("h", bob, {})).rejects.toMatchObject({
        errorName: "BANNED",
      });
      expect((await storage.findInvite("h"))?.uses).toBe(0);
      expect(await storage.memberRole(channel.id, bob.id)).toBeUndefined();
      // A ban that has run out no longer applies.
      const carol = await user(storage, "carol");
      await storage.ban({
        channelId: channel.id,
        actor: alice,
        target: carol,
        until: Date.now() - 1,
      });
      expect((await storage.redeemInvite("h", carol, {})).event).toBeDefined();
    });

    it("of five concurrent redemptions of a two-use link exactly two join, the last use once", async () => {
      const { storage, alice } = fx;
      const channel = await privateChannel(storage, alice);
      await link(storage, channel.id, alice, "last", { maxUses: 2 });
      const users = await Promise.all(["u1", "u2", "u3", "u4", "u5"].map((n) => user(storage, n)));
      const results = await Promise.allSettled(
        users.map((u) => storage.redeemInvite("last", u, {})),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
      for (const r of results.filter((r) => r.status === "rejected"))
        expect(r.reason).toMatchObject({ errorName: "INVITE_INVALID" });
      expect(await storage.memberCount(channel.id)).toBe(3);
      const events = await storage.eventsAfter(channel.id, 1, 10);
      expect(events.map((e) => [e.s, e.t])).toEqual([
        [2, EventType.MemberJoined],
        [3, EventType.MemberJoined],
      ]);
    });
  });
}
