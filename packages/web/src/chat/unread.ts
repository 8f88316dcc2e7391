import type { ChannelEvent } from "@parley/protocol";
import { isMessage } from "./channel-log";

export interface UnreadContext {
  /** The channel on screen; its messages are read as they arrive. */
  active: number | undefined;
  /** The user's id; their own messages (from another tab, say) are never unread. */
  me: number;
}

/**
 * Unread counts per channel after a batch of new events arrived: messages by others in a
 * channel that is not on screen. Returns the same object when nothing changed.
 */
export function countUnread(
  counts: Readonly<Record<number, number>>,
  channelId: number,
  events: readonly ChannelEvent[],
  ctx: UnreadContext,
): Readonly<Record<number, number>> {
  if (channelId === ctx.active) return counts;
  // A tombstone replayed on resume is no news.
  const added = events.filter((e) => isMessage(e) && !e.dl && e.a !== ctx.me).length;
  if (added === 0) return counts;
  return { ...counts, [channelId]: (counts[channelId] ?? 0) + added };
}

/** Counts after the user opened a channel. */
export function markRead(
  counts: Readonly<Record<number, number>>,
  channelId: number,
): Readonly<Record<number, number>> {
  if (!counts[channelId]) return counts;
  const { [channelId]: _, ...rest } = counts;
  return rest;
}
