import type { ParleyClient } from "@parley/client";
import { EventType } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";

/** How long a removed member's socket waits for the removing event (short, for these tests). */
const GRACE_MS = 150;

/** Every way a member acts in a channel; resolves to the error names (or "ok") of each. */
async function everyOp(client: ParleyClient, channelId: number, messageId: number) {
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => "ok",
      (err: { errorName?: string }) => err.errorName ?? String(err),
    );
  return Promise.all([
    settle(client.send(channelId, "am I still here?")),
    settle(client.react(channelId, messageId, "👀")),
    settle(client.command(channelId, "/me waves")),
    settle(client.history(channelId)),
  ]);
}

describe("membership is decided by storage, at once", () => {
  let server: TestServer;
  let owner: ParleyClient;
  let member: ParleyClient;
  let channelId: number;
  let messageId: number;

  beforeEach(async () => {
    server = await new TestServer({}, { removalGraceMs: GRACE_MS }).start();
    owner = await server.connect({ token: await server.register("olga") });
    member = await server.connect({ token: await server.register("max") });
    channelId = (await owner.createChannel("room")).ch.i;
    await member.joinChannel(channelId);
    messageId = (await owner.send(channelId, "react to me")).i;
  });
  afterEach(() => server.stop());

  it("refuses every op of a kicked or banned user right after the ack, round after round", async () => {
    for (let round = 0; round < 25; round++) {
      const ban = round % 2 === 1;
      await owner.command(channelId, ban ? "/ban @max" : "/kick @max");
      expect(await everyOp(member, channelId, messageId)).toEqual([
        "NOT_A_MEMBER",
        "NOT_A_MEMBER",
        "NOT_A_MEMBER",
        "NOT_A_MEMBER",
      ]);
      if (ban) await owner.command(channelId, "/unban @max");
      await member.joinChannel(channelId);
    }
    // Nothing by max was stored after any of his removals.
    let inside = true;
    for (const e of (await owner.history(channelId, { after: 0, limit: 100 })).e) {
      if (e.t === EventType.MemberKicked || e.t === EventType.MemberBanned) inside = false;
      if (e.t === EventType.MemberJoined && e.a === member.user!.i) inside = true;
      if (e.t === EventType.MessagePosted && e.a === member.user!.i) expect(inside).toBe(true);
    }
  });

  it("gives one ChannelRemoved per removal, and a quick rejoin keeps the channel", async () => {
    const secondTab = await server.connect({ token: member.token! });
    const removals = [member, secondTab].map((c) => {
      const seen: string[] = [];
      c.on("channelRemoved", (r) => {
        if (r.c === channelId) seen.push(r.why);
      });
      return seen;
    });
    const rounds = 10;
    for (let round = 1; round <= rounds; round++) {
      await owner.command(channelId, "/kick @max");
      // As a person would: back in as soon as the removal is shown.
      await until(() => removals.every((r) => r.length === round), 5000, `removal ${round}`);
      await member.joinChannel(channelId);
    }
    const events = collect(owner, channelId);
    // The grace of every removal has passed: none of them may fire after the rejoin.
    await new Promise((r) => setTimeout(r, GRACE_MS * 4));
    expect(removals).toEqual([Array(rounds).fill("kicked"), Array(rounds).fill("kicked")]);
    // Both tabs are in the channel: each can act, and the member list says so.
    const ack = await member.send(channelId, "still here");
    await secondTab.send(channelId, "me too");
    await until(() => events.some((e) => e.t === EventType.MessagePosted && e.i === ack.i));
    const info = await owner.channelInfo(channelId);
    expect(info.m?.some((m) => m.i === member.user!.i) ?? true).toBe(true);
  });

  it("a rejoin that races its own removal notice is not undone by it", async () => {
    const removals: string[] = [];
    member.on("channelRemoved", (r) => {
      if (r.c === channelId) removals.push(r.why);
    });
    for (let round = 0; round < 10; round++) {
      await owner.command(channelId, "/kick @max");
      // Rejoin without waiting for the notice: it may arrive after the join's reply.
      await member.joinChannel(channelId);
      const seenBefore = removals.length;
      await new Promise((r) => setTimeout(r, GRACE_MS * 3));
      // Whatever arrived for the old membership arrived before the join's reply took effect.
      expect(removals.length).toBe(seenBefore);
      await member.send(channelId, `round ${round}`);
    }
  });
});
