import { Redis } from "ioredis";
import { MemoryRateLimiter } from "./memory-rate-limiter";
import type { RateDecision, RateLimiter, RateRule } from "./rate-limiter";

export interface RedisRateLimiterOptions {
  /** `redis://[user:pass@]host:port[/db]`. */
  url: string;
  /** Key prefix, so several deployments (or tests) can share one Redis. Default `parley:`. */
  prefix?: string;
  onError?: (err: Error) => void;
}

// One token bucket per key, as a hash {tokens, updated}. The script reads, refills, takes and
// writes in one step on the Redis server, with the server's clock, so nodes never spend the same
// token and their clocks do not matter. A full bucket is the same as no bucket, so the key
// expires when it would have refilled: idle keys cost nothing. ARGV[3] is 1 to take a token,
// -1 to give one back (a refund always succeeds, up to the burst).
const TAKE = `
local burst = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
tokens = math.min(burst, tokens + math.max(0, now - updated) / 1000 * rate)
local ok = 0
local wait = 0
if cost < 0 then
  tokens = math.min(burst, tokens - cost)
  ok = 1
elseif tokens >= 1 then
  tokens = tokens - 1
  ok = 1
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {ok, wait}`;

type LimiterRedis = Redis & {
  parleyTake(
    key: string,
    burst: number,
    perSecond: number,
    cost: 1 | -1,
  ): Promise<[number, number]>;
};

/**
 * The cluster {@link RateLimiter}: token buckets in Redis, taken by an atomic Lua script, so a
 * user's limit holds across every node it connects to. Answers asynchronously, in request order
 * (one connection, replies in command order).
 *
 * While Redis is unreachable each node falls back to its own in-memory buckets: the limits then
 * hold per node instead of per deployment, and chat goes on instead of waiting for Redis.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: LimiterRedis;
  private readonly prefix: string;
  private readonly fallback = new MemoryRateLimiter();

  private constructor(options: RedisRateLimiterOptions) {
    this.prefix = options.prefix ?? "parley:";
    this.redis = new Redis(options.url, {
      lazyConnect: true,
      // Fail at once while disconnected, so that the fallback answers.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 2000),
    }) as LimiterRedis;
    this.redis.on("error", (err: Error) => options.onError?.(err));
    // ioredis runs it by EVALSHA and loads it again after a Redis restart (NOSCRIPT).
    this.redis.defineCommand("parleyTake", { numberOfKeys: 1, lua: TAKE });
  }

  static async connect(options: RedisRateLimiterOptions): Promise<RedisRateLimiter> {
    const limiter = new RedisRateLimiter(options);
    try {
      await limiter.redis.connect();
    } catch (err) {
      limiter.redis.disconnect();
      throw err;
    }
    return limiter;
  }

  async take(key: string, rule: RateRule): Promise<RateDecision> {
    if (this.redis.status !== "ready") return this.fallback.take(key, rule);
    try {
      const [ok, wait] = await this.redis.parleyTake(
        `${this.prefix}rl:${key}`,
        rule.burst,
        rule.perSecond,
        1,
      );
      return ok === 1 ? { ok: true } : { ok: false, retryAfterMs: Math.max(1, wait) };
    } catch {
      return this.fallback.take(key, rule);
    }
  }

  async refund(key: string, rule: RateRule): Promise<void> {
    if (this.redis.status !== "ready") return this.fallback.refund(key, rule);
    try {
      await this.redis.parleyTake(`${this.prefix}rl:${key}`, rule.burst, rule.perSecond, -1);
    } catch {
      this.fallback.refund(key, rule);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
