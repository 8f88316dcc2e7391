import { EventType, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { type Open, storageFixture } from "./contract-fixture";

/** The {@link ModerationStore} contract (moderation), run against every implementation. */
export function moderationStoreContract(name: string, open: Open) {
  describe(`${name} › ModerationStore contract`, () => {
    const fx = storageFixture(open);

    it("adds and removes a channel's blocked and held words once each, with their events, and refuses past the limit", async () => {
      const { storage, alice } = fx;
      const { channel } = await storage.createChannel({ name: "w", topic: "", owner: alice });
      const { channel: other } = await storage.createChannel({
        name: "v",
        topic: "",
        owner: alice,
      });
      const none = { blocked: [], held: [] };
      expect(await storage.channelWords(channel.id)).toEqual(none);
      const added = await storage.changeChannelWords(channel.id, { add: "scam" }, alice, 3);
      expect(added.words).toEqual({ blocked: ["scam"], held: [] });
      expect(added.event).toMatchObject({
        t: EventType.BlockedWordsChanged,
        bw: 1,
        hw: 0,
        a: alice.id,
      });
      const again = await storage.changeChannelWords(channel.id, { add: "scam" }, alice, 3);
      expect(again).toEqual({ words: { blocked: ["scam"], held: [] } });
      await storage.changeChannelWords(channel.id, { add: "spam*" }, alice, 3);
      const held = await storage.changeChannelWords(
        channel.id,
        { add: "crypto", hold: true },
        alice,
        3,
      );
      expect(held.event).toMatchObject({ bw: 2, hw: 1 });
      await expect(
        storage.changeChannelWords(channel.id, { add: "fourth", hold: true }, alice, 3),
      ).rejects.toMatchObject({ errorName: "LIMIT_REACHED" });
      // Moving an entry to the other list is no new entry: allowed at the limit.
      const moved = await storage.changeChannelWords(
        channel.id,
        { add: "scam", hold: true },
        alice,
        3,
      );
      expect(moved.words).toEqual({ blocked: ["spam*"], held: ["crypto", "scam"] });
      expect(await storage.channelWords(channel.id)).toEqual(moved.words);
      expect(await storage.channelWords(other.id)).toEqual(none);
      const removed = await storage.changeChannelWords(channel.id, { remove: "scam" }, alice, 3);
      expect(removed.words).toEqual({ blocked: ["spam*"], held: ["crypto"] });
      expect(removed.event).toMatchObject({ bw: 1, hw: 1 });
      expect(await storage.changeChannelWords(channel.id, { remove: "scam" }, alice, 3)).toEqual({
        words: { blocked: ["spam*"], held: ["crypto"] },
      });
      const log = await storage.auditLog({ channelId: channel.id }, 10);
      expect(log.map((e) => e.reason)).toEqual(
        expect.arrayContaining(["block scam", "hold crypto", "hold scam", "unblock scam"]),
      );
      expect(await storage.channelWords(999_999)).toEqual(none);
    });

    it("keeps one mute row per user: muting again updates it; a muted author cannot write", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const mod = { channelId: channel.id, actor: alice, target: bob };
      await storage.mute({ ...mod, reason: "spam", until: Date.now() + 60_000 });
      await storage.mute({ ...mod, reason: "still spam", until: null });
      expect(await storage.standing(channel.id, bob.id)).toEqual({
        role: Role.Member,
        mute: { until: null, reason: "still spam" },
      });
      const [refused] = await storage.appendMessages([
        { channelId: channel.id, author: bob, nonce: "m", content: "hi", kind: MessageKind.Text },
      ]);
      expect(refused).toMatchObject({ ok: false, error: { errorName: "MUTED" } });
      expect(await storage.unmute(mod)).toMatchObject({ t: EventType.MemberUnmuted, u: bob.id });
      expect(await storage.unmute(mod)).toBeUndefined();
      const [ok] = await storage.appendMessages([
        { channelId: channel.id, author: bob, nonce: "m", content: "hi", kind: MessageKind.Text },
      ]);
      expect(ok?.ok).toBe(true);
      expect((await storage.auditLog({ channelId: channel.id }, 10)).map((e) => e.action)).toEqual([
        "unmute",
        "mute",
        "mute",
      ]);
    });

    it("lifts an expired mute or ban once, with its event by the system", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const past = Date.now() - 1;
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      await storage.mute({ channelId: channel.id, actor: alice, target: bob, until: past });
      // An expired mute is no mute, before the sweep has lifted it too.
      expect(await storage.standing(channel.id, bob.id)).toEqual({ role: Role.Member });
      await storage.ban({ channelId: channel.id, actor: alice, target: bob, until: past });
      expect(await storage.nextExpiry()).toBe(past);
      const [first, second] = await Promise.all([
        storage.expireRestrictions(Date.now()),
        storage.expireRestrictions(Date.now()),
      ]);
      const lifted = [...(first ?? []), ...(second ?? [])].map((x) => x.event);
      expect(lifted.map((e) => e.t).sort()).toEqual([
        EventType.MemberUnbanned,
        EventType.MemberUnmuted,
      ]);
      expect(lifted.every((e) => e.a === 0)).toBe(true);
      expect(await storage.nextExpiry()).toBeUndefined();
    });

    it("bans: removes the member, records it, and lifts on unban", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const events = await storage.ban({
        channelId: channel.id,
        actor: alice,
        target: bob,
        reason: "rude",
      });
      expect(events).toMatchObject([{ t: EventType.MemberBanned, u: bob.id, rs: "rude" }]);
      expect(await storage.memberRole(channel.id, bob.id)).toBeUndefined();
      expect(await storage.activeBan(channel.id, bob.id)).toEqual({ until: null, reason: "rude" });
      expect(
        await storage.unban({ channelId: channel.id, actor: alice, target: bob }),
      ).toMatchObject({ t: EventType.MemberUnbanned });
      expect(await storage.activeBan(channel.id, bob.id)).toBeUndefined();
    });

    it("changes roles, topic and slow mode with events; slow mode spaces a member's messages", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      expect(
        await storage.setRole({ channelId: channel.id, actor: alice, target: bob }, Role.Moderator),
      ).toMatchObject({
        t: EventType.RoleChanged,
        rl: Role.Moderator,
      });
      expect(
        await storage.setRole({ channelId: channel.id, actor: alice, target: bob }, Role.Moderator),
      ).toBeUndefined();
      expect(await storage.setTopic(channel.id, "new topic", alice)).toMatchObject({
        t: EventType.TopicChanged,
        tp: "new topic",
      });
      expect(await storage.setSlowMode(channel.id, 60, alice)).toMatchObject({
        t: EventType.SlowModeChanged,
        sl: 60,
      });
      expect(await storage.getChannel(channel.id)).toMatchObject({
        topic: "new topic",
        slowMode: 60,
      });
      const send = (nonce: string, exempt: boolean) =>
        storage.appendMessages([
          {
            channelId: channel.id,
            author: bob,
            nonce,
            content: "x",
            kind: MessageKind.Text,
            slowModeExempt: exempt,
          },
        ]);
      expect((await send("1", false))[0]?.ok).toBe(true);
      const [second] = await send("2", false);
      expect(second).toMatchObject({ ok: false, error: { errorName: "SLOW_MODE" } });
      expect(
        (second as unknown as { error: { detail: { retryAfterMs: number } } }).error.detail
          .retryAfterMs,
      ).toBeGreaterThan(55_000);
      expect((await send("3", true))[0]?.ok).toBe(true);
    });
  });
}
