import type {
  ChannelEvent,
  EventType,
  HistoryPage,
  MessageKind,
  ReactionSummary,
  Role,
} from "@parley/protocol";

export interface UserRow {
  id: number;
  username: string;
  passwordHash: string | null;
  isGuest: boolean;
  createdAt: number;
  /** When the account was banned from the server; null when it is not. */
  bannedAt: number | null;
}

export interface SessionRow {
  id: number;
  userId: number;
  createdAt: number;
}

export interface ChannelRow {
  id: number;
  name: string;
  topic: string;
  createdBy: number;
  createdAt: number;
  lastSeq: number;
  slowMode: number;
}

/** A channel with its member count and, where asked for a user, that user's role. */
export interface ChannelListing extends ChannelRow {
  memberCount: number;
  role?: Role;
}

export interface MemberRow {
  user: UserRow;
  role: Role;
}

/** Actor of an event: the author, the joiner, the moderator. */
export interface Actor {
  id: number;
  name: string;
}

/** A new message for {@link Storage.appendMessages}. */
export interface NewMessage {
  channelId: number;
  author: Actor;
  nonce: string;
  content: string;
  kind: MessageKind;
  /**
   * Exempt from the channel's slow mode (moderators). Otherwise, with slow mode on, a message
   * sooner than the interval after the author's last one is refused with SLOW_MODE.
   */
  slowModeExempt?: boolean;
}

/** Outcome of one message of a batch. */
export type AppendResult =
  | { ok: true; event: ChannelEvent & { t: typeof EventType.MessagePosted }; duplicate: boolean }
  | { ok: false; error: Error };

/** A new stored event that is not a message (join, leave, reaction, moderation…). */
export interface NewEvent {
  type: EventType;
  actor: Actor;
  /** Type-specific fields, copied into the event as sent to clients. */
  data?: Record<string, unknown>;
  messageId?: number;
}

/** A mute or ban in force. */
export interface Restriction {
  /** Epoch ms; null = indefinite. */
  until: number | null;
  reason: string | null;
}

/** A user's membership of a channel: the role, and the mute in force, if any. */
export interface Standing {
  role: Role;
  mute?: Restriction;
}

/** One moderation action on a target, for the audit log and the channel's stream. */
export interface ModerationInput {
  channelId: number;
  /** Who acts; the server itself is {@link SYSTEM_ACTOR}. */
  actor: Actor;
  target: Actor;
  reason?: string | null;
  until?: number | null;
}

/** The actor of what the server does by itself (an expiry). */
export const SYSTEM_ACTOR: Actor = { id: 0, name: "" };

export interface AuditEntry {
  id: number;
  channelId: number;
  actor: Actor;
  target: Actor | null;
  action: string;
  reason: string | null;
  until: number | null;
  at: number;
}

/** A user to create; a guest has no password. */
export interface NewUser {
  username: string;
  passwordHash: string | null;
  isGuest: boolean;
}

export interface HistoryQuery {
  before?: number;
  after?: number;
  around?: number;
  limit: number;
}

/**
 * Durable state of a Parley deployment: users, sessions, channels, memberships, and each
 * channel's event stream.
 *
 * Contract, for every implementation:
 * - **Sequence.** Every stored channel event gets the channel's next `seq` (1, 2, 3…, no gap,
 *   no reuse) in the same transaction that stores it; concurrent writers on any number of nodes
 *   never share or skip a seq.
 * - **Durability.** A returned promise resolves only after the transaction committed; a
 *   rejected one stored nothing.
 * - **Idempotency.** A message whose (channel, author, nonce) is already stored is not stored again: the
 *   original is returned with `duplicate: true`.
 * - **Atomicity.** A membership change and its event, a reaction and its event, commit together
 *   or not at all. Constraint failures (name taken, no such message, reaction limit) reject with
 *   a `ParleyError` and store nothing.
 * - **Order.** History and replay return events in ascending seq.
 */
export interface Storage {
  createUser(input: NewUser): Promise<UserRow>;
  /** Creates a user and its first session in one transaction (sign-up, a new guest). */
  createUserWithSession(
    input: NewUser,
    tokenHash: string,
  ): Promise<{ user: UserRow; session: SessionRow }>;
  getUser(id: number): Promise<UserRow | undefined>;
  findUserByName(username: string): Promise<UserRow | undefined>;
  /** Replaces a user's password hash. */
  updatePassword(userId: number, passwordHash: string): Promise<void>;
  /** Bans a user from the whole server (`banned` true) or lifts the ban. */
  setServerBan(userId: number, banned: boolean): Promise<void>;
  /**
   * Turns a guest into an account, keeping its id and memberships; with `username`, it takes
   * that name too (USERNAME_TAKEN when another user has it, in any case). NOT_A_GUEST when the
   * user is not a guest (any more).
   */
  upgradeGuest(userId: number, passwordHash: string, username?: string): Promise<UserRow>;
  /** Records that a guest was seen (connected or disconnected) now; accounts are not tracked. */
  markGuestActive(userId: number): Promise<void>;
  /**
   * Memberships of guests not seen since `before` (their last activity, their creation when
   * none since), at most `limit`, oldest activity first.
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

  /** Creates a channel with its creator as owner; the owner's join is its first event. */
  createChannel(input: {
    name: string;
    topic: string;
    owner: Actor;
    ownerIsGuest?: boolean;
  }): Promise<{ channel: ChannelRow; event: ChannelEvent }>;
  /**
   * Creates each named channel that does not exist (names compared as channel names are),
   * owned by the server: no member, no event, `last_seq` 0. Idempotent, also when several nodes
   * run it at once. Resolves to the channels in the order named.
   */
  ensureChannels(names: readonly string[]): Promise<ChannelRow[]>;
  getChannel(id: number): Promise<ChannelRow | undefined>;
  listChannels(query: {
    search?: string;
    afterId?: number;
    limit: number;
    userId?: number;
  }): Promise<ChannelListing[]>;
  /** The channels a user is a member of, with its role. */
  userChannels(userId: number): Promise<ChannelListing[]>;
  /** The last seq of every channel a user is a member of, by channel id, in one cheap read. */
  memberLastSeqs(userId: number): Promise<Map<number, number>>;
  memberRole(channelId: number, userId: number): Promise<Role | undefined>;
  members(channelId: number): Promise<MemberRow[]>;
  /** How many channels a user is a member of. */
  membershipCount(userId: number): Promise<number>;
  /** How many members a channel has. */
  memberCount(channelId: number): Promise<number>;
  /** Member ids of each channel given. */
  memberIds(channelIds: readonly number[]): Promise<Map<number, number[]>>;
  /** Adds a member and stores `event`; resolves to undefined when already a member. */
  addMember(
    channelId: number,
    userId: number,
    role: Role,
    event: NewEvent,
  ): Promise<ChannelEvent | undefined>;
  /**
   * Removes a member and stores `event`; resolves to no events when not a member. When the
   * member was the owner and others remain, the longest-standing moderator (or else member)
   * becomes owner in the same transaction, and its RoleChanged event follows.
   */
  removeMember(channelId: number, userId: number, event: NewEvent): Promise<ChannelEvent[]>;

  // --- moderation: each action, its event and its audit row commit together ---

  /** Removes a member (MemberKicked); no events when the target is not a member. */
  kick(input: ModerationInput): Promise<ChannelEvent[]>;
  /** Mutes or updates the existing mute (one row per user and channel); MemberMuted. */
  mute(input: ModerationInput): Promise<ChannelEvent>;
  /** Lifts a mute (MemberUnmuted); undefined when there was none. */
  unmute(input: ModerationInput): Promise<ChannelEvent | undefined>;
  /** Bans (or updates the ban) and removes the membership; MemberBanned, then any owner change. */
  ban(input: ModerationInput): Promise<ChannelEvent[]>;
  /** Lifts a ban (MemberUnbanned); undefined when there was none. */
  unban(input: ModerationInput): Promise<ChannelEvent | undefined>;
  /** The mute in force (until in the future or indefinite), if any. */
  /**
   * The user's membership of the channel with its mute still in force, or undefined for a
   * non-member. Sends, reactions and every other channel write check the same inside their
   * own transaction, so a kick or ban that has committed refuses the next write on any node.
   */
  standing(channelId: number, userId: number): Promise<Standing | undefined>;
  activeBan(channelId: number, userId: number): Promise<Restriction | undefined>;
  /** Sets a member's role (RoleChanged); undefined when not a member or already that role. */
  setRole(input: ModerationInput, role: Role): Promise<ChannelEvent | undefined>;
  /** Changes a channel's topic or slow mode (TopicChanged, SlowModeChanged). */
  setTopic(channelId: number, topic: string, actor: Actor): Promise<ChannelEvent>;
  setSlowMode(channelId: number, seconds: number, actor: Actor): Promise<ChannelEvent>;
  /** Appends an audit entry for an action stored elsewhere (a server-wide ban). */
  recordAudit(input: ModerationInput & { action: string }): Promise<void>;
  /** The channel's most recent audit entries, newest first. */
  auditLog(channelId: number, limit: number): Promise<AuditEntry[]>;
  /**
   * Lifts every mute and ban whose `until` has passed, each with its event (by the system
   * actor) and audit row. A row is lifted by exactly one caller, whichever node it runs on.
   */
  expireRestrictions(now: number): Promise<{ channelId: number; event: ChannelEvent }[]>;
  /** The earliest `until` among mutes and bans, if any. */
  nextExpiry(): Promise<number | undefined>;

  /** Stores a batch of messages in one transaction (group commit). Results are in input order. */
  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]>;
  /** Adds a reaction and its event; undefined when the user already has it. */
  addReaction(
    channelId: number,
    messageId: number,
    emoji: string,
    actor: Actor,
    maxDistinct: number,
  ): Promise<ChannelEvent | undefined>;
  /** Removes a reaction and stores its event; rejects NO_SUCH_REACTION when absent. */
  removeReaction(
    channelId: number,
    messageId: number,
    emoji: string,
    actor: Actor,
  ): Promise<ChannelEvent>;
  /** Reactions of one message. */
  reactions(messageId: number): Promise<ReactionSummary[]>;

  /** A page of displayable history (mutation events left out), oldest first. */
  history(channelId: number, query: HistoryQuery): Promise<HistoryPage>;
  /**
   * The latest history page and the channel's last seq, read in one consistent view: every
   * event up to `lastSeq` is either in the page or reflected in it (reactions).
   */
  snapshot(channelId: number, limit: number): Promise<{ page: HistoryPage; lastSeq: number }>;
  /** Every stored event with seq in (afterSeq, afterSeq + limit], ascending: for resume and gap fill. */
  eventsAfter(channelId: number, afterSeq: number, limit: number): Promise<ChannelEvent[]>;
  /** The last seq of each channel given that exists, in one read (the hub's periodic check). */
  lastSeqs(channelIds: readonly number[]): Promise<Map<number, number>>;

  close(): Promise<void>;
}
