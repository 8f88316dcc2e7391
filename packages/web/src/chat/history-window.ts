import type { ChannelEvent, HistoryPage } from "@parley/protocol";
import { isDisplayable, mergeEvents, mergePage } from "./channel-log";

/**
 * A run of history away from the live end, shown instead of a channel's live items after a
 * jump to a message older than those held (an `around` page). Paging up reads `b` pages, paging
 * down `a` pages, until a page reaches the live items (or the end): the two then become one
 * again. Live events keep going to the live items meanwhile; the changes among them (edits,
 * deletions, reactions, pins) also apply here, so both stay current.
 *
 * - `mb` / `ma`: items exist before the first / after the last one held here (as the last
 *   page read said; while detached `ma` is true).
 * - `loading`: a page before (`older`) or after (`newer`) is being read; `seen` keeps the
 *   changes that arrived meanwhile, applied again to the page when it comes (it may have been
 *   read before them; every change is idempotent and version-aware, so repeats are harmless).
 * - `retryAt`: after a failed read, none is asked for before then.
 */
export interface HistoryWindow {
  items: readonly ChannelEvent[];
  mb: boolean;
  ma: boolean;
  loading?: "older" | "newer";
  seen?: readonly ChannelEvent[];
  retryAt?: number;
}

/**
 * The message a jump shows: its seq, the jump's key (a second jump to the same message is a
 * new one), and whether its page is still being read (`loading`, with `seen` as above).
 */
export interface JumpTarget {
  s: number;
  key: number;
  loading: boolean;
  seen?: readonly ChannelEvent[];
}

/** The changes among `events`: the only live events that reach a detached window. */
export function changesIn(events: readonly ChannelEvent[]): readonly ChannelEvent[] {
  return events.filter((e) => !isDisplayable(e));
}

/** Keeps `events`' changes aside while a page is read (they may be newer than the page). */
export function remember(
  seen: readonly ChannelEvent[] | undefined,
  events: readonly ChannelEvent[],
): readonly ChannelEvent[] {
  const changes = changesIn(events);
  return changes.length ? [...(seen ?? []), ...changes] : (seen ?? []);
}

/** A page's items with the changes seen while it was read applied over them. */
export function pageItems(
  held: readonly ChannelEvent[],
  page: HistoryPage,
  seen: readonly ChannelEvent[] | undefined,
): readonly ChannelEvent[] {
  const items = mergePage(held, page.e);
  return seen?.length ? mergeEvents(items, seen) : items;
}

/**
 * Whether a window's items reach the live items: they overlap (the first live seq is held
 * here), or nothing exists after them. Seqs may jump where changes were left out of pages, so
 * adjacency alone cannot be told from seqs.
 */
export function reachesLive(
  window: readonly ChannelEvent[],
  live: readonly ChannelEvent[],
  ma: boolean,
): boolean {
  if (!ma) return true;
  const first = live[0]?.s;
  const last = window.at(-1)?.s;
  return first !== undefined && last !== undefined && last >= first;
}
