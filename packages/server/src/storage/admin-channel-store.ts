import type { AdminChannelKind, ChannelEvent, Role } from "@parley/protocol";
import type { AdminChange } from "./admin-store";
import type { Actor, ChannelRow, UserRow } from "./storage";

/** A channel as the admin console lists it. */
export interface AdminChannelRow extends ChannelRow {
  members: number;
  /** The time of its latest event; null when it has none. */
  lastActivityAt: number | null;
  owner: Actor | null;
}

/** A member of a channel, for the console. */
export interface AdminChannelMemberRow {
  user: UserRow;
  role: Role;
  joinedAt: number;
}

/**
 * What the admin console does to channels (direct messages are never among them: they are
 * their members' alone). Every write records its {@link AdminChange} in the same transaction.
 */
export interface AdminChannelStore {
  /** Channels newest first (by id, below `beforeId`), whose name contains `query`, of a kind. */
  adminChannels(request: {
    query?: string;
    kind: AdminChannelKind;
    beforeId?: number;
    limit: number;
  }): Promise<AdminChannelRow[]>;
  /** The channel (not a direct message, not deleted), if any. */
  adminChannel(channelId: number): Promise<AdminChannelRow | undefined>;
  /** Its members by user id, after `afterUserId`. */
  adminChannelMembers(
    channelId: number,
    afterUserId: number | undefined,
    limit: number,
  ): Promise<AdminChannelMemberRow[]>;
  /**
   * Makes the member `userId` the channel's owner, and its owner until now a moderator, each
   * with its RoleChanged event by `actor`. TARGET_NOT_MEMBER when the user is not a member;
   * no events when it already owns the channel.
   */
  setChannelOwnerAudited(
    channelId: number,
    userId: number,
    actor: Actor,
    change: AdminChange,
  ): Promise<ChannelEvent[]>;
  /**
   * Archives the channel (`on`) or unarchives it, with its ChannelArchived event; undefined
   * (nothing stored) when it already was so.
   */
  setChannelArchivedAudited(
    channelId: number,
    on: boolean,
    actor: Actor,
    change: AdminChange,
  ): Promise<ChannelEvent | undefined>;
  /**
   * Deletes the channel, in one transaction: hidden from every read and write from then on,
   * its name free again, its memberships, invites, mutes and bans gone, its files doomed. Its
   * messages and events are left to {@link purgeDeletedChannel}. Resolves to the ids of the
   * members it had.
   */
  deleteChannelAudited(channelId: number, change: AdminChange): Promise<number[]>;
  /**
   * Deletes up to `limit` rows of a deleted channel (its messages, with their versions,
   * reactions, mentions, reports and search entries, then its events), and once none is left
   * the channel's row and its moderation log. Resolves to the messages it deleted and whether
   * the channel is gone. Idempotent: nodes may purge the same channel at once.
   */
  purgeDeletedChannel(
    channelId: number,
    limit: number,
  ): Promise<{ removedMessages: number; done: boolean }>;
  /** Deleted channels whose rows are not purged yet, at most `limit`. */
  deletedChannels(limit: number): Promise<number[]>;
}
