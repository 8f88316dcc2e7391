import { EventType, MessageKind, parseSearchQuery, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";
import { post } from "./message-store.contract";
import type { Actor } from "./storage";

/** The {@link AdminChannelStore} contract, run against every implementation. */
export function adminChannelStoreContract(name: string, open: Open) {
  describe(`${name} › AdminChannelStore contract`, () => {
    const fx = storageFixture(open);
    const account = async (username: string): Promise<Actor> => {
      const u = await createUser(fx.storage, { username, passwordHash: "h", isGuest: false });
      return { id: u.id, name: u.username };
    };
    const change = (action: string, target: Actor) => ({
      actor: fx.alice,
      action,
      targetKind: "channel" as const,
      target,
      before: {},
      after: {},
    });
    const join = (channelId: number, user: Actor, role: Role = Role.Member) =>
      fx.storage.addMember(channelId, user.id, role, { type: EventType.MemberJoined, actor: user });

    it("lists channels newest first with members, owner and last activity, never DMs or deleted ones", async () => {
      const { storage, alice, bob } = fx;
      const carol = await account("carol");
      const { channel: lobby } = await storage.createChannel({
        name: "Lobby_1",
        topic: "hi",
        owner: alice,
      });
      await join(lobby.id, bob);
      const { channel: secret } = await storage.createChannel({
        name: "secret",
        topic: "",
        owner: carol,
        isPrivate: true,
      });
      await storage.openDirect({
        opener: alice,
        members: [
          { ...alice, isGuest: false },
          { ...carol, isGuest: false },
        ],
      });
      const [empty] = await storage.ensureChannels(["empty"]);
      const posted = await post(storage, lobby.id, alice, "hello");
      const all = await storage.adminChannels({ kind: "all", limit: 10 });
      expect(all.map((c) => c.name)).toEqual(["empty", "secret", "Lobby_1"]);
      const listed = all.find((c) => c.id === lobby.id)!;
      expect(listed).toMatchObject({
        members: 2,
        owner: { id: alice.id, name: "alice" },
        lastSeq: posted.seq,
        archivedAt: null,
      });
      expect(listed.lastActivityAt).toEqual(expect.any(Number));
      expect(all.find((c) => c.id === empty!.id)).toMatchObject({
        members: 0,
        owner: null,
        lastActivityAt: null,
      });
      const names = async (request: Parameters<typeof storage.adminChannels>[0]) =>
        (await storage.adminChannels(request)).map((c) => c.name);
      expect(await names({ kind: "private", limit: 10 })).toEqual(["secret"]);
      expect(await names({ kind: "public", limit: 10 })).toEqual(["empty", "Lobby_1"]);
      expect(await names({ query: "BY_", kind: "all", limit: 10 })).toEqual(["Lobby_1"]);
      expect(await names({ query: "%", kind: "all", limit: 10 })).toEqual([]);
      expect(await names({ kind: "all", beforeId: secret.id, limit: 10 })).toEqual(["Lobby_1"]);
      const members = await storage.adminChannelMembers(lobby.id, undefined, 1);
      expect(members.map((m) => [m.user.username, m.role])).toEqual([["alice", Role.Owner]]);
      const next = await storage.adminChannelMembers(lobby.id, members[0]!.user.id, 10);
      expect(next.map((m) => [m.user.username, m.role])).toEqual([[bob.name, Role.Member]]);
      await storage.deleteChannelAudited(secret.id, change("channeldelete", carol));
      expect(await names({ kind: "all", limit: 10 })).toEqual(["empty", "Lobby_1"]);
      expect(await storage.adminChannel(secret.id)).toBe(undefined);
    });

    it("gives a channel to a member: the owner moderates from then on, each change an event", async () => {
      const { storage, alice, bob } = fx;
      const carol = await account("carol");
      const dave = await account("dave");
      const { channel } = await storage.createChannel({ name: "room", topic: "", owner: carol });
      await join(channel.id, alice);
      const target = { id: channel.id, name: channel.name };
      await expect(
        storage.setChannelOwnerAudited(channel.id, dave.id, alice, change("channelowner", target)),
      ).rejects.toMatchObject({ errorName: "TARGET_NOT_MEMBER" });
      const events = await storage.setChannelOwnerAudited(
        channel.id,
        alice.id,
        bob,
        change("channelowner", target),
      );
      expect(events.map((e) => [e.t, (e as { u?: number }).u, (e as { rl?: Role }).rl])).toEqual([
        [EventType.RoleChanged, carol.id, Role.Moderator],
        [EventType.RoleChanged, alice.id, Role.Owner],
      ]);
      expect(events[0]).toMatchObject({ a: bob.id, an: bob.name });
      expect(await storage.memberRole(channel.id, carol.id)).toBe(Role.Moderator);
      expect(await storage.memberRole(channel.id, alice.id)).toBe(Role.Owner);
      expect(
        await storage.setChannelOwnerAudited(
          channel.id,
          alice.id,
          bob,
          change("channelowner", target),
        ),
      ).toEqual([]);
      const audit = await storage.adminAudit({ limit: 10 });
      expect(audit.map((e) => [e.action, e.targetKind, e.targetId])).toEqual([
        ["channelowner", "channel", channel.id],
      ]);
      // The target filter names users: a channel with the same id is not one.
      expect(await storage.adminAudit({ targetId: channel.id, limit: 10 })).toEqual(
        (await storage.adminAudit({ limit: 10 })).filter(
          (e) => e.targetKind === "user" && e.targetId === channel.id,
        ),
      );
    });

    it("archives: new content, edits, reactions, pins and settings refused; deletions, joins and unarchiving stored", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "old", topic: "", owner: alice });
      await join(channel.id, bob);
      const kept = await post(storage, channel.id, alice, "before the archive");
      const gone = await post(storage, channel.id, alice, "to be deleted");
      const target = { id: channel.id, name: channel.name };
      const archived = await storage.setChannelArchivedAudited(
        channel.id,
        true,
        alice,
        change("archive", target),
      );
      expect(archived).toMatchObject({ t: EventType.ChannelArchived, ar: true, a: alice.id });
      expect(
        await storage.setChannelArchivedAudited(channel.id, true, alice, change("archive", target)),
      ).toBe(undefined);
      expect((await storage.getChannel(channel.id))?.archivedAt).toEqual(expect.any(Number));
      const last = (await storage.getChannel(channel.id))!.lastSeq;
      const [refused] = await storage.appendMessages([
        { channelId: channel.id, author: alice, nonce: "x", content: "no", kind: MessageKind.Text },
      ]);
      expect(refused).toMatchObject({ ok: false, error: { errorName: "CHANNEL_ARCHIVED" } });
      // A batch of several, and one alone, are refused the same way.
      const batch = await storage.appendMessages([
        { channelId: channel.id, author: alice, nonce: "y", content: "a", kind: MessageKind.Text },
        { channelId: channel.id, author: bob, nonce: "z", content: "b", kind: MessageKind.Text },
      ]);
      expect(
        batch.map((r) => (r.ok ? "ok" : (r.error as { errorName?: string }).errorName)),
      ).toEqual(["CHANNEL_ARCHIVED", "CHANNEL_ARCHIVED"]);
      await expect(storage.addReaction(channel.id, kept.id, "👍", bob, 20)).rejects.toMatchObject({
        errorName: "CHANNEL_ARCHIVED",
      });
      await expect(storage.setTopic(channel.id, "new", alice)).rejects.toMatchObject({
        errorName: "CHANNEL_ARCHIVED",
      });
      await expect(
        storage.editMessage(
          {
            channelId: channel.id,
            messageId: kept.id,
            actor: alice,
            nonce: "e",
            content: "changed",
            version: 1,
          },
          () => {},
        ),
      ).rejects.toMatchObject({ errorName: "CHANNEL_ARCHIVED" });
      expect((await storage.getChannel(channel.id))!.lastSeq).toBe(last);
      // Still allowed: deleting one's message, joining, unarchiving.
      await storage.deleteMessage(
        { channelId: channel.id, messageId: gone.id, actor: alice, nonce: "d" },
        () => ({ moderator: false }),
      );
      const carol = await account("carol");
      expect(await join(channel.id, carol)).toMatchObject({ t: EventType.MemberJoined });
      expect(
        await storage.setChannelArchivedAudited(
          channel.id,
          false,
          alice,
          change("unarchive", target),
        ),
      ).toMatchObject({ t: EventType.ChannelArchived, ar: false });
      const [after] = await storage.appendMessages([
        {
          channelId: channel.id,
          author: alice,
          nonce: "w",
          content: "back",
          kind: MessageKind.Text,
        },
      ]);
      expect(after?.ok).toBe(true);
      expect((await storage.adminAudit({ limit: 10 })).map((e) => e.action)).toEqual([
        "unarchive",
        "archive",
      ]);
    });

    it("deletes a channel: hidden and its name free at once, then purged in batches, once, to nothing", async () => {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "doomed", topic: "", owner: alice });
      await join(channel.id, bob);
      const messages = [];
      for (const i of [1, 2, 3, 4, 5])
        messages.push(await post(storage, channel.id, alice, `quixotic words ${i} @${bob.name}`));
      await storage.addReaction(channel.id, messages[0]!.id, "👍", bob, 20);
      await storage.createInvite({
        channelId: channel.id,
        codeHash: "f".repeat(64),
        creator: alice,
        expiresAt: null,
        maxUses: null,
      });
      const members = await storage.deleteChannelAudited(
        channel.id,
        change("channeldelete", { id: channel.id, name: channel.name }),
      );
      expect(members).toEqual([alice.id, bob.id].sort((a, b) => a - b));
      expect(await storage.getChannel(channel.id)).toBe(undefined);
      expect(await storage.userChannels(bob.id)).toEqual([]);
      expect(await storage.findInvite("f".repeat(64))).toBe(undefined);
      await expect(
        storage.deleteChannelAudited(
          channel.id,
          change("channeldelete", { id: channel.id, name: channel.name }),
        ),
      ).rejects.toMatchObject({ errorName: "NO_SUCH_CHANNEL" });
      const [sent] = await storage.appendMessages([
        {
          channelId: channel.id,
          author: alice,
          nonce: "late",
          content: "x",
          kind: MessageKind.Text,
        },
      ]);
      expect(sent?.ok).toBe(false);
      // The name is free at once.
      const { channel: again } = await storage.createChannel({
        name: "doomed",
        topic: "",
        owner: bob,
      });
      expect(again.id).not.toBe(channel.id);
      expect(await storage.deletedChannels(10)).toEqual([channel.id]);
      const steps = [];
      for (;;) {
        const step = await storage.purgeDeletedChannel(channel.id, 2);
        steps.push(step.removedMessages);
        if (step.done) break;
      }
      expect(steps.slice(0, 3)).toEqual([2, 2, 1]);
      expect(steps.reduce((a, b) => a + b, 0)).toBe(5);
      expect(await storage.deletedChannels(10)).toEqual([]);
      expect(await storage.purgeDeletedChannel(channel.id, 2)).toEqual({
        removedMessages: 0,
        done: true,
      });
      expect(await storage.eventsAfter(channel.id, 0, 100)).toEqual([]);
      expect(await storage.userMessages(alice.id, undefined, 10)).toEqual([]);
      const found = await storage.searchMessages({
        userId: bob.id,
        query: parseSearchQuery("quixotic"),
        limit: 10,
      });
      expect(found).toEqual([]);
      expect(await storage.auditLog({ channelId: channel.id }, 10)).toEqual([]);
      // The live channel of the same name is untouched.
      expect(await storage.getChannel(again.id)).toMatchObject({ name: "doomed" });
    });
  });
}
