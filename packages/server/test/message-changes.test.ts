import type { ParleyClient } from "@parley/client";
import { type ChannelEvent, EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer, until } from "./harness";

/**
 * What a client holds of a channel's messages, by id, built by applying events as a client
 * does: a post (a replayed one carries its current state) replaces what is held unless what
 * is held is newer; an edit applies when its version is above the one held; a deletion makes
 * a tombstone; reactions change the message's list, never a tombstone's. Applying an event
 * twice changes nothing.
 */
function apply(held: Map<number, MessageEvent>, e: ChannelEvent): void {
  if (e.t === EventType.MessagePosted) {
    const mine = held.get(e.i);
    if (!mine || (e.v ?? 1) >= (mine.v ?? 1) || e.dl) held.set(e.i, structuredClone(e));
  } else if (e.t === EventType.MessageEdited) {
    const mine = held.get(e.m);
    if (mine && !mine.dl && e.v > (mine.v ?? 1)) Object.assign(mine, { x: e.x, v: e.v, ed: e.ed });
  } else if (e.t === EventType.MessageDeleted) {
    const mine = held.get(e.m);
    if (!mine || mine.dl) return;
    mine.x = "";
    mine.dl = { u: e.a, un: e.an, ...(e.mod ? { mod: true as const } : {}), ts: e.ts };
    delete mine.r;
  } else if (e.t === EventType.ReactionAdded || e.t === EventType.ReactionRemoved) {
    const mine = held.get(e.m);
    // A replayed post may already be a tombstone: what happened to it before is moot.
    if (!mine || mine.dl) return;
    const list = mine.r ?? [];
    let entry = list.find((r) => r.e === e.e);
    if (e.t === EventType.ReactionAdded) {
      if (!entry) {
        entry = { e: e.e, u: [] };
        list.push(entry);
      }
      if (!entry.u.some((u) => u.i === e.a)) entry.u.push({ i: e.a, n: e.an });
    } else if (entry) {
      entry.u = entry.u.filter((u) => u.i !== e.a);
      if (entry.u.length === 0) list.splice(list.indexOf(entry), 1);
    }
    if (list.length > 0) mine.r = list;
    else delete mine.r;
  }
}

/** Every message of a channel as a fresh reader sees it: a join's snapshot, then older pages. */
async function freshView(
  client: ParleyClient,
  channelId: number,
): Promise<Map<number, MessageEvent>> {
  const join = await client.joinChannel(channelId, 100);
  const events: ChannelEvent[] = [...join.h.e];
  let more = join.h.mb;
  while (more) {
    const page = await client.history(channelId, { before: events[0]!.s, limit: 100 });
    events.unshift(...page.e);
    more = page.mb;
  }
  const view = new Map<number, MessageEvent>();
  for (const e of events) if (e.t === EventType.MessagePosted) view.set(e.i, e);
  return view;
}

describe("message edit and delete over real sockets", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("a client away while 100 messages were sent, 30 edited and 20 deleted resumes to exactly what a fresh join sees", async () => {
    server = await new TestServer().start();
    const author = await server.connect({ token: await server.register("author") });
    const { ch } = await author.createChannel("resume-edits");
    const c = ch.i;
    const reactor = await server.connect();
    await reactor.joinChannel(c);
    // A long backoff, so the reconnect happens when the test says (reconnectNow), after every change.
    const away = await server.connect({
      token: await server.register("away"),
      backoffMinMs: 600_000,
      backoffMaxMs: 600_000,
    });
    await away.joinChannel(c);
    const held = new Map<number, MessageEvent>();
    let replayed = 0;
    let live = true;
    away.on("events", (channelId, events) => {
      if (channelId !== c) return;
      if (!live) replayed += events.length;
      for (const e of events) apply(held, e);
    });

    const sent: { i: number; v: number }[] = [];
    for (let k = 0; k < 40; k++) sent.push({ i: (await author.send(c, `early ${k}`)).i, v: 1 });
    for (const m of sent.slice(0, 10)) await reactor.react(c, m.i, "👍");
    await until(() => held.size === 40 && [...held.values()].filter((m) => m.r).length === 10);

    const dropped = away.waitFor("disconnect", () => true);
    away.dropForTest();
    await dropped;
    live = false;
    for (let k = 0; k < 60; k++) sent.push({ i: (await author.send(c, `late ${k}`)).i, v: 1 });
    // 30 edited: 15 sent before the drop and 15 after, 10 of them twice.
    const edited = [...sent.slice(5, 20), ...sent.slice(50, 65)];
    for (const [k, m] of edited.entries()) {
      m.v = (await author.editMessage(c, m.i, m.v, `edited ${k}`)).v;
      if (k % 3 === 0) m.v = (await author.editMessage(c, m.i, m.v, `edited ${k} again`)).v;
    }
    await reactor.react(c, sent[45]!.i, "🎉");
    // 20 deleted: 8 sent before the drop (some edited, some with reactions), 12 after.
    const deleted = [
      ...sent.slice(0, 4),
      ...sent.slice(16, 20),
      ...sent.slice(44, 48),
      ...sent.slice(60, 68),
    ];
    for (const m of deleted) await author.deleteMessage(c, m.i);
    expect(new Set(edited.map((m) => m.i)).size).toBe(30);
    expect(new Set(deleted.map((m) => m.i)).size).toBe(20);

    const welcomed = away.waitFor("welcome", () => true);
    away.reconnectNow();
    const [welcome] = await welcomed;
    expect(welcome.rs).toBeUndefined();
    const last = (await author.channelInfo(c)).ch.ls;
    await until(() => away.lastSeq.get(c) === last, 10_000, "the replay");
    expect(replayed).toBeGreaterThan(100);

    const fresh = await freshView(await server.connect(), c);
    expect(fresh.size).toBe(100);
    expect(held).toEqual(fresh);
    const tombstones = [...fresh.values()].filter((m) => m.dl);
    expect(tombstones).toHaveLength(20);
    expect(tombstones.every((m) => m.x === "" && m.r === undefined)).toBe(true);
    const gone = new Set(deleted.map((m) => m.i));
    expect([...fresh.values()].filter((m) => m.v && !m.dl)).toHaveLength(
      edited.filter((m) => !gone.has(m.i)).length,
    );
  });
});
