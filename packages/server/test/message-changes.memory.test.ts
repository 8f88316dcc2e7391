import type { ParleyClient } from "@parley/client";
import { type ChannelEvent, EventType, type MessageEvent, Op } from "@parley/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import { collect, until } from "./harness";
import { MemoryNode } from "./memory-node";

/** The MessagePosted event of message `id` in the latest history page. */
async function inHistory(client: ParleyClient, channelId: number, id: number) {
  const page = await client.history(channelId, { limit: 100 });
  return page.e.find((e): e is MessageEvent => e.t === EventType.MessagePosted && e.i === id);
}

const lastSeq = async (client: ParleyClient, channelId: number) =>
  (await client.channelInfo(channelId)).ch.ls;

/** Edits, deletions and versions end to end on a real node through in-memory sockets. */
describe("message edit, delete and versions (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    vi.useRealTimers();
    await m.stop();
  });

  /** A channel owned by ann (a guest) with bob (a guest) as member. */
  async function twoGuests() {
    const ann = await m.connect();
    const { ch } = await ann.createChannel("edits");
    const bob = await m.connect();
    await bob.joinChannel(ch.i);
    return { ann, bob, c: ch.i };
  }

  /** A channel owned by an account, with a moderator, a member (accounts) and a guest. */
  async function moderated(env: Record<string, string> = {}) {
    m = await MemoryNode.start(env);
    const [owner, mod, mary] = await Promise.all(
      ["olga", "mike", "mary"].map(async (n) => m.connect({ token: await m.register(n) })),
    );
    const { ch } = await owner!.createChannel("moderated");
    await mod!.joinChannel(ch.i);
    await mary!.joinChannel(ch.i);
    await owner!.command(ch.i, "/mod @mike");
    const guest = await m.connect();
    await guest.joinChannel(ch.i);
    return { owner: owner!, mod: mod!, mary: mary!, guest, c: ch.i };
  }

  it("delivers an edit live, shows the current version in history and keeps every version", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const seen = collect(bob, c);
    const sent = await ann.send(c, "first draft");
    const first = await ann.editMessage(c, sent.i, 1, "second draft");
    expect(first).toEqual({ s: sent.s + 1, v: 2 });
    const second = await ann.editMessage(c, sent.i, 2, "final words");
    expect(second).toEqual({ s: sent.s + 2, v: 3 });
    await until(() => seen.filter((e) => e.t === EventType.MessageEdited).length === 2);
    const edited = (s: number, v: number, x: string) => ({
      s,
      t: EventType.MessageEdited,
      ts: expect.any(Number),
      a: ann.user!.i,
      an: ann.user!.n,
      m: sent.i,
      v,
      x,
      ed: expect.any(Number),
    });
    expect(seen.filter((e) => e.t === EventType.MessageEdited)).toEqual([
      edited(first.s, 2, "second draft"),
      edited(second.s, 3, "final words"),
    ]);
    const current = await inHistory(bob, c, sent.i);
    expect(current).toMatchObject({ s: sent.s, x: "final words", v: 3, ed: expect.any(Number) });
    // History pages leave the edit events out: the message carries its current state.
    const page = await bob.history(c);
    expect(page.e.some((e) => e.t === EventType.MessageEdited)).toBe(false);
    const { vs } = await ann.messageVersions(c, sent.i);
    expect(vs.map((v) => [v.v, v.x])).toEqual([
      [1, "first draft"],
      [2, "second draft"],
      [3, "final words"],
    ]);
    expect(vs[0]!.ts).toBe(sent.ts);
    expect(vs[2]!.ts).toBe(current!.ed);
  });

  it("refuses an edit at a stale version with VERSION_CONFLICT and stores nothing", async () => {
    m = await MemoryNode.start();
    const { ann, c } = await twoGuests();
    const sent = await ann.send(c, "hello");
    await ann.editMessage(c, sent.i, 1, "hello again");
    const before = await lastSeq(ann, c);
    await expect(ann.editMessage(c, sent.i, 1, "from an old view")).rejects.toMatchObject({
      errorName: "VERSION_CONFLICT",
    });
    await expect(ann.editMessage(c, sent.i, 7, "from the future")).rejects.toMatchObject({
      errorName: "VERSION_CONFLICT",
    });
    expect(await lastSeq(ann, c)).toBe(before);
    expect(await inHistory(ann, c, sent.i)).toMatchObject({ x: "hello again", v: 2 });
  });

  it("stores nothing for an edit to the same content and answers with the latest change", async () => {
    m = await MemoryNode.start();
    const { ann, c } = await twoGuests();
    const sent = await ann.send(c, "unchanged");
    expect(await ann.editMessage(c, sent.i, 1, "  unchanged  ")).toEqual({ s: sent.s, v: 1 });
    const edit = await ann.editMessage(c, sent.i, 1, "changed");
    await ann.send(c, "something after");
    const before = await lastSeq(ann, c);
    expect(await ann.editMessage(c, sent.i, 2, "changed")).toEqual({ s: edit.s, v: 2 });
    expect(await lastSeq(ann, c)).toBe(before);
    expect((await ann.messageVersions(c, sent.i)).vs).toHaveLength(2);
  });

  it("answers a retried edit or delete with its first result, even after later changes, and stores it once", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const seen = collect(bob, c);
    const sent = await ann.send(c, "v1");
    const edit = await ann.editMessage(c, sent.i, 1, "v2", "edit-nonce");
    await ann.editMessage(c, sent.i, 2, "v3");
    expect(await ann.editMessage(c, sent.i, 1, "v2", "edit-nonce")).toEqual(edit);
    const other = await ann.send(c, "to delete");
    const deletion = await ann.deleteMessage(c, other.i, undefined, "delete-nonce");
    await ann.send(c, "later");
    expect(await ann.deleteMessage(c, other.i, undefined, "delete-nonce")).toEqual(deletion);
    // The same nonce is the op's own: an edit's nonce does not make a delete a retry.
    await expect(ann.deleteMessage(c, other.i, undefined, "edit-nonce")).rejects.toMatchObject({
      errorName: "NO_SUCH_MESSAGE",
    });
    const last = await lastSeq(ann, c);
    await until(() => seen.at(-1)?.s === last);
    expect(seen.filter((e) => e.t === EventType.MessageEdited)).toHaveLength(2);
    expect(seen.filter((e) => e.t === EventType.MessageDeleted)).toHaveLength(1);
    expect(new Set(seen.map((e) => e.s)).size).toBe(seen.length);
  });

  it("leaves a tombstone: no content, no reactions, no versions, and refuses every change", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const seen = collect(bob, c);
    const sent = await ann.send(c, "soon gone");
    await ann.editMessage(c, sent.i, 1, "soon gone, edited");
    await bob.react(c, sent.i, "👍");
    const deleted = await ann.deleteMessage(c, sent.i);
    await until(() => seen.some((e) => e.t === EventType.MessageDeleted));
    expect(seen.find((e) => e.t === EventType.MessageDeleted)).toEqual({
      s: deleted.s,
      t: EventType.MessageDeleted,
      ts: expect.any(Number),
      a: ann.user!.i,
      an: ann.user!.n,
      m: sent.i,
    });
    const tombstone = await inHistory(bob, c, sent.i);
    expect(tombstone).toMatchObject({
      s: sent.s,
      x: "",
      v: 2,
      dl: { u: ann.user!.i, un: ann.user!.n },
    });
    expect(tombstone!.dl!.mod).toBeUndefined();
    expect(tombstone!.r).toBeUndefined();
    for (const attempt of [
      () => ann.editMessage(c, sent.i, 2, "back"),
      () => ann.deleteMessage(c, sent.i),
      () => ann.messageVersions(c, sent.i),
      () => bob.react(c, sent.i, "🙃"),
      () => bob.unreact(c, sent.i, "👍"),
    ])
      await expect(attempt()).rejects.toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
  });

  it("refuses unknown messages, messages of another channel and non-members", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const sent = await ann.send(c, "here");
    const { ch: elsewhere } = await ann.createChannel("elsewhere");
    for (const attempt of [
      () => ann.editMessage(c, 424242, 1, "x"),
      () => ann.editMessage(elsewhere.i, sent.i, 1, "x"),
      () => ann.deleteMessage(elsewhere.i, sent.i),
      () => ann.messageVersions(elsewhere.i, sent.i),
    ])
      await expect(attempt()).rejects.toMatchObject({ errorName: "NO_SUCH_MESSAGE" });
    for (const attempt of [
      () => bob.editMessage(elsewhere.i, sent.i, 1, "x"),
      () => bob.deleteMessage(elsewhere.i, sent.i),
      () => bob.messageVersions(elsewhere.i, sent.i),
    ])
      await expect(attempt()).rejects.toMatchObject({ errorName: "NOT_A_MEMBER" });
  });

  it("lets no one but the author edit, and plain members neither delete nor read others' versions", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const sent = await ann.send(c, "mine");
    await expect(bob.editMessage(c, sent.i, 1, "yours now")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    await expect(bob.deleteMessage(c, sent.i)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    await expect(bob.messageVersions(c, sent.i)).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    // A guest owner ranks as a member: its own messages only.
    const theirs = await bob.send(c, "bob's");
    await expect(ann.deleteMessage(c, theirs.i)).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    // Guests edit and delete their own.
    await bob.editMessage(c, theirs.i, 1, "bob's, edited");
    await bob.deleteMessage(c, theirs.i);
    expect(await inHistory(ann, c, theirs.i)).toMatchObject({ x: "", dl: { u: bob.user!.i } });
  });

  it("refuses a muted author's edit but lets a muted author delete", async () => {
    const { mod, mary, c } = await moderated();
    const sent = await mary.send(c, "before the mute");
    const other = await mary.send(c, "also before");
    await mod.command(c, "/mute @mary 10m");
    await expect(mary.editMessage(c, sent.i, 1, "muted edit")).rejects.toMatchObject({
      errorName: "MUTED",
    });
    await mary.deleteMessage(c, other.i);
    expect(await inHistory(mary, c, other.i)).toMatchObject({ x: "", dl: { u: mary.user!.i } });
    expect(await inHistory(mary, c, sent.i)).toMatchObject({ x: "before the mute" });
  });

  it("lets moderators delete anyone's message with a reason, audited, but never edit it", async () => {
    const { owner, mod, mary, guest, c } = await moderated();
    const seen = collect(owner, c);
    const sent = await mary.send(c, "off topic");
    await mary.editMessage(c, sent.i, 1, "off topic, edited");
    await expect(mod.editMessage(c, sent.i, 2, "moderated")).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    // Moderators read anyone's versions.
    expect((await mod.messageVersions(c, sent.i)).vs.map((v) => v.x)).toEqual([
      "off topic",
      "off topic, edited",
    ]);
    const deleted = await mod.deleteMessage(c, sent.i, "not the place");
    await until(() => seen.some((e) => e.s === deleted.s));
    expect(seen.find((e) => e.s === deleted.s)).toMatchObject({
      t: EventType.MessageDeleted,
      a: mod.user!.i,
      m: sent.i,
      mod: true,
      rs: "not the place",
    });
    expect(await inHistory(guest, c, sent.i)).toMatchObject({
      x: "",
      dl: { u: mod.user!.i, un: "mike", mod: true },
    });
    const { log } = await owner.command(c, "/modlog 1");
    expect(log).toEqual([
      expect.objectContaining({
        ac: "delete",
        an: "mike",
        u: mary.user!.i,
        un: "mary",
        rs: "not the place",
      }),
    ]);
    // The owner deletes too; a guest (ranked a member) does not.
    const next = await guest.send(c, "guest's");
    await expect(guest.deleteMessage(c, (await mary.send(c, "mary's")).i)).rejects.toMatchObject({
      errorName: "FORBIDDEN",
    });
    await owner.deleteMessage(c, next.i);
    expect(await inHistory(owner, c, next.i)).toMatchObject({
      dl: { u: owner.user!.i, mod: true },
    });
  });

  it("lets a server admin delete anyone's message and read its versions", async () => {
    const { mary, c } = await moderated();
    const ada = await m.connect({ token: await m.registerAdmin("ada") });
    await ada.joinChannel(c);
    const sent = await mary.send(c, "admin sees this");
    expect((await ada.messageVersions(c, sent.i)).vs).toHaveLength(1);
    await ada.deleteMessage(c, sent.i, "cleanup");
    expect(await inHistory(mary, c, sent.i)).toMatchObject({ dl: { u: ada.user!.i, mod: true } });
  });

  it("refuses an edit past PARLEY_EDIT_WINDOW_SECONDS with EDIT_WINDOW_CLOSED, and still allows deletion", async () => {
    m = await MemoryNode.start({ PARLEY_EDIT_WINDOW_SECONDS: "60" });
    const { ann, c } = await twoGuests();
    const sent = await ann.send(c, "quick");
    await ann.editMessage(c, sent.i, 1, "quick fix");
    // Only the clock moves: timers stay real.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(sent.ts + 61_000);
    await expect(ann.editMessage(c, sent.i, 2, "too late")).rejects.toMatchObject({
      errorName: "EDIT_WINDOW_CLOSED",
    });
    await ann.deleteMessage(c, sent.i);
  });

  it("answers raw MessagePack frames of ops 25 to 27", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw("msgpack");
    await raw.request(Op.Hello, {});
    const created = await raw.request(Op.ChannelCreate, { n: "packed" });
    const c = (created.d as { ch: { i: number } }).ch.i;
    const sent = await raw.request(Op.MessageSend, { c, n: "n1", x: "packed text" });
    const id = (sent.d as { i: number }).i;
    const edited = await raw.request(Op.MessageEdit, {
      c,
      m: id,
      v: 1,
      x: "packed, edited",
      n: "e1",
    });
    expect(edited.d).toEqual({ s: expect.any(Number), v: 2 });
    const versions = await raw.request(Op.MessageVersions, { c, m: id });
    expect((versions.d as { vs: { x: string }[] }).vs.map((v) => v.x)).toEqual([
      "packed text",
      "packed, edited",
    ]);
    const deleted = await raw.request(Op.MessageDelete, { c, m: id, n: "d1" });
    expect(deleted.d).toEqual({ s: (edited.d as { s: number }).s + 1 });
    const bad = await raw.request(Op.MessageEdit, { c, m: id, v: 0, x: "", n: "e2" });
    expect(bad.o).toBe(Op.Error);
    await until(() =>
      raw.frames
        .filter((f) => f.o === Op.Events)
        .some((f) =>
          (f.d as { e: ChannelEvent[] }).e.some((e) => e.t === EventType.MessageDeleted),
        ),
    );
    const events = raw.frames
      .filter((f) => f.o === Op.Events)
      .flatMap((f) => (f.d as { e: ChannelEvent[] }).e.map((e) => e.t));
    expect(events).toContain(EventType.MessageEdited);
  });
});
