import type { ReadState } from "@parley/protocol";

/**
 * Each member's read marker per channel, and the unread state it leaves.
 *
 * Contract:
 * - A membership starts read up to the event that made it (its join, or the channel's
 *   creation): nothing before a member joined is unread for them.
 * - `markRead` moves the marker forward only: to `min(seq, the channel's last seq)` when that
 *   is above the marker, otherwise it stays. A non-member has no marker (undefined).
 * - Unread messages are the channel's posted messages with a seq above the marker, written by
 *   someone else and not deleted; events that are not messages (joins, reactions, edits) never
 *   count. Counts are exact as of `ls`, read in one snapshot with it.
 */
export interface ReadStateStore {
  /** The read state of every channel the user is a member of, by channel id, in one read. */
  readStates(userId: number): Promise<Map<number, ReadState>>;
  /** Moves the user's marker in a channel forward; the state it leaves, or undefined. */
  markRead(userId: number, channelId: number, seq: number): Promise<ReadState | undefined>;
}
