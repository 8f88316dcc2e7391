import type { RateBucket } from "@parley/protocol";

/** A token bucket: `burst` tokens at most, refilled at `perSecond` (announced in the welcome). */
export type RateRule = RateBucket;

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Token buckets keyed by string (`user:42:send`, `ip:1.2.3.4:hello`).
 *
 * Contract:
 * - `take` consumes one token of the key's bucket when one is available and answers ok;
 *   otherwise it consumes nothing and answers the time until a token will be available.
 * - A bucket starts full and refills continuously at `perSecond`, up to `burst`.
 * - `refund` gives one token back to the key's bucket, never beyond `burst`: for a token taken
 *   before an action that turned out not to count (a login whose password was right).
 * - Implementations shared by several nodes decide atomically: two nodes never spend the same
 *   token. A local implementation may answer synchronously (and the send path relies on that
 *   to keep a connection's requests in order); a remote one answers in request order.
 */
export interface RateLimiter {
  take(key: string, rule: RateRule): RateDecision | Promise<RateDecision>;
  refund(key: string, rule: RateRule): void | Promise<void>;
  close(): Promise<void>;
}

/** The named limits and their defaults; `PARLEY_RATE_LIMITS` overrides them. */
export const DEFAULT_RATE_RULES = {
  /** Messages per user. */
  send: { burst: 20, perSecond: 5 },
  /** Reactions added or removed per user. */
  reaction: { burst: 20, perSecond: 5 },
  /** Typing notices per user (the relay is throttled separately). */
  typing: { burst: 10, perSecond: 2 },
  /** Channel joins and creations per user. */
  join: { burst: 10, perSecond: 1 },
  /** Slash commands (`/me` included) per user. */
  command: { burst: 10, perSecond: 1 },
  /** File uploads per user (`POST /api/v1/files`). */
  upload: { burst: 10, perSecond: 0.5 },
  /** Searches per user (op 42 and `GET /api/v1/search` together): 10, then one a second. */
  search: { burst: 10, perSecond: 1 },
  /** Reports of messages per user (op 44): 5, then one every 50 s. */
  report: { burst: 5, perSecond: 0.02 },
  /** Data exports per user (`GET /api/v1/export`): 3, then one every 10 minutes. */
  export: { burst: 3, perSecond: 1 / 600 },
  /** Admin API requests per admin (`/api/v1/admin/…`): 30, then five a second. */
  admin: { burst: 30, perSecond: 5 },
  /** Every other request per user (history, lists, info, ping). */
  read: { burst: 50, perSecond: 20 },
  /** WebSocket hellos per IP address. */
  hello: { burst: 60, perSecond: 10 },
  /** Logins per IP address. */
  login: { burst: 10, perSecond: 0.5 },
  /** Registrations per IP address. */
  register: { burst: 5, perSecond: 0.1 },
  /**
   * Failed logins per account name, from any address (unknown names alike): 5 at once, then
   * one a minute. With `accountlong`, a stepped backoff.
   */
  account: { burst: 5, perSecond: 1 / 60 },
  /** Failed logins per account name over a longer span: 20, then one every 15 minutes. */
  accountlong: { burst: 20, perSecond: 1 / 900 },
} as const satisfies Record<string, RateRule>;

export type RateRuleName = keyof typeof DEFAULT_RATE_RULES;
export type RateRules = Record<RateRuleName, RateRule>;

/**
 * Parses `name=burst/perSecond` pairs, comma-separated (e.g. `send=40/10,hello=500/100`), over
 * the defaults. Throws with the offending pair.
 */
export function parseRateRules(text: string): RateRules {
  const rules: RateRules = { ...DEFAULT_RATE_RULES };
  for (const pair of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z]+)=(\d+)\/(\d+(?:\.\d+)?)$/.exec(pair);
    if (!match || !(match[1]! in rules)) {
      throw new Error(
        `"${pair}": expected name=burst/perSecond with name one of ${Object.keys(rules).join(", ")}`,
      );
    }
    const burst = Number(match[2]);
    const perSecond = Number(match[3]);
    if (burst < 1 || perSecond <= 0)
      throw new Error(`"${pair}": burst must be ≥ 1 and perSecond > 0`);
    rules[match[1] as RateRuleName] = { burst, perSecond };
  }
  return rules;
}
