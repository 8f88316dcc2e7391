import { describe, expect, it } from "vitest";
import { MemoryRateLimiter } from "./memory-rate-limiter";
import { parseRateRules } from "./rate-limiter";
import { rateLimiterContract } from "./rate-limiter.contract";

rateLimiterContract("MemoryRateLimiter", async () => new MemoryRateLimiter());

describe("parseRateRules", () => {
  it("overrides named defaults and rejects unknown names or bad numbers", () => {
    const rules = parseRateRules("send=40/10, hello=500/100");
    expect(rules.send).toEqual({ burst: 40, perSecond: 10 });
    expect(rules.hello).toEqual({ burst: 500, perSecond: 100 });
    expect(rules.join).toEqual({ burst: 10, perSecond: 1 });
    expect(() => parseRateRules("shout=1/1")).toThrow(/shout=1\/1/);
    expect(() => parseRateRules("send=0/1")).toThrow(/burst/);
  });
});
