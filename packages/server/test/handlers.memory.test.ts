import { type ChannelEvent, EventType, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, until } from "./harness";
import { MemoryNode } from "./memory-node";

const seqsOf = (frames: { o: number; d?: unknown }[]) =>
  frames
    .filter((f) => f.o === Op.Events)
    .flatMap((f) => (f.d as { e: ChannelEvent[] }).e.map((e) => e.s));

/** Handlers end to end on a real node through in-memory sockets: fast, and the same code. */
describe("handlers (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  it("welcomes a new guest with a session token, then marks the end of the replay", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw();
    const welcome = await raw.request(Op.Hello, {});
    expect(welcome.d).toMatchObject({ u: { g: true }, st: expect.any(String), ch: [] });
    await raw.waitFor((f) => f.o === Op.ReplayDone);
    expect(raw.frames.map((f) => f.o)).toEqual([Op.Hello, Op.ReplayDone]);
  });

  it("acks a send after it is stored and delivers it to every member, and to history", async () => {
    m = await MemoryNode.start();
    const alice = await m.connect();
    const { ch } = await alice.createChannel("fast");
    const bob = await m.connect();
    await bob.joinChannel(ch.i);
    const seen = collect(bob, ch.i);
    const ack = await alice.send(ch.i, "hello");
    await until(() => seen.some((e) => e.t === EventType.MessagePosted));
    const message = seen.find((e) => e.t === EventType.MessagePosted)!;
    expect(message.s).toBe(ack.s);
    expect(message).toMatchObject({ x: "hello" });
    const page = await bob.history(ch.i, {});
    expect(page.e.map((e) => e.s)).toContain(ack.s);
  });

  it("sends a joiner nothing newer than its snapshot before the reply, and nothing is missed after", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect();
    const { ch } = await owner.createChannel("snapshot");
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    let sending = true;
    const flood = (async () => {
      for (let i = 0; sending; i++) await owner.send(ch.i, `m${i}`);
    })();
    const join = await raw.request(Op.ChannelJoin, { c: ch.i, l: 0 });
    const ls = (join.d as { ch: { ls: number } }).ch.ls;
    const before = raw.frames.slice(0, raw.frames.indexOf(join));
    expect(seqsOf(before)).toEqual([]);
    await until(() => seqsOf(raw.frames).length >= 5);
    sending = false;
    await flood;
    const last = (await owner.channelInfo(ch.i)).ch.ls;
    await until(() => seqsOf(raw.frames).at(-1) === last);
    const after = seqsOf(raw.frames);
    // Every event after the snapshot, once each, in order.
    expect(after).toEqual(Array.from({ length: last - ls }, (_, i) => ls + 1 + i));
  });

  it("replays what a resuming client missed, then ReplayDone, then live events", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect();
    const { ch } = await owner.createChannel("resume");
    const away = await m.raw();
    const welcome = await away.request(Op.Hello, {});
    const token = (welcome.d as { st: string }).st;
    const join = await away.request(Op.ChannelJoin, { c: ch.i });
    const seen = (join.d as { ch: { ls: number } }).ch.ls;
    away.close();
    const missed = [await owner.send(ch.i, "one"), await owner.send(ch.i, "two")];
    const back = await m.raw();
    await back.request(Op.Hello, { tk: token, ls: { [ch.i]: seen } });
    await back.waitFor((f) => f.o === Op.ReplayDone);
    const done = back.frames.findIndex((f) => f.o === Op.ReplayDone);
    expect(seqsOf(back.frames.slice(0, done))).toEqual(missed.map((a) => a.s));
    const live = await owner.send(ch.i, "three");
    await back.waitFor((f) => seqsOf([f]).includes(live.s));
    expect(seqsOf(back.frames.slice(done))).toEqual([live.s]);
  });

  it("tells a user's other tab it left a channel, and the channel's stream ends there", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect();
    const { ch } = await owner.createChannel("leave");
    const witness = collect(owner, ch.i);
    const tab = await m.raw();
    const token = ((await tab.request(Op.Hello, {})).d as { st: string }).st;
    const other = await m.raw();
    await other.request(Op.Hello, { tk: token });
    await tab.request(Op.ChannelJoin, { c: ch.i });
    await other.waitFor((f) => f.o === Op.ChannelAdded);
    await tab.request(Op.ChannelLeave, { c: ch.i });
    const removed = await other.waitFor((f) => f.o === Op.ChannelRemoved);
    expect(removed.d).toEqual({ c: ch.i, why: "left" });
    const after = other.frames.length;
    const sent = await owner.send(ch.i, "not for you");
    // The hub delivers an event to every attached socket of the node in one turn.
    await until(() => witness.some((e) => e.s === sent.s));
    await other.request(Op.Ping, {});
    expect(seqsOf(other.frames.slice(after))).toEqual([]);
  });
});
