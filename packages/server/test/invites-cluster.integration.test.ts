import { EventType } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestCluster } from "./cluster";
import { collect, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "invite links on a cluster of two nodes", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await TestCluster.start(2);
  }, 120_000);
  afterAll(() => cluster?.stop(), 120_000);

  it("lets exactly one of two redemptions of a link's last use, made at once on two nodes, join", async () => {
    const [first, second] = cluster.nodes;
    const owner = await cluster.connect(first!, await cluster.register("keeper"));
    const { ch } = await owner.createChannel("one-seat", "", { private: true });
    const seen = collect(owner, ch.i);
    const link = await owner.createInvite(ch.i, { maxUses: 1 });
    const [left, right] = await Promise.all([
      cluster.register("left").then((token) => cluster.connect(first!, token)),
      cluster.register("right").then((token) => cluster.connect(second!, token)),
    ]);
    const results = await Promise.allSettled([
      left!.redeemInvite(link.code),
      right!.redeemInvite(link.code),
    ]);
    const joined = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(joined).toHaveLength(1);
    expect(refused.map((r) => r.reason.errorName)).toEqual(["INVITE_INVALID"]);
    expect((await owner.channelInfo(ch.i)).ch.mc).toBe(2);
    await until(() => seen.some((e) => e.t === EventType.MemberJoined && e.a !== owner.user!.i));
    expect(
      seen.filter((e) => e.t === EventType.MemberJoined && e.a !== owner.user!.i),
    ).toHaveLength(1);
    expect((await owner.listInvites(ch.i)).iv).toEqual([]);
  }, 60_000);
});
