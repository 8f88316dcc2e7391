import { EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";

describe("reactions", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await new TestServer().start();
  });
  afterEach(() => server.stop());

  it("records who reacted: three users show three names, removal decrements", async () => {
    const users = await Promise.all(
      ["ann", "ben", "cat"].map(async (n) => server.connect({ token: await server.register(n) })),
    );
    const [ann, ben, cat] = users as [(typeof users)[0], (typeof users)[0], (typeof users)[0]];
    const { ch } = await ann.createChannel("reacts");
    await ben.joinChannel(ch.i);
    await cat.joinChannel(ch.i);
    const ack = await ann.send(ch.i, "react to me");
    const annLive = collect(ann, ch.i);
    for (const u of users) await u.react(ch.i, ack.i, "👍");

    const reactionsOf = async () => {
      const page = await ann.history(ch.i);
      return (page.e.find((e) => e.t === EventType.MessagePosted && e.i === ack.i) as MessageEvent)
        .r;
    };
    expect(await reactionsOf()).toEqual([
      { e: "👍", u: users.map((u) => ({ i: u.user!.i, n: u.user!.n })) },
    ]);
    await until(() => annLive.filter((e) => e.t === EventType.ReactionAdded).length === 3);
    expect(annLive.filter((e) => e.t === EventType.ReactionAdded).map((e) => e.an)).toEqual([
      "ann",
      "ben",
      "cat",
    ]);

    await ben.unreact(ch.i, ack.i, "👍");
    const after = await reactionsOf();
    expect(after?.[0]?.u.map((u) => u.n)).toEqual(["ann", "cat"]);
    await until(() => annLive.some((e) => e.t === EventType.ReactionRemoved && e.an === "ben"));
  });

  it("keeps one reaction per user per emoji and refuses removing one you do not have", async () => {
    const ann = await server.connect();
    const { ch } = await ann.createChannel("once");
    const ack = await ann.send(ch.i, "hi");
    await ann.react(ch.i, ack.i, "❤️");
    await ann.react(ch.i, ack.i, "❤️");
    const page = await ann.history(ch.i);
    expect((page.e.at(-1) as MessageEvent).r).toEqual([
      { e: "❤️", u: [{ i: ann.user!.i, n: ann.user!.n }] },
    ]);
    await expect(ann.unreact(ch.i, ack.i, "🙃")).rejects.toMatchObject({
      errorName: "NO_SUCH_REACTION",
    });
    await expect(ann.react(ch.i, 424242, "🙃")).rejects.toMatchObject({
      errorName: "NO_SUCH_MESSAGE",
    });
  });

  it("allows at most 20 distinct emoji on a message", async () => {
    const ann = await server.connect();
    const { ch } = await ann.createChannel("many");
    const ack = await ann.send(ch.i, "hi");
    for (let i = 0; i < 20; i++) await ann.react(ch.i, ack.i, `e${i}`);
    await expect(ann.react(ch.i, ack.i, "one-more")).rejects.toMatchObject({
      errorName: "TOO_MANY_REACTIONS",
    });
    const bob = await server.connect();
    await bob.joinChannel(ch.i);
    // An existing emoji can still gain users.
    await bob.react(ch.i, ack.i, "e3");
  });
});
