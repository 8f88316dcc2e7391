import type { UserRef } from "@parley/protocol";
import type { UserRow } from "../storage/storage";

/** A user as the protocol shows it: id, name, guest flag, and the profile it chose. */
export function userRef(
  user: Pick<UserRow, "id" | "username" | "isGuest" | "displayName" | "statusText" | "avatar">,
): UserRef {
  return {
    i: user.id,
    n: user.username,
    ...(user.isGuest ? { g: true as const } : {}),
    ...(user.displayName !== null ? { dn: user.displayName } : {}),
    ...(user.statusText !== null ? { sx: user.statusText } : {}),
    ...(user.avatar !== null ? { av: user.avatar } : {}),
  };
}
