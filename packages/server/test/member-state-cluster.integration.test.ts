import type { ReadState } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ClusterNode, TestCluster } from "./cluster";
import { until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "read markers on a cluster of two nodes", () => {
  let cluster: TestCluster;
  let nodes: ClusterNode[];

  const connect = (node: ClusterNode, token: string) => cluster.connect(node, token);

  beforeAll(async () => {
    cluster = await TestCluster.start(2);
    nodes = cluster.nodes;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 120_000);

  it("brings a mark-read on one node to the same user's tab on the other", async () => {
    const author = await connect(nodes[0]!, await cluster.register("writer"));
    const { ch } = await author.createChannel("read-across");
    const token = await cluster.register("reader");
    const here = await connect(nodes[0]!, token);
    await here.joinChannel(ch.i);
    const there = await connect(nodes[1]!, token);
    await until(() => there.lastSeq.has(ch.i), 15_000, "the channel on the other tab");
    const pushed: ReadState[] = [];
    there.on("readState", (s) => pushed.push(s));
    const acks = [];
    for (let i = 0; i < 5; i++) acks.push(await author.send(ch.i, `message ${i}`));
    const state = await here.markRead(ch.i, acks[2]!.s);
    expect(state).toMatchObject({ rs: acks[2]!.s, uc: 2, fu: acks[3]!.s });
    await until(() => pushed.length > 0, 15_000, "the read state on the other node");
    expect(pushed).toEqual([state]);
    // Both nodes read the same stored marker: a welcome on either agrees.
    for (const node of nodes) {
      const fresh = await connect(node, token);
      expect(fresh.welcome?.ch.find((c) => c.i === ch.i)).toMatchObject({
        rs: acks[2]!.s,
        uc: 2,
        fu: acks[3]!.s,
      });
    }
  }, 60_000);
});
