import { NotifyLevel } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ClusterNode, TestCluster } from "./cluster";
import { until } from "./harness";
import { PushEndpoint } from "./push-endpoint";
import { describeWith } from "./services";

/** A counter from a node's /metrics (0 when absent). */
async function counter(node: ClusterNode, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

describeWith(["postgres", "redis"], "Web Push on a cluster of two nodes", () => {
  let cluster: TestCluster;
  let nodes: ClusterNode[];
  let endpoint: PushEndpoint;

  beforeAll(async () => {
    endpoint = await PushEndpoint.start();
    cluster = await TestCluster.start(2, { PARLEY_PUSH_ALLOW_INSECURE_LOCAL: "1" });
    nodes = cluster.nodes;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await endpoint?.close();
  }, 120_000);

  it("signs with one VAPID key pair on every node", async () => {
    const keys = await Promise.all(
      nodes.map(
        async (n) =>
          ((await (await fetch(`${n.url}/api/v1/push/key`)).json()) as { key: string }).key,
      ),
    );
    expect(new Set(keys).size).toBe(1);
  });

  it("pushes each message once, from the node that stored it, to a subscription made on the other", async () => {
    const author = await cluster.connect(nodes[0]!, await cluster.register("writer"));
    const { ch } = await author.createChannel("pushed-once");
    const bob = await cluster.connect(nodes[1]!, await cluster.register("reader"));
    await bob.joinChannel(ch.i);
    await bob.setNotify(ch.i, NotifyLevel.All);
    const phone = endpoint.subscription("reader-phone");
    await bob.pushSubscribe({ ep: phone.ep, p256dh: phone.p256dh, auth: phone.auth });
    const bobId = bob.welcome!.u.i;
    let bobOffline = false;
    author.on("presence", (p) => {
      if (p.u === bobId && !p.on) bobOffline = true;
    });
    await bob.close();
    // Offline everywhere: the presence store the nodes share says so (and tells the author).
    await until(() => bobOffline, 15_000, "bob offline");
    const acks = [];
    for (let i = 0; i < 3; i++) acks.push(await author.send(ch.i, `message ${i}`));
    await until(() => endpoint.to(phone).length >= 3, 15_000, "three pushes");
    // Every decision is made on the storing node; none on the other.
    const until3 = Date.now() + 15_000;
    while ((await counter(nodes[0]!, "parley_push_decisions_total")) < 3) {
      if (Date.now() > until3) throw new Error("decisions on node 1");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await counter(nodes[1]!, "parley_push_decisions_total")).toBe(0);
    expect(await counter(nodes[0]!, "parley_pushes_sent_total")).toBe(3);
    const seqs = endpoint.to(phone).map((p) => (p.payload as { s: number }).s);
    expect(seqs.sort((a, b) => a - b)).toEqual(acks.map((a) => a.s));
  }, 60_000);
});
