import { EventType, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ParleyError } from "../errors";
import { createUser, type Open, storageFixture } from "./contract-fixture";

/** The {@link ChannelStore} contract (channels and members), run against every implementation. */
export function channelStoreContract(name: string, open: Open) {
  describe(`${name} › ChannelStore contract`, () => {
    const fx = storageFixture(open);

    it("creates a channel whose owner's join is seq 1, and refuses a duplicate name", async () => {
      const { storage, alice, bob } = fx;
      const { channel, event } = await storage.createChannel({
        name: "General",
        topic: "",
        owner: alice,
      });
      expect(event).toMatchObject({ s: 1, t: EventType.MemberJoined, a: alice.id });
      expect(channel.lastSeq).toBe(1);
      expect(await storage.memberRole(channel.id, alice.id)).toBe(Role.Owner);
      await expect(
        storage.createChannel({ name: "general", topic: "", owner: bob }),
      ).rejects.toBeInstanceOf(ParleyError);
    });

    it("keys names by NFKC and case folding, so look-alike forms of a taken name are refused", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "Lobby", topic: "", owner: alice });
      for (const name of ["Ｌｏｂｂｙ", "LOBBY", "ｌｏｂｂｙ"]) {
        await expect(
          storage.createChannel({ name, topic: "", owner: alice }),
        ).rejects.toMatchObject({ errorName: "CHANNEL_NAME_TAKEN" });
      }
      await storage.createChannel({ name: "Straße", topic: "", owner: alice });
      await expect(
        storage.createChannel({ name: "STRASSE", topic: "", owner: bob }),
      ).rejects.toMatchObject({ errorName: "CHANNEL_NAME_TAKEN" });
      // Search folds the query the same way.
      const found = await storage.listChannels({ search: "ＬＯＢ", limit: 10 });
      expect(found.map((c) => c.id)).toEqual([channel.id]);
      expect((await storage.findUserByName("ＡＬＩＣＥ"))?.id).toBe(alice.id);
    });

    it("reads what a join checks in one read: the channel, role, ban in force and the counts", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "checked", topic: "", owner: alice });
      await storage.createChannel({ name: "other", topic: "", owner: bob });
      expect(await storage.joinCheck(channel.id + 100, bob.id)).toBeUndefined();
      // A non-member: no role, no ban, both counts.
      expect(await storage.joinCheck(channel.id, bob.id)).toEqual({
        channel: await storage.getChannel(channel.id),
        userChannels: 1,
        members: 1,
      });
      // A member: the role, and no counts (a member's join checks no cap).
      expect(await storage.joinCheck(channel.id, alice.id)).toMatchObject({
        role: Role.Owner,
        userChannels: 0,
        members: 0,
      });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const until = Date.now() + 60_000;
      await storage.ban({
        channelId: channel.id,
        actor: alice,
        target: bob,
        until,
        reason: "spam",
      });
      const banned = await storage.joinCheck(channel.id, bob.id);
      expect(banned?.ban).toEqual({ until, reason: "spam" });
      expect(banned?.role).toBeUndefined();
      expect(banned?.members).toBe(1);
      // An ended ban is none, before the sweep lifts it.
      await storage.ban({
        channelId: channel.id,
        actor: alice,
        target: bob,
        until: Date.now() - 1,
      });
      expect((await storage.joinCheck(channel.id, bob.id))?.ban).toBeUndefined();
    });

    it("membership changes are idempotent and stored as events", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const join = { type: EventType.MemberJoined, actor: bob } as const;
      expect(await storage.addMember(channel.id, bob.id, Role.Member, join)).toMatchObject({
        s: 2,
      });
      expect(await storage.addMember(channel.id, bob.id, Role.Member, join)).toBeUndefined();
      expect((await storage.members(channel.id)).map((m) => m.user.username)).toEqual([
        "alice",
        "bob",
      ]);
      expect(
        await storage.removeMember(channel.id, bob.id, { type: EventType.MemberLeft, actor: bob }),
      ).toMatchObject([{ s: 3 }]);
      expect(
        await storage.removeMember(channel.id, bob.id, { type: EventType.MemberLeft, actor: bob }),
      ).toEqual([]);
      expect((await storage.userChannels(bob.id)).length).toBe(0);
      expect((await storage.memberIds([channel.id])).get(channel.id)).toEqual([alice.id]);
    });

    it("pages members in name order by one index range, finds them by name prefix, follows renames, and counts them", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "big", topic: "", owner: alice });
      const names = ["Zed", "mallory", "Erin", "dave", "Ｃarl", "erika"];
      const ids = new Map<string, number>();
      for (const n of names) {
        const u = await createUser(storage, { username: n, passwordHash: "h", isGuest: false });
        ids.set(n, u.id);
        await storage.addMember(channel.id, u.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: { id: u.id, name: n },
        });
      }
      const names_ = (rows: { user: { username: string } }[]) => rows.map((r) => r.user.username);
      const all = names_(await storage.members(channel.id));
      expect(all).toEqual(["alice", "Ｃarl", "dave", "erika", "Erin", "mallory", "Zed"]);
      const first = await storage.members(channel.id, { limit: 3 });
      expect(names_(first)).toEqual(["alice", "Ｃarl", "dave"]);
      const next = await storage.members(channel.id, { after: "dave", limit: 3 });
      expect(names_(next)).toEqual(["erika", "Erin", "mallory"]);
      expect(names_(await storage.members(channel.id, { after: "mallory", limit: 3 }))).toEqual([
        "Zed",
      ]);
      expect(names_(await storage.members(channel.id, { prefix: "er", limit: 10 }))).toEqual([
        "erika",
        "Erin",
      ]);
      expect(await storage.members(channel.id, { prefix: "q", limit: 10 })).toEqual([]);
      // A guest's upgrade under a new name moves it in the order.
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      await storage.upgradeGuest(bob.id, "hash", "aaron");
      expect(names_(await storage.members(channel.id, { limit: 1 }))).toEqual(["aaron"]);
      const counts = await storage.memberCounts([channel.id, 999_999]);
      expect([...counts]).toEqual([
        [channel.id, 8],
        [999_999, 0],
      ]);
    });

    it("hands ownership to the longest-standing member when the owner leaves", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const events = await storage.removeMember(channel.id, alice.id, {
        type: EventType.MemberLeft,
        actor: alice,
      });
      expect(events.map((e) => e.t)).toEqual([EventType.MemberLeft, EventType.RoleChanged]);
      expect(events[1]).toMatchObject({ u: bob.id, rl: Role.Owner, a: 0 });
      expect(await storage.memberRole(channel.id, bob.id)).toBe(Role.Owner);
    });

    it("creates missing default channels once, with no member, and returns them in order", async () => {
      const { storage, alice } = fx;
      const { channel: existing } = await storage.createChannel({
        name: "Lobby",
        topic: "hi",
        owner: alice,
      });
      const [first, second] = await Promise.all([
        storage.ensureChannels(["general", "lobby", "Random"]),
        storage.ensureChannels(["general", "lobby", "Random"]),
      ]);
      expect(first!.map((c) => c.name)).toEqual(["general", "Lobby", "Random"]);
      expect(second!.map((c) => c.id)).toEqual(first!.map((c) => c.id));
      expect(first![1]!.id).toBe(existing.id);
      expect(first![0]).toMatchObject({ lastSeq: 0, topic: "" });
      expect(await storage.memberCount(first![0]!.id)).toBe(0);
      const listed = await storage.listChannels({ limit: 10 });
      expect(listed.map((c) => c.name).sort()).toEqual(["Lobby", "Random", "general"]);
      expect(await storage.ensureChannels([])).toEqual([]);
    });
  });
}
