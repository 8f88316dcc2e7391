import { ERRORS, type ErrorName } from "@parley/protocol";
import { formatDuration } from "./duration";

/** Extra detail an error reply may carry. */
export interface ParleyErrorDetail {
  /** Milliseconds to wait before retrying. */
  retryAfterMs?: number;
  /** Usage line of a command. */
  usage?: string;
  /** The report a held message waits in (MESSAGE_HELD). */
  report?: number;
}

/**
 * The one error class of the server. It carries a code from the protocol's catalogue; its
 * message is meant for the client. Any other thrown error is internal: logged, and answered
 * with INTERNAL without its text.
 */
export class ParleyError extends Error {
  readonly code: number;
  constructor(
    readonly errorName: ErrorName,
    message?: string,
    readonly detail: ParleyErrorDetail = {},
  ) {
    // An expected refusal, answered with its code: no stack trace to capture (under load,
    // capturing one for every refused request was a noticeable share of the time).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? ERRORS[errorName].message);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = "ParleyError";
    this.code = ERRORS[errorName].code;
  }
}

/** MUTED or BANNED, saying for how long, with the time left as retry-after (none when indefinite). */
export function restrictionError(
  name: "MUTED" | "BANNED",
  until: number | null,
  now = Date.now(),
): ParleyError {
  const what =
    name === "MUTED" ? "You are muted in this channel" : "You are banned from this channel";
  if (until === null) return new ParleyError(name, what);
  return new ParleyError(name, `${what} for ${formatDuration(until - now)}`, {
    retryAfterMs: until - now,
  });
}
