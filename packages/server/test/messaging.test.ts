import { EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";

const texts = (events: { t: number }[]) =>
  events.filter((e) => e.t === EventType.MessagePosted).map((e) => (e as MessageEvent).x);

describe("messaging", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.stop());

  it("two users in two channels each see exactly their channels' messages", async () => {
    const alice = await server.connect();
    const bob = await server.connect();
    const { ch: red } = await alice.createChannel("red");
    const { ch: blue } = await bob.createChannel("blue");
    const { ch: shared } = await alice.createChannel("shared");
    await bob.joinChannel(shared.i);

    const aliceRed = collect(alice, red.i);
    const aliceBlue = collect(alice, blue.i);
    const bobRed = collect(bob, red.i);
    const bobBlue = collect(bob, blue.i);
    const aliceShared = collect(alice, shared.i);
    const bobShared = collect(bob, shared.i);

    await alice.send(red.i, "only red");
    await bob.send(blue.i, "only blue");
    await alice.send(shared.i, "for both");
    await until(() => texts(aliceShared).length === 1 && texts(bobShared).length === 1);

    expect(texts(aliceRed)).toEqual(["only red"]);
    expect(texts(bobBlue)).toEqual(["only blue"]);
    expect(aliceBlue).toEqual([]);
    expect(bobRed).toEqual([]);
    expect(texts(bobShared)).toEqual(["for both"]);
  });

  it("every member receives concurrent messages in seq order with no gap", async () => {
    const owner = await server.connect();
    const { ch } = await owner.createChannel("busy");
    const members = [owner];
    for (let i = 0; i < 4; i++) {
      const c = await server.connect();
      await c.joinChannel(ch.i);
      members.push(c);
    }
    const logs = members.map((m) => collect(m, ch.i));
    await Promise.all(
      members.flatMap((m, i) => Array.from({ length: 25 }, (_, k) => m.send(ch.i, `m${i}-${k}`))),
    );
    await until(() => logs.every((log) => texts(log).length === 125), 10_000, "all deliveries");

    for (const log of logs) {
      const seqs = log.map((e) => e.s);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
    }
    // Every member saw the same order.
    for (const log of logs) expect(texts(log)).toEqual(texts(logs[0]!));
    // Each sender's own messages keep their send order.
    for (let i = 0; i < members.length; i++) {
      const mine = texts(logs[0]!).filter((x) => x.startsWith(`m${i}-`));
      expect(mine).toEqual(Array.from({ length: 25 }, (_, k) => `m${i}-${k}`));
    }
  });

  it("a second tab of the sender receives the sender's own message", async () => {
    const token = await server.register("alice");
    const tab1 = await server.connect({ token });
    const { ch } = await tab1.createChannel("tabs");
    const tab2 = await server.connect({ token });
    await until(() => tab2.lastSeq.has(ch.i), 5000, "second tab in channel");
    const seen = collect(tab2, ch.i);
    const ack = await tab1.send(ch.i, "from tab one");
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({
      s: ack.s,
      t: EventType.MessagePosted,
      x: "from tab one",
      an: "alice",
    });
  });

  it("acks after storing and answers a retried nonce with the original message", async () => {
    const alice = await server.connect();
    const { ch } = await alice.createChannel("dedupe");
    const first = await alice.send(ch.i, "once", "nonce-1");
    const again = await alice.send(ch.i, "once", "nonce-1");
    expect(again).toEqual(first);
    const page = await alice.history(ch.i);
    expect(texts(page.e)).toEqual(["once"]);
    expect(first.ts).toBeGreaterThan(Date.now() - 60_000);
  });

  it("scopes a nonce to its channel: the same nonce in another channel is a new message", async () => {
    const alice = await server.connect();
    const { ch: one } = await alice.createChannel("one");
    const { ch: two } = await alice.createChannel("two");
    const a = await alice.send(one.i, "in one", "shared-nonce");
    const b = await alice.send(two.i, "in two", "shared-nonce");
    expect(b.i).not.toBe(a.i);
    expect(texts((await alice.history(two.i)).e)).toEqual(["in two"]);
  });

  it("tells a creator's other tabs about a new channel, but not the creating tab twice", async () => {
    const token = await server.register("creator");
    const tab1 = await server.connect({ token });
    const tab2 = await server.connect({ token });
    const added1: number[] = [];
    const added2: number[] = [];
    tab1.on("channelAdded", (ch) => added1.push(ch.i));
    tab2.on("channelAdded", (ch) => added2.push(ch.i));
    const { ch } = await tab1.createChannel("fresh");
    await until(() => added2.length === 1);
    await tab1.request(2, {}); // a round trip after the announcement would have arrived
    expect(added2).toEqual([ch.i]);
    expect(added1).toEqual([]);
    const seen = collect(tab2, ch.i);
    await tab1.send(ch.i, "to my other tab");
    await until(() => texts(seen).length === 1);
  });

  it("a message sent while someone joins reaches the joiner exactly once", async () => {
    const owner = await server.connect();
    const { ch } = await owner.createChannel("race");
    for (let round = 0; round < 10; round++) {
      const joiner = await server.connect();
      const live = collect(joiner, ch.i);
      const sending = Promise.all([
        owner.send(ch.i, `r${round}-a`),
        owner.send(ch.i, `r${round}-b`),
      ]);
      const joined = await joiner.joinChannel(ch.i);
      await sending;
      const tail = owner.send(ch.i, `r${round}-end`);
      await tail;
      await until(() => texts(live).includes(`r${round}-end`));
      const all = [...texts(joined.h.e), ...texts(live)];
      for (const x of [`r${round}-a`, `r${round}-b`, `r${round}-end`]) {
        expect(all.filter((y) => y === x)).toHaveLength(1);
      }
      await joiner.close();
    }
  });

  it("refuses a send to a channel the user is not in", async () => {
    const alice = await server.connect();
    const bob = await server.connect();
    const { ch } = await alice.createChannel("private-ish");
    await expect(bob.request(20, { c: ch.i, n: "x", x: "hi" })).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
    await expect(bob.request(20, { c: 9999, n: "x", x: "hi" })).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
  });

  it("leaving removes the channel from every tab and stops delivery", async () => {
    const token = await server.register("leaver");
    const tab1 = await server.connect({ token });
    const owner = await server.connect();
    const { ch } = await owner.createChannel("exit");
    await tab1.joinChannel(ch.i);
    const tab2 = await server.connect({ token });
    expect(tab2.welcome?.ch.map((c) => c.i)).toContain(ch.i);
    const removed = tab2.waitFor("channelRemoved");
    await tab1.leaveChannel(ch.i);
    expect((await removed)[0]).toEqual({ c: ch.i, why: "left" });
    await expect(tab2.send(ch.i, "still here?")).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
  });
});
