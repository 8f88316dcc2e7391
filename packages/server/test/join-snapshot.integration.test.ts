import { type ChannelEvent, type JoinReply, Op } from "@parley/protocol";
import { afterEach, beforeEach, expect, it } from "vitest";
import { TestServer } from "./harness";
import { RawClient } from "./raw-client";
import { describeWith, freshPostgres } from "./services";

/**
 * On PostgreSQL a join's reads take turns of the event loop, in which live events are
 * delivered; SQLite answers them within the turn, so only this backend shows the race.
 */
describeWith(["postgres"], "join snapshot on PostgreSQL", () => {
  let server: TestServer;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const pg = await freshPostgres();
    drop = pg.drop;
    server = await new TestServer({ PARLEY_DATABASE_URL: pg.url }).start();
  });
  afterEach(async () => {
    await server.stop();
    await drop();
  });

  it("never sends an event newer than a join's snapshot before the join reply, even to a member already receiving the channel", async () => {
    const owner = await server.connect();
    const { ch } = await owner.createChannel("rejoin");
    const raw = await RawClient.open(server.wsUrl);
    await raw.request(Op.Hello, {});
    await raw.request(Op.ChannelJoin, { c: ch.i, l: 0 });
    let sending = true;
    const flood = (async () => {
      for (let i = 0; sending; i++)
        await Promise.all([owner.send(ch.i, `a${i}`), owner.send(ch.i, `b${i}`)]);
    })();
    const seqsOf = (frames: typeof raw.frames) =>
      frames
        .filter((f) => f.o === Op.Events)
        .flatMap((f) => (f.d as { e: ChannelEvent[] }).e.map((e) => e.s));
    let lastReply = 0;
    let lastLs = 0;
    try {
      for (let round = 0; round < 30; round++) {
        const from = raw.frames.length;
        const reply = await raw.request(Op.ChannelJoin, { c: ch.i, l: 1 });
        const at = raw.frames.indexOf(reply);
        const { ch: summary } = reply.d as JoinReply;
        const early = seqsOf(raw.frames.slice(from, at)).filter((s) => s > summary.ls);
        expect(early, `round ${round}`).toEqual([]);
        lastReply = at;
        lastLs = summary.ls;
      }
    } finally {
      sending = false;
      await flood;
    }
    // Never a duplicate nor a step back; after the last reply, every event after its snapshot.
    const seqs = seqsOf(raw.frames);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    const last = (await owner.channelInfo(ch.i)).ch.ls;
    await raw.waitFor(() => seqsOf(raw.frames).at(-1) === last);
    expect(seqsOf(raw.frames.slice(lastReply))).toEqual(
      Array.from({ length: last - lastLs }, (_, i) => lastLs + 1 + i),
    );
    raw.close();
  });
});
