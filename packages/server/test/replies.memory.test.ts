import type { ClientOptions } from "@parley/client";
import { type ChannelEvent, EventType, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { MemoryClientSocket } from "../src/gateway/memory-socket";
import { collect, inHistory, posted, until } from "./harness";
import { MemoryNode } from "./memory-node";

/** Replies end to end through the SDK on a real node over in-memory sockets. */
describe("replies (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  async function twoGuests() {
    const ann = await m.connect();
    const { ch } = await ann.createChannel("replies");
    const bob = await m.connect();
    await bob.joinChannel(ch.i);
    return { ann, bob, c: ch.i };
  }

  it("delivers a reply live with its quote, and the quote follows an edit and a delete", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const seen = collect(ann, c);
    const original = await ann.send(c, "where shall\nwe  meet?");
    const reply = await bob.reply(c, original.i, "at the station");
    await until(() => posted(seen, reply.i) !== undefined);
    const quote = { m: original.i, s: original.s, a: ann.user!.i, an: ann.user!.n };
    expect(posted(seen, reply.i)).toMatchObject({
      x: "at the station",
      rp: { ...quote, x: "where shall we meet?" },
    });
    expect((await inHistory(bob, c, reply.i))?.rp).toEqual({ ...quote, x: "where shall we meet?" });
    await ann.editMessage(c, original.i, 1, "where and when?");
    expect((await inHistory(bob, c, reply.i))?.rp).toEqual({ ...quote, x: "where and when?" });
    await ann.deleteMessage(c, original.i);
    expect((await inHistory(bob, c, reply.i))?.rp).toEqual({ ...quote, x: "", dl: true });
  });

  it("refuses a reply to a deleted, unknown or other channel's message, and a non-member's", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await twoGuests();
    const { ch: other } = await ann.createChannel("elsewhere");
    const elsewhere = await ann.send(other.i, "not here");
    const gone = await ann.send(c, "soon gone");
    await ann.deleteMessage(c, gone.i);
    for (const target of [gone.i, elsewhere.i, 999_999])
      await expect(bob.reply(c, target, "hm")).rejects.toMatchObject({
        errorName: "NO_SUCH_MESSAGE",
      });
    const live = await ann.send(c, "still here");
    const stranger = await m.connect();
    await expect(stranger.reply(c, live.i, "hi")).rejects.toMatchObject({
      errorName: "NOT_A_MEMBER",
    });
    // Nothing of the refused replies was stored.
    const page = await bob.history(c, { limit: 100 });
    expect(page.e.filter((e) => e.t === EventType.MessagePosted && e.rp)).toEqual([]);
  });

  it("replays a missed reply with its quote on resume", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect();
    const { ch } = await owner.createChannel("resume");
    const away = await m.raw();
    const token = ((await away.request(Op.Hello, {})).d as { st: string }).st;
    const join = await away.request(Op.ChannelJoin, { c: ch.i });
    const seen = (join.d as { ch: { ls: number } }).ch.ls;
    away.close();
    const original = await owner.send(ch.i, "question");
    const reply = await owner.reply(ch.i, original.i, "answer");
    const back = await m.raw();
    await back.request(Op.Hello, { tk: token, ls: { [ch.i]: seen } });
    await back.waitFor((f) => f.o === Op.ReplayDone);
    const replayed = back.frames.flatMap((f) =>
      f.o === Op.Events ? (f.d as { e: ChannelEvent[] }).e : [],
    );
    expect(posted(replayed, reply.i)?.rp).toEqual({
      m: original.i,
      s: original.s,
      a: owner.user!.i,
      an: owner.user!.n,
      x: "question",
    });
  });

  it("resends a reply queued while disconnected as the same reply, stored once", async () => {
    m = await MemoryNode.start();
    const sockets: MemoryClientSocket[] = [];
    const node = m;
    const WebSocket = class {
      constructor(_url: string, protocols: string[]) {
        const socket = node.socket(protocols);
        sockets.push(socket);
        // biome-ignore lint/correctness/noConstructorReturn: the socket is the pair's client side
        return socket;
      }
    } as unknown as ClientOptions["WebSocket"];
    const ann = await m.connect({ WebSocket });
    const { ch } = await ann.createChannel("outbox");
    const original = await ann.send(ch.i, "ping?");
    sockets.at(-1)!.terminate();
    const nonce = "reply-once";
    const reply = await ann.reply(ch.i, original.i, "pong", nonce);
    expect(sockets.length).toBeGreaterThan(1);
    const again = await ann.reply(ch.i, original.i, "pong", nonce);
    expect(again).toEqual(reply);
    const page = await ann.history(ch.i, { limit: 100 });
    const replies = page.e.filter((e) => e.t === EventType.MessagePosted && e.rp);
    expect(replies).toEqual([
      expect.objectContaining({
        i: reply.i,
        n: nonce,
        rp: expect.objectContaining({ m: original.i }),
      }),
    ]);
  });
});
