import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AdminCreateInviteReply, EventType } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestCluster } from "./cluster";
import { collect, grantAdmin, post, testConfig, until } from "./harness";
import { describeWith } from "./services";

describeWith(["postgres", "redis"], "invites on a cluster of two nodes", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    // Every sign-up comes from 127.0.0.1: more than the register bucket's default burst.
    cluster = await TestCluster.start(2, { PARLEY_RATE_LIMITS: "register=100/100" });
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

  it("makes registration invite-only on both nodes from one, and gives a server invite's last use to one of two sign-ups made at once on two nodes", async () => {
    const [first, second] = cluster.nodes;
    const root = await cluster.register("chief");
    const dir = mkdtempSync(join(tmpdir(), "parley-cluster-invite-"));
    try {
      await grantAdmin(testConfig(dir, { PARLEY_DATABASE_URL: cluster.databaseUrl }), "chief");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const admin = (path: string, body: unknown) =>
      post(`${first!.url}/api/v1/admin${path}`, body, root);
    expect((await admin("/settings", { registration: "invite" })).status).toBe(200);
    // The other node follows the setting as soon as the broker's message arrives.
    await until(
      async () =>
        (await (await fetch(`${second!.url}/api/v1/auth/options`)).json()).registration ===
        "invite",
      15_000,
      "node 2 invite-only",
    );
    const password = "correct horse battery";
    const bare = await post(`${second!.url}/api/v1/auth/register`, { username: "solo", password });
    expect(bare.status).toBe(403);
    const made = (await admin("/invites", { maxUses: 1 })).body as AdminCreateInviteReply;
    const results = await Promise.all(
      [first!, second!].map((node, i) =>
        post(`${node.url}/api/v1/auth/register`, {
          username: `racer${i}`,
          password,
          invite: made.code,
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 404]);
    const listed = await fetch(`${second!.url}/api/v1/admin/invites?status=all`, {
      headers: { authorization: `Bearer ${root}` },
    });
    expect((await listed.json()).invites).toMatchObject([{ id: made.invite.id, uses: 1 }]);
    expect((await admin("/settings", { reset: ["registration"] })).status).toBe(200);
  }, 60_000);
});
