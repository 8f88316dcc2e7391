import {
  type ChannelEvent,
  EventType,
  excerpt,
  type LinkPreviewsEvent,
  type MessageDeletedEvent,
  type MessageEditedEvent,
  type MessageEvent,
  MUTATION_EVENT_TYPES,
  type PinEvent,
  type ReactionEvent,
  type ReactionSummary,
  type ReplyQuote,
} from "@parley/protocol";

/**
 * Events shown in the message list: everything but the protocol's mutation events (edits,
 * deletions, reaction changes), which change an earlier message instead.
 */
export function isDisplayable(e: ChannelEvent): boolean {
  return !MUTATION_EVENT_TYPES.includes(e.t);
}

export function isMessage(e: ChannelEvent): e is MessageEvent {
  return e.t === EventType.MessagePosted;
}

/**
 * Adds or removes one user's reaction. Idempotent: a user is listed at most once per emoji, so
 * a resume replay that repeats a reaction already in a message's `r` changes nothing.
 */
export function applyReaction(
  reactions: readonly ReactionSummary[],
  emoji: string,
  user: { i: number; n: string },
  add: boolean,
): readonly ReactionSummary[] {
  const index = reactions.findIndex((r) => r.e === emoji);
  const current = reactions[index];
  if (add) {
    if (current?.u.some((u) => u.i === user.i)) return reactions;
    if (!current) return [...reactions, { e: emoji, u: [{ i: user.i, n: user.n }] }];
    const next = [...reactions];
    next[index] = { e: emoji, u: [...current.u, { i: user.i, n: user.n }] };
    return next;
  }
  if (!current?.u.some((u) => u.i === user.i)) return reactions;
  const users = current.u.filter((u) => u.i !== user.i);
  if (users.length === 0) return reactions.filter((_, k) => k !== index);
  const next = [...reactions];
  next[index] = { e: emoji, u: users };
  return next;
}

/** The version of a message, 1 when never edited. */
export function versionOf(m: MessageEvent): number {
  return m.v ?? 1;
}

/** How far a message's state has come: its version, and a deletion beyond every version. */
function stateRank(m: MessageEvent): number {
  return m.dl ? Number.POSITIVE_INFINITY : versionOf(m);
}

/**
 * The held message after the same message arrived again (in a page or a replay, which carry
 * its current state): the newer state's content, version and deletion win, so a page read
 * before an edit arrived never rolls it back. Held reactions stay (live reaction events have
 * kept them current); a tombstone has none.
 */
export function newerMessage(held: MessageEvent, incoming: MessageEvent): MessageEvent {
  if (stateRank(incoming) <= stateRank(held)) return held;
  const { r: _, ...state } = incoming;
  return held.r && !incoming.dl ? { ...state, r: held.r } : state;
}

/** A message's state after an edit event; the same message when the edit is not newer. */
function edited(m: MessageEvent, e: MessageEditedEvent): MessageEvent {
  if (m.dl) return m;
  const v = versionOf(m);
  // At the same version the content is the same; the server's edit time replaces the one an
  // ack stood in with.
  if (e.v < v || (e.v === v && (v === 1 || e.ed === m.ed))) return m;
  // The edit carries the new content's mentions, recomputed: none listed means none.
  const { mn: _, mg: __, ...rest } = m;
  return {
    ...rest,
    x: e.x,
    v: e.v,
    ed: e.ed,
    ...(e.mn ? { mn: e.mn } : {}),
    ...(e.mg ? { mg: e.mg } : {}),
  };
}

/** A message as a tombstone: content, reactions, pin and mentions gone, who deleted it and when. */
function deleted(m: MessageEvent, e: MessageDeletedEvent): MessageEvent {
  if (m.dl) return m;
  const { r: _, pn: __, mn: ___, mg: ____, ...rest } = m;
  return { ...rest, x: "", dl: { u: e.a, un: e.an, ...(e.mod ? { mod: true } : {}), ts: e.ts } };
}

/**
 * A message after a pin or unpin event: pinned by the event's actor at its time, or unpinned.
 * Idempotent, and a pin held from a later time (a page read after the event) is kept.
 */
function pinned(m: MessageEvent, e: PinEvent): MessageEvent {
  if (m.dl) return m;
  const held = m.pn;
  if (e.t === EventType.MessagePinned) {
    if (held && held.ts >= e.ts) return m;
    return { ...m, pn: { u: e.a, un: e.an, ts: e.ts } };
  }
  if (!held || held.ts > e.ts) return m;
  const { pn: _, ...rest } = m;
  return rest;
}

/** A message after a mutation event (edit, deletion, reaction, pin) that names it. */
function mutated(m: MessageEvent, e: ChannelEvent): MessageEvent {
  switch (e.t) {
    case EventType.MessageEdited:
      return edited(m, e);
    case EventType.MessageDeleted:
      return deleted(m, e);
    case EventType.ReactionAdded:
    case EventType.ReactionRemoved: {
      // A deleted message takes no reactions (a replay may repeat older ones after its tombstone).
      if (m.dl) return m;
      const r = applyReaction(m.r ?? [], e.e, { i: e.a, n: e.an }, e.t === EventType.ReactionAdded);
      return r === (m.r ?? []) ? m : { ...m, r: [...r] };
    }
    case EventType.MessagePinned:
    case EventType.MessageUnpinned:
      return pinned(m, e);
    case EventType.LinkPreviewsChanged: {
      if (m.dl) return m;
      const { lp: _, ...rest } = m;
      return e.lp.length > 0 ? { ...rest, lp: e.lp } : rest;
    }
    default:
      return m;
  }
}

/**
 * A reply's quote after an edit or deletion of the message it answers. Only a change with a
 * higher seq than the reply's applies (the quote already shows what came before it), and
 * nothing changes a deleted original's quote.
 */
export function requoted(quote: ReplyQuote, e: ChannelEvent, replySeq: number): ReplyQuote {
  if (quote.dl || e.s <= replySeq) return quote;
  if (e.t === EventType.MessageDeleted && e.m === quote.m) return { ...quote, x: "", dl: true };
  if (e.t === EventType.MessageEdited && e.m === quote.m) {
    const x = excerpt(e.x);
    return x === quote.x ? quote : { ...quote, x };
  }
  return quote;
}

/** Updates, in `list`, the quote of every held reply to the message `e` edits or deletes. */
function requoteReplies(list: ChannelEvent[], e: ChannelEvent): boolean {
  let changed = false;
  for (let k = 0; k < list.length; k++) {
    const m = list[k]!;
    if (!isMessage(m) || !m.rp || m.dl) continue;
    const rp = requoted(m.rp, e, m.s);
    if (rp === m.rp) continue;
    list[k] = { ...m, rp };
    changed = true;
  }
  return changed;
}

function insertBySeq(items: ChannelEvent[], event: ChannelEvent): void {
  // New events almost always go at the end; search from there.
  let k = items.length;
  while (k > 0 && items[k - 1]!.s > event.s) k--;
  const held = items[k - 1];
  if (held && held.s === event.s) {
    if (isMessage(held) && isMessage(event)) items[k - 1] = newerMessage(held, event);
    return;
  }
  items.splice(k, 0, event);
}

/**
 * Applies stored events to a channel's displayable items (sorted by seq): new items are
 * inserted once by seq (a message held already takes the newer of the two states), mutation
 * events change the message they name: an edit when its version is above the one held, a
 * deletion into a tombstone (unpinned), a reaction or a pin unless the message is deleted. Idempotent, so replays
 * may repeat what is held. Returns the same array when nothing changed, so views can skip a
 * render.
 */
export function mergeEvents(
  items: readonly ChannelEvent[],
  events: readonly ChannelEvent[],
): readonly ChannelEvent[] {
  let next: ChannelEvent[] | undefined;
  for (const e of events) {
    if (isDisplayable(e)) {
      next ??= [...items];
      insertBySeq(next, e);
      continue;
    }
    if (e.t === EventType.MessageEdited || e.t === EventType.MessageDeleted) {
      // Replies quote the original whether or not it is held (it may be older than the pages).
      const copy = next ?? [...items];
      if (requoteReplies(copy, e)) next = copy;
    }
    const target = (
      e as ReactionEvent | MessageEditedEvent | MessageDeletedEvent | PinEvent | LinkPreviewsEvent
    ).m;
    const list = next ?? items;
    const index = list.findIndex((m) => isMessage(m) && m.i === target);
    const message = list[index] as MessageEvent | undefined;
    if (!message) continue;
    const changed = mutated(message, e);
    if (changed === message) continue;
    next ??= [...items];
    next[index] = changed;
  }
  if (!next || (next.length === items.length && next.every((e, k) => e === items[k]))) return items;
  return next;
}

/**
 * Adds a history page's items that are not held yet. A message already held keeps its state
 * unless the page's is newer (a higher version, or deleted): live events may have been applied
 * to it since the page was read.
 */
export function mergePage(
  items: readonly ChannelEvent[],
  page: readonly ChannelEvent[],
): readonly ChannelEvent[] {
  return mergeEvents(items, page.filter(isDisplayable));
}
