import type { AdminUserKind, AdminUserMessage, ChannelEvent } from "@parley/protocol";
import type { Actor, UserRow } from "./storage";

/** A server ban's end (null: until lifted) and reason. */
export interface ServerBan {
  until: number | null;
  reason: string | null;
}

/** A user as the admin console sees it. */
export interface AdminUserRow extends UserRow {
  /** A guest's last activity (accounts are not tracked). */
  lastActiveAt: number | null;
  /** Sessions not revoked. */
  sessions: number;
}

/** A membership of a user, with its channel. */
export interface AdminMembershipRow {
  channelId: number;
  name: string;
  kind: number;
  role: number;
}

/** One of a user's live messages, with its channel's name (as the API shows it). */
export type AdminMessageRow = AdminUserMessage;

/** What an admin change records: who did what to whom, and what it changed. */
export interface AdminChange {
  actor: Actor;
  action: string;
  /**
   * A user (the default), a channel, a server invite (name: its note), or the server itself
   * for its settings (id 0, name "server").
   */
  targetKind?: "user" | "channel" | "invite" | "server";
  target: Actor;
  /** JSON-serialisable: the part of the target the action changes, before and after. */
  before: unknown;
  after: unknown;
}

/** One node's figures at one time. */
export interface NodeStatsRow {
  node: string;
  at: number;
  connections: number;
  /** Messages stored by the node since it started. */
  messages: number;
  lagMs: number;
}

export interface AdminAuditRow {
  id: number;
  at: number;
  actorId: number;
  actorName: string;
  action: string;
  targetKind: string;
  targetId: number;
  targetName: string;
  before: unknown;
  after: unknown;
}

/**
 * What the admin API reads and writes. Every write records its {@link AdminChange} in the
 * admin audit log in the same transaction as the change, so a change is never without its
 * entry, nor an entry without its change.
 */
export interface AdminStore {
  /**
   * Users newest first (by id, below `beforeId`): those whose name contains `query` (folded as
   * names are), of a kind; "banned" counts bans in force at `now`.
   */
  adminUsers(request: {
    query?: string;
    kind: AdminUserKind;
    beforeId?: number;
    limit: number;
    now: number;
  }): Promise<AdminUserRow[]>;
  adminUser(userId: number): Promise<AdminUserRow | undefined>;
  /** The user's memberships, by channel name. */
  userMemberships(userId: number): Promise<AdminMembershipRow[]>;
  /** The user's live (undeleted) messages in any channel, newest first, below `beforeId`. */
  userMessages(
    userId: number,
    beforeId: number | undefined,
    limit: number,
  ): Promise<AdminMessageRow[]>;
  /**
   * Sets or lifts (`null`) the user's server ban; a ban also revokes every session. Resolves
   * to the sessions it revoked.
   */
  setServerBanAudited(
    userId: number,
    ban: ServerBan | null,
    change: AdminChange,
  ): Promise<number[]>;
  /** Sets the user's password hash and revokes every session; resolves to them. */
  setPasswordAudited(userId: number, passwordHash: string, change: AdminChange): Promise<number[]>;
  /**
   * Renames the user (the name already checked against the account rules); USERNAME_TAKEN
   * when another user has it as `nameKey` compares names.
   */
  renameUserAudited(userId: number, username: string, change: AdminChange): Promise<void>;
  /**
   * Deactivates the account (`on`; every session revoked, resolving to them) or reactivates
   * it.
   */
  setDeactivatedAudited(userId: number, on: boolean, change: AdminChange): Promise<number[]>;
  /**
   * Deletes the account for good, in one transaction: named `deletedUsername(id)`, without
   * password, profile, sessions, push subscriptions, blocks (either way) or unattached uploads (doomed),
   * out of every channel but its direct messages (each removal with its MemberLeft event,
   * marked `ex`, under the new name, and its heir when it owned the channel). Its messages are
   * left to the caller. Resolves to the channels it was in (direct messages too) and the
   * membership events by channel.
   */
  deleteUserAudited(
    userId: number,
    change: AdminChange,
  ): Promise<{ channelIds: number[]; removals: { channelId: number; events: ChannelEvent[] }[] }>;
  /**
   * Guests (not deleted) last active before `before`, the longest idle first, at most
   * `limit`.
   */
  idleGuests(before: number, limit: number): Promise<UserRow[]>;
  /** Revokes every session of the user; resolves to them. */
  revokeSessionsAudited(userId: number, change: AdminChange): Promise<number[]>;
  /** The names of these channels, by id (an id of no channel is left out). */
  channelNames(ids: readonly number[]): Promise<Map<number, string>>;
  /** The id of the channel of this name (as `nameKey` compares names), if any. */
  channelIdByName(name: string): Promise<number | undefined>;
  /** The server settings admins stored, as JSON, if any. */
  storedSettings(): Promise<string | undefined>;
  /** Records an admin action that changes nothing stored (an export): its audit entry alone. */
  recordAdminChange(change: AdminChange): Promise<void>;
  /** Stores the server settings (JSON) with their audit entry. */
  saveSettingsAudited(json: string, change: AdminChange): Promise<void>;
  /** Records a node's sample and drops every node's samples older than `pruneBefore`. */
  recordNodeStats(sample: NodeStatsRow, pruneBefore: number): Promise<void>;
  /** Every node's samples since `since`, oldest first. */
  nodeStats(since: number): Promise<NodeStatsRow[]>;
  /** About how many messages are stored (the highest message id). */
  storedMessages(): Promise<number>;
  /** The database's size on disk, in bytes. */
  databaseBytes(): Promise<number>;
  /** The admin audit log newest first (by id, below `beforeId`), filtered. */
  adminAudit(request: {
    actorId?: number;
    targetId?: number;
    action?: string;
    beforeId?: number;
    limit: number;
  }): Promise<AdminAuditRow[]>;
}
