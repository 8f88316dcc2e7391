import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TestServer } from "./harness";
import { describeWith, freshPostgres, serviceUrl } from "./services";

describeWith(["postgres", "redis"], "shared HTTP limits on a cluster", () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let nodes: TestServer[];
  beforeAll(async () => {
    db = await freshPostgres();
    const env = {
      PARLEY_DATABASE_URL: db.url,
      PARLEY_REDIS_URL: serviceUrl("redis"),
      PARLEY_REDIS_PREFIX: `t${randomBytes(4).toString("hex")}:`,
      PARLEY_TRUST_PROXY: "true",
      PARLEY_RATE_LIMITS: "account=4/0.01,read=3/0.01",
    };
    nodes = [];
    for (let i = 0; i < 2; i++) nodes.push(await new TestServer(env).start());
  });
  afterAll(async () => {
    for (const node of nodes ?? []) await node.stop();
    await db?.drop();
  });

  it("shares the account's buckets between nodes: guesses spread over both are counted once", async () => {
    await nodes[0]!.register("shared-victim", "the-right-password");
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${nodes[i % 2]!.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": `10.1.0.${i}` },
        body: JSON.stringify({ username: "shared-victim", password: "a-wrong-guess" }),
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });

  it("meters HTTP reads with the user's read bucket on every node together", async () => {
    const token = await nodes[0]!.register("shared-reader");
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${nodes[i % 2]!.url}/api/v1/me`, {
        headers: { authorization: `Bearer ${token}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
