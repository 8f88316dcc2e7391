import { EventType, type MessageEvent, MessageKind, Role } from "@parley/protocol";
import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParleyError } from "../errors";
import type { NewUser } from "./account-store";
import type { Actor, Storage, UserRow } from "./storage";

/** Creates a user as sign-up does (with a first session, whose token hash names the user). */
async function createUser(storage: Storage, input: NewUser): Promise<UserRow> {
  return (await storage.createUserWithSession(input, `seed-${input.username}`)).user;
}

/**
 * The Storage contract, run against every implementation. `open` returns a fresh, empty,
 * migrated storage; `reopen` (when the implementation is persistent) the same data anew.
 */
export function storageContract(name: string, open: () => Promise<Storage>) {
  describe(`${name} › Storage contract`, () => {
    let storage: Storage;
    let alice: Actor;
    let bob: Actor;
    beforeEach(async () => {
      storage = await open();
      const a = await createUser(storage, { username: "alice", passwordHash: "h", isGuest: false });
      const b = await createUser(storage, { username: "bob", passwordHash: null, isGuest: true });
      alice = { id: a.id, name: a.username };
      bob = { id: b.id, name: b.username };
    });
    afterEach(() => storage.close());

    it("refuses a username that differs only in case", async () => {
      await expect(
        createUser(storage, { username: "ALICE", passwordHash: null, isGuest: true }),
      ).rejects.toMatchObject({
        errorName: "USERNAME_TAKEN",
      });
      expect((await storage.findUserByName("Alice"))?.id).toBe(alice.id);
    });

    it("creates a user with its session in one transaction, or neither", async () => {
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

    it("creates a channel whose owner's join is seq 1, and refuses a duplicate name", async () => {
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

    it("assigns contiguous seqs to concurrent writers of every kind", async () => {
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        writes.push(
          storage.appendMessages([
            {
              channelId: channel.id,
              author: alice,
              nonce: `a${i}`,
              content: `${i}`,
              kind: MessageKind.Text,
            },
          ]),
        );
        writes.push(
          storage.appendMessages([
            {
              channelId: channel.id,
              author: bob,
              nonce: `b${i}`,
              content: `${i}`,
              kind: MessageKind.Text,
            },
            {
              channelId: channel.id,
              author: bob,
              nonce: `c${i}`,
              content: `${i}`,
              kind: MessageKind.Text,
            },
          ]),
        );
      }
      await Promise.all(writes);
      const events = await storage.eventsAfter(channel.id, 0, 1000);
      expect(events.map((e) => e.s)).toEqual(Array.from({ length: 152 }, (_, i) => i + 1));
      expect((await storage.getChannel(channel.id))?.lastSeq).toBe(152);
    });

    it("stores a large mixed batch in order, refusing only what breaks a rule", async () => {
      const { channel: a } = await storage.createChannel({ name: "a", topic: "", owner: alice });
      const { channel: b } = await storage.createChannel({ name: "b", topic: "", owner: alice });
      const { channel: slow } = await storage.createChannel({ name: "s", topic: "", owner: alice });
      for (const c of [a, b, slow])
        await storage.addMember(c.id, bob.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: bob,
        });
      await storage.setSlowMode(slow.id, 60, alice);
      await storage.mute({ channelId: b.id, actor: alice, target: bob, until: null });
      const [stored] = await storage.appendMessages([
        {
          channelId: a.id,
          author: alice,
          nonce: "early",
          content: "early",
          kind: MessageKind.Text,
        },
      ]);
      const message = (channelId: number, author: Actor, nonce: string) => ({
        channelId,
        author,
        nonce,
        content: `${channelId}/${nonce}`,
        kind: MessageKind.Text,
      });
      const batch = [
        ...Array.from({ length: 40 }, (_, i) => message(a.id, i % 2 ? alice : bob, `a${i}`)),
        message(b.id, alice, "b0"),
        message(b.id, bob, "muted"),
        message(a.id, alice, "early"), // a retry of the message stored above
        ...Array.from({ length: 30 }, (_, i) => message(b.id, alice, `b${i + 1}`)),
        message(slow.id, bob, "slow1"),
        message(slow.id, bob, "slow2"), // 60 s slow mode: refused
      ];
      const results = await storage.appendMessages(batch);
      expect(results).toHaveLength(batch.length);
      results.forEach((r, i) => {
        const m = batch[i]!;
        if (m.nonce === "muted")
          expect(r).toMatchObject({ ok: false, error: { errorName: "MUTED" } });
        else if (m.nonce === "slow2")
          expect(r).toMatchObject({ ok: false, error: { errorName: "SLOW_MODE" } });
        else if (m.nonce === "early") expect(r).toEqual({ ...stored, duplicate: true });
        else {
          expect(r).toMatchObject({
            ok: true,
            duplicate: false,
            event: { x: m.content, n: m.nonce },
          });
        }
      });
      // Each channel's messages got consecutive seqs in the order of the batch.
      for (const c of [a, b, slow]) {
        const events = (await storage.eventsAfter(c.id, 0, 1000)).filter(
          (e) => e.t === EventType.MessagePosted,
        );
        const expected = batch
          .map((m, i) => ({ m, r: results[i]! }))
          .filter(({ m, r }) => m.channelId === c.id && r.ok && !r.duplicate)
          .map(({ m }) => m.content);
        if (c.id === a.id) expected.unshift("early");
        expect(events.map((e) => (e as { x: string }).x)).toEqual(expected);
        const seqs = events.map((e) => e.s);
        expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));
        expect((await storage.getChannel(c.id))?.lastSeq).toBe(seqs.at(-1));
      }
    });

    it("stores a nonce once per author and returns the original on a retry", async () => {
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const msg = {
        channelId: channel.id,
        author: alice,
        nonce: "same",
        content: "first",
        kind: MessageKind.Text,
      };
      const [first] = await storage.appendMessages([msg]);
      const [again, inBatch] = await storage.appendMessages([{ ...msg, content: "second" }, msg]);
      expect(first).toMatchObject({ ok: true, duplicate: false });
      expect(again).toMatchObject({ ok: true, duplicate: true });
      expect(inBatch).toMatchObject({ ok: true, duplicate: true });
      if (first?.ok && again?.ok)
        expect(again.event).toMatchObject({ s: first.event.s, i: first.event.i, x: "first" });
      expect(
        (await storage.eventsAfter(channel.id, 0, 10)).filter(
          (e) => e.t === EventType.MessagePosted,
        ),
      ).toHaveLength(1);
    });

    it("fails one bad message of a batch without failing the others", async () => {
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const results = await storage.appendMessages([
        {
          channelId: channel.id,
          author: alice,
          nonce: "ok1",
          content: "a",
          kind: MessageKind.Text,
        },
        { channelId: 999_999, author: alice, nonce: "bad", content: "b", kind: MessageKind.Text },
        {
          channelId: channel.id,
          author: alice,
          nonce: "ok2",
          content: "c",
          kind: MessageKind.Text,
        },
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    });

    it("adds and removes reactions atomically with their events", async () => {
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const [r] = await storage.appendMessages([
        { channelId: channel.id, author: alice, nonce: "n", content: "x", kind: MessageKind.Text },
      ]);
      const messageId = r?.ok ? r.event.i : 0;
      // A message's reactions, as history shows them.
      const reactions = async () =>
        (await storage.history(channel.id, { limit: 10 })).e.find(
          (e): e is MessageEvent => e.t === EventType.MessagePosted && e.i === messageId,
        )?.r;
      expect(await storage.addReaction(channel.id, messageId, "👍", bob, 20)).toMatchObject({
        t: EventType.ReactionAdded,
        m: messageId,
        e: "👍",
      });
      expect(await storage.addReaction(channel.id, messageId, "👍", bob, 20)).toBeUndefined();
      expect(await reactions()).toEqual([{ e: "👍", u: [{ i: bob.id, n: "bob" }] }]);
      await expect(storage.removeReaction(channel.id, messageId, "👎", bob)).rejects.toMatchObject({
        errorName: "NO_SUCH_REACTION",
      });
      await expect(
        storage.addReaction(channel.id + 1, messageId, "👍", bob, 20),
      ).rejects.toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
      const seqBefore = (await storage.getChannel(channel.id))!.lastSeq;
      await expect(storage.addReaction(channel.id, messageId, "new", bob, 1)).rejects.toMatchObject(
        { errorName: "TOO_MANY_REACTIONS" },
      );
      expect((await storage.getChannel(channel.id))!.lastSeq).toBe(seqBefore);
      await storage.removeReaction(channel.id, messageId, "👍", bob);
      expect(await reactions()).toBeUndefined();
    });

    it("leaves reaction events out of history pages but replays them", async () => {
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const [r] = await storage.appendMessages([
        { channelId: channel.id, author: alice, nonce: "n", content: "x", kind: MessageKind.Text },
      ]);
      const messageId = r?.ok ? r.event.i : 0;
      await storage.addReaction(channel.id, messageId, "👍", alice, 20);
      const page = await storage.history(channel.id, { limit: 50 });
      expect(page.e.map((e) => e.t)).toEqual([EventType.MemberJoined, EventType.MessagePosted]);
      const snapshot = await storage.snapshot(channel.id, 50);
      expect(snapshot.lastSeq).toBe(3);
      expect((await storage.eventsAfter(channel.id, 2, 10)).map((e) => e.t)).toEqual([
        EventType.ReactionAdded,
      ]);
    });

    it("refuses every write by a non-member inside the write: messages, batches, reactions", async () => {
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const join = { type: EventType.MemberJoined, actor: bob } as const;
      const text = (author: Actor, nonce: string) => ({
        channelId: channel.id,
        author,
        nonce,
        content: nonce,
        kind: MessageKind.Text,
      });
      // Never a member: refused alone, beside a member's message in the same batch.
      const [stranger, member] = await storage.appendMessages([text(bob, "b1"), text(alice, "a1")]);
      expect(stranger).toMatchObject({ ok: false, error: { errorName: "NOT_A_MEMBER" } });
      expect(member?.ok).toBe(true);
      expect(await storage.standing(channel.id, bob.id)).toBeUndefined();
      const messageId = member?.ok ? member.event.i : 0;
      await expect(storage.addReaction(channel.id, messageId, "👍", bob, 20)).rejects.toMatchObject(
        {
          errorName: "NOT_A_MEMBER",
        },
      );
      // A member, then kicked: the next write is refused at once, and nothing took a seq.
      await storage.addMember(channel.id, bob.id, Role.Member, join);
      expect(await storage.standing(channel.id, bob.id)).toEqual({ role: Role.Member });
      const [joined] = await storage.appendMessages([text(bob, "b2")]);
      expect(joined?.ok).toBe(true);
      await storage.addReaction(channel.id, messageId, "👍", bob, 20);
      const [kick] = await storage.kick({ channelId: channel.id, actor: alice, target: bob });
      const after = await storage.appendMessages([text(bob, "b3"), text(bob, "b4")]);
      expect(after.map((r) => (r.ok ? "ok" : (r.error as ParleyError).errorName))).toEqual([
        "NOT_A_MEMBER",
        "NOT_A_MEMBER",
      ]);
      await expect(storage.removeReaction(channel.id, messageId, "👍", bob)).rejects.toMatchObject({
        errorName: "NOT_A_MEMBER",
      });
      expect((await storage.getChannel(channel.id))!.lastSeq).toBe(kick!.s);
      // Back again: writes go through.
      await storage.addMember(channel.id, bob.id, Role.Member, join);
      const [back] = await storage.appendMessages([text(bob, "b5")]);
      expect(back?.ok).toBe(true);
    });

    it("membership changes are idempotent and stored as events", async () => {
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
      expect(
        (await storage.listChannels({ limit: 10, search: "C" })).map((c) => c.memberCount),
      ).toEqual([1]);
    });

    it("keeps one mute row per user: muting again updates it; a muted author cannot write", async () => {
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
      expect((await storage.auditLog(channel.id, 10)).map((e) => e.action)).toEqual([
        "unmute",
        "mute",
        "mute",
      ]);
    });

    it("lifts an expired mute or ban once, with its event by the system", async () => {
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

    it("hands ownership to the longest-standing member when the owner leaves", async () => {
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

    it("changes roles, topic and slow mode with events; slow mode spaces a member's messages", async () => {
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

    it("reads the last seq of several channels at once", async () => {
      const { channel: a } = await storage.createChannel({ name: "a", topic: "", owner: alice });
      const { channel: b } = await storage.createChannel({ name: "b", topic: "", owner: alice });
      await storage.addMember(b.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      expect(await storage.lastSeqs([a.id, b.id, 999_999])).toEqual(
        new Map([
          [a.id, 1],
          [b.id, 2],
        ]),
      );
      expect(await storage.lastSeqs([])).toEqual(new Map());
      expect(await storage.memberLastSeqs(bob.id)).toEqual(new Map([[b.id, 2]]));
      expect(await storage.memberLastSeqs(alice.id)).toEqual(
        new Map([
          [a.id, 1],
          [b.id, 2],
        ]),
      );
    });

    it("finds live sessions only and revokes them", async () => {
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
      await expect(storage.upgradeGuest(bob.id, "h", "Alice")).rejects.toMatchObject({
        errorName: "USERNAME_TAKEN",
      });
      expect(await storage.getUser(bob.id)).toMatchObject({ username: "bob", isGuest: true });
      const renamed = await storage.upgradeGuest(bob.id, "h", "Robert");
      expect(renamed).toMatchObject({ id: bob.id, username: "Robert", isGuest: false });
      expect((await storage.findUserByName("robert"))?.id).toBe(bob.id);
      expect(await storage.findUserByName("bob")).toBeUndefined();
    });

    it("creates missing default channels once, with no member, and returns them in order", async () => {
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

    it("finds memberships of guests not seen since a time, oldest first", async () => {
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

/**
 * What migration 0004 (name keys) does to a database an older release left: `openOld` returns
 * a database migrated up to the named migration, and `reopen` opens it as a storage (which
 * migrates it to the latest).
 */
export function nameKeyMigrationContract(
  name: string,
  openOld: (upTo: string) => Promise<{
    db: Kysely<Record<string, Record<string, unknown>>>;
    reopen: () => Promise<Storage>;
  }>,
) {
  describe(`${name} › name-key migration`, () => {
    it("rekeys existing names; of look-alikes the oldest keeps the name, the others stay usable", async () => {
      const { db, reopen } = await openOld("0003_server_bans");
      const user = (username: string) => ({
        username,
        username_lower: username.toLowerCase(),
        password_hash: null,
        is_guest: 1,
        created_at: 1,
      });
      await db
        .insertInto("users")
        .values([user("alice"), user("bob")])
        .execute();
      const channel = (name: string) => ({
        name,
        name_lower: name.toLowerCase(),
        topic: "",
        created_by: 1,
        created_at: 1,
        last_seq: 0,
        slow_mode: 0,
      });
      // Distinct under the old lower-case keys, alike under the new ones.
      await db
        .insertInto("channels")
        .values([channel("Ｌｏｂｂｙ"), channel("lobby"), channel("Straße"), channel("café")])
        .execute();
      await db.destroy();

      const storage = await reopen();
      try {
        const names = async (search: string) =>
          (await storage.listChannels({ search, limit: 10 })).map((c) => c.name);
        expect(await names("lobby")).toEqual(["Ｌｏｂｂｙ", "lobby"]);
        for (const taken of ["LOBBY", "Lobby", "STRASSE", "CAFÉ", "cafe\u0301"]) {
          await expect(
            storage.createChannel({ name: taken, topic: "", owner: { id: 1, name: "alice" } }),
          ).rejects.toMatchObject({ errorName: "CHANNEL_NAME_TAKEN" });
        }
        expect((await storage.getChannel(2))?.name).toBe("lobby");
        expect((await storage.findUserByName("ALICE"))?.id).toBe(1);
        await storage.createChannel({ name: "lobby 2", topic: "", owner: { id: 2, name: "bob" } });
      } finally {
        await storage.close();
      }
    });
  });
}
