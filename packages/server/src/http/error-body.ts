import { ERRORS, type ErrorName, type HttpErrorBody } from "@parley/protocol";

/** An HTTP error answer: the catalogue's status for the error, and the one body shape. */
export interface HttpError {
  status: number;
  body: HttpErrorBody;
}

/**
 * The HTTP answer for a catalogue error: its status (from {@link ERRORS}) and the body every
 * HTTP error has, `{"error": {"c", "name", "m"}}`; `m` defaults to the catalogue's message.
 */
export function httpError(name: ErrorName, message: string = ERRORS[name].message): HttpError {
  const entry = ERRORS[name];
  return { status: entry.status, body: { error: { c: entry.code, name, m: message } } };
}
