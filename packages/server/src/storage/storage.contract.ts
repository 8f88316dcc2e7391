import { EventType, MessageKind, Role } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParleyError } from "../errors";
import type { Actor, Storage } from "./storage";

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
      const a = await storage.createUser({ username: "alice", passwordHash: "h", isGuest: false });
      const b = await storage.createUser({ username: "bob", passwordHash: null, isGuest: true });
      alice = { id: a.id, name: a.username };
      bob = { id: b.id, name: b.username };
    });
    afterEach(() => storage.close());

    it("refuses a username that differs only in case", async () => {
      await expect(
        storage.createUser({ username: "ALICE", passwordHash: null, isGuest: true }),
      ).rejects.toMatchObject({
        errorName: "USERNAME_TAKEN",
      });
      expect((await storage.findUserByName("Alice"))?.id).toBe(alice.id);
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
      const [r] = await storage.appendMessages([
        { channelId: channel.id, author: alice, nonce: "n", content: "x", kind: MessageKind.Text },
      ]);
      const messageId = r?.ok ? r.event.i : 0;
      expect(await storage.addReaction(channel.id, messageId, "👍", bob, 20)).toMatchObject({
        t: EventType.ReactionAdded,
        m: messageId,
        e: "👍",
      });
      expect(await storage.addReaction(channel.id, messageId, "👍", bob, 20)).toBeUndefined();
      expect(await storage.reactions(messageId)).toEqual([
        { e: "👍", u: [{ i: bob.id, n: "bob" }] },
      ]);
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
      expect(await storage.reactions(messageId)).toEqual([]);
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
      ).toMatchObject({ s: 3 });
      expect(
        await storage.removeMember(channel.id, bob.id, { type: EventType.MemberLeft, actor: bob }),
      ).toBeUndefined();
      expect((await storage.userChannels(bob.id)).length).toBe(0);
      expect(
        (await storage.listChannels({ limit: 10, search: "C" })).map((c) => c.memberCount),
      ).toEqual([1]);
    });

    it("finds live sessions only and revokes them", async () => {
      const s1 = await storage.createSession(alice.id, "hash1");
      const s2 = await storage.createSession(alice.id, "hash2");
      expect((await storage.findSession("hash1"))?.user.id).toBe(alice.id);
      expect(await storage.revokeSession(s1.id)).toBe(alice.id);
      expect(await storage.revokeSession(s1.id)).toBeUndefined();
      expect(await storage.findSession("hash1")).toBeUndefined();
      expect(await storage.revokeUserSessions(alice.id)).toEqual([s2.id]);
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
  });
}
