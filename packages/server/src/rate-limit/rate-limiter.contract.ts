import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RateLimiter } from "./rate-limiter";

/** The RateLimiter contract, run against every implementation. */
export function rateLimiterContract(name: string, open: () => Promise<RateLimiter>) {
  describe(`${name} › RateLimiter contract`, () => {
    let limiter: RateLimiter;
    beforeEach(async () => {
      limiter = await open();
    });
    afterEach(() => limiter.close());

    it("allows a burst, then refuses with the time until the next token", async () => {
      const key = `k-${Math.random()}`;
      const rule = { burst: 3, perSecond: 1 };
      for (let i = 0; i < 3; i++) expect(await limiter.take(key, rule)).toEqual({ ok: true });
      const refused = await limiter.take(key, rule);
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
      }
    });

    it("keeps keys apart and refills over time", async () => {
      const a = `a-${Math.random()}`;
      const b = `b-${Math.random()}`;
      const rule = { burst: 1, perSecond: 20 };
      expect((await limiter.take(a, rule)).ok).toBe(true);
      expect((await limiter.take(a, rule)).ok).toBe(false);
      expect((await limiter.take(b, rule)).ok).toBe(true);
      const deadline = Date.now() + 2000;
      let refilled = false;
      while (!refilled && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        refilled = (await limiter.take(a, rule)).ok;
      }
      expect(refilled).toBe(true);
    });

    it("gives a refunded token back, never beyond the burst", async () => {
      const key = `r-${Math.random()}`;
      const rule = { burst: 2, perSecond: 0.001 };
      expect((await limiter.take(key, rule)).ok).toBe(true);
      expect((await limiter.take(key, rule)).ok).toBe(true);
      expect((await limiter.take(key, rule)).ok).toBe(false);
      await limiter.refund(key, rule);
      expect((await limiter.take(key, rule)).ok).toBe(true);
      expect((await limiter.take(key, rule)).ok).toBe(false);
      const full = `f-${Math.random()}`;
      for (let i = 0; i < 3; i++) await limiter.refund(full, rule);
      const taken = [];
      for (let i = 0; i < 4; i++) taken.push((await limiter.take(full, rule)).ok);
      expect(taken).toEqual([true, true, false, false]);
    });

    it("never grants more than the burst to concurrent takers", async () => {
      const key = `c-${Math.random()}`;
      const rule = { burst: 5, perSecond: 0.001 };
      const results = await Promise.all(Array.from({ length: 20 }, () => limiter.take(key, rule)));
      expect(results.filter((r) => r.ok)).toHaveLength(5);
    });
  });
}
