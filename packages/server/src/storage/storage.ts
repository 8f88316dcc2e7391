import type { EventType } from "@parley/protocol";
import type { AccountStore } from "./account-store";
import type { AdminChannelStore } from "./admin-channel-store";
import type { AdminStore } from "./admin-store";
import type { BlockStore } from "./block-store";
import type { ChannelStore } from "./channel-store";
import type { EventLog } from "./event-log";
import type { FileRowStore } from "./file-rows";
import type { InviteStore } from "./invite-store";
import type { MemberStateStore } from "./member-state";
import type { MessageStore } from "./message-store";
import type { ModerationStore } from "./moderation-store";
import type { PushStore } from "./push-store";
import type { ReportStore } from "./report-store";
import type { SearchStore } from "./search-store";
import type { SendPath } from "./send-path";
import type { ServerInviteStore } from "./server-invite-store";

export interface UserRow {
  id: number;
  username: string;
  passwordHash: string | null;
  isGuest: boolean;
  createdAt: number;
  /**
   * When the account was banned from the server; null when it is not. A ban with an end
   * (`bannedUntil`) that has passed is over: see {@link serverBanInForce}.
   */
  bannedAt: number | null;
  bannedUntil: number | null;
  banReason: string | null;
  /** A server admin: outranks every channel role (see `AccountStore.setAdmin`). */
  isAdmin: boolean;
  /** When an admin deactivated the account (no sign-in until reactivated); null when active. */
  deactivatedAt: number | null;
  /** When an admin deleted the account; null for a live one. */
  deletedAt: number | null;
  /** What the account shows of itself (null: none): see `ProfileService`. */
  displayName: string | null;
  statusText: string | null;
  /** The avatar's id (its file store key is `avatarKey(id)`). */
  avatar: string | null;
}

/** Whether the user's server ban holds at `now` (it has no end, or its end is still ahead). */
export function serverBanInForce(
  user: Pick<UserRow, "bannedAt" | "bannedUntil">,
  now = Date.now(),
): boolean {
  return user.bannedAt !== null && (user.bannedUntil === null || user.bannedUntil > now);
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
  /** The channel's own retention in days; 0: none of its own. */
  retentionDays: number;
  /** When a server admin archived it (read-only until unarchived); null when not archived. */
  archivedAt: number | null;
  /** Listed to members only, joined by invitation. */
  isPrivate: boolean;
  /** A direct message: its members fixed at its opening, never listed or joined (private too). */
  isDirect: boolean;
}

/** Actor of an event: the author, the joiner, the moderator. */
export interface Actor {
  id: number;
  name: string;
}

/** The actor of what the server does by itself (an expiry). */
export const SYSTEM_ACTOR: Actor = { id: 0, name: "" };

/** A new stored event that is not a message (join, leave, reaction, moderation…). */
export interface NewEvent {
  type: EventType;
  actor: Actor;
  /** Type-specific fields, copied into the event as sent to clients. */
  data?: Record<string, unknown>;
  messageId?: number;
}

/**
 * Durable state of a Parley deployment, one slice per aggregate: accounts and sessions
 * ({@link AccountStore}), channels and memberships ({@link ChannelStore}), moderation
 * ({@link ModerationStore}), the send path ({@link SendPath}), each channel's event stream
 * ({@link EventLog}), the changes of stored messages ({@link MessageStore}), each member's read
 * marker and notification level ({@link MemberStateStore}), invite links ({@link InviteStore}),
 * Web Push subscriptions ({@link PushStore}), blocks ({@link BlockStore}) and the rows of
 * uploaded files ({@link FileRowStore}). Services
 * Web Push subscriptions ({@link PushStore}), blocks ({@link BlockStore}) and message search
 * ({@link SearchStore}). Services
 * depend on the slices they use; the composition root holds the whole, one object whose
 * slices share one database, its transactions and its statements.
 *
 * Contract, for every implementation and every slice, besides each slice's own:
 * - **Sequence.** Every stored channel event gets the channel's next `seq` (1, 2, 3…, no gap,
 *   no reuse) in the same transaction that stores it; concurrent writers on any number of nodes
 *   never share or skip a seq.
 * - **Durability.** A returned promise resolves only after the transaction committed; a
 *   rejected one stored nothing.
 * - **Atomicity.** A change and its event commit together or not at all. Constraint failures
 *   reject with a `ParleyError` and store nothing.
 */
export interface Storage
  extends AccountStore,
    ChannelStore,
    ModerationStore,
    SendPath,
    EventLog,
    MessageStore,
    MemberStateStore,
    InviteStore,
    PushStore,
    BlockStore,
    FileRowStore,
    SearchStore,
    AdminStore,
    AdminChannelStore,
    ReportStore,
    ServerInviteStore {
  close(): Promise<void>;
}
