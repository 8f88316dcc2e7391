import type {
  ChannelEvent,
  HistoryPage,
  MessageEvent as MessagePostedEvent,
} from "@parley/protocol";
import type { MessageStore } from "./message-store";
import type { Actor } from "./storage";

export interface HistoryQuery {
  before?: number;
  after?: number;
  around?: number;
  limit: number;
}

/**
 * Each channel's stream of stored events: the reads of history and replay, and the writes
 * that change a stored message (reactions).
 *
 * Contract: history and replay return events in ascending seq. A history page leaves out the
 * mutation events (reactions, edits, deletions) and shows their effect on the messages
 * instead: every MessagePosted event it returns, and every one replay returns, is the message
 * in its current state (see {@link MessageStore}); replay returns every event. A reaction and
 * its event commit together, by a member only (NOT_A_MEMBER, MUTED as read inside the write);
 * constraint failures (no such message or a deleted one, too many reactions, no such
 * reaction) reject and store nothing.
 */
export interface EventLog {
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

  /** A page of displayable history (mutation events left out), oldest first. */
  history(channelId: number, query: HistoryQuery): Promise<HistoryPage>;
  /** The channel's pinned live messages in their current state, most recently pinned first. */
  pinned(channelId: number): Promise<MessagePostedEvent[]>;
  /**
   * The latest history page and the channel's last seq, read in one consistent view: every
   * event up to `lastSeq` is either in the page or reflected in it (reactions).
   */
  snapshot(channelId: number, limit: number): Promise<{ page: HistoryPage; lastSeq: number }>;
  /** Every stored event with seq in (afterSeq, afterSeq + limit], ascending: for resume and gap fill. */
  eventsAfter(channelId: number, afterSeq: number, limit: number): Promise<ChannelEvent[]>;
  /** The last seq of each channel given that exists, in one read (the hub's periodic check). */
  lastSeqs(channelIds: readonly number[]): Promise<Map<number, number>>;
}
