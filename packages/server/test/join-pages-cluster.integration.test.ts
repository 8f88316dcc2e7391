import { type ClientOptions, ParleyClient } from "@parley/client";
import { afterAll, beforeAll, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";
import { TestCluster } from "./cluster";
import { expectJoinPagesAsStored } from "./join-pages";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "join pages from a node's copy on a cluster of two", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    // Every guest of this file comes from one address.
    cluster = await TestCluster.start(2, {
      PARLEY_RATE_LIMITS: Object.keys(DEFAULT_RATE_RULES)
        .map((name) => `${name}=100000/100000`)
        .join(","),
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it("are what storage reads on the node the changes reach through the broker", async () => {
    const [writer, reader] = cluster.nodes;
    const author = await cluster.connect(writer!, await cluster.register("pagewriter"));
    const { ch } = await author.createChannel("pages-across");
    // A member on the other node keeps the channel open there, so that node keeps a copy.
    const member = await cluster.connect(reader!, await cluster.register("pagereader"));
    await member.joinChannel(ch.i);
    await expectJoinPagesAsStored(author, ch.i, async () => {
      const guest = new ParleyClient({
        url: reader!.wsUrl,
        WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      });
      await guest.connect();
      return guest;
    });
  }, 90_000);
});
