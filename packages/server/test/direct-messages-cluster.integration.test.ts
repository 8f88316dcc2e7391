import { EventType } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "direct messages on a cluster of two nodes", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(2);
  }, 120_000);
  afterAll(() => cluster?.stop(), 120_000);

  it("makes one conversation of two opens at once on two nodes, and carries a message across", async () => {
    const [first, second] = cluster.nodes;
    const [alice, bob] = await Promise.all([
      cluster.register("alice").then((token) => cluster.connect(first!, token)),
      cluster.register("bob").then((token) => cluster.connect(second!, token)),
    ]);
    const [mine, theirs] = await Promise.all([alice!.openDm(["bob"]), bob!.openDm(["@alice"])]);
    expect(mine.ch.i).toBe(theirs.ch.i);
    expect(mine.ch.dm?.map((u) => u.n)).toEqual(["bob"]);
    expect(theirs.ch.dm?.map((u) => u.n)).toEqual(["alice"]);
    expect(mine.m.map((m) => m.n)).toEqual(["alice", "bob"]);
    const seen = collect(bob!, mine.ch.i);
    const { i } = await alice!.send(mine.ch.i, "across the cluster");
    await until(() => seen.some((e) => e.t === EventType.MessagePosted && e.i === i));
    // A block made on node 2 stops a send on node 1.
    await bob!.block("alice");
    await expect(alice!.send(mine.ch.i, "still there?")).rejects.toMatchObject({
      errorName: "BLOCKED",
    });
  }, 60_000);
});
