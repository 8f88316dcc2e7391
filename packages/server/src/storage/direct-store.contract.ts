import { EventType, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { directKey } from "./channel-store";
import { createUser, type Open, storageFixture } from "./contract-fixture";
import type { Actor, Storage } from "./storage";

/**
 * Direct messages ({@link ChannelStore.openDirect}) and blocks ({@link BlockStore}), run against
 * every implementation.
 */
export function directStoreContract(name: string, open: Open) {
  describe(`${name} › direct messages and blocks contract`, () => {
    const fx = storageFixture(open);
    const member = (a: Actor, isGuest = false) => ({ ...a, isGuest });
    const send = (storage: Storage, channelId: number, author: Actor, nonce: string) =>
      storage.appendMessages([{ channelId, author, nonce, content: "hi", kind: MessageKind.Text }]);

    it("opens one DM per member set, in any order, its members' joins the first events", async () => {
      const { storage, alice, bob } = fx;
      const first = await storage.openDirect({
        opener: bob,
        members: [member(alice), member(bob, true)],
      });
      expect(first.channel).toMatchObject({ isPrivate: true, isDirect: true, lastSeq: 2 });
      expect(first.channel.name).toBe(directKey([alice.id, bob.id]));
      expect(first.events.map((e) => [e.t, e.a, e.s])).toEqual([
        [EventType.MemberJoined, bob.id, 1],
        [EventType.MemberJoined, alice.id, 2],
      ]);
      expect(first.events[0]).toMatchObject({ g: true });
      expect(await storage.memberRole(first.channel.id, alice.id)).toBe(Role.Member);
      expect(await storage.memberRole(first.channel.id, bob.id)).toBe(Role.Member);
      const again = await storage.openDirect({
        opener: alice,
        members: [member(bob, true), member(alice)],
      });
      expect(again).toEqual({ channel: first.channel, events: [] });
    });

    it("keeps a guest long gone in its DMs while the sweep lists its channel memberships", async () => {
      const { storage, alice } = fx;
      const guest = await createUser(storage, {
        username: "gone",
        passwordHash: null,
        isGuest: true,
      });
      const gone = { id: guest.id, name: guest.username };
      const dm = await storage.openDirect({
        opener: alice,
        members: [member(alice), member(gone, true)],
      });
      const { channel } = await storage.createChannel({ name: "room", topic: "", owner: alice });
      await storage.addMember(channel.id, gone.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: gone,
      });
      const stale = await storage.staleGuestMemberships(Date.now() + 1000, 10);
      expect(stale).toEqual([{ channelId: channel.id, user: gone }]);
      expect(stale.map((m) => m.channelId)).not.toContain(dm.channel.id);
    });

    it("yields one DM when the same people open it at once", async () => {
      const { storage, alice, bob } = fx;
      const opens = await Promise.all(
        [alice, bob, alice, bob].map((opener) =>
          storage.openDirect({ opener, members: [member(alice), member(bob, true)] }),
        ),
      );
      expect(new Set(opens.map((o) => o.channel.id)).size).toBe(1);
      expect(opens.flatMap((o) => o.events)).toHaveLength(2);
      expect(await storage.memberCount(opens[0]!.channel.id)).toBe(2);
    });

    it("keeps DMs out of every listing and out of the way of channel names", async () => {
      const { storage, alice, bob } = fx;
      const { channel: dm } = await storage.openDirect({
        opener: alice,
        members: [member(alice), member(bob, true)],
      });
      const { channel } = await storage.createChannel({ name: "dm", topic: "", owner: alice });
      for (const query of [{}, { userId: alice.id }, { userId: alice.id, search: "dm" }]) {
        const listed = await storage.listChannels({ ...query, limit: 10 });
        expect(listed.map((c) => c.id)).toEqual([channel.id]);
      }
      const asked = await storage.listChannels({
        afterId: dm.id - 1,
        limit: 1,
        userId: alice.id,
        direct: true,
      });
      expect(asked.map((c) => c.id)).toEqual([dm.id]);
      expect((await storage.userChannels(alice.id)).map((c) => [c.id, c.isDirect])).toEqual([
        [dm.id, true],
        [channel.id, false],
      ]);
    });

    it("stores blocks once, reads them both ways, and refuses a send in a DM across one", async () => {
      const { storage, alice, bob } = fx;
      const carol = await createUser(storage, {
        username: "carol",
        passwordHash: "h",
        isGuest: false,
      });
      expect(await storage.setBlock(alice.id, bob.id, true)).toBe(true);
      expect(await storage.setBlock(alice.id, bob.id, true)).toBe(false);
      expect(await storage.blockedBy(alice.id)).toEqual([bob.id]);
      expect(await storage.blockedBy(bob.id)).toEqual([]);
      expect(await storage.blockedEitherWay(bob.id, [carol.id, alice.id])).toBe(true);
      expect(await storage.blockedEitherWay(alice.id, [bob.id])).toBe(true);
      expect(await storage.blockedEitherWay(carol.id, [alice.id, bob.id])).toBe(false);
      const { channel: dm } = await storage.openDirect({
        opener: alice,
        members: [member(alice), member(bob, true)],
      });
      const { channel: open } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(open.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      for (const author of [alice, bob]) {
        const [refused] = await send(storage, dm.id, author, `dm-${author.id}`);
        expect(refused).toMatchObject({ ok: false, error: { errorName: "BLOCKED" } });
        const [shared] = await send(storage, open.id, author, `c-${author.id}`);
        expect(shared).toMatchObject({ ok: true });
      }
      expect(await storage.setBlock(alice.id, bob.id, false)).toBe(true);
      expect(await storage.setBlock(alice.id, bob.id, false)).toBe(false);
      expect(await send(storage, dm.id, bob, "after")).toMatchObject([{ ok: true }]);
    });
  });
}
