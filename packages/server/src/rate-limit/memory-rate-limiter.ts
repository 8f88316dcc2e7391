import type { RateDecision, RateLimiter, RateRule } from "./rate-limiter";

interface Bucket {
  tokens: number;
  updated: number;
}

/** How often full buckets are forgotten, so idle keys hold no memory. */
const SWEEP_MS = 60_000;

/** The single-node {@link RateLimiter}: buckets in a map, answered synchronously. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly buckets = new Map<string, Bucket & { rule: RateRule }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  take(key: string, rule: RateRule): RateDecision {
    const bucket = this.refilled(key, rule);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / rule.perSecond) * 1000) };
  }

  refund(key: string, rule: RateRule): void {
    const bucket = this.refilled(key, rule);
    bucket.tokens = Math.min(rule.burst, bucket.tokens + 1);
  }

  /** The key's bucket, refilled up to now. */
  private refilled(key: string, rule: RateRule): Bucket & { rule: RateRule } {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: rule.burst, updated: now, rule };
    bucket.tokens = Math.min(
      rule.burst,
      bucket.tokens + ((now - bucket.updated) / 1000) * rule.perSecond,
    );
    bucket.updated = now;
    bucket.rule = rule;
    this.buckets.set(key, bucket);
    return bucket;
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.buckets.clear();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.updated) / 1000) * b.rule.perSecond >= b.rule.burst)
        this.buckets.delete(key);
    }
  }
}
