import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { describeWith, serviceUrl } from "../../test/services";
import { rateLimiterContract } from "./rate-limiter.contract";
import { RedisRateLimiter } from "./redis-rate-limiter";

describeWith(["redis"], "RedisRateLimiter", () => {
  rateLimiterContract("RedisRateLimiter", () =>
    RedisRateLimiter.connect({
      url: serviceUrl("redis"),
      prefix: `test-${randomBytes(4).toString("hex")}:`,
    }),
  );

  it("shares one bucket between nodes: two nodes never grant more than the burst", async () => {
    const prefix = `test-${randomBytes(4).toString("hex")}:`;
    const nodes = await Promise.all(
      [1, 2, 3].map(() => RedisRateLimiter.connect({ url: serviceUrl("redis"), prefix })),
    );
    const rule = { burst: 10, perSecond: 0.001 };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => nodes[i % 3]!.take("user:1:send", rule)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    await Promise.all(nodes.map((n) => n.close()));
  });
});
