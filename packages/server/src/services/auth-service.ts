import { createHash, randomBytes, randomInt } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";
import { accountUsernameSchema, GUEST_NAME_PREFIX } from "@parley/protocol";
import type { UserMessage } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { NewUser, SessionRow, Storage, UserRow } from "../storage/storage";

/**
 * argon2id parameters (OWASP's second recommended set: 19 MiB, 2 passes, 1 lane). @node-rs/argon2
 * runs them on libuv's thread pool, so hashing never blocks the event loop.
 */
export const ARGON2_OPTIONS = {
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface Authenticated {
  user: UserRow;
  session: SessionRow;
}

/** What else happens when a user is created or changes; wired in `main.ts`. */
export interface UserHooks {
  /** A user was just created (guest or account): join the default channels. */
  created(user: UserRow): Promise<void>;
  /** A user's name or guest flag changed: tell whoever shares a channel with it. */
  changed(user: UserRow): Promise<void>;
}

const NO_HOOKS: UserHooks = { created: async () => {}, changed: async () => {} };

export interface IssuedSession extends Authenticated {
  /** The opaque token; only its SHA-256 is stored. */
  token: string;
}

/** Opaque session tokens: 32 random bytes, base64url. Stored as SHA-256, never in clear. */
function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Refuses a name an account may not take (INVALID_PAYLOAD saying why). */
export function checkAccountName(username: string): void {
  const parsed = accountUsernameSchema.safeParse(username);
  if (!parsed.success)
    throw new ParleyError("INVALID_PAYLOAD", `username: ${parsed.error.issues[0]?.message}`);
}

/** Accounts, guests and sessions. */
export class AuthService {
  /** A hash of a random password, verified when the user does not exist so that timing is alike. */
  private dummyHash: Promise<string>;

  constructor(
    private readonly storage: Storage,
    /** Tells every connection of a user, on every node. */
    private readonly announce: (userId: number, message: UserMessage) => void,
    private readonly hooks: UserHooks = NO_HOOKS,
  ) {
    this.dummyHash = hash(randomBytes(16).toString("hex"), ARGON2_OPTIONS);
  }

  async register(username: string, password: string): Promise<IssuedSession> {
    const passwordHash = await hash(password, ARGON2_OPTIONS);
    return this.create({ username, passwordHash, isGuest: false });
  }

  async login(username: string, password: string): Promise<IssuedSession> {
    const user = await this.storage.findUserByName(username);
    const stored = user?.passwordHash ?? (await this.dummyHash);
    const ok = await verify(stored, password).catch(() => false);
    if (!user?.passwordHash || !ok) throw new ParleyError("INVALID_CREDENTIALS");
    if (user.bannedAt !== null) throw new ParleyError("SERVER_BANNED");
    return this.issue(user);
  }

  /** Resolves a token to its live session, or throws UNAUTHENTICATED (SERVER_BANNED for a banned account). */
  async authenticate(token: string): Promise<Authenticated> {
    const found = await this.storage.findSession(hashToken(token));
    if (!found) throw new ParleyError("UNAUTHENTICATED");
    if (found.user.bannedAt !== null) throw new ParleyError("SERVER_BANNED");
    return found;
  }

  /**
   * Changes a password after checking the current one; every other session of the user is
   * revoked and its sockets closed.
   */
  async changePassword(auth: Authenticated, current: string, next: string): Promise<void> {
    const stored = auth.user.passwordHash;
    if (!stored || !(await verify(stored, current).catch(() => false)))
      throw new ParleyError("INVALID_CREDENTIALS");
    await this.storage.updatePassword(auth.user.id, await hash(next, ARGON2_OPTIONS));
    const revoked = await this.storage.revokeUserSessions(auth.user.id, auth.session.id);
    for (const session of revoked) this.announce(auth.user.id, { k: "revoked", session });
  }

  /** Bans an account from the server: every session is revoked and its sockets closed (4501). */
  async serverBan(userId: number, banned: boolean): Promise<void> {
    await this.storage.setServerBan(userId, banned);
    if (!banned) return;
    await this.storage.revokeUserSessions(userId);
    this.announce(userId, { k: "revoked", banned: true });
  }

  /** Creates a guest with a generated unique name (no password), and its session. */
  async createGuest(): Promise<IssuedSession> {
    for (let attempt = 0; ; attempt++) {
      const username = `${GUEST_NAME_PREFIX}${randomInt(0, 36 ** 6)
        .toString(36)
        .padStart(6, "0")}`;
      try {
        return await this.create({ username, passwordHash: null, isGuest: true });
      } catch (err) {
        if (!(err instanceof ParleyError && err.errorName === "USERNAME_TAKEN") || attempt >= 9)
          throw err;
      }
    }
  }

  /**
   * Gives a guest a password: it keeps its id and memberships, and its name unless `username`
   * names another (already checked against the account name rules by the caller). Every
   * connection of the user, and everyone who shares a channel with it, is told.
   */
  async upgradeGuest(auth: Authenticated, password: string, username?: string): Promise<UserRow> {
    if (!auth.user.isGuest) throw new ParleyError("NOT_A_GUEST");
    // Its own name, in any case, means keeping it.
    const rename =
      username !== undefined && username.toLowerCase() !== auth.user.username.toLowerCase();
    if (rename) checkAccountName(username);
    const passwordHash = await hash(password, ARGON2_OPTIONS);
    const user = await this.storage.upgradeGuest(
      auth.user.id,
      passwordHash,
      rename ? username : undefined,
    );
    this.announce(user.id, { k: "registered", n: user.username });
    await this.hooks.changed(user);
    return user;
  }

  /** Ends a session; its live sockets are closed. */
  async logout(auth: Authenticated): Promise<void> {
    const userId = await this.storage.revokeSession(auth.session.id);
    if (userId !== undefined) this.announce(userId, { k: "revoked", session: auth.session.id });
  }

  /** Creates a user and its first session together. */
  private async create(input: NewUser): Promise<IssuedSession> {
    const token = newToken();
    const created = await this.storage.createUserWithSession(input, hashToken(token));
    await this.hooks.created(created.user);
    return { ...created, token };
  }

  private async issue(user: UserRow): Promise<IssuedSession> {
    const token = newToken();
    const session = await this.storage.createSession(user.id, hashToken(token));
    return { user, session, token };
  }
}
