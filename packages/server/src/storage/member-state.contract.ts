import { EventType, NotifyLevel, type ReadState, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { type Open, storageFixture } from "./contract-fixture";
import { post } from "./message-store.contract";

/** The {@link MemberStateStore} contract, run against every implementation. */
export function memberStateContract(name: string, open: Open) {
  describe(`${name} › MemberStateStore contract`, () => {
    const fx = storageFixture(open);

    /** A channel of alice's that bob joined after alice's first message. */
    async function setup() {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const before = await post(storage, channel.id, alice, "before bob");
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      return { c: channel.id, before };
    }

    const stateOf = async (userId: number, c: number): Promise<ReadState | undefined> =>
      (await fx.storage.memberStates(userId)).get(c)?.read;

    it("starts a membership read up to its join, with nothing unread", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      expect(await stateOf(bob.id, c)).toEqual({ c, rs: 3, ls: 3, uc: 0, um: 0 });
      // The owner's membership starts at the channel's creation; its own message is not unread.
      expect(await stateOf(alice.id, c)).toEqual({ c, rs: 1, ls: 3, uc: 0, um: 0 });
      expect((await storage.memberStates(bob.id)).size).toBe(1);
    });

    it("counts others' messages after the marker, exactly, and not joins or reactions", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      const first = await post(storage, c, alice, "one");
      await post(storage, c, bob, "bob's own");
      await storage.addReaction(c, first.id, "👍", alice, 20);
      const second = await post(storage, c, alice, "two");
      const { channel: other } = await storage.createChannel({
        name: "other",
        topic: "",
        owner: alice,
      });
      await storage.addMember(other.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const states = await storage.memberStates(bob.id);
      expect(states.get(c)?.read).toEqual({
        c,
        rs: 3,
        ls: second.seq,
        uc: 2,
        um: 0,
        fu: first.seq,
      });
      expect(states.get(other.id)?.read).toEqual({ c: other.id, rs: 2, ls: 2, uc: 0, um: 0 });
    });

    it("leaves deleted messages out of the count and the first unread", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      const gone = await post(storage, c, alice, "gone");
      const kept = await post(storage, c, alice, "kept");
      await storage.deleteMessage(
        { channelId: c, messageId: gone.id, actor: alice, nonce: "d" },
        () => ({
          moderator: false,
        }),
      );
      expect(await stateOf(bob.id, c)).toMatchObject({ uc: 1, um: 0, fu: kept.seq });
    });

    it("moves the marker forward only, clamped to the channel's last seq", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      const one = await post(storage, c, alice, "one");
      const two = await post(storage, c, alice, "two");
      const three = await post(storage, c, alice, "three");
      expect(await storage.markRead(bob.id, c, two.seq)).toEqual({
        c,
        rs: two.seq,
        ls: three.seq,
        uc: 1,
        um: 0,
        fu: three.seq,
      });
      // Back is no move.
      expect(await storage.markRead(bob.id, c, one.seq)).toMatchObject({
        rs: two.seq,
        uc: 1,
        um: 0,
      });
      // Beyond the end is the end.
      expect(await storage.markRead(bob.id, c, three.seq + 100)).toEqual({
        c,
        rs: three.seq,
        ls: three.seq,
        uc: 0,
        um: 0,
      });
      expect(await stateOf(bob.id, c)).toEqual({ c, rs: three.seq, ls: three.seq, uc: 0, um: 0 });
      // A later message is unread again.
      const four = await post(storage, c, alice, "four");
      expect(await stateOf(bob.id, c)).toMatchObject({ uc: 1, um: 0, fu: four.seq });
    });

    it("has no marker for a non-member, and a rejoin starts afresh", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      await post(storage, c, alice, "unread");
      await storage.removeMember(c, bob.id, { type: EventType.MemberLeft, actor: bob });
      expect(await storage.markRead(bob.id, c, 1)).toBeUndefined();
      expect(await stateOf(bob.id, c)).toBeUndefined();
      await post(storage, c, alice, "while away");
      const rejoin = await storage.addMember(c, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      expect(await stateOf(bob.id, c)).toEqual({ c, rs: rejoin!.s, ls: rejoin!.s, uc: 0, um: 0 });
    });

    it("keeps a notification level per member, mentions by default, dropped on leave", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      const levelOf = async (userId: number) => (await storage.memberStates(userId)).get(c)?.notify;
      expect(await levelOf(bob.id)).toBe(NotifyLevel.Mentions);
      expect(await storage.setNotifyLevel(bob.id, c, NotifyLevel.None)).toBe(true);
      expect(await levelOf(bob.id)).toBe(NotifyLevel.None);
      expect(await levelOf(alice.id)).toBe(NotifyLevel.Mentions);
      await storage.removeMember(c, bob.id, { type: EventType.MemberLeft, actor: bob });
      expect(await storage.setNotifyLevel(bob.id, c, NotifyLevel.All)).toBe(false);
      await storage.addMember(c, bob.id, Role.Member, { type: EventType.MemberJoined, actor: bob });
      expect(await levelOf(bob.id)).toBe(NotifyLevel.Mentions);
    });
  });
}
