import { GROUP_MENTIONS } from "./mentions";

/** The prefix of the names the server generates for guests (`guest-` and six base-36 digits). */
export const GUEST_PREFIX = "guest-";

/** The prefix of a deleted account's name: `deleted-` and its id. */
export const DELETED_PREFIX = "deleted-";

/** The name a deleted account takes, in place of its own. */
export function deletedUsername(id: number): string {
  return `${DELETED_PREFIX}${id}`;
}

/** Whether a name is a deleted account's (shown as "deleted user"). */
export function isDeletedUsername(name: string): boolean {
  return /^deleted-\d+$/.test(name);
}

/**
 * Whether a username is reserved: for generated guests, so that no account can pass for one
 * (names that start with `guest-` or its look-alike `guest_`), for deleted accounts
 * (`deleted-` or `deleted_`), and the group mentions `here`,
 * `channel` and `everyone`, so that `@here` always means the group; in any case, compared after
 * NFKC normalisation and case folding. Registering such a name (or renaming to one) is refused
 * with USERNAME_RESERVED.
 */
export function isReservedUsername(name: string): boolean {
  const key = name.normalize("NFKC").toLowerCase();
  return /^(guest|deleted)[-_]/.test(key) || Object.hasOwn(GROUP_MENTIONS, key);
}
