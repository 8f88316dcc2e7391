import type { ChannelEvent, Role } from "@parley/protocol";
import type { Actor } from "./storage";

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

/** Which audit entries to read; every field is optional. */
export interface AuditFilter {
  channelId?: number;
  actorId?: number;
  targetId?: number;
  action?: string;
  /** Entries at or after this time (epoch ms). */
  since?: number;
  /** Entries before this time (epoch ms). */
  until?: number;
  beforeId?: number;
}

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

/** A channel's own auto-moderation entries: those that block a message, those that hold it. */
export interface ChannelWords {
  blocked: string[];
  held: string[];
}

/**
 * Moderation of a channel: kicks, mutes, bans, roles, topic and slow mode, the audit log, and
 * the expiry of restrictions.
 *
 * Contract: each action, its event and its audit row commit together or not at all. A mute or
 * ban is one row per user and channel (acting again updates it) and is in force while its
 * `until` is in the future or null, whether or not the expiry sweep has lifted it yet. A
 * committed kick or ban refuses the target's next write on any node (see {@link standing}).
 */
export interface ModerationStore {
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
  /**
   * The user's membership of the channel with its mute still in force, or undefined for a
   * non-member. Sends, reactions and every other channel write check the same inside their
   * own transaction, so a kick or ban that has committed refuses the next write on any node.
   */
  standing(channelId: number, userId: number): Promise<Standing | undefined>;
  /** The ban in force (until in the future or indefinite), if any. */
  activeBan(channelId: number, userId: number): Promise<Restriction | undefined>;
  /** Sets a member's role (RoleChanged); undefined when not a member or already that role. */
  setRole(input: ModerationInput, role: Role): Promise<ChannelEvent | undefined>;
  /** Changes a channel's topic or slow mode (TopicChanged, SlowModeChanged). */
  setTopic(channelId: number, topic: string, actor: Actor): Promise<ChannelEvent>;
  setSlowMode(channelId: number, seconds: number, actor: Actor): Promise<ChannelEvent>;
  /** Sets the channel's own retention in days, 0 for none (RetentionChanged, audited). */
  setRetention(channelId: number, days: number, actor: Actor): Promise<ChannelEvent>;
  /**
   * Adds an entry to the channel's own blocked words (or, with `hold`, to its words held for
   * review; an entry is in one list, so adding it to one takes it out of the other), or
   * removes one from either, in one transaction (concurrent changes serialise on the channel's
   * row): BlockedWordsChanged with both counts, audited as `automod` (`block <entry>`,
   * `hold <entry>`, `unblock <entry>`). Resolves to the lists now and the event, absent when
   * nothing changed. At most `max` entries in both lists together: LIMIT_REACHED beyond.
   */
  changeChannelWords(
    channelId: number,
    change: { add: string; hold?: boolean } | { remove: string },
    actor: Actor,
    max: number,
  ): Promise<{ words: ChannelWords; event?: ChannelEvent }>;
  /** The channel's own entries (both empty for none, or for no such channel). */
  channelWords(channelId: number): Promise<ChannelWords>;
  /**
   * Makes a channel private or public (ChannelVisibilityChanged, audited as `private` or
   * `public`); undefined, with nothing stored, when it already is. Members stay either way.
   */
  setVisibility(
    channelId: number,
    isPrivate: boolean,
    actor: Actor,
  ): Promise<ChannelEvent | undefined>;
  /** Appends an audit entry for an action stored elsewhere (a server-wide ban). */
  recordAudit(input: ModerationInput & { action: string }): Promise<void>;
  /**
   * Audit entries newest first (by id, below `beforeId`) that pass every filter given: of one
   * channel (`/modlog`), or across channels for the admin console.
   */
  auditLog(filter: AuditFilter, limit: number): Promise<AuditEntry[]>;
  /**
   * Lifts every mute and ban whose `until` has passed, each with its event (by the system
   * actor) and audit row. A row is lifted by exactly one caller, whichever node it runs on.
   */
  expireRestrictions(now: number): Promise<{ channelId: number; event: ChannelEvent }[]>;
  /** The earliest `until` among mutes and bans, if any. */
  nextExpiry(): Promise<number | undefined>;
}
