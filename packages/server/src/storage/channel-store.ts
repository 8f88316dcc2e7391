import type { ChannelEvent, Role } from "@parley/protocol";
import type { Restriction } from "./moderation-store";
import type { Actor, ChannelRow, NewEvent, UserRow } from "./storage";

/**
 * The stored name (and unique key) of the DM between these user ids: `\ndm:` and the sorted
 * ids. A newline is in no channel name, so it never meets one; it is never shown.
 */
export function directKey(memberIds: readonly number[]): string {
  return `\ndm:${[...new Set(memberIds)].sort((a, b) => a - b).join(",")}`;
}

/** A channel and, where asked for a user, that user's role. */
export interface ChannelListing extends ChannelRow {
  role?: Role;
}

/** A page of a channel's members, in name order. */
export interface MemberPage {
  /** Members whose name key sorts after this one (the last of the previous page). */
  after?: string;
  /** Members whose name key starts with this one. */
  prefix?: string;
  limit: number;
}

/** What a join checks of a channel and a user, read together (see `ChannelStore.joinCheck`). */
export interface JoinCheck {
  channel: ChannelRow;
  /** The user's role; absent for a non-member. */
  role?: Role;
  /** The user's ban from the channel in force; absent when none (or it has ended). */
  ban?: Restriction;
  /** How many channels the user is in, and how many members the channel has: 0 for a member. */
  userChannels: number;
  members: number;
}

export interface MemberRow {
  /** What the protocol shows of a member (a `UserRef`), as stored. */
  user: Pick<UserRow, "id" | "username" | "isGuest" | "displayName" | "statusText" | "avatar">;
  role: Role;
}

/**
 * Channels and their memberships.
 *
 * Contract: channel names are unique under {@link nameKey} (CHANNEL_NAME_TAKEN, nothing
 * stored). A membership change and its event commit together or not at all, and are
 * idempotent: adding a member twice or removing a non-member stores no event. An owner who
 * goes leaves the channel to a successor in the same transaction, so a channel with members
 * always has an owner.
 */
export interface ChannelStore {
  /** Creates a channel with its creator as owner; the owner's join is its first event. */
  createChannel(input: {
    name: string;
    topic: string;
    owner: Actor;
    ownerIsGuest?: boolean;
    isPrivate?: boolean;
  }): Promise<{ channel: ChannelRow; event: ChannelEvent }>;
  /**
   * Creates each named channel that does not exist (names compared as channel names are),
   * owned by the server: no member, no event, `last_seq` 0. Idempotent, also when several nodes
   * run it at once. Resolves to the channels in the order named.
   */
  ensureChannels(names: readonly string[]): Promise<ChannelRow[]>;
  /**
   * The direct message between exactly `members` (user ids, the opener among them), created
   * when it does not exist: private, kind Direct, named {@link directKey} of the ids, every
   * member a Member (no owner), each member's MemberJoined its first events (the opener's
   * first). Idempotent by member set, in any order, also when several nodes open it at once:
   * one is stored, and the others read it. `events` is empty when it already existed.
   */
  openDirect(input: {
    opener: Actor;
    members: readonly (Actor & { isGuest: boolean })[];
  }): Promise<{ channel: ChannelRow; events: ChannelEvent[] }>;
  getChannel(id: number): Promise<ChannelRow | undefined>;
  /**
   * The directory: channels by id. A private channel is listed only to its members (to
   * `userId`), so without a `userId` only public channels are. Direct messages are never
   * listed, unless `direct` asks for them too (to its members: a summary's own read).
   */
  listChannels(query: {
    search?: string;
    afterId?: number;
    limit: number;
    userId?: number;
    direct?: boolean;
  }): Promise<ChannelListing[]>;
  /** The channels a user is a member of, with its role. */
  userChannels(userId: number): Promise<ChannelListing[]>;
  /** The last seq of every channel a user is a member of, by channel id, in one cheap read. */
  memberLastSeqs(userId: number): Promise<Map<number, number>>;
  memberRole(channelId: number, userId: number): Promise<Role | undefined>;
  /**
   * What a join checks, in one read: the channel (undefined when there is none or it was
   * deleted), the user's role and ban there, and, for a non-member, the counts the caps check.
   */
  joinCheck(channelId: number, userId: number): Promise<JoinCheck | undefined>;
  /**
   * A channel's members in name order (by `nameKey`): all of them, or a page, one index range
   * however big the channel.
   */
  members(channelId: number, page?: MemberPage): Promise<MemberRow[]>;
  /** How many channels a user is a member of. */
  membershipCount(userId: number): Promise<number>;
  /** How many members a channel has. */
  memberCount(channelId: number): Promise<number>;
  /** How many members each channel given has (0 for none), in one read. */
  memberCounts(channelIds: readonly number[]): Promise<Map<number, number>>;
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
}
