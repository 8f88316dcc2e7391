/**
 * Invite links in the web client: `<origin>/#/invite/<code>`. A hash route, so the server
 * serves the one page for every link and the code never reaches a server log as a path.
 */

const ROUTE = /^#\/invite\/([A-Za-z0-9_-]{16,64})\/?$/;

/** The invite code a location hash names, or undefined when it names none. */
export function inviteCodeOf(hash: string): string | undefined {
  return ROUTE.exec(hash)?.[1];
}

/** Whether a hash is an invite route at all (with a code that may be malformed). */
export function isInviteRoute(hash: string): boolean {
  return hash.startsWith("#/invite/");
}

/** The link that opens invite `code` on the page at `origin`. */
export function inviteLink(origin: string, code: string): string {
  return `${origin}/#/invite/${code}`;
}
