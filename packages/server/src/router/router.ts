import {
  type ClientOp,
  CloseCode,
  type Envelope,
  ERRORS,
  type ErrorPayload,
} from "@parley/protocol";
import type { Logger } from "pino";
import type { ChannelHub } from "../delivery/channel-hub";
import type { UserTopic } from "../delivery/user-topic";
import { ParleyError } from "../errors";
import type { Connection } from "../gateway/connection";
import { disconnect } from "../handlers/disconnect";
import type { Services } from "../services/services";
import { REGISTRY } from "./registry";
import type { Guard, RequestContext, Route } from "./route";

/**
 * The window over which a connection's error replies are counted: more than `maxRefusals` in it
 * closes the connection (4003). Ten seconds is long enough to catch a flood and short enough
 * that a client's occasional mistakes never add up.
 */
export const REFUSAL_WINDOW_MS = 10_000;

/** Formats the first schema issue as `path: message`, for INVALID_PAYLOAD. */
function describeIssue(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return ERRORS.INVALID_PAYLOAD.message;
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

export interface RouterOptions {
  services: Services;
  hub: ChannelHub;
  users: UserTopic;
  logger: Logger;
  /** Error replies a connection may get within {@link REFUSAL_WINDOW_MS} before it is closed. */
  maxRefusals: number;
  /** Called with the code of every error reply. */
  onError: (code: number) => void;
}

/**
 * Validates a decoded envelope against its op's schema, runs the op's guards in order, then its
 * handler, and answers with the reply or a coded error. Guards that are synchronous run without
 * a turn of the event loop, so a connection's sends are queued in arrival order. Also runs the
 * end of a connection (`closed`), so the gateway knows the router alone.
 */
export class Router {
  constructor(private readonly options: RouterOptions) {}

  async dispatch(conn: Connection, envelope: Envelope): Promise<void> {
    const { o: op, r: requestId } = envelope;
    const route = (REGISTRY as Record<number, Route<ClientOp> | undefined>)[op];
    const { services, hub, users } = this.options;
    const ctx: RequestContext = {
      conn,
      services,
      hub,
      users,
      data: undefined as never,
      requestId,
      after: [],
    };
    try {
      if (!route) throw new ParleyError("UNKNOWN_OP", `Unknown op ${op}`);
      const parsed = route.schema.safeParse(envelope.d ?? {});
      if (!parsed.success) throw new ParleyError("INVALID_PAYLOAD", describeIssue(parsed.error));
      ctx.data = parsed.data as never;
      for (const guard of route.guards as Guard[]) {
        const pending = guard(ctx);
        if (pending) await pending;
      }
      let result = route.handle(ctx);
      if (result instanceof Promise) result = await result;
      conn.reply(op, requestId, result);
    } catch (err) {
      this.fail(conn, op, requestId, err);
    }
    for (const fn of ctx.after) fn();
  }

  /** Runs the end of a closed connection: leaves its channels and its user's topic, presence. */
  async closed(conn: Connection): Promise<void> {
    const { services, hub, users, logger } = this.options;
    try {
      await disconnect({ conn, services, hub, users });
    } catch (err) {
      logger.warn({ err }, "cleanup after close failed");
    }
  }

  /**
   * Answers a request with a coded error; internal errors are logged and never leak their text.
   * Every reply but INTERNAL (the server's fault, not the client's) counts toward the refusal
   * limit, junk frames and refused hellos included: past it the connection is closed (4003), so
   * a flood of bad frames costs the server a bounded amount of work per connection.
   */
  fail(
    conn: Connection,
    op: number | undefined,
    requestId: number | undefined,
    err: unknown,
  ): void {
    let payload: ErrorPayload;
    if (err instanceof ParleyError) {
      payload = { c: err.code, m: err.message };
      if (err.detail.retryAfterMs !== undefined) payload.ra = err.detail.retryAfterMs;
      if (err.detail.usage !== undefined) payload.us = err.detail.usage;
      if (err.detail.report !== undefined) payload.rp = err.detail.report;
    } else {
      this.options.logger.error({ err, op, conn: conn.id }, "request failed");
      payload = { c: ERRORS.INTERNAL.code, m: ERRORS.INTERNAL.message };
    }
    if (op !== undefined) payload.op = op;
    this.options.onError(payload.c);
    conn.error(payload, requestId);
    if (
      payload.c !== ERRORS.INTERNAL.code &&
      conn.recordRefusal(REFUSAL_WINDOW_MS) > this.options.maxRefusals
    )
      conn.close(CloseCode.RateLimited, "too many requests");
  }
}
