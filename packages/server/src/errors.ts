import { ERRORS, type ErrorName } from "@parley/protocol";

/** Extra detail an error reply may carry. */
export interface ParleyErrorDetail {
  /** Milliseconds to wait before retrying. */
  retryAfterMs?: number;
  /** Usage line of a command. */
  usage?: string;
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
    super(message ?? ERRORS[errorName].message);
    this.name = "ParleyError";
    this.code = ERRORS[errorName].code;
  }
}
