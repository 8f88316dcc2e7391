import { EventType, type MessageEvent, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { type Open, storageFixture } from "./contract-fixture";

/** The {@link EventLog} contract (event log), run against every implementation. */
export function eventLogContract(name: string, open: Open) {
  describe(`${name} › EventLog contract`, () => {
    const fx = storageFixture(open);

    it("adds and removes reactions atomically with their events", async () => {
      const { storage, alice, bob } = fx;
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
      const { storage, alice } = fx;
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

    it("reads the last seq of several channels at once", async () => {
      const { storage, alice, bob } = fx;
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
  });
}
