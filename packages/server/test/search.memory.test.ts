import { EventType, LIMITS, Op, type SearchReply } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryNode } from "./memory-node";

/** Search (op 42) on a real node, in memory: what a user finds, and what it never sees. */
describe("search (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  async function people(env: Record<string, string> = {}) {
    m = await MemoryNode.start(env);
    const [alice, bob, carol] = await Promise.all(
      ["alice", "bob", "carol"].map(async (n) => m.connect({ token: await m.register(n) })),
    );
    return { alice: alice!, bob: bob!, carol: carol! };
  }

  const texts = (reply: SearchReply) => reply.r.map((h) => h.x);

  it("finds a member's messages with what a client needs to show and open each", async () => {
    const { alice, bob } = await people();
    const { ch } = await alice.createChannel("general");
    await bob.joinChannel(ch.i);
    const first = await alice.send(ch.i, "The Café opens at nine");
    await bob.send(ch.i, "unrelated");
    const reply = await bob.search("cafe");
    expect(reply.nx).toBeUndefined();
    expect(reply.r).toEqual([
      {
        c: ch.i,
        s: first.s,
        m: first.i,
        a: alice.user!.i,
        an: "alice",
        ts: first.ts,
        x: "The Café opens at nine",
        hl: [[4, 8]],
      },
    ]);
    const page = await bob.history(ch.i, { around: reply.r[0]!.s });
    expect(page.e.some((e) => e.t === EventType.MessagePosted && e.i === first.i)).toBe(true);
  });

  it("pages by the reply's cursor until no cursor comes back", async () => {
    const { alice } = await people();
    const { ch } = await alice.createChannel("general");
    for (let i = 1; i <= 5; i++) await alice.send(ch.i, `note ${i}`);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await alice.search("note", { limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...texts(page));
      cursor = page.nx;
    } while (cursor);
    expect(seen).toEqual(["note 5", "note 4", "note 3", "note 2", "note 1"]);
  });

  it("never shows a private channel's or a DM's messages to a non-member, nor their existence through in:", async () => {
    const { alice, bob, carol } = await people();
    const { ch: secret } = await alice.createChannel("secret", "", { private: true });
    const { ch: dm } = await alice.openDm(["carol"]);
    await alice.send(secret.i, "launch codes");
    await alice.send(dm.i, "launch party");
    expect(texts(await alice.search("launch"))).toEqual(["launch party", "launch codes"]);
    expect(texts(await carol.search("launch"))).toEqual(["launch party"]);
    expect((await bob.search("launch")).r).toEqual([]);
    for (const [hidden, missing] of [
      ["in:#secret", "in:#nosuchchannel"],
      ["launch in:#secret", "launch in:#nosuchchannel"],
      ["in:@carol", "in:@nosuchuser"],
      ["from:@alice", "from:@nosuchuser"],
    ]) {
      expect(await bob.search(hidden!), hidden).toEqual(await bob.search(missing!));
      expect((await bob.search(hidden!)).r, hidden).toEqual([]);
    }
    void dm;
  });

  it("stops finding a channel's messages for a member who leaves it", async () => {
    const { alice, bob } = await people();
    const { ch } = await alice.createChannel("general");
    await bob.joinChannel(ch.i);
    await alice.send(ch.i, "before leaving");
    expect(texts(await bob.search("leaving"))).toEqual(["before leaving"]);
    await bob.leaveChannel(ch.i);
    expect((await bob.search("leaving")).r).toEqual([]);
  });

  it("refuses malformed requests with INVALID_PAYLOAD and keeps the connection", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    for (const d of [
      {},
      { q: "" },
      { q: "   " },
      { q: "x".repeat(LIMITS.searchQueryMax + 1) },
      { q: "a\u0000b" },
      { q: "ok", b: "NOT-A-CURSOR" },
      { q: "ok", b: "z".repeat(11) },
      { q: "ok", n: 0 },
      { q: "ok", n: LIMITS.searchPageMax + 1 },
      { q: "ok", extra: 1 },
    ]) {
      const reply = await raw.request(Op.Search, d);
      expect(reply, JSON.stringify(d).slice(0, 60)).toMatchObject({ o: Op.Error, d: { c: 1002 } });
    }
    expect(await raw.request(Op.Search, { q: '"NEAR(" OR * :' })).toMatchObject({
      o: Op.Search,
      d: { r: [] },
    });
    expect((await raw.request(Op.Ping, {})).o).toBe(Op.Ping);
  });

  it("answers SEARCH_DISABLED when search is turned off", async () => {
    const { alice } = await people({ PARLEY_SEARCH: "off" });
    await expect(alice.search("anything")).rejects.toMatchObject({
      errorName: "SEARCH_DISABLED",
      code: 1403,
    });
    expect((await alice.listChannels({})).ch).toBeDefined();
  });

  it("limits searches per user by the search bucket", async () => {
    const { alice, bob } = await people({ PARLEY_RATE_LIMITS: "search=2/0.001" });
    await alice.search("one");
    await alice.search("two");
    await expect(alice.search("three")).rejects.toMatchObject({ errorName: "RATE_LIMITED" });
    // Another user's bucket is its own; other requests are not counted against it.
    await bob.search("one");
    expect((await alice.listChannels({})).ch).toBeDefined();
  });
});
