import type { NotifyLevel, ReadState } from "@parley/protocol";

/** A member's own state in one channel: the read state and the notification level. */
export interface MemberState {
  read: ReadState;
  notify: NotifyLevel;
}

/**
 * Each member's own state per channel: the read marker (and the unread state it leaves) and the
 * notification level.
 *
 * Contract:
 * - A membership starts read up to the event that made it (its join, or the channel's
 *   creation): nothing before a member joined is unread for them. Its notification level starts
 *   at `NotifyLevel.Mentions`.
 * - `markRead` moves the marker forward only: to `min(seq, the channel's last seq)` when that
 *   is above the marker, otherwise it stays. A non-member has no state (undefined, false).
 * - Unread messages are the channel's posted messages with a seq above the marker, written by
 *   someone else and not deleted; events that are not messages (joins, reactions, edits) never
 *   count. Counts are exact as of `ls`, read in one snapshot with it.
 * - Leaving a channel drops the state; a rejoin starts afresh.
 */
export interface MemberStateStore {
  /** The state of every channel the user is a member of, by channel id, in one read. */
  memberStates(userId: number): Promise<Map<number, MemberState>>;
  /** Moves the user's marker in a channel forward; the read state it leaves, or undefined. */
  markRead(userId: number, channelId: number, seq: number): Promise<ReadState | undefined>;
  /** Sets the user's notification level in a channel; false when not a member. */
  setNotifyLevel(userId: number, channelId: number, level: NotifyLevel): Promise<boolean>;
}
