import {
  EventType,
  LIMITS,
  type MessageEvent,
  MessageKind,
  parseSearchQuery,
  Role,
} from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { ParleyError } from "../errors";
import { type Open, storageFixture } from "./contract-fixture";
import type { ChangeFacts, DeletionRuling } from "./message-store";
import type { Actor, Storage } from "./storage";

/** A rule that allows every change as the author's own. */
const allow = () => {};
const own = (): DeletionRuling => ({ moderator: false });

/** Stores one message by `author`; resolves to its id and seq. */
export async function post(
  storage: Storage,
  channelId: number,
  author: Actor,
  content: string,
  nonce = `n-${content}`,
): Promise<{ id: number; seq: number }> {
  const [r] = await storage.appendMessages([
    { channelId, author, nonce, content, kind: MessageKind.Text },
  ]);
  if (!r?.ok) throw new Error("send failed");
  return { id: r.event.i, seq: r.event.s };
}

/** The {@link MessageStore} contract, run against every implementation. */
export function messageStoreContract(name: string, open: Open) {
  describe(`${name} › MessageStore contract`, () => {
    const fx = storageFixture(open);

    /** A channel of alice's with bob as member, and a message of alice's in it. */
    async function setup() {
      const { storage, alice, bob } = fx;
      const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
      await storage.addMember(channel.id, bob.id, Role.Member, {
        type: EventType.MemberJoined,
        actor: bob,
      });
      const message = await post(storage, channel.id, alice, "one");
      return { c: channel.id, message };
    }

    const edit = (
      c: number,
      m: number,
      actor: Actor,
      version: number,
      content: string,
      nonce = `e-${content}`,
    ) => ({
      channelId: c,
      messageId: m,
      actor,
      version,
      content,
      nonce,
    });

    const message = async (c: number, id: number) =>
      (await fx.storage.history(c, { limit: 100 })).e.find(
        (e): e is MessageEvent => e.t === EventType.MessagePosted && e.i === id,
      );

    it("stores edits and deletions as events in seq order and replays them with the message's current state", async () => {
      const { storage, alice } = fx;
      const { c, message: m } = await setup();
      const e1 = await storage.editMessage(edit(c, m.id, alice, 1, "two"), allow);
      const e2 = await storage.editMessage(edit(c, m.id, alice, 2, "three"), allow);
      expect([e1.seq, e1.version, e2.seq, e2.version]).toEqual([m.seq + 1, 2, m.seq + 2, 3]);
      expect(e2.event).toMatchObject({
        s: m.seq + 2,
        t: EventType.MessageEdited,
        m: m.id,
        v: 3,
        x: "three",
      });
      const replay = await storage.eventsAfter(c, m.seq - 1, 10);
      expect(replay.map((e) => [e.s, e.t])).toEqual([
        [m.seq, EventType.MessagePosted],
        [m.seq + 1, EventType.MessageEdited],
        [m.seq + 2, EventType.MessageEdited],
      ]);
      // Replayed edits are what was delivered live; the post carries the current state.
      expect(replay[2]).toEqual(e2.event);
      expect(replay[1]).toMatchObject({ x: "two", v: 2, ed: replay[1]!.ts });
      expect(replay[0]).toMatchObject({ x: "three", v: 3, ed: e2.event!.ts });
      // A retried send of the message finds its post, in its current state.
      const [again] = await storage.appendMessages([
        { channelId: c, author: alice, nonce: "n-one", content: "one", kind: MessageKind.Text },
      ]);
      expect(again).toMatchObject({ ok: true, duplicate: true, event: replay[0] });
      const d = await storage.deleteMessage(
        { channelId: c, messageId: m.id, actor: alice, nonce: "d" },
        own,
      );
      expect(d.seq).toBe(m.seq + 3);
      const after = await storage.eventsAfter(c, m.seq - 1, 10);
      expect(after.map((e) => e.t)).toEqual([
        EventType.MessagePosted,
        EventType.MessageEdited,
        EventType.MessageEdited,
        EventType.MessageDeleted,
      ]);
      // Deleted: no content anywhere, not even in the replayed edits.
      expect(after[0]).toMatchObject({
        x: "",
        v: 3,
        dl: { u: alice.id, un: "alice", ts: d.event!.ts },
      });
      expect(after.slice(1, 3).map((e) => (e as { x: string }).x)).toEqual(["", ""]);
      expect(after[3]).toEqual(d.event);
      expect((await storage.getChannel(c))!.lastSeq).toBe(m.seq + 3);
    });

    it("shows history pages in current state, tombstones without reactions or versions, and no change events", async () => {
      const { storage, alice, bob } = fx;
      const { c, message: m } = await setup();
      const kept = await post(storage, c, bob, "kept");
      await storage.editMessage(edit(c, kept.id, bob, 1, "kept, edited"), allow);
      await storage.addReaction(c, m.id, "👍", bob, 20);
      await storage.editMessage(edit(c, m.id, alice, 1, "secret, edited"), allow);
      await storage.deleteMessage(
        { channelId: c, messageId: m.id, actor: bob, nonce: "d" },
        () => ({
          moderator: true,
          reason: "why",
        }),
      );
      const page = await storage.history(c, { limit: 100 });
      expect(page.e.map((e) => e.t)).toEqual([
        EventType.MemberJoined,
        EventType.MemberJoined,
        EventType.MessagePosted,
        EventType.MessagePosted,
      ]);
      const tombstone = await message(c, m.id);
      expect(tombstone).toEqual({
        s: m.seq,
        t: EventType.MessagePosted,
        ts: expect.any(Number),
        a: alice.id,
        an: "alice",
        i: m.id,
        x: "",
        n: "n-one",
        v: 2,
        ed: expect.any(Number),
        dl: { u: bob.id, un: "bob", mod: true, ts: expect.any(Number) },
      });
      expect(await message(c, kept.id)).toMatchObject({ x: "kept, edited", v: 2 });
      expect((await storage.snapshot(c, 100)).page).toEqual(page);
      expect(await storage.messageVersions(c, m.id)).toBeUndefined();
      expect((await storage.messageVersions(c, kept.id))!.versions.map((v) => v.x)).toEqual([
        "kept",
        "kept, edited",
      ]);
      const log = await storage.auditLog({ channelId: c }, 10);
      expect(log[0]).toMatchObject({ action: "delete", actor: bob, target: alice, reason: "why" });
    });

    it("refuses a stale version with VERSION_CONFLICT and stores nothing", async () => {
      const { storage, alice } = fx;
      const { c, message: m } = await setup();
      await storage.editMessage(edit(c, m.id, alice, 1, "two"), allow);
      const before = (await storage.getChannel(c))!.lastSeq;
      await expect(
        storage.editMessage(edit(c, m.id, alice, 1, "stale"), allow),
      ).rejects.toMatchObject({
        errorName: "VERSION_CONFLICT",
      });
      expect((await storage.getChannel(c))!.lastSeq).toBe(before);
      expect((await storage.messageVersions(c, m.id))!.versions).toHaveLength(2);
    });

    it("returns the first result for a retried nonce, even after later changes, without a second event", async () => {
      const { storage, alice } = fx;
      const { c, message: m } = await setup();
      const first = await storage.editMessage(edit(c, m.id, alice, 1, "two", "same"), allow);
      await storage.editMessage(edit(c, m.id, alice, 2, "three"), allow);
      const retry = await storage.editMessage(edit(c, m.id, alice, 1, "two", "same"), allow);
      expect(retry).toEqual({ seq: first.seq, version: 2 });
      const other = await post(storage, c, alice, "other");
      const deletion = { channelId: c, messageId: other.id, actor: alice, nonce: "del" };
      const d = await storage.deleteMessage(deletion, own);
      await post(storage, c, alice, "later");
      const before = (await storage.getChannel(c))!.lastSeq;
      expect(await storage.deleteMessage(deletion, own)).toEqual({ seq: d.seq });
      // Even a rule that would refuse now: the retry is answered before the rules.
      const refuse = () => {
        throw new ParleyError("FORBIDDEN");
      };
      expect(await storage.editMessage(edit(c, m.id, alice, 1, "two", "same"), refuse)).toEqual(
        retry,
      );
      expect((await storage.getChannel(c))!.lastSeq).toBe(before);
    });

    it("refuses to edit a deleted message, to delete it again and to react to it", async () => {
      const { storage, alice, bob } = fx;
      const { c, message: m } = await setup();
      const { channel: other } = await storage.createChannel({
        name: "other",
        topic: "",
        owner: alice,
      });
      const live = await post(storage, c, alice, "live");
      await storage.deleteMessage({ channelId: c, messageId: m.id, actor: alice, nonce: "d" }, own);
      const before = (await storage.getChannel(c))!.lastSeq;
      for (const attempt of [
        () => storage.editMessage(edit(c, m.id, alice, 1, "back"), allow),
        () =>
          storage.deleteMessage({ channelId: c, messageId: m.id, actor: alice, nonce: "d2" }, own),
        () => storage.addReaction(c, m.id, "👍", bob, 20),
        () => storage.editMessage(edit(other.id, live.id, alice, 1, "elsewhere"), allow),
      ])
        await expect(attempt()).rejects.toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
      expect((await storage.getChannel(c))!.lastSeq).toBe(before);
    });

    it("gives the rule the standing and the message as read in the write, and stores nothing when it refuses", async () => {
      const { storage, alice, bob } = fx;
      const { c, message: m } = await setup();
      await storage.mute({ channelId: c, actor: alice, target: bob, until: null });
      const bobs = await post(storage, c, alice, "not bob's");
      const seen: ChangeFacts[] = [];
      await expect(
        storage.editMessage(edit(c, bobs.id, bob, 1, "x"), (facts) => {
          seen.push(facts);
          throw new ParleyError("FORBIDDEN");
        }),
      ).rejects.toMatchObject({ errorName: "FORBIDDEN" });
      expect(seen).toEqual([
        {
          standing: { role: Role.Member, mute: { until: null, reason: null } },
          message: { authorId: alice.id, authorName: "alice", createdAt: expect.any(Number) },
        },
      ]);
      // A non-member is refused before any rule.
      await storage.removeMember(c, bob.id, { type: EventType.MemberLeft, actor: bob });
      await expect(
        storage.deleteMessage({ channelId: c, messageId: m.id, actor: bob, nonce: "x" }, own),
      ).rejects.toMatchObject({
        errorName: "NOT_A_MEMBER",
      });
      expect(await message(c, m.id)).toMatchObject({ x: "one" });
    });

    const pin = (c: number, m: number, actor: Actor, on = true) =>
      fx.storage.pinMessage({ channelId: c, messageId: m, actor, on }, allow);

    it("pins and unpins with events in seq order, the pin in history, and the pinned list newest first", async () => {
      const { storage, alice } = fx;
      const { c, message: m } = await setup();
      const second = await post(storage, c, alice, "two");
      const p1 = await pin(c, m.id, alice);
      const p2 = await pin(c, second.id, alice);
      expect([p1?.t, p2?.t]).toEqual([EventType.MessagePinned, EventType.MessagePinned]);
      expect(p2!.s).toBe(p1!.s + 1);
      expect(await message(c, m.id)).toMatchObject({ pn: { u: alice.id, un: "alice" } });
      expect((await storage.pinned(c)).map((e) => e.i)).toEqual([second.id, m.id]);
      // Pinning a pinned message changes nothing and stores no event.
      expect(await pin(c, m.id, alice)).toBeUndefined();
      const unpinned = await pin(c, m.id, alice, false);
      expect(unpinned).toMatchObject({ t: EventType.MessageUnpinned, m: m.id, s: p2!.s + 1 });
      expect(await pin(c, m.id, alice, false)).toBeUndefined();
      expect((await message(c, m.id))?.pn).toBeUndefined();
      expect((await storage.pinned(c)).map((e) => e.i)).toEqual([second.id]);
      const replay = await storage.eventsAfter(c, m.seq, 100);
      expect(replay.map((e) => e.t)).toEqual([
        EventType.MessagePosted,
        EventType.MessagePinned,
        EventType.MessagePinned,
        EventType.MessageUnpinned,
      ]);
      // History pages leave the pin events out.
      const page = await storage.history(c, { limit: 100 });
      expect(page.e.some((e) => e.t === EventType.MessagePinned)).toBe(false);
    });

    it("unpins a message by deleting it, refuses to pin a deleted one, and caps the pins of a channel", async () => {
      const { storage, alice } = fx;
      const { c, message: m } = await setup();
      await pin(c, m.id, alice);
      await storage.deleteMessage({ channelId: c, messageId: m.id, actor: alice, nonce: "d" }, own);
      expect(await storage.pinned(c)).toEqual([]);
      await expect(pin(c, m.id, alice)).rejects.toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
      for (let i = 0; i < LIMITS.pinsPerChannel; i++) {
        const { id } = await post(storage, c, alice, `p${i}`);
        await pin(c, id, alice);
      }
      const extra = await post(storage, c, alice, "one too many");
      const before = (await storage.getChannel(c))!.lastSeq;
      await expect(pin(c, extra.id, alice)).rejects.toMatchObject({ errorName: "LIMIT_REACHED" });
      expect((await storage.getChannel(c))!.lastSeq).toBe(before);
      expect(await storage.pinned(c)).toHaveLength(LIMITS.pinsPerChannel);
    });

    it("gives the pin rule the actor's role as read in the write, and stores nothing when it refuses", async () => {
      const { storage, bob } = fx;
      const { c, message: m } = await setup();
      const roles: (Role | undefined)[] = [];
      const refuse = (role: Role | undefined) => {
        roles.push(role);
        throw new ParleyError("FORBIDDEN");
      };
      const before = (await storage.getChannel(c))!.lastSeq;
      await expect(
        storage.pinMessage({ channelId: c, messageId: m.id, actor: bob, on: true }, refuse),
      ).rejects.toMatchObject({ errorName: "FORBIDDEN" });
      await storage.removeMember(c, bob.id, { type: EventType.MemberLeft, actor: bob });
      await expect(
        storage.pinMessage({ channelId: c, messageId: m.id, actor: bob, on: true }, refuse),
      ).rejects.toMatchObject({ errorName: "FORBIDDEN" });
      expect(roles).toEqual([Role.Member, undefined]);
      expect((await storage.getChannel(c))!.lastSeq).toBe(before + 1);
      expect((await message(c, m.id))?.pn).toBeUndefined();
    });

    it("attaches link previews as a later event, in history and replay, only at the version previewed", async () => {
      const { storage, alice } = fx;
      const { c, message: m } = await setup();
      const lp = [{ u: "https://example.org/a", t: "A", d: "About a", s: "Example" }];
      const event = await storage.attachLinkPreviews({
        channelId: c,
        messageId: m.id,
        version: 1,
        previews: lp,
      });
      expect(event).toMatchObject({ t: EventType.LinkPreviewsChanged, m: m.id, lp, a: alice.id });
      expect(event!.s).toBe(m.seq + 1);
      expect((await message(c, m.id))?.lp).toEqual(lp);
      const replay = await storage.eventsAfter(c, m.seq, 10);
      expect(replay).toMatchObject([{ t: EventType.LinkPreviewsChanged, m: m.id, lp }]);
      const page = await storage.history(c, { limit: 100 });
      expect(page.e.some((e) => e.t === EventType.LinkPreviewsChanged)).toBe(false);
      await storage.editMessage(edit(c, m.id, alice, 1, "two"), allow);
      const stale = await storage.attachLinkPreviews({
        channelId: c,
        messageId: m.id,
        version: 1,
        previews: lp,
      });
      expect(stale).toBeUndefined();
      await storage.deleteMessage({ channelId: c, messageId: m.id, actor: alice, nonce: "d" }, own);
      expect((await message(c, m.id))?.lp).toBeUndefined();
      expect(
        await storage.attachLinkPreviews({
          channelId: c,
          messageId: m.id,
          version: 2,
          previews: lp,
        }),
      ).toBeUndefined();
    });

    it("removes one preview or all with an event, gives the rule the role and author, and stores nothing when none matched", async () => {
      const { storage, alice, bob } = fx;
      const { c, message: m } = await setup();
      const lp = [
        { u: "https://a.example/", t: "A" },
        { u: "https://b.example/", t: "B" },
      ];
      await storage.attachLinkPreviews({ channelId: c, messageId: m.id, version: 1, previews: lp });
      const facts: unknown[] = [];
      await expect(
        storage.removeLinkPreview({ channelId: c, messageId: m.id, actor: bob }, (f) => {
          facts.push(f);
          throw new ParleyError("FORBIDDEN");
        }),
      ).rejects.toMatchObject({ errorName: "FORBIDDEN" });
      expect(facts).toEqual([{ role: Role.Member, authorId: alice.id }]);
      const one = await storage.removeLinkPreview(
        { channelId: c, messageId: m.id, actor: alice, url: "https://a.example/" },
        allow,
      );
      expect(one).toMatchObject({ t: EventType.LinkPreviewsChanged, lp: [lp[1]], an: "alice" });
      expect(
        await storage.removeLinkPreview(
          { channelId: c, messageId: m.id, actor: alice, url: "https://a.example/" },
          allow,
        ),
      ).toBeUndefined();
      const all = await storage.removeLinkPreview(
        { channelId: c, messageId: m.id, actor: alice },
        allow,
      );
      expect(all).toMatchObject({ lp: [] });
      expect((await message(c, m.id))?.lp).toBeUndefined();
    });

    it("expires a channel's messages older than a time, oldest first, once, as the server's deletions", async () => {
      const { storage, alice } = fx;
      const { c, message: first } = await setup();
      await new Promise((r) => setTimeout(r, 5));
      const second = await post(storage, c, alice, "two zephyrine");
      await new Promise((r) => setTimeout(r, 5));
      const third = await post(storage, c, alice, "three zephyrine");
      const { channel: other } = await storage.createChannel({
        name: "o",
        topic: "",
        owner: alice,
      });
      const elsewhere = await post(storage, other.id, alice, "elsewhere zephyrine");
      const cutoff = (await message(c, third.id))!.ts;
      // Below the cutoff: the first two; the third and the other channel's stay.
      const batch = await storage.expireMessages(c, cutoff, 1);
      expect(batch.map((e) => [e.t, e.m, e.a, e.an, e.ex])).toEqual([
        [EventType.MessageDeleted, first.id, 0, "", true],
      ]);
      const rest = await storage.expireMessages(c, cutoff, 10);
      expect(rest.map((e) => e.m)).toEqual([second.id]);
      expect(await storage.expireMessages(c, cutoff, 10)).toEqual([]);
      expect(await message(c, second.id)).toMatchObject({ x: "", dl: { u: 0 } });
      expect((await message(c, third.id))?.x).toBe("three zephyrine");
      expect((await message(other.id, elsewhere.id))?.x).toBe("elsewhere zephyrine");
      const found = await storage.searchMessages({
        userId: alice.id,
        query: parseSearchQuery("zephyrine"),
        limit: 10,
      });
      expect(found.map((r) => r.messageId).sort()).toEqual([third.id, elsewhere.id].sort());
    });

    it("sets a channel's own retention with its event, shown in its row, and lists channels' retentions page by page", async () => {
      const { storage, alice } = fx;
      const { c } = await setup();
      const { channel: other } = await storage.createChannel({
        name: "o",
        topic: "",
        owner: alice,
      });
      expect(await storage.setRetention(c, 30, alice)).toMatchObject({
        t: EventType.RetentionChanged,
        rd: 30,
        a: alice.id,
      });
      expect((await storage.getChannel(c))?.retentionDays).toBe(30);
      expect(await storage.channelRetentions(0, 10)).toEqual([
        { id: c, retentionDays: 30 },
        { id: other.id, retentionDays: 0 },
      ]);
      expect(await storage.channelRetentions(c, 10)).toEqual([{ id: other.id, retentionDays: 0 }]);
      expect(await storage.channelRetentions(0, 1)).toEqual([{ id: c, retentionDays: 30 }]);
      expect(
        (await storage.auditLog({ channelId: c }, 10)).map((a) => [a.action, a.reason]),
      ).toEqual([["retention", "30"]]);
    });
  });
}
