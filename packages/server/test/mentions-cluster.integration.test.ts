import { type ClientOptions, ParleyClient } from "@parley/client";
import { EventType, type MessageEvent } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { type ClusterNode, TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "mentions on a cluster of two nodes", () => {
  let cluster: TestCluster;
  let nodes: ClusterNode[];
  const clients: ParleyClient[] = [];

  async function connect(node: ClusterNode, name: string): Promise<ParleyClient> {
    const client = new ParleyClient({
      url: node.wsUrl,
      token: await cluster.register(name),
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      backoffMinMs: 20,
      backoffMaxMs: 300,
    });
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    cluster = await TestCluster.start(2);
    nodes = cluster.nodes;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await cluster?.stop();
  }, 120_000);

  it("mentions a user who joined on the other node, as the storage knows the membership", async () => {
    const author = await connect(nodes[0]!, "speaker");
    const { ch } = await author.createChannel("across-mentions");
    const listener = await connect(nodes[1]!, "listener");
    await listener.joinChannel(ch.i);
    const seen = collect(listener, ch.i);
    const sent = await author.send(ch.i, "welcome @Listener");
    await until(
      () => seen.some((e) => e.t === EventType.MessagePosted && e.i === sent.i),
      15_000,
      "the message on the other node",
    );
    const live = seen.find(
      (e): e is MessageEvent => e.t === EventType.MessagePosted && e.i === sent.i,
    );
    expect(live?.mn).toEqual([listener.user!.i]);
  }, 60_000);
});
