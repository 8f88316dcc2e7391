import type { Member, Role, UserRef } from "@parley/protocol";
import type { UserRow } from "../storage/storage";

type RefFields = Pick<
  UserRow,
  "id" | "username" | "isGuest" | "displayName" | "statusText" | "avatar"
>;

/** A user as the protocol shows it: id, name, guest flag, and the profile it chose. */
export function userRef(user: RefFields): UserRef {
  const ref: UserRef = { i: user.id, n: user.username };
  if (user.isGuest) ref.g = true;
  if (user.displayName !== null) ref.dn = user.displayName;
  if (user.statusText !== null) ref.sx = user.statusText;
  if (user.avatar !== null) ref.av = user.avatar;
  return ref;
}

/**
 * A member as a member list shows it: its {@link userRef}, role and presence, built in place
 * (spreading a ref into each of a page's members cost more than reading the page).
 */
export function memberOf(user: RefFields, role: Role, on: boolean): Member {
  const member = userRef(user) as Member;
  member.rl = role;
  member.on = on;
  return member;
}
