import { createHash, randomBytes, randomInt } from "node:crypto";
import {
  DELETED_PREFIX,
  GROUP_MENTIONS,
  GUEST_PREFIX,
  isReservedUsername,
  nameKey,
  type ServerSettings,
} from "@parley/protocol";
import type { UserMessage } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { RateLimiter, RateRule, RateRules } from "../rate-limit/rate-limiter";
import type { AccountStore, NewUser } from "../storage/account-store";
import type { ServerInviteStore } from "../storage/server-invite-store";
import { type SessionRow, serverBanInForce, type UserRow } from "../storage/storage";
import { inviteCodeHash } from "./invite-service";
import type { PasswordHasher } from "./password-hasher";

/** SERVER_BANNED, saying until when and why. */
export function serverBannedError(user: Pick<UserRow, "bannedUntil" | "banReason">): ParleyError {
  const until =
    user.bannedUntil === null ? "" : ` until ${new Date(user.bannedUntil).toISOString()}`;
  const reason = user.banReason ? `: ${user.banReason}` : "";
  return new ParleyError(
    "SERVER_BANNED",
    `This account is banned from the server${until}${reason}`,
    user.bannedUntil === null ? {} : { retryAfterMs: Math.max(0, user.bannedUntil - Date.now()) },
  );
}

/**
 * Refuses an account that may not act: banned from the server (SERVER_BANNED), deactivated
 * (ACCOUNT_DEACTIVATED), or deleted (UNAUTHENTICATED: its sessions are revoked with it).
 */
function refuseClosed(user: UserRow): void {
  if (user.deletedAt !== null) throw new ParleyError("UNAUTHENTICATED");
  if (user.deactivatedAt !== null) throw new ParleyError("ACCOUNT_DEACTIVATED");
  if (serverBanInForce(user)) throw serverBannedError(user);
}

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
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Refuses a name kept for guests or for group mentions as an account's name (USERNAME_RESERVED). */
export function checkAccountName(username: string): void {
  if (isReservedUsername(username))
    throw new ParleyError(
      "USERNAME_RESERVED",
      Object.hasOwn(GROUP_MENTIONS, nameKey(username))
        ? `"${username}" is kept for group mentions`
        : /^deleted[-_]/.test(nameKey(username))
          ? `"${DELETED_PREFIX}…" names are kept for deleted accounts`
          : `"${GUEST_PREFIX}…" names are kept for guests`,
    );
}

/** Accounts, guests and sessions. */
export class AuthService {
  /** A hash of a random password, verified when the user does not exist so that timing is alike. */
  private dummyHash: Promise<string>;

  constructor(
    private readonly storage: AccountStore & Pick<ServerInviteStore, "liveServerInvite">,
    /** Tells every connection of a user, on every node. */
    private readonly announce: (userId: number, message: UserMessage) => void,
    private readonly hasher: PasswordHasher,
    /** The per-account buckets of failed logins (`account`, `accountlong`), shared by the nodes. */
    private readonly throttle: {
      limiter: RateLimiter;
      rules: Pick<RateRules, "account" | "accountlong">;
    },
    private readonly hooks: UserHooks = NO_HOOKS,
    /** Who may join now: new accounts (`registration`) and guests (the live server settings). */
    private readonly access: () => Pick<ServerSettings, "registration" | "guests"> = () => ({
      registration: "open",
      guests: true,
    }),
  ) {
    this.dummyHash = hasher.hash(randomBytes(16).toString("hex"));
    // Awaited by the first login for an unknown name; a shutdown before that is no error.
    this.dummyHash.catch(() => {});
  }

  /**
   * Registers an account. While registration is invite-only, `invite` must be a usable server
   * invite's code, one of whose uses the account's creation takes.
   */
  async register(username: string, password: string, invite?: string): Promise<IssuedSession> {
    const inviteHash = await this.admitted(invite);
    this.hasher.admit();
    checkAccountName(username);
    const passwordHash = await this.hasher.hash(password);
    return this.create({
      username,
      passwordHash,
      isGuest: false,
      ...(inviteHash !== undefined ? { inviteHash } : {}),
    });
  }

  /**
   * Whether a new account may be made now: REGISTRATION_CLOSED while closed; while
   * invite-only, INVITE_REQUIRED without a code and INVITE_INVALID for one that is not usable
   * (checked before the password is hashed, and again where the account commits). Resolves to
   * the invite's hash to take a use of, or undefined while registration is open (a code given
   * then is not used).
   */
  private async admitted(invite: string | undefined): Promise<string | undefined> {
    const mode = this.access().registration;
    if (mode === "closed") throw new ParleyError("REGISTRATION_CLOSED");
    if (mode === "open") return undefined;
    if (invite === undefined) throw new ParleyError("INVITE_REQUIRED");
    const hash = inviteCodeHash(invite);
    if (!(await this.storage.liveServerInvite(hash))) throw new ParleyError("INVITE_INVALID");
    return hash;
  }

  /**
   * Checks a password. Each attempt first takes a token of the name's `account` and
   * `accountlong` buckets (whether or not the account exists, so a refusal says nothing about
   * it) and gets it back unless the password was wrong: only failures count, from any address.
   */
  async login(username: string, password: string): Promise<IssuedSession> {
    this.hasher.admit();
    return this.guarded(username, async () => {
      const user = await this.storage.findUserByName(username);
      const stored = user?.passwordHash ?? (await this.dummyHash);
      const ok = await this.hasher.verify(stored, password);
      if (!user?.passwordHash || !ok) throw new ParleyError("INVALID_CREDENTIALS");
      refuseClosed(user);
      return this.issue(user);
    });
  }

  /**
   * Runs a password check under the name's failed-login buckets: refused with RATE_LIMITED
   * (and the time until a token) while either is empty; the tokens are returned unless the
   * check ends in INVALID_CREDENTIALS.
   */
  private async guarded<T>(username: string, check: () => Promise<T>): Promise<T> {
    // Keyed as names are: a fullwidth or other-case spelling finds the same account, and so
    // must count against the same buckets.
    const name = nameKey(username);
    const buckets: [string, RateRule][] = [
      [`account:${name}:login`, this.throttle.rules.account],
      [`account:${name}:loginlong`, this.throttle.rules.accountlong],
    ];
    const { limiter } = this.throttle;
    const decisions = await Promise.all(buckets.map(([key, rule]) => limiter.take(key, rule)));
    const refund = (which: (i: number) => boolean) =>
      Promise.all(
        buckets.filter((_, i) => which(i)).map(([key, rule]) => limiter.refund(key, rule)),
      );
    const wait = Math.max(0, ...decisions.map((d) => (d.ok ? 0 : d.retryAfterMs)));
    if (wait > 0) {
      await refund((i) => decisions[i]!.ok);
      throw new ParleyError(
        "RATE_LIMITED",
        `Too many failed sign-ins for this name: wait ${Math.ceil(wait / 1000)} s`,
        { retryAfterMs: wait },
      );
    }
    try {
      const result = await check();
      await refund(() => true);
      return result;
    } catch (err) {
      if (!(err instanceof ParleyError && err.errorName === "INVALID_CREDENTIALS"))
        await refund(() => true);
      throw err;
    }
  }

  /** Resolves a token to its live session, or throws UNAUTHENTICATED (or `refuseClosed`'s refusal). */
  async authenticate(token: string): Promise<Authenticated> {
    const found = await this.storage.findSession(hashToken(token));
    if (!found) throw new ParleyError("UNAUTHENTICATED");
    refuseClosed(found.user);
    return found;
  }

  /**
   * Changes a password after checking the current one (a wrong one counts as a failed login of
   * the account); every other session of the user is revoked and its sockets closed.
   */
  async changePassword(auth: Authenticated, current: string, next: string): Promise<void> {
    const stored = auth.user.passwordHash;
    await this.guarded(auth.user.username, async () => {
      if (!stored || !(await this.hasher.verify(stored, current)))
        throw new ParleyError("INVALID_CREDENTIALS");
    });
    await this.storage.updatePassword(auth.user.id, await this.hasher.hash(next));
    await this.signOutOthers(auth);
  }

  /** Creates a guest with a generated unique name (no password), and its session. */
  async createGuest(): Promise<IssuedSession> {
    if (!this.access().guests) throw new ParleyError("GUESTS_DISABLED");
    for (let attempt = 0; ; attempt++) {
      const username = `${GUEST_PREFIX}${randomInt(0, 36 ** 6)
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
  async upgradeGuest(
    auth: Authenticated,
    password: string,
    username?: string,
    invite?: string,
  ): Promise<UserRow> {
    if (!auth.user.isGuest) throw new ParleyError("NOT_A_GUEST");
    const inviteHash = await this.admitted(invite);
    // Its own name, in any case, means keeping it.
    const rename = username !== undefined && nameKey(username) !== nameKey(auth.user.username);
    if (rename) checkAccountName(username);
    this.hasher.admit();
    const passwordHash = await this.hasher.hash(password);
    const user = await this.storage.upgradeGuest(
      auth.user.id,
      passwordHash,
      rename ? username : undefined,
      inviteHash,
    );
    this.announce(user.id, { k: "registered", n: user.username });
    await this.hooks.changed(user);
    return user;
  }

  /**
   * Ends every session of the user but this one (other devices and browsers): their sockets
   * close with 4500 on every node. Resolves to how many were ended.
   */
  async signOutOthers(auth: Authenticated): Promise<number> {
    const revoked = await this.storage.revokeUserSessions(auth.user.id, auth.session.id);
    for (const session of revoked) this.announce(auth.user.id, { k: "revoked", session });
    return revoked.length;
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
