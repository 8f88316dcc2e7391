import { type ChannelEvent, EventType, mentionsMe, type ReadState } from "@parley/protocol";
import { isMessage } from "./channel-log";

/**
 * What this tab knows of one channel's read state: the server's count, exact up to `ls` (from
 * the welcome, a MarkRead reply or a ReadState push), plus the messages by others received live
 * above `ls` since. The server's state is the truth; between two of them this tab counts the
 * live messages itself, so the badge follows at once and is corrected at the next state.
 */
export interface ReadMark {
  /** Read up to this seq (the server's marker, or this tab's own mark ahead of it). */
  rs: number;
  /** The server's count covers the messages up to this seq. */
  ls: number;
  /** Unread messages up to `ls`, as the server counted them, less deletions seen since. */
  uc: number;
  /** The first unread message's seq up to `ls`, when `uc` > 0. */
  fu?: number;
  /** Of the `uc`, those that mention the reader or the channel. */
  um: number;
  /** Messages by others received above `ls` and above `rs`: message id → seq. */
  live: Readonly<Record<number, number>>;
  /** Of `live`, those that mention the reader or the channel. */
  liveMentions: Readonly<Record<number, number>>;
}

/** The entries of `record` whose seq is above `seq`. */
function above(record: Readonly<Record<number, number>>, seq: number): Record<number, number> {
  const out: Record<number, number> = {};
  for (const [id, s] of Object.entries(record)) if (s > seq) out[Number(id)] = s;
  return out;
}

/** `record` without `id`. */
function without(record: Readonly<Record<number, number>>, id: number): Record<number, number> {
  const { [id]: _, ...rest } = record;
  return rest;
}

/** The mark from a server state; live messages it does not cover yet are kept. */
export function fromServer(previous: ReadMark | undefined, s: ReadState): ReadMark {
  // This tab marked further than the state says (its own MarkRead is on the way): keep its
  // mark, the state's answer to that MarkRead follows.
  if (previous && previous.rs > s.rs) return previous;
  const bound = Math.max(s.ls, s.rs);
  return {
    rs: s.rs,
    ls: s.ls,
    uc: s.uc,
    um: s.um,
    ...(s.fu !== undefined ? { fu: s.fu } : {}),
    live: above(previous?.live ?? {}, bound),
    liveMentions: above(previous?.liveMentions ?? {}, bound),
  };
}

/** The number of unread messages of a mark. */
export function unreadCount(mark: ReadMark | undefined): number {
  return mark ? mark.uc + Object.keys(mark.live).length : 0;
}

/** The number of unread messages that mention the reader or the channel. */
export function unreadMentions(mark: ReadMark | undefined): number {
  return mark ? mark.um + Object.keys(mark.liveMentions).length : 0;
}

/** The first unread message's seq, if any. */
export function firstUnread(mark: ReadMark | undefined): number | undefined {
  if (!mark) return undefined;
  if (mark.uc > 0 && mark.fu !== undefined) return mark.fu;
  const seqs = Object.values(mark.live);
  return seqs.length > 0 ? Math.min(...seqs) : undefined;
}

/**
 * The mark after a batch of stored events of its channel: each live message by someone else
 * above what is counted is unread; a deletion of an unread message takes it away. `heldAs`
 * gives the seq of a message this tab holds and whether it mentions the reader (for a
 * deletion of one the server counted).
 * Returns the same mark when nothing changed.
 */
export function withEvents(
  mark: ReadMark,
  events: readonly ChannelEvent[],
  me: number,
  heldAs: (messageId: number) => { s: number; mentioned: boolean } | undefined,
): ReadMark {
  let next = mark;
  for (const e of events) {
    if (isMessage(e)) {
      // A tombstone replayed on resume is no news; neither is what is counted or read.
      if (e.dl || e.a === me || e.s <= next.ls || e.s <= next.rs || next.live[e.i]) continue;
      next = {
        ...next,
        live: { ...next.live, [e.i]: e.s },
        ...(mentionsMe(e, me) ? { liveMentions: { ...next.liveMentions, [e.i]: e.s } } : {}),
      };
    } else if (e.t === EventType.MessageDeleted) {
      if (next.live[e.m] !== undefined) {
        next = {
          ...next,
          live: without(next.live, e.m),
          liveMentions: without(next.liveMentions, e.m),
        };
        continue;
      }
      const held = heldAs(e.m);
      if (held !== undefined && held.s > next.rs && held.s <= next.ls && next.uc > 0) {
        // When the first unread is the one deleted, the next one is known at the next state.
        const { fu, ...rest } = next;
        const uc = next.uc - 1;
        const um = held.mentioned && next.um > 0 ? next.um - 1 : next.um;
        next = { ...rest, uc, um, ...(uc > 0 && fu !== undefined && fu !== held.s ? { fu } : {}) };
      }
    }
  }
  return next;
}

/**
 * The mark once this tab has shown the channel up to `seq`: read up to there (never back);
 * everything up to it is no longer unread.
 */
export function readUpTo(mark: ReadMark | undefined, seq: number): ReadMark {
  const base = mark ?? { rs: 0, ls: 0, uc: 0, um: 0, live: {}, liveMentions: {} };
  if (seq <= base.rs) return base;
  const live = above(base.live, seq);
  const liveMentions = above(base.liveMentions, seq);
  // The server's count is known to be all read only when the mark passes its `ls`.
  if (seq >= base.ls) return { rs: seq, ls: seq, uc: 0, um: 0, live, liveMentions };
  return { ...base, rs: seq, live, liveMentions };
}
