import type { Actor, SessionRow, UserRow } from "./storage";

/** A user to create; a guest has no password. */
export interface NewUser {
  username: string;
  passwordHash: string | null;
  isGuest: boolean;
  /**
   * The sha-256 of a server invite's code: one of its uses is taken in the transaction that
   * creates the account (INVITE_INVALID, and no account, when it is not usable).
   */
  inviteHash?: string;
}

/**
 * Users (accounts and guests), their sessions and the server-wide ban.
 *
 * Contract: usernames are unique under {@link nameKey} (NFKC and case folding): a name taken in
 * any form rejects with USERNAME_TAKEN and stores nothing. A session is found only while it is
 * unrevoked; revoking is idempotent. A guest's activity is its creation, then each
 * {@link markGuestActive}; accounts are not tracked.
 */
export interface AccountStore {
  /** Creates a user and its first session in one transaction (sign-up, a new guest). */
  createUserWithSession(
    input: NewUser,
    tokenHash: string,
  ): Promise<{ user: UserRow; session: SessionRow }>;
  getUser(id: number): Promise<UserRow | undefined>;
  findUserByName(username: string): Promise<UserRow | undefined>;
  /** Replaces a user's password hash. */
  updatePassword(userId: number, passwordHash: string): Promise<void>;
  /**
   * Makes an account a server admin (`on`) or not. NO_SUCH_USER when no account (guests
   * included) has this id: a guest is never an admin.
   */
  setAdmin(userId: number, on: boolean): Promise<void>;
  /** The server admins, by name. */
  admins(): Promise<UserRow[]>;
  /**
   * Turns a guest into an account, keeping its id and memberships; with `username`, it takes
   * that name too (USERNAME_TAKEN when another user has it, in any case). NOT_A_GUEST when the
   * user is not a guest (any more). With `inviteHash`, a use of that server invite is taken in
   * the same transaction (INVITE_INVALID, and no change, when it is not usable).
   */
  upgradeGuest(
    userId: number,
    passwordHash: string,
    username?: string,
    inviteHash?: string,
  ): Promise<UserRow>;
  /**
   * Changes an account's profile (the fields given; null clears one). Resolves to the user as
   * it is now and the avatar it had before (whose bytes the caller deletes once replaced), or
   * NO_SUCH_USER for no live account (a guest, a deleted account) with this id.
   */
  updateProfile(
    userId: number,
    change: { displayName?: string | null; statusText?: string | null; avatar?: string | null },
  ): Promise<{ user: UserRow; previousAvatar: string | null }>;
  /** Records that a guest was seen (connected or disconnected) now; accounts are not tracked. */
  markGuestActive(userId: number): Promise<void>;
  /**
   * Memberships of guests not seen since `before` (their last activity, their creation when
   * none since), at most `limit`, oldest activity first. Memberships of DMs are not listed.
   */
  staleGuestMemberships(
    before: number,
    limit: number,
  ): Promise<{ channelId: number; user: Actor }[]>;

  createSession(userId: number, tokenHash: string): Promise<SessionRow>;
  /** The live (unrevoked) session with this token hash, and its user. */
  findSession(tokenHash: string): Promise<{ session: SessionRow; user: UserRow } | undefined>;
  /** Revokes one session; resolves to its user id, or undefined when there was none live. */
  revokeSession(sessionId: number): Promise<number | undefined>;
  /** Revokes every live session of a user but `exceptSessionId`; resolves to the revoked ids. */
  revokeUserSessions(userId: number, exceptSessionId?: number): Promise<number[]>;
}
