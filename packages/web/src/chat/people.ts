import { isDeletedUsername, type UserRef } from "@parley/protocol";

/** What a user shows of themselves: username, guest flag and profile (display name, status, avatar). */
const PROFILE_KEYS = ["n", "g", "dn", "sx", "av"] as const satisfies readonly (keyof UserRef)[];

/**
 * The name a user is shown by: their display name when they chose one, else their username (a
 * deleted account's reads "Deleted user", whatever it held).
 */
export function displayName(user: Pick<UserRef, "n" | "dn">): string {
  if (isDeletedUsername(user.n)) return "Deleted user";
  return user.dn ?? user.n;
}

/**
 * `@username`, shown beside a display name so that two people who chose the same one stay
 * apart; undefined when the user is shown by their username already (or was deleted).
 */
export function handleOf(user: Pick<UserRef, "n" | "dn">): string | undefined {
  if (isDeletedUsername(user.n) || user.dn === undefined || user.dn === user.n) return undefined;
  return `@${user.n}`;
}

/** Where an avatar's image is read (no token needed; a new avatar has a new id). */
export function avatarUrl(av: string): string {
  return `/api/v1/avatars/${encodeURIComponent(av)}`;
}

/** Whether two user references show the same (name, guest flag and profile). */
export function sameProfile(a: UserRef, b: UserRef): boolean {
  return PROFILE_KEYS.every((k) => a[k] === b[k]);
}

/** Only the name, guest flag and profile of a user reference (not a member's role or presence). */
export function userRefOf(ref: UserRef): UserRef {
  return {
    i: ref.i,
    n: ref.n,
    ...(ref.g ? { g: true as const } : {}),
    ...(ref.dn !== undefined ? { dn: ref.dn } : {}),
    ...(ref.sx !== undefined ? { sx: ref.sx } : {}),
    ...(ref.av !== undefined ? { av: ref.av } : {}),
  };
}

/**
 * `base` (a member, a DM's user) showing `user` as last heard of: its name, guest flag and
 * profile are `user`'s (a field `user` lacks is dropped); the rest (role, presence) is kept.
 * `base` itself when nothing differs.
 */
export function withProfile<T extends UserRef>(base: T, user: UserRef | undefined): T {
  if (!user || user.i !== base.i || sameProfile(base, user)) return base;
  const { n: _n, g: _g, dn: _dn, sx: _sx, av: _av, ...rest } = base;
  return { ...rest, ...userRefOf(user) } as T;
}

/** The users as last heard of, by id, with `refs` learned (the same record when none is news). */
export function learned(
  people: Readonly<Record<number, UserRef>>,
  refs: Iterable<UserRef>,
): Readonly<Record<number, UserRef>> {
  let next: Record<number, UserRef> | undefined;
  for (const ref of refs) {
    const known = (next ?? people)[ref.i];
    if (known && sameProfile(known, ref)) continue;
    next ??= { ...people };
    next[ref.i] = userRefOf(ref);
  }
  return next ?? people;
}

/**
 * A member list as shown: each member with their profile as last heard of (`people`), when
 * that is of the name the list holds (a name that differs is news the list has and `people`
 * missed: the list's own is shown). The same array when nothing changes.
 */
export function shownMembers<T extends UserRef>(
  list: readonly T[],
  people: Readonly<Record<number, UserRef>>,
): readonly T[] {
  let changed = false;
  const shown = list.map((m) => {
    const known = people[m.i];
    const next = known && known.n === m.n ? withProfile(m, known) : m;
    if (next !== m) changed = true;
    return next;
  });
  return changed ? shown : list;
}

/** How the client shows user `id` where something names them `name`: see {@link personOf}. */
export type PersonOf = (id: number, name: string) => UserRef;

/**
 * The one way a user named somewhere (a message's author, a quote's, a pin's pinner, a typist,
 * someone mentioned, a message read out) is shown: by the name they go by now (`renamed`
 * since the welcome, else the channel's member list, else `name` as it was written there),
 * with their profile when the channel's `members` or the users last heard of (`people`) know
 * them under that name; else by id and name alone. Built again whenever what it reads
 * changes, so whatever shows its answer follows a UserUpdated.
 */
export function personOf(
  members: readonly UserRef[],
  renamed: Readonly<Record<number, string>>,
  people: Readonly<Record<number, UserRef>>,
): PersonOf {
  const byId = new Map<number, UserRef>(members.map((m) => [m.i, m]));
  return (id, name) => {
    const member = byId.get(id);
    const current = renamed[id] ?? member?.n ?? name;
    if (member?.n === current) return member;
    const heard = people[id];
    return heard?.n === current ? heard : { i: id, n: current };
  };
}

/**
 * The names the typing line shows, in order: each typist by their display name. Typists are
 * named by username only, and type where they are members: each is found in `members` by that
 * name (one not found yet, or renamed meanwhile, shows by that name).
 */
export function typistNames(
  typists: readonly string[],
  members: readonly UserRef[],
  person: PersonOf,
): string[] {
  return typists.map((name) => {
    const member = members.find((m) => m.n === name);
    return displayName(member ? person(member.i, name) : { n: name });
  });
}
