import { EventType, parseSearchQuery, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";
import { post } from "./message-store.contract";
import type { Actor } from "./storage";

/** The {@link AdminStore} contract, run against every implementation. */
export function adminStoreContract(name: string, open: Open) {
  describe(`${name} › AdminStore contract`, () => {
    const fx = storageFixture(open);
    const account = async (username: string): Promise<Actor> => {
      const u = await createUser(fx.storage, { username, passwordHash: "h", isGuest: false });
      return { id: u.id, name: u.username };
    };
    const names = async (request: Parameters<typeof fx.storage.adminUsers>[0]) =>
      (await fx.storage.adminUsers(request)).map((u) => u.username);

    it("lists users newest first by kind and by part of the name, literally, page by page", async () => {
      const { storage, alice, bob } = fx;
      await account("Carol_1");
      await account("carolyn");
      await storage.setAdmin(alice.id, true);
      const now = Date.now();
      expect(await names({ kind: "all", limit: 10, now })).toEqual([
        "carolyn",
        "Carol_1",
        bob.name,
        "alice",
      ]);
      expect(await names({ kind: "registered", limit: 10, now })).toEqual([
        "carolyn",
        "Carol_1",
        "alice",
      ]);
      expect(await names({ kind: "guests", limit: 10, now })).toEqual([bob.name]);
      expect(await names({ kind: "admins", limit: 10, now })).toEqual(["alice"]);
      expect(await names({ query: "CAROL", kind: "all", limit: 10, now })).toEqual([
        "carolyn",
        "Carol_1",
      ]);
      // `_` and `%` are letters of the query, not patterns.
      expect(await names({ query: "l_", kind: "all", limit: 10, now })).toEqual(["Carol_1"]);
      expect(await names({ query: "%", kind: "all", limit: 10, now })).toEqual([]);
      const [first] = await storage.adminUsers({ kind: "all", limit: 1, now });
      expect(await names({ kind: "all", limit: 2, beforeId: first!.id, now })).toEqual([
        "Carol_1",
        bob.name,
      ]);
      const alices = await storage.adminUsers({ query: "alice", kind: "all", limit: 1, now });
      expect(alices[0]).toMatchObject({ isAdmin: true, isGuest: false, sessions: 1 });
    });

    it("bans with its audit entry in one write: sessions revoked, listed as banned until the end passes", async () => {
      const { storage, alice } = fx;
      const carol = await account("carol");
      await storage.createSession(carol.id, "second");
      const now = Date.now();
      const revoked = await storage.setServerBanAudited(
        carol.id,
        { until: now + 60_000, reason: "spam" },
        { actor: alice, action: "ban", target: carol, before: { ban: null }, after: { ban: 1 } },
      );
      expect(revoked).toHaveLength(2);
      const row = await storage.adminUser(carol.id);
      expect(row).toMatchObject({ bannedUntil: now + 60_000, banReason: "spam", sessions: 0 });
      expect(row!.bannedAt).not.toBeNull();
      expect(await names({ kind: "banned", limit: 10, now })).toEqual(["carol"]);
      expect(await names({ kind: "banned", limit: 10, now: now + 61_000 })).toEqual([]);
      expect(await storage.findSession("second")).toBeUndefined();

      await storage.setServerBanAudited(carol.id, null, {
        actor: alice,
        action: "unban",
        target: carol,
        before: { ban: 1 },
        after: { ban: null },
      });
      expect(await storage.adminUser(carol.id)).toMatchObject({
        bannedAt: null,
        bannedUntil: null,
        banReason: null,
      });
      const audit = await storage.adminAudit({ limit: 10 });
      expect(audit.map((e) => [e.action, e.actorName, e.targetName, e.before, e.after])).toEqual([
        ["unban", "alice", "carol", { ban: 1 }, { ban: null }],
        ["ban", "alice", "carol", { ban: null }, { ban: 1 }],
      ]);
    });

    it("signs out with its audit entry, and filters and pages the audit log", async () => {
      const { storage, alice, bob } = fx;
      const carol = await account("carol");
      expect(
        await storage.revokeSessionsAudited(carol.id, {
          actor: alice,
          action: "signout",
          target: carol,
          before: { sessions: 1 },
          after: { sessions: 0 },
        }),
      ).toHaveLength(1);
      await storage.revokeSessionsAudited(bob.id, {
        actor: carol,
        action: "signout",
        target: bob,
        before: { sessions: 1 },
        after: { sessions: 0 },
      });
      expect((await storage.adminUser(carol.id))?.sessions).toBe(0);
      const all = await storage.adminAudit({ limit: 10 });
      expect(all.map((e) => e.targetName)).toEqual([bob.name, "carol"]);
      expect(
        (await storage.adminAudit({ actorId: alice.id, limit: 10 })).map((e) => e.targetId),
      ).toEqual([carol.id]);
      expect(
        (await storage.adminAudit({ targetId: bob.id, limit: 10 })).map((e) => e.actorId),
      ).toEqual([carol.id]);
      expect(await storage.adminAudit({ action: "ban", limit: 10 })).toEqual([]);
      expect(
        (await storage.adminAudit({ beforeId: all[0]!.id, limit: 10 })).map((e) => e.id),
      ).toEqual([all[1]!.id]);
    });

    it("reads every channel's moderation log, filtered by channel, actor, target, action and time", async () => {
      const { storage, alice, bob } = fx;
      const carol = await account("carol");
      const { channel: one } = await storage.createChannel({
        name: "One",
        topic: "",
        owner: alice,
      });
      const { channel: two } = await storage.createChannel({
        name: "two",
        topic: "",
        owner: carol,
      });
      await storage.recordAudit({ channelId: one.id, actor: alice, target: bob, action: "kick" });
      const from = Date.now();
      await storage.recordAudit({
        channelId: two.id,
        actor: carol,
        target: bob,
        action: "mute",
        reason: "loud",
        until: from + 1000,
      });
      await storage.recordAudit({ channelId: two.id, actor: carol, target: alice, action: "kick" });
      const actions = async (filter: Parameters<typeof storage.auditLog>[0]) =>
        (await storage.auditLog(filter, 10)).map((e) => `${e.action}:${e.target?.name}`);
      expect(await actions({})).toEqual(["kick:alice", `mute:${bob.name}`, `kick:${bob.name}`]);
      expect(await actions({ channelId: one.id })).toEqual([`kick:${bob.name}`]);
      expect(await actions({ actorId: carol.id, targetId: bob.id })).toEqual([`mute:${bob.name}`]);
      expect(await actions({ action: "kick" })).toEqual(["kick:alice", `kick:${bob.name}`]);
      expect(await actions({ until: 0 })).toEqual([]);
      expect((await actions({ since: from })).length).toBeGreaterThanOrEqual(2);
      const [newest] = await storage.auditLog({}, 1);
      expect(await actions({ beforeId: newest!.id, channelId: two.id })).toEqual([
        `mute:${bob.name}`,
      ]);
      expect(await storage.channelIdByName("ＯＮＥ")).toBe(one.id);
      expect(await storage.channelIdByName("three")).toBeUndefined();
      expect(await storage.channelNames([one.id, two.id, 999_999])).toEqual(
        new Map([
          [one.id, "One"],
          [two.id, "two"],
        ]),
      );
    });

    it("keeps every node's figures for an hour, and reads the database's", async () => {
      const { storage, alice } = fx;
      const t = 1_000_000_000_000;
      const sample = (node: string, at: number, messages: number) => ({
        node,
        at,
        connections: 2,
        messages,
        lagMs: 1.5,
      });
      await storage.recordNodeStats(sample("a", t, 0), t - 3_600_000);
      await storage.recordNodeStats(sample("b", t + 5000, 0), t - 3_600_000);
      await storage.recordNodeStats(sample("a", t + 10_000, 30), t - 3_600_000);
      expect((await storage.nodeStats(t)).map((s) => [s.node, s.at - t, s.messages])).toEqual([
        ["a", 0, 0],
        ["b", 5000, 0],
        ["a", 10_000, 30],
      ]);
      expect((await storage.nodeStats(t + 1))[0]).toEqual(sample("b", t + 5000, 0));
      // A later write drops what is older than its bound, every node's.
      await storage.recordNodeStats(sample("b", t + 3_600_000 + 6000, 1), t + 6000);
      expect((await storage.nodeStats(0)).map((s) => s.at - t)).toEqual([10_000, 3_606_000]);
      await post(
        storage,
        (await storage.createChannel({ name: "c", topic: "", owner: alice })).channel.id,
        alice,
        "one",
      );
      expect(await storage.storedMessages()).toBeGreaterThanOrEqual(1);
      expect(await storage.databaseBytes()).toBeGreaterThan(0);
    });

    it("stores the server settings with their audit entry, replacing the last", async () => {
      const { storage, alice } = fx;
      expect(await storage.storedSettings()).toBeUndefined();
      const change = (after: unknown) => ({
        actor: alice,
        action: "settings",
        targetKind: "server" as const,
        target: { id: 0, name: "server" },
        before: {},
        after,
      });
      await storage.saveSettingsAudited('{"guests":false}', change({ guests: false }));
      await storage.saveSettingsAudited('{"guests":true}', change({ guests: true }));
      expect(await storage.storedSettings()).toBe('{"guests":true}');
      const audit = await storage.adminAudit({ limit: 10 });
      expect(audit.map((e) => [e.action, e.targetKind, e.targetId, e.after])).toEqual([
        ["settings", "server", 0, { guests: true }],
        ["settings", "server", 0, { guests: false }],
      ]);
    });

    it("reads a user's memberships by channel name and live messages newest first", async () => {
      const { storage, alice, bob } = fx;
      const { channel: zed } = await storage.createChannel({
        name: "zed",
        topic: "",
        owner: alice,
      });
      const { channel: abc } = await storage.createChannel({ name: "abc", topic: "", owner: bob });
      await storage.addMember(abc.id, alice.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: alice,
      });
      expect((await storage.userMemberships(alice.id)).map((m) => [m.name, m.role])).toEqual([
        ["abc", Role.Member],
        ["zed", Role.Owner],
      ]);
      await post(storage, zed.id, alice, "one");
      const two = await post(storage, abc.id, alice, "two");
      const three = await post(storage, zed.id, alice, "three");
      await storage.deleteMessage(
        { channelId: zed.id, messageId: three.id, actor: alice, nonce: "d" },
        () => ({ moderator: false }),
      );
      const messages = await storage.userMessages(alice.id, undefined, 10);
      expect(messages.map((m) => [m.channelName, m.content])).toEqual([
        ["abc", "two"],
        ["zed", "one"],
      ]);
      expect((await storage.userMessages(alice.id, two.id, 10)).map((m) => m.content)).toEqual([
        "one",
      ]);
      expect(await storage.userMessages(bob.id, undefined, 10)).toEqual([]);
    });

    const change = (action: string, target: Actor) => ({
      actor: fx.alice,
      action,
      target,
      before: {},
      after: {},
    });

    it("renames, refusing a name another user has in any case, with the audit entry", async () => {
      const { storage, alice } = fx;
      const carol = await account("carol");
      const { channel } = await storage.createChannel({ name: "r", topic: "", owner: alice });
      await storage.addMember(channel.id, carol.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: carol,
      });
      await storage.renameUserAudited(carol.id, "Caroline", change("rename", carol));
      expect((await storage.getUser(carol.id))?.username).toBe("Caroline");
      // Member pages follow the new name.
      expect(
        (await storage.members(channel.id, { after: "alice", limit: 5 })).map((r) => r.user.id),
      ).toEqual([carol.id]);
      expect(
        (await storage.members(channel.id, { prefix: "caroline", limit: 5 })).map((r) => r.user.id),
      ).toEqual([carol.id]);
      expect((await storage.findUserByName("caroline"))?.id).toBe(carol.id);
      await expect(
        storage.renameUserAudited(carol.id, "ALICE", change("rename", carol)),
      ).rejects.toMatchObject({ errorName: "USERNAME_TAKEN" });
      expect((await storage.getUser(alice.id))?.username).toBe("alice");
      expect((await storage.adminAudit({ limit: 10 })).map((e) => e.action)).toEqual(["rename"]);
    });

    it("deactivates (sessions revoked, listed as deactivated) and reactivates", async () => {
      const { storage } = fx;
      const carol = await account("carol");
      const revoked = await storage.setDeactivatedAudited(
        carol.id,
        true,
        change("deactivate", carol),
      );
      expect(revoked).toHaveLength(1);
      expect(await storage.findSession("seed-carol")).toBe(undefined);
      expect((await storage.getUser(carol.id))?.deactivatedAt).toEqual(expect.any(Number));
      expect(await names({ kind: "deactivated", limit: 10, now: Date.now() })).toEqual(["carol"]);
      expect(
        await storage.setDeactivatedAudited(carol.id, false, change("reactivate", carol)),
      ).toEqual([]);
      expect((await storage.getUser(carol.id))?.deactivatedAt).toBe(null);
      expect(await names({ kind: "deactivated", limit: 10, now: Date.now() })).toEqual([]);
    });

    it("deletes an account in one write: renamed, no password or sessions, out of its channels but its DMs, an heir crowned", async () => {
      const { storage, alice, bob } = fx;
      const carol = await account("carol");
      const { channel: owned } = await storage.createChannel({
        name: "owned",
        topic: "",
        owner: carol,
      });
      await storage.addMember(owned.id, alice.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: alice,
      });
      const { channel: dm } = await storage.openDirect({
        opener: carol,
        members: [
          { ...carol, isGuest: false },
          { ...alice, isGuest: false },
        ],
      });
      await storage.setBlock(carol.id, bob.id, true);
      await storage.setBlock(bob.id, carol.id, true);
      const message = await post(storage, owned.id, carol, "kept words");
      const { channelIds, removals } = await storage.deleteUserAudited(
        carol.id,
        change("delete", carol),
      );
      expect(channelIds.sort()).toEqual([owned.id, dm.id].sort());
      expect(removals.map((r) => [r.channelId, r.events.map((e) => e.t)])).toEqual([
        [owned.id, [EventType.MemberLeft, EventType.RoleChanged]],
      ]);
      expect(removals[0]!.events[0]).toMatchObject({
        ex: true,
        a: carol.id,
        an: `deleted-${carol.id}`,
      });
      const user = await storage.getUser(carol.id);
      expect(user).toMatchObject({ username: `deleted-${carol.id}`, passwordHash: null });
      expect(user?.deletedAt).toEqual(expect.any(Number));
      expect(await storage.findUserByName("carol")).toBe(undefined);
      expect(await storage.findSession("seed-carol")).toBe(undefined);
      expect(await storage.memberRole(owned.id, carol.id)).toBe(undefined);
      expect(await storage.memberRole(owned.id, alice.id)).toBe(Role.Owner);
      expect(await storage.memberRole(dm.id, carol.id)).toBe(Role.Member);
      expect((await storage.getChannel(dm.id))?.isDirect).toBe(true);
      expect(await storage.blockedBy(bob.id)).toEqual([]);
      expect(await storage.blockedBy(carol.id)).toEqual([]);
      // Kept: the message stays, under the new name.
      expect((await storage.userMessages(carol.id, undefined, 10)).map((m) => m.content)).toEqual([
        "kept words",
      ]);
      expect(message.id).toBeGreaterThan(0);
      expect(await names({ kind: "all", limit: 10, now: Date.now() })).not.toContain(
        `deleted-${carol.id}`,
      );
      expect(await names({ kind: "deleted", limit: 10, now: Date.now() })).toEqual([
        `deleted-${carol.id}`,
      ]);
    });

    it("removes an author's messages in batches: content, versions, mentions, search entries and files, once each", async () => {
      const { storage, alice } = fx;
      const carol = await account("carol");
      const { channel: one } = await storage.createChannel({
        name: "one",
        topic: "",
        owner: carol,
      });
      const { channel: two } = await storage.createChannel({
        name: "two",
        topic: "",
        owner: alice,
      });
      await storage.addMember(two.id, carol.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: carol,
      });
      for (const i of [1, 2, 3]) await post(storage, one.id, carol, `zanzibar one ${i}`);
      const other = await post(storage, two.id, carol, "zanzibar two @alice");
      await post(storage, two.id, alice, "zanzibar from alice");
      await storage.editMessage(
        {
          channelId: two.id,
          messageId: other.id,
          actor: carol,
          nonce: "e",
          content: "zanzibar edited",
          version: 1,
        },
        () => {},
      );
      const first = await storage.removeAuthorMessages(carol.id, alice, "account deleted", 3);
      expect(first).toHaveLength(3);
      const rest = await storage.removeAuthorMessages(carol.id, alice, "account deleted", 3);
      expect(rest.map((r) => r.channelId)).toEqual([two.id]);
      expect(rest[0]!.event).toMatchObject({
        t: EventType.MessageDeleted,
        m: other.id,
        mod: true,
        rs: "account deleted",
        a: alice.id,
      });
      expect(await storage.removeAuthorMessages(carol.id, alice, "account deleted", 3)).toEqual([]);
      expect(await storage.userMessages(carol.id, undefined, 10)).toEqual([]);
      expect(await storage.messageVersions(two.id, other.id)).toBe(undefined);
      const found = await storage.searchMessages({
        userId: alice.id,
        query: parseSearchQuery("zanzibar"),
        limit: 10,
      });
      expect(found.map((r) => r.content)).toEqual(["zanzibar from alice"]);
      // No channel audit row per message: the admin audit records the removal once.
      expect(await storage.auditLog({ channelId: two.id }, 10)).toEqual([]);
    });

    it("lists guests idle since a time, the longest idle first, not deleted ones", async () => {
      const { storage, bob } = fx;
      const g2 = await createUser(storage, {
        username: "guest-zz0002",
        passwordHash: null,
        isGuest: true,
      });
      const later = Date.now() + 1000;
      expect((await storage.idleGuests(later, 10)).map((u) => u.id)).toEqual([bob.id, g2.id]);
      expect((await storage.idleGuests(later, 1)).map((u) => u.id)).toEqual([bob.id]);
      expect(await storage.idleGuests(0, 10)).toEqual([]);
      await storage.deleteUserAudited(bob.id, change("delete", bob));
      expect((await storage.idleGuests(later, 10)).map((u) => u.id)).toEqual([g2.id]);
    });
  });
}
