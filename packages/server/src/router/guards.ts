import { ParleyError } from "../errors";
import type { RateDecision, RateRuleName } from "../rate-limit/rate-limiter";
import type { Guard } from "./route";

/**
 * Guards run in the registry's order; the conventional order is the guards that need only the
 * connection (authenticated → member → permission), then rateLimit, then those that read the
 * database (channelExists, standing), so a flood is refused before it costs a read.
 */

/** The connection has completed its hello. */
export const authenticated: Guard = ({ conn }) => {
  if (!conn.ready || !conn.user) throw new ParleyError("UNAUTHENTICATED");
};

/** Hello has not been received yet on this connection. */
export const notHelloYet: Guard = ({ conn }) => {
  if (conn.ready || conn.user) throw new ParleyError("ALREADY_HELLO");
};

function channelIdOf(data: unknown): number {
  return (data as { c: number }).c;
}

/**
 * The user is a member of channel `c` and not muted there, read from storage: for the ops that
 * write nothing (typing), whose refusal must not wait for this node's view to catch up with a
 * kick or ban. Writes check the same inside their own transaction.
 */
export const standing: Guard = async ({ conn, data, services }) => {
  await services.moderation.assertStanding(channelIdOf(data), conn.user!.id);
};

/**
 * The channel `c` exists, and is public or has the user as a member (or the user is an
 * admin): a private channel is NO_SUCH_CHANNEL to everyone else, exactly as a missing one.
 */
export const channelExists: Guard = async ({ conn, data, services }) => {
  await services.channels.require(channelIdOf(data), { id: conn.user!.id, isAdmin: conn.isAdmin });
};

/**
 * The user is a member of channel `c`. Checked against the connection's own membership view,
 * kept current by the user's broker topic, so the hot path reads no storage. A channel that
 * does not exist is one the user is not a member of.
 */
export const member: Guard = ({ conn, data }) => {
  if (!conn.channels.has(channelIdOf(data))) throw new ParleyError("NOT_A_MEMBER");
};

/** The user is a member of channel `c`, or a server-wide admin (who may act in every channel). */
export const memberOrAdmin: Guard = (ctx) => {
  if (ctx.conn.isAdmin) return channelExists(ctx);
  return member(ctx);
};

/**
 * Takes a token of the named bucket, per user (or per IP address before hello), or refuses with
 * RATE_LIMITED and the time to wait. Like every error reply, a refusal counts toward the
 * connection's refusal limit (see `Router.fail`). Synchronous when the limiter answers
 * synchronously.
 */
export function rateLimit(name: RateRuleName, scope: "user" | "ip" = "user"): Guard {
  return (ctx) => {
    const key = scope === "ip" ? `ip:${ctx.conn.ip}:${name}` : `user:${ctx.conn.user!.id}:${name}`;
    const decision = ctx.services.rate.limiter.take(key, ctx.services.rate.rules[name]);
    const check = (d: RateDecision) => {
      if (d.ok) return;
      throw new ParleyError(
        "RATE_LIMITED",
        `Too many requests: wait ${Math.ceil(d.retryAfterMs / 1000)} s`,
        {
          retryAfterMs: d.retryAfterMs,
        },
      );
    };
    if (decision instanceof Promise) return decision.then(check);
    check(decision);
  };
}
