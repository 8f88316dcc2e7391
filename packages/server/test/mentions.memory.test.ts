import { type ChannelEvent, EventType, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { collect, inHistory, posted, until } from "./harness";
import { MemoryNode } from "./memory-node";

/** Mentions end to end through the SDK on a real node over in-memory sockets. */
describe("mentions (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  /** An account owning a channel, and two registered members (bob, carol). */
  async function channel() {
    const alice = await m.connect({ token: await m.register("alice") });
    const { ch } = await alice.createChannel("mentions");
    const bob = await m.connect({ token: await m.register("Bob") });
    const carol = await m.connect({ token: await m.register("carol") });
    await bob.joinChannel(ch.i);
    await carol.joinChannel(ch.i);
    return { alice, bob, carol, c: ch.i };
  }

  it("resolves members' names at send, case-insensitively, live and in history", async () => {
    m = await MemoryNode.start();
    const { alice, bob, carol, c } = await channel();
    const seen = collect(bob, c);
    const sent = await alice.send(c, "@CAROL and @bob, look (not `@alice` nor @bob again)");
    await until(() => posted(seen, sent.i) !== undefined);
    const ids = [bob.user!.i, carol.user!.i].sort((a, b) => a - b);
    expect(sent.mn).toEqual(ids);
    expect(posted(seen, sent.i)?.mn).toEqual(ids);
    expect(posted(seen, sent.i)?.mg).toBeUndefined();
    expect((await inHistory(carol, c, sent.i))?.mn).toEqual(ids);
  });

  it("ignores non-members, unknown names and the author's own name", async () => {
    m = await MemoryNode.start();
    const { alice, bob, c } = await channel();
    await m.connect({ token: await m.register("dave") });
    const sent = await bob.send(c, "@dave @nobody @bob hello");
    const event = await inHistory(alice, c, sent.i);
    expect(event?.x).toBe("@dave @nobody @bob hello");
    expect(event).not.toHaveProperty("mn");
    expect(event).not.toHaveProperty("mg");
  });

  it("makes @here and @channel group mentions for owners and moderators, plain text for members", async () => {
    m = await MemoryNode.start();
    const { alice, bob, carol, c } = await channel();
    const byMember = await bob.send(c, "@here @everyone anyone?");
    expect(await inHistory(alice, c, byMember.i)).not.toHaveProperty("mg");
    const byOwner = await alice.send(c, "@here meeting");
    expect((await inHistory(bob, c, byOwner.i))?.mg).toBe("here");
    await alice.command(c, "/mod @carol");
    const byModerator = await carol.send(c, "@everyone and @here: release");
    expect((await inHistory(bob, c, byModerator.i))?.mg).toBe("channel");
  });

  it("recomputes mentions at an edit, in the live event and in history, and drops them on delete", async () => {
    m = await MemoryNode.start();
    const { alice, bob, carol, c } = await channel();
    const seen = collect(carol, c);
    const sent = await alice.send(c, "hi @bob");
    expect((await inHistory(carol, c, sent.i))?.mn).toEqual([bob.user!.i]);
    await alice.editMessage(c, sent.i, 1, "hi @carol, @channel");
    await until(() => seen.some((e) => e.t === EventType.MessageEdited));
    const edited = seen.find((e) => e.t === EventType.MessageEdited);
    expect(edited).toMatchObject({ m: sent.i, mn: [carol.user!.i], mg: "channel" });
    expect(await inHistory(bob, c, sent.i)).toMatchObject({ mn: [carol.user!.i], mg: "channel" });
    await alice.editMessage(c, sent.i, 2, "hi all");
    expect(await inHistory(bob, c, sent.i)).not.toHaveProperty("mn");
    await alice.editMessage(c, sent.i, 3, "hi @bob again");
    await alice.deleteMessage(c, sent.i);
    const tombstone = await inHistory(bob, c, sent.i);
    expect(tombstone?.dl).toBeDefined();
    expect(tombstone).not.toHaveProperty("mn");
  });

  it("refuses here, channel and everyone as account names", async () => {
    m = await MemoryNode.start();
    for (const name of ["here", "Channel", "everyone"])
      await expect(m.register(name)).rejects.toMatchObject({ errorName: "USERNAME_RESERVED" });
  });

  it("carries mn in the join snapshot, the pinned list and a resume's replay", async () => {
    m = await MemoryNode.start();
    const { alice, bob, c } = await channel();
    const away = await m.raw();
    const token = ((await away.request(Op.Hello, {})).d as { st: string }).st;
    const join = await away.request(Op.ChannelJoin, { c });
    const seenSeq = (join.d as { ch: { ls: number } }).ch.ls;
    away.close();
    const sent = await alice.send(c, "ping @bob");
    await alice.pinMessage(c, sent.i);
    const pins = await bob.pinnedMessages(c);
    expect(pins.e.find((e) => e.i === sent.i)?.mn).toEqual([bob.user!.i]);
    const late = await m.connect({ token: await m.register("erin") });
    const snapshot = await late.joinChannel(c);
    expect(posted(snapshot.h.e, sent.i)?.mn).toEqual([bob.user!.i]);
    const back = await m.raw();
    await back.request(Op.Hello, { tk: token, ls: { [c]: seenSeq } });
    await back.waitFor((f) => f.o === Op.ReplayDone);
    const replayed = back.frames.flatMap((f) =>
      f.o === Op.Events ? (f.d as { e: ChannelEvent[] }).e : [],
    );
    expect(posted(replayed, sent.i)?.mn).toEqual([bob.user!.i]);
  });
});
