import { EventType, type MessageEvent, MessageKind, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { createUser, type Open, storageFixture } from "./contract-fixture";
import { post } from "./message-store.contract";
import type { NewMessage } from "./send-path";
import type { Actor } from "./storage";

const allow = () => {};

/**
 * Mentions across the send path and the message store, run against every implementation:
 * resolution at commit, the stored rows and the unread mention counts of member states.
 */
export function mentionsContract(name: string, open: Open) {
  describe(`${name} › mentions`, () => {
    const fx = storageFixture(open);

    /**
     * The user's unread mentions in channel `c` once read up to `after` (a marker only moves
     * forward: a case asks for its seqs in rising order).
     */
    async function unreadMentions(userId: number, c: number, after: number) {
      if (after > 0) await fx.storage.markRead(userId, c, after);
      return (await fx.storage.memberStates(userId)).get(c)?.read.um;
    }

    /** alice's channel with bob and carol as members; dave exists but is no member. */
    async function setup() {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      const user = async (username: string): Promise<Actor> => {
        const row = await createUser(storage, { username, passwordHash: "h", isGuest: false });
        return { id: row.id, name: row.username };
      };
      const carol = await user("Carol");
      const dave = await user("dave");
      for (const member of [bob, carol])
        await storage.addMember(channel.id, member.id, Role.Member, {
          type: EventType.MemberJoined,
          actor: member,
        });
      return { c: channel.id, carol, dave };
    }

    const text = (channelId: number, author: Actor, content: string): NewMessage => ({
      channelId,
      author,
      nonce: `n-${content}`,
      content,
      kind: MessageKind.Text,
    });

    const posted = async (c: number, id: number) =>
      (await fx.storage.history(c, { limit: 100 })).e.find(
        (e): e is MessageEvent => e.t === EventType.MessagePosted && e.i === id,
      );

    it("resolves members' names case-insensitively at commit, ascending, without the author, non-members or unknown names", async () => {
      const { storage, alice, bob } = fx;
      const { c, carol } = await setup();
      const [r] = await storage.appendMessages([
        text(c, alice, "@carol @BOB @dave @nobody @alice hi"),
      ]);
      const ids = [bob.id, carol.id].sort((a, b) => a - b);
      expect(r).toMatchObject({ ok: true, event: { mn: ids } });
      expect(r!.ok && r!.event.mg).toBeUndefined();
      expect((await posted(c, r!.ok ? r!.event.i : 0))?.mn).toEqual(ids);
      const [again] = await storage.appendMessages([
        text(c, alice, "@carol @BOB @dave @nobody @alice hi"),
      ]);
      expect(again).toMatchObject({ ok: true, duplicate: true, event: { mn: ids } });
    });

    it("resolves every message of a batch over several channels with their own members", async () => {
      const { storage, alice, bob } = fx;
      const { c, carol, dave } = await setup();
      const { channel: other } = await storage.createChannel({ name: "d", topic: "", owner: dave });
      await storage.addMember(other.id, alice.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: alice,
      });
      const batch = [
        text(c, alice, "@bob first"),
        text(other.id, alice, "@dave @bob second"),
        text(c, bob, "no names"),
        text(c, bob, "@carol @dave third"),
      ];
      const results = await storage.appendMessages(batch);
      expect(results.map((r) => (r.ok ? (r.event.mn ?? null) : "failed"))).toEqual([
        [bob.id],
        [dave.id],
        null,
        [carol.id],
      ]);
    });

    it("makes a group mention for an owner and leaves it plain text for a member", async () => {
      const { storage, alice, bob } = fx;
      const { c } = await setup();
      const [byOwner, byMember] = await storage.appendMessages([
        text(c, alice, "@everyone look"),
        text(c, bob, "@here look"),
      ]);
      expect(byOwner).toMatchObject({ ok: true, event: { mg: "channel" } });
      expect(byMember!.ok && byMember!.event).not.toHaveProperty("mg");
      // A guest ranks as a member whatever its role; a server admin above every role.
      const [asGuest, asAdmin] = await storage.appendMessages([
        { ...text(c, alice, "@here guest"), authorRights: { isGuest: true, isAdmin: false } },
        { ...text(c, bob, "@channel admin"), authorRights: { isGuest: false, isAdmin: true } },
      ]);
      expect(asGuest!.ok && asGuest!.event).not.toHaveProperty("mg");
      expect(asAdmin).toMatchObject({ ok: true, event: { mg: "channel" } });
    });

    it("counts distinct live messages after a seq that mention the user or the channel, not the user's own", async () => {
      const { storage, alice, bob } = fx;
      const { c, carol } = await setup();
      const first = await post(storage, c, alice, "@bob one");
      await post(storage, c, alice, "@bob and @here two");
      await post(storage, c, carol, "@carol @alice three");
      await post(storage, c, bob, "@here by bob");
      expect(await unreadMentions(bob.id, c, 0)).toBe(2);
      expect(await unreadMentions(bob.id, c, first.seq)).toBe(1);
      expect(await unreadMentions(carol.id, c, 0)).toBe(1);
      expect(await unreadMentions(alice.id, c, 0)).toBe(1);
    });

    it("replaces the mentions at an edit, at the message's seq, and removes them at a deletion", async () => {
      const { storage, alice, bob } = fx;
      const { c, carol } = await setup();
      const m = await post(storage, c, alice, "hi @bob");
      expect(await unreadMentions(bob.id, c, 0)).toBe(1);
      const edit = (version: number, content: string) =>
        storage.editMessage(
          { channelId: c, messageId: m.id, actor: alice, version, content, nonce: `e${version}` },
          allow,
        );
      const edited = await edit(1, "hi @carol and @here");
      expect(edited.event).toMatchObject({ mn: [carol.id], mg: "here" });
      expect(await posted(c, m.id)).toMatchObject({ mn: [carol.id], mg: "here" });
      expect(await unreadMentions(carol.id, c, m.seq - 1)).toBe(1);
      // @here counts for bob too, once.
      expect(await unreadMentions(bob.id, c, 0)).toBe(1);
      await edit(2, "hi all");
      expect(await unreadMentions(carol.id, c, 0)).toBe(0);
      expect(await posted(c, m.id)).not.toHaveProperty("mn");
      const third = await edit(3, "hi @bob");
      const replay = await storage.eventsAfter(c, m.seq, 10);
      expect(replay.at(-1)).toEqual(third.event);
      await storage.deleteMessage(
        { channelId: c, messageId: m.id, actor: alice, nonce: "d" },
        () => ({ moderator: false }),
      );
      expect(await unreadMentions(bob.id, c, 0)).toBe(0);
      const after = await storage.eventsAfter(c, m.seq - 1, 10);
      for (const e of after) {
        expect(e).not.toHaveProperty("mn");
        expect(e).not.toHaveProperty("mg");
      }
    });
  });
}
