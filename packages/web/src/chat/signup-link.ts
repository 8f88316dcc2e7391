/**
 * Sign-up links in the web client: `<origin>/#/signup/<code>`, a server invite's code that lets
 * its holder create an account while registration is invite-only. A hash route, as channel
 * invite links are, so the code never reaches a server log as a path.
 */

const ROUTE = /^#\/signup\/([A-Za-z0-9_-]{16,64})\/?$/;

/** The server invite code a location hash names, or undefined when it names none. */
export function signupCodeOf(hash: string): string | undefined {
  return ROUTE.exec(hash)?.[1];
}

/** Whether a hash is a sign-up route at all (with a code that may be malformed). */
export function isSignupRoute(hash: string): boolean {
  return hash.startsWith("#/signup/");
}

/** The link that opens the sign-up form with server invite `code` on the page at `origin`. */
export function signupLink(origin: string, code: string): string {
  return `${origin}/#/signup/${code}`;
}
