import { afterAll, beforeAll, describe, it } from "vitest";
import { TestServer } from "./harness";
import { expectJoinPagesAsStored } from "./join-pages";

describe("join pages from the node's copy", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await new TestServer().start();
  });
  afterAll(() => server.stop());

  it("are what storage reads after posts, edits, reactions, pins, replies, deletions, a topic and a flood", async () => {
    const author = await server.connect({ token: await server.register("pagekeeper") });
    const { ch } = await author.createChannel("kept-pages");
    await expectJoinPagesAsStored(author, ch.i, () => server.connect());
  }, 60_000);
});
