import { EventType, type MessageEvent, Role } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { TestServer } from "./harness";

describe("persistence across a restart", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("keeps channels, memberships, history and reactions", async () => {
    server = await new TestServer().start();
    const aliceToken = await server.register("alice");
    const bobToken = await server.register("bob");
    const alice = await server.connect({ token: aliceToken });
    const bob = await server.connect({ token: bobToken });
    const { ch } = await alice.createChannel("Durable", "kept across restarts");
    await bob.joinChannel(ch.i);
    const ack = await alice.send(ch.i, "remember me");
    await bob.react(ch.i, ack.i, "🎉");
    await alice.close();
    await bob.close();

    await server.restart();

    const bobAgain = await server.connect({ token: bobToken });
    const listed = bobAgain.welcome!.ch.find((c) => c.i === ch.i);
    expect(listed).toMatchObject({
      n: "Durable",
      tp: "kept across restarts",
      mc: 2,
      rl: Role.Member,
    });
    const page = await bobAgain.history(ch.i);
    const message = page.e.find((e) => e.t === EventType.MessagePosted) as MessageEvent;
    expect(message).toMatchObject({ i: ack.i, s: ack.s, x: "remember me", an: "alice" });
    expect(message.r).toEqual([{ e: "🎉", u: [{ i: bobAgain.user!.i, n: "bob" }] }]);
    const info = await bobAgain.channelInfo(ch.i);
    expect(info.m?.map((m) => [m.n, m.rl])).toEqual([
      ["alice", Role.Owner],
      ["bob", Role.Member],
    ]);
    // The seq continues where it stopped.
    const next = await bobAgain.send(ch.i, "after restart");
    expect(next.s).toBe(listed!.ls + 1);
  });
});
