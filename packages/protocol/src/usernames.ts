import { GROUP_MENTIONS } from "./mentions";

/** The prefix of the names the server generates for guests (`guest-` and six base-36 digits). */
export const GUEST_PREFIX = "guest-";

/**
 * Whether a username is reserved: for generated guests, so that no account can pass for one
 * (names that start with `guest-` or its look-alike `guest_`), and the group mentions `here`,
 * `channel` and `everyone`, so that `@here` always means the group; in any case, compared after
 * NFKC normalisation and case folding. Registering such a name (or renaming to one) is refused
 * with USERNAME_RESERVED.
 */
export function isReservedUsername(name: string): boolean {
  const key = name.normalize("NFKC").toLowerCase();
  return /^guest[-_]/.test(key) || Object.hasOwn(GROUP_MENTIONS, key);
}
