/**
 * A link to one message: `<page>#/c/<channel id>/<seq>`. A hash route, so the server needs no
 * route of its own and the link never reaches it (nor its logs); the client opens the channel
 * (when this user is a member) and jumps to the message at that seq.
 */
export interface MessageLink {
  /** Channel id. */
  c: number;
  /** The message's seq in its channel. */
  s: number;
}

const ROUTE = /^#\/c\/([1-9]\d{0,15})\/([1-9]\d{0,15})\/?$/;

/** The link to message `s` of channel `c`, on the page at `base` (origin, path and query). */
export function messageLink(base: string, link: MessageLink): string {
  return `${base}#/c/${link.c}/${link.s}`;
}

/** The message a location hash names, or undefined when it names none (or not validly). */
export function parseMessageLink(hash: string): MessageLink | undefined {
  const match = ROUTE.exec(hash);
  if (!match) return undefined;
  const c = Number(match[1]);
  const s = Number(match[2]);
  return Number.isSafeInteger(c) && Number.isSafeInteger(s) ? { c, s } : undefined;
}
