import {
  type ChannelEvent,
  EventType,
  type MessageEvent,
  MUTATION_EVENT_TYPES,
  type ReactionEvent,
  type ReactionSummary,
} from "@parley/protocol";

/**
 * Events shown in the message list: everything but the protocol's mutation events (reaction
 * changes), which change an earlier message instead.
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

function insertBySeq(items: ChannelEvent[], event: ChannelEvent): void {
  // New events almost always go at the end; search from there.
  let k = items.length;
  while (k > 0 && items[k - 1]!.s > event.s) k--;
  if (k > 0 && items[k - 1]!.s === event.s) return;
  items.splice(k, 0, event);
}

/**
 * Applies stored events to a channel's displayable items (sorted by seq): new items are
 * inserted once by seq, reaction events edit the message they name. Returns the same array
 * when nothing changed, so views can skip a render.
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
    const reaction = e as ReactionEvent;
    const list = next ?? items;
    const index = list.findIndex((m) => isMessage(m) && m.i === reaction.m);
    const message = list[index] as MessageEvent | undefined;
    if (!message) continue;
    const r = applyReaction(
      message.r ?? [],
      reaction.e,
      { i: reaction.a, n: reaction.an },
      e.t === EventType.ReactionAdded,
    );
    if (r === (message.r ?? [])) continue;
    next ??= [...items];
    next[index] = { ...message, r: [...r] };
  }
  if (!next || (next.length === items.length && next.every((e, k) => e === items[k]))) return items;
  return next;
}

/**
 * Adds a history page's items that are not held yet. Items already held are kept as they are:
 * live events have been applied to them since, so they are at least as current as the page.
 */
export function mergePage(
  items: readonly ChannelEvent[],
  page: readonly ChannelEvent[],
): readonly ChannelEvent[] {
  return mergeEvents(items, page.filter(isDisplayable));
}
