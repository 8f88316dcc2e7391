import {
  type ChannelEvent,
  EventType,
  type MessageEvent,
  Op,
  type WelcomeReply,
} from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";
import { RawClient } from "./raw-client";

const messages = (events: { t: number }[]) =>
  events.filter((e) => e.t === EventType.MessagePosted) as MessageEvent[];

describe("resume", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("a client whose socket died while 500 messages were sent gets all 500, once each, in order", async () => {
    server = await new TestServer().start();
    const sender = await server.connect();
    const { ch } = await sender.createChannel("resume");
    const token = await server.register("dropper");
    const dropper = await server.connect({ token });
    await dropper.joinChannel(ch.i);
    const seen = collect(dropper, ch.i);
    await sender.send(ch.i, "before");
    await until(() => messages(seen).length === 1);

    const reconnected = dropper.waitFor("welcome", () => true, 20_000);
    dropper.dropForTest(); // no closing handshake, as when a network link dies
    await Promise.all(Array.from({ length: 500 }, (_, i) => sender.send(ch.i, `m${i}`)));
    const [welcome] = await reconnected;
    expect(welcome.rs).toBeUndefined();
    await until(() => messages(seen).length === 501, 10_000, "all 500");

    const texts = messages(seen).map((m) => m.x);
    expect(texts).toEqual(["before", ...Array.from({ length: 500 }, (_, i) => `m${i}`)]);
    const seqs = seen.map((e) => e.s);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    // Still live after the replay.
    await sender.send(ch.i, "after");
    await until(() => messages(seen).at(-1)?.x === "after");
  });

  it("marks the end of the replay with ReplayDone, after every replayed event and before live ones", async () => {
    server = await new TestServer().start();
    const sender = await server.connect();
    const a = (await sender.createChannel("replay-a")).ch.i;
    const b = (await sender.createChannel("replay-b")).ch.i;
    const token = await server.register("resumer");
    const resumer = await server.connect({ token });
    await resumer.joinChannel(a);
    await resumer.joinChannel(b);
    const held = { a: resumer.lastSeq.get(a)!, b: resumer.lastSeq.get(b)! };
    await resumer.close();
    for (let i = 0; i < 150; i++) await sender.send(a, `a${i}`);
    for (let i = 0; i < 3; i++) await sender.send(b, `b${i}`);

    const raw = await RawClient.open(server.wsUrl);
    const welcome = (await raw.request(Op.Hello, { tk: token, ls: { [a]: held.a, [b]: held.b } }))
      .d as WelcomeReply;
    await raw.waitFor((f) => f.o === Op.ReplayDone);
    const done = raw.frames.findIndex((f) => f.o === Op.ReplayDone);
    const replayed = new Map<number, number[]>();
    for (const f of raw.frames.slice(0, done).filter((f) => f.o === Op.Events)) {
      const { c, e } = f.d as { c: number; e: ChannelEvent[] };
      replayed.set(c, [...(replayed.get(c) ?? []), ...e.map((ev) => ev.s)]);
    }
    const range = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => from + i + 1);
    const ls = (c: number) => welcome.ch.find((ch) => ch.i === c)!.ls;
    expect(replayed.get(a)).toEqual(range(held.a, ls(a)));
    expect(replayed.get(b)).toEqual(range(held.b, ls(b)));
    expect(raw.frames.filter((f) => f.o === Op.ReplayDone)).toHaveLength(1);

    await sender.send(b, "live");
    const live = await raw.waitFor((f) => f.o === Op.Events && raw.frames.indexOf(f) > done);
    expect((live.d as { e: ChannelEvent[] }).e.map((e) => e.s)).toEqual([ls(b) + 1]);
    raw.close();
  });

  it("sends ReplayDone right after the welcome when there is nothing to replay", async () => {
    server = await new TestServer().start();
    const raw = await RawClient.open(server.wsUrl);
    await raw.request(Op.Hello, {});
    await raw.waitFor((f) => f.o === Op.ReplayDone);
    expect(raw.frames.map((f) => f.o)).toEqual([Op.Hello, Op.ReplayDone]);
    raw.close();
  });

  it("resumes with the session token and ls alone: the welcome has no resume token, an old one is ignored", async () => {
    server = await new TestServer().start();
    const first = await RawClient.open(server.wsUrl);
    const welcome = (await first.request(Op.Hello, {})).d as Record<string, unknown>;
    expect(welcome).not.toHaveProperty("rt");
    first.close();
    // A client of an earlier version echoes the resume token its welcome used to carry.
    const again = await RawClient.open(server.wsUrl);
    const resumed = await again.request(Op.Hello, { tk: welcome.st, rt: "an-old-token" });
    expect(resumed.o).toBe(Op.Hello);
    expect((resumed.d as { u: { i: number } }).u.i).toBe((welcome.u as { i: number }).i);
    again.close();
  });

  it("asks for a resync with a fresh snapshot when the gap is over the bound", async () => {
    server = await new TestServer({ PARLEY_RESUME_MAX: "10" }).start();
    const sender = await server.connect();
    const { ch } = await sender.createChannel("resync");
    const token = await server.register("behind");
    const behind = await server.connect({ token });
    await behind.joinChannel(ch.i);
    const resyncs: number[] = [];
    behind.on("resync", (c) => resyncs.push(c));
    const reconnected = behind.waitFor("welcome", () => true, 20_000);
    behind.dropForTest();
    await Promise.all(Array.from({ length: 30 }, (_, i) => sender.send(ch.i, `m${i}`)));
    const [welcome] = await reconnected;
    expect(welcome.rs).toEqual([ch.i]);
    expect(resyncs).toEqual([ch.i]);
    // The client now holds the channel's last seq; the fresh snapshot is its latest page.
    expect(behind.lastSeq.get(ch.i)).toBe(welcome.ch.find((c) => c.i === ch.i)!.ls);
    const page = await behind.history(ch.i);
    expect(messages(page.e).at(-1)?.x).toBe("m29");
    const live = collect(behind, ch.i);
    await sender.send(ch.i, "live again");
    await until(() => messages(live).some((m) => m.x === "live again"));
  });

  it("a tab offline while another tab read the channel and a DM arrived comes back with the marker, the counts and the DM", async () => {
    server = await new TestServer().start();
    const sender = await server.connect({ token: await server.register("writer") });
    const { ch } = await sender.createChannel("catch-up");
    const token = await server.register("reader");
    const other = await server.connect({ token });
    await other.joinChannel(ch.i);
    const first = await RawClient.open(server.wsUrl);
    const before = (await first.request(Op.Hello, { tk: token })).d as WelcomeReply;
    const held = before.ch.find((c) => c.i === ch.i)!.ls;
    first.close();

    // While this tab is gone: five messages, the user's other tab reads three, a DM arrives.
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await sender.send(ch.i, `m${i}`));
    await other.markRead(ch.i, acks[2]!.s);
    const dm = await sender.openDm(["reader"]);
    const said = await sender.send(dm.ch.i, "a word in private");
    await sender.send(dm.ch.i, "and another");

    const tab = await RawClient.open(server.wsUrl);
    const welcome = (await tab.request(Op.Hello, { tk: token, ls: { [ch.i]: held } }))
      .d as WelcomeReply;
    const channel = welcome.ch.find((c) => c.i === ch.i)!;
    expect([channel.rs, channel.uc, channel.fu]).toEqual([acks[2]!.s, 2, acks[3]!.s]);
    const direct = welcome.ch.find((c) => c.i === dm.ch.i)!;
    expect(direct.dm?.map((u) => u.n)).toEqual(["writer"]);
    expect([direct.uc, direct.fu]).toEqual([2, said.s]);
    // The messages it missed are replayed, before ReplayDone.
    await tab.waitFor((f) => f.o === Op.ReplayDone);
    const replayed = tab.frames
      .filter((f) => f.o === Op.Events && (f.d as { c: number }).c === ch.i)
      .flatMap((f) => messages((f.d as { e: ChannelEvent[] }).e).map((m) => m.x));
    expect(replayed).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    // Live again, for read markers too: the other tab's next read reaches it.
    await other.markRead(ch.i, acks[4]!.s);
    const read = await tab.waitFor((f) => f.o === Op.ReadState);
    expect(read.d).toMatchObject({ c: ch.i, rs: acks[4]!.s, uc: 0 });
    tab.close();
  });

  it("retries an unacknowledged send after reconnecting, storing it once", async () => {
    server = await new TestServer().start();
    const alice = await server.connect();
    const { ch } = await alice.createChannel("retry");
    const pending = alice.send(ch.i, "sent across a drop", "fixed-nonce");
    alice.dropForTest();
    const ack = await pending;
    const again = await alice.send(ch.i, "sent across a drop", "fixed-nonce");
    expect(again).toEqual(ack);
    const page = await alice.history(ch.i);
    expect(messages(page.e).filter((m) => m.x === "sent across a drop")).toHaveLength(1);
  });
});
