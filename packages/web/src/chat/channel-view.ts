import type { Ack } from "@parley/client";
import {
  type AuditLine,
  type ChannelEvent,
  type ChannelSummary,
  type DeleteAck,
  type EditAck,
  ERRORS,
  EventType,
  excerpt,
  type FileRef,
  type HistoryPage,
  type MessageEvent,
  type MessageVersion,
  type ModerationEvent,
  may,
  type ReplyQuote,
  type Report,
  Role,
  rankOf,
  type Self,
  type UserRef,
} from "@parley/protocol";
import { isMessage, mergeEvents, mergePage, requoted, versionOf } from "./channel-log";
import { formatUntil } from "./format";
import { type HeldMessage, heldPosted, heldReported, heldSent } from "./held";
import {
  changesIn,
  type HistoryWindow,
  type JumpTarget,
  pageItems,
  reachesLive,
  remember,
} from "./history-window";
import type { LocalNote, PendingMessage } from "./timeline";

/**
 * Where a channel's history stands. The latest page is read once per channel (again after a
 * resync); older pages are read one at a time as the reader scrolls up.
 *
 * - `idle`: nothing read yet, a resync dropped what was held, or the read failed (the next
 *   open of the channel asks again).
 * - `loading`: the latest page is being read.
 * - `ready`: the latest page is held; `hasOlder` when items exist before the first one held;
 *   `retryAt` after a failed read of an older page: none is asked for before then.
 * - `loading-older`: the page before the first item held is being read.
 */
export type HistoryState =
  | { phase: "idle" }
  | { phase: "loading" }
  | { phase: "ready"; hasOlder: boolean; retryAt?: number }
  | { phase: "loading-older" };

/** A mute of this user in one channel: `until` null = indefinitely, else epoch ms. */
export interface Mute {
  until: number | null;
  reason?: string;
}

/**
 * One of this user's messages open in the inline editor: the version and content it started
 * from (an edit is refused when the message changed since), whether the editor was opened from
 * the composer (focus goes back there), and the state of its save.
 */
export interface Editing {
  m: number;
  v: number;
  x: string;
  origin: "composer" | "message";
  saving?: boolean;
  /** Why the last save was refused. */
  error?: string;
}

/** Everything the client holds about one joined channel. */
export interface ChannelView {
  id: number;
  summary: ChannelSummary;
  /** Displayable events held, sorted by seq (a contiguous run ending at the latest). */
  items: readonly ChannelEvent[];
  pending: readonly PendingMessage[];
  notes: readonly LocalNote[];
  /** Your messages auto-moderation held for review here, as lines only you see. */
  heldForReview: readonly HeldMessage[];
  /**
   * Text to put into the composer (a dropped held message taken back to edit); the composer
   * takes it once, by `key`, and says so.
   */
  draft?: { key: number; x: string };
  history: HistoryState;
  /** Muted here (absent = no). */
  mute?: Mute;
  /** Slow mode: no message may be sent before this time (epoch ms, this client's clock). */
  slowUntil?: number;
  /** When this client's last message here was acknowledged (epoch ms, this client's clock). */
  lastSentAt?: number;
  /** The last kick or ban of this user seen here, to explain the removal that follows. */
  removal?: ModerationEvent;
  /** The message being edited here, if any. */
  editing?: Editing;
  /** The message the next send replies to (the reply bar above the composer), as its quote. */
  replying?: ReplyQuote;
  /**
   * Older history shown instead of `items` after a jump to a message not held (absent: the
   * timeline is at the live end). `items` stays the live tail, kept current meanwhile.
   */
  window?: HistoryWindow;
  /** The message the last jump shows (scrolled to, highlighted and focused once it is held). */
  target?: JumpTarget;
}

/**
 * What can happen to one channel's view. Each input carries what it needs (this user's id, the
 * clock) so that {@link reduceChannel} stays pure.
 */
export type ChannelInput =
  /** Stored events pushed live or replayed on resume, in seq order. */
  | { type: "events"; events: readonly ChannelEvent[]; me: number; now: number }
  /** The summary the server sent again (welcome, ChannelAdded). */
  | { type: "summary"; summary: ChannelSummary }
  /** A join or create reply: the summary and the latest page. */
  | {
      type: "joined";
      summary: ChannelSummary;
      page: HistoryPage;
      me: number | undefined;
      now: number;
    }
  | { type: "latest-requested" }
  | { type: "latest-loaded"; page: HistoryPage; me: number | undefined; now: number }
  | { type: "latest-failed" }
  | { type: "older-requested" }
  | { type: "older-loaded"; page: HistoryPage }
  | { type: "older-failed"; retryAt: number }
  /** The gap since the last seq held was too large to replay: start over from the latest page. */
  | { type: "resync" }
  /** The reply bar opens on a held message (not a deleted one), or closes. */
  | { type: "reply-started"; messageId: number }
  | { type: "reply-cancelled" }
  /** A send shown at once; a reply carries its quote (and closes the reply bar). */
  | { type: "send-pending"; nonce: string; x: string; ts: number; rp?: ReplyQuote; f?: FileRef[] }
  | { type: "send-retried"; nonce: string }
  | { type: "send-acked"; nonce: string; x: string; ack: Ack; me: UserRef; now: number }
  | { type: "send-failed"; nonce: string; error: string }
  | { type: "send-discarded"; nonce: string }
  /**
   * A send was held for a moderator's review (MESSAGE_HELD, naming its report `id`): its pending
   * message (by nonce) becomes a waiting line. A `/me` held has no pending message: `nonce` is
   * then this client's.
   */
  | {
      type: "held";
      id: number;
      nonce: string;
      x: string;
      ts: number;
      rp?: ReplyQuote;
      /** The names of its files. */
      files?: readonly string[];
    }
  /** Your own held message's report was pushed (held, approved or dropped). */
  | { type: "held-report"; report: Report }
  /** You dismissed a held line. */
  | { type: "held-dismissed"; key: string }
  /** A held line's text goes back into the composer (with its reply, while that message lives). */
  | { type: "held-restored"; key: string; draftKey: number }
  /** The composer took the draft. */
  | { type: "draft-taken"; key: number }
  /** A send or command was refused; a mute or slow-mode refusal says how long it lasts. */
  | { type: "refused"; code: number; retryAfterMs?: number; now: number }
  /** A line for this user alone (a command's reply), placed after the latest item held. */
  | { type: "note"; id: number; ts: number; text: string; log?: readonly AuditLine[] }
  /** The editor opens on one of `me`'s messages (not a deleted one). */
  | { type: "edit-started"; messageId: number; me: number; origin: Editing["origin"] }
  | { type: "edit-cancelled" }
  | { type: "edit-saving" }
  /** The edit was stored: the message takes the new content until its event comes. */
  | { type: "edit-acked"; messageId: number; x: string; ack: EditAck; me: UserRef; now: number }
  /**
   * The edit was refused. On a version conflict `current` is the message's current version:
   * the message and the editor take it, and the user edits again from there.
   */
  | { type: "edit-failed"; messageId: number; error: string; current?: MessageVersion }
  /** The deletion was stored: the message becomes a tombstone until its event comes. */
  | {
      type: "delete-acked";
      messageId: number;
      ack: DeleteAck;
      me: UserRef;
      now: number;
    }
  /**
   * A jump to the message at `seq`: shown at once when held (in the window, or the live items,
   * which then show again), else `loading` until its `around` page comes.
   */
  | { type: "jump-requested"; seq: number; key: number }
  /** The page around a jump's message: joins the live items when it reaches them, else a window. */
  | { type: "around-loaded"; key: number; page: HistoryPage }
  | { type: "around-failed"; key: number }
  /** The window reads the page before (`older`) or after (`newer`) its items. */
  | { type: "window-requested"; dir: WindowDirection }
  /** A window's page: a newer one that reaches the live items joins them and the window ends. */
  | { type: "window-loaded"; dir: WindowDirection; page: HistoryPage }
  | { type: "window-failed"; dir: WindowDirection; retryAt: number }
  /** The list showed the jump's message (or said it is not there): the jump is done. */
  | { type: "target-shown"; key: number }
  /** Back to the live end ("Jump to present"): the window is dropped, the live items show. */
  | { type: "present" };

/** Which way a window pages. */
export type WindowDirection = "older" | "newer";

export function newChannelView(summary: ChannelSummary): ChannelView {
  return {
    id: summary.i,
    summary,
    items: [],
    pending: [],
    notes: [],
    heldForReview: [],
    history: { phase: "idle" },
  };
}

/** The quote of a message, as a reply to it shows it. */
export function quoteOf(m: MessageEvent): ReplyQuote {
  return {
    m: m.i,
    s: m.s,
    a: m.a,
    an: m.an,
    x: m.dl ? "" : excerpt(m.x),
    ...(m.dl ? { dl: true } : {}),
  };
}

/** A held message by id (in the live items or the window). */
export function findMessage(view: ChannelView, messageId: number): MessageEvent | undefined {
  const byId = (e: ChannelEvent): e is MessageEvent => isMessage(e) && e.i === messageId;
  return view.items.find(byId) ?? view.window?.items.find(byId);
}

/** The items the timeline shows: the window's while detached, else the live ones. */
export function shownItems(view: ChannelView): readonly ChannelEvent[] {
  return view.window?.items ?? view.items;
}

/** The timeline shows a window away from the live end. */
export function isDetached(view: ChannelView): boolean {
  return view.window !== undefined;
}

/** The last message of `me` held here that is not deleted (Up arrow in the composer edits it). */
export function lastOwnMessage(view: ChannelView, me: number): MessageEvent | undefined {
  for (let k = view.items.length - 1; k >= 0; k--) {
    const e = view.items[k]!;
    if (isMessage(e) && e.a === me && !e.dl) return e;
  }
  return undefined;
}

/** Whether `me` may edit `m` at `now`: only its author, not when muted, not once deleted. */
export function canEdit(
  view: Pick<ChannelView, "mute">,
  me: Self,
  m: MessageEvent,
  now: number,
): boolean {
  return m.a === me.i && !m.dl && !isMuted(view, now);
}

/** Whether this user may reply to `m` at `now`: whoever may send here (not muted), not to a tombstone. */
export function canReply(view: Pick<ChannelView, "mute">, m: MessageEvent, now: number): boolean {
  return !m.dl && !isMuted(view, now);
}

/**
 * Whether `me`, of channel `role`, may delete `m`: its author (muted or not), or a moderator,
 * owner or server admin (guests never delete others' messages).
 */
export function canDelete(role: Role | undefined, me: Self, m: MessageEvent): boolean {
  if (m.dl) return false;
  if (m.a === me.i) return true;
  return may("deleteAnyMessage", rankOf(role, { isGuest: me.g === true, isAdmin: me.ad === true }));
}

/**
 * Whether `me`, of channel `role`, may pin or unpin messages here: moderators, owners and
 * server admins. A deleted message cannot be pinned.
 */
export function canPin(role: Role | undefined, me: Self, m?: MessageEvent): boolean {
  if (m?.dl) return false;
  return may("pinMessage", rankOf(role, { isGuest: me.g === true, isAdmin: me.ad === true }));
}

/**
 * Whether `me` may report a message to the channel's moderators: anyone's but one's own, while
 * it is not deleted.
 */
export function canReport(me: Self, m: MessageEvent): boolean {
  return !m.dl && m.a !== me.i;
}

/** The latest page is held (older pages may be on their way). */
export function isLoaded(view: ChannelView): boolean {
  return view.history.phase === "ready" || view.history.phase === "loading-older";
}

/** Items exist before the first one shown. */
export function hasOlder(view: ChannelView): boolean {
  const w = view.window;
  if (w) return w.mb || w.loading === "older";
  const h = view.history;
  return h.phase === "loading-older" || (h.phase === "ready" && h.hasOlder);
}

/** A page before the first item shown may be asked for at `now`. */
export function canLoadOlder(view: ChannelView, now: number): boolean {
  const w = view.window;
  if (w) return canPage(w, "older", now);
  const h = view.history;
  return h.phase === "ready" && h.hasOlder && (h.retryAt ?? 0) <= now;
}

/** A page after the window's last item may be asked for at `now` (only while detached). */
export function canLoadNewer(view: ChannelView, now: number): boolean {
  return view.window !== undefined && canPage(view.window, "newer", now);
}

function canPage(w: HistoryWindow, dir: WindowDirection, now: number): boolean {
  return !w.loading && (dir === "older" ? w.mb : w.ma) && (w.retryAt ?? 0) <= now;
}

/** Whether a channel's composer is muted at `now`. */
export function isMuted(view: Pick<ChannelView, "mute">, now: number): boolean {
  const until = view.mute?.until;
  return until === null || (until !== undefined && until > now);
}

/**
 * The one derivation of this user's mute from events: the last mute or unmute of `me` among
 * `events` decides (a mute already over at `now` counts as none); without one, `current` stands.
 */
export function muteAfter(
  current: Mute | undefined,
  events: readonly ChannelEvent[],
  me: number | undefined,
  now: number,
): Mute | undefined {
  for (let k = events.length - 1; k >= 0; k--) {
    const e = events[k] as ModerationEvent;
    if ((e.t !== EventType.MemberMuted && e.t !== EventType.MemberUnmuted) || e.u !== me) continue;
    if (e.t === EventType.MemberUnmuted || (e.ut !== undefined && e.ut <= now)) return undefined;
    return { until: e.ut ?? null, ...(e.rs ? { reason: e.rs } : {}) };
  }
  return current;
}

/** Slow mode's end for someone who last sent at `lastSentAt`, or undefined when it does not apply. */
export function slowEnd(
  summary: ChannelSummary,
  lastSentAt: number | undefined,
): number | undefined {
  const exempt = (summary.rl ?? Role.Member) >= Role.Moderator;
  return summary.sl > 0 && !exempt && lastSentAt !== undefined
    ? lastSentAt + summary.sl * 1000
    : undefined;
}

/** The warning shown when this user was kicked or banned from the channel, or undefined. */
export function removalNotice(view: ChannelView, why: string, now: number): string | undefined {
  if (why === "deleted") return `#${view.summary.n} was deleted by the server's admins`;
  if (why !== "kicked" && why !== "banned") return undefined;
  const event = view.removal;
  const by = event ? ` by ${event.an}` : "";
  const reason = event?.rs ? `: ${event.rs}` : "";
  return why === "kicked"
    ? `You were removed from #${view.summary.n}${by}${reason}`
    : `You were banned from #${view.summary.n}${by} ${formatUntil(event?.ut, now)}${reason}`;
}

/** Items, history state and mute after the latest page arrived (from a join or a history read). */
function withLatest(
  view: ChannelView,
  page: HistoryPage,
  me: number | undefined,
  now: number,
): ChannelView {
  const items = mergePage(view.items, page.e);
  return {
    ...view,
    items,
    history: { phase: "ready", hasOlder: page.mb },
    mute: muteAfter(view.mute, items, me, now),
  };
}

function withPending(
  view: ChannelView,
  nonce: string,
  f: (p: PendingMessage) => PendingMessage,
): ChannelView {
  return { ...view, pending: view.pending.map((p) => (p.nonce === nonce ? f(p) : p)) };
}

/** The editor closes when its message was deleted (by this user elsewhere, or a moderator). */
function stillEditable(view: ChannelView): Editing | undefined {
  const editing = view.editing;
  if (!editing) return editing;
  return findMessage(view, editing.m)?.dl ? undefined : editing;
}

/**
 * Changes made here (an acked edit or deletion, a conflicting version) applied to the live
 * items and to the window, whichever holds the message.
 */
function withChanges(view: ChannelView, changes: readonly ChannelEvent[]): ChannelView {
  const w = view.window;
  const next: ChannelView = {
    ...view,
    items: mergeEvents(view.items, changes),
    ...(w ? { window: { ...w, items: mergeEvents(w.items, changes) } } : {}),
  };
  return { ...next, editing: stillEditable(next) };
}

/** Live events while detached: their changes reach the window, and pages being read. */
function detachedAfter(view: ChannelView, events: readonly ChannelEvent[]): Partial<ChannelView> {
  const w = view.window;
  const t = view.target;
  const patch: Partial<ChannelView> = {};
  if (w) {
    patch.window = {
      ...w,
      items: mergeEvents(w.items, changesIn(events)),
      ...(w.loading ? { seen: remember(w.seen, events) } : {}),
    };
  }
  if (t?.loading) patch.target = { ...t, seen: remember(t.seen, events) };
  return patch;
}

/**
 * The live items after `items` (read away from the live end) reached them: one contiguous run
 * again, starting at the earlier of the two, the window gone. `mb` says whether items exist
 * before `items`.
 */
function joinedLive(view: ChannelView, items: readonly ChannelEvent[], mb: boolean): ChannelView {
  const first = view.items[0]?.s;
  const earlier = first === undefined || (items[0] !== undefined && items[0].s < first);
  const h = view.history;
  const history: HistoryState = !isLoaded(view)
    ? { phase: "ready", hasOlder: mb }
    : earlier && h.phase === "ready"
      ? { phase: "ready", hasOlder: mb }
      : h;
  return { ...view, items: mergeEvents(view.items, items), history, window: undefined };
}

/** Whether `seq` is an item of `items`. */
function holdsSeq(items: readonly ChannelEvent[], seq: number): boolean {
  return items.some((e) => e.s === seq);
}

/**
 * A quote after live events (the reply bar's, a pending reply's): every edit or deletion of its
 * message applies (a pending message has no seq yet; its quote is as of when it was written).
 * The reply bar closes when its message is deleted (the server would refuse the reply).
 */
function requotedAll(quote: ReplyQuote | undefined, events: readonly ChannelEvent[]) {
  let q = quote;
  for (const e of events) if (q) q = requoted(q, e, 0);
  return q;
}

function openReply(quote: ReplyQuote | undefined): ReplyQuote | undefined {
  return quote?.dl ? undefined : quote;
}

function requotedPending(
  pending: readonly PendingMessage[],
  events: readonly ChannelEvent[],
): readonly PendingMessage[] {
  if (!pending.some((p) => p.rp)) return pending;
  return pending.map((p) => {
    const rp = requotedAll(p.rp, events);
    return rp === p.rp ? p : { ...p, rp };
  });
}

/**
 * Applies live or replayed stored events; the summary follows them (its member count counts
 * the joins and leaves after its snapshot point `ls`).
 */
function withEvents(
  view: ChannelView,
  events: readonly ChannelEvent[],
  me: number,
  now: number,
): ChannelView {
  const summary = { ...view.summary };
  let removal = view.removal;
  const ownNonces = new Set<string>();
  for (const e of events) {
    switch (e.t) {
      case EventType.MessagePosted:
        if (e.a === me) ownNonces.add(e.n);
        break;
      case EventType.RoleChanged:
        if (e.u === me && e.rl !== undefined) summary.rl = e.rl;
        break;
      case EventType.MemberJoined:
        if (e.s > view.summary.ls) summary.mc++;
        break;
      case EventType.MemberLeft:
        if (e.s > view.summary.ls) summary.mc = Math.max(0, summary.mc - 1);
        break;
      case EventType.MemberKicked:
      case EventType.MemberBanned:
        if (e.u === me) removal = e;
        // (A ban of someone who had left counts too, until the next summary.)
        if (e.s > view.summary.ls) summary.mc = Math.max(0, summary.mc - 1);
        break;
      case EventType.TopicChanged:
        if (e.tp !== undefined) summary.tp = e.tp;
        break;
      case EventType.SlowModeChanged:
        if (e.sl !== undefined) summary.sl = e.sl;
        break;
      case EventType.RetentionChanged:
        if (e.rd) summary.rd = e.rd;
        else delete summary.rd;
        break;
      case EventType.ChannelVisibilityChanged:
        if (e.pv) summary.pv = true;
        else if (e.pv === false) delete summary.pv;
        break;
      case EventType.ChannelArchived:
        if (e.ar) summary.ar = true;
        else delete summary.ar;
        break;
    }
  }
  const items = mergeEvents(view.items, events);
  const merged: ChannelView = { ...view, items, ...detachedAfter(view, events) };
  const next: ChannelView = {
    ...merged,
    summary,
    editing: stillEditable(merged),
    replying: openReply(requotedAll(view.replying, events)),
    // The ack may not have come yet: the push of the same nonce confirms the message too.
    pending: requotedPending(
      ownNonces.size ? view.pending.filter((p) => !ownNonces.has(p.nonce)) : view.pending,
      events,
    ),
    // A held message posted on approval (its push lost or not come yet): its line goes.
    heldForReview: heldPosted(view.heldForReview, ownNonces),
    mute: muteAfter(view.mute, events, me, now),
    removal,
  };
  // Slow mode turned off, changed, or lifted by a new role: the wait follows at once (the
  // server counts from this user's last message, as `slowEnd` does).
  if (summary.sl !== view.summary.sl || summary.rl !== view.summary.rl)
    next.slowUntil = slowEnd(summary, view.lastSentAt);
  return next;
}

/**
 * One channel's view after one input: pure, returns a new view (or the same one when the input
 * does not apply in the current state, e.g. a page that arrives after a resync).
 */
export function reduceChannel(view: ChannelView, input: ChannelInput): ChannelView {
  const h = view.history;
  switch (input.type) {
    case "events":
      return withEvents(view, input.events, input.me, input.now);
    case "summary":
      return {
        ...view,
        summary: input.summary,
        ...(input.summary.sl === 0 ? { slowUntil: undefined } : {}),
      };
    case "joined":
      return withLatest({ ...view, summary: input.summary }, input.page, input.me, input.now);
    case "latest-requested":
      return h.phase === "idle" ? { ...view, history: { phase: "loading" } } : view;
    case "latest-loaded":
      // A join reply may have brought the latest page first; this one is then no newer.
      return h.phase === "idle" || h.phase === "loading"
        ? withLatest(view, input.page, input.me, input.now)
        : view;
    case "latest-failed":
      return h.phase === "loading" ? { ...view, history: { phase: "idle" } } : view;
    case "older-requested":
      return h.phase === "ready" && h.hasOlder
        ? { ...view, history: { phase: "loading-older" } }
        : view;
    case "older-loaded":
      // After a resync the page no longer joins what is held.
      return h.phase === "loading-older"
        ? {
            ...view,
            items: mergePage(view.items, input.page.e),
            history: { phase: "ready", hasOlder: input.page.mb },
          }
        : view;
    case "older-failed":
      return h.phase === "loading-older"
        ? { ...view, history: { phase: "ready", hasOlder: true, retryAt: input.retryAt } }
        : view;
    case "resync":
      // What the window holds may have missed changes too.
      return {
        ...view,
        items: [],
        history: { phase: "idle" },
        window: undefined,
        target: undefined,
      };
    case "reply-started": {
      const m = findMessage(view, input.messageId);
      return m && !m.dl ? { ...view, replying: quoteOf(m) } : view;
    }
    case "reply-cancelled":
      return view.replying ? { ...view, replying: undefined } : view;
    case "send-pending": {
      const { nonce, x, ts, rp, f } = input;
      return {
        ...view,
        pending: [...view.pending, { nonce, x, ts, ...(rp ? { rp } : {}), ...(f ? { f } : {}) }],
        replying: rp ? undefined : view.replying,
        // What this user sends shows at the live end: the timeline goes back there.
        window: undefined,
      };
    }
    case "send-retried":
      return withPending(view, input.nonce, ({ error: _, ...p }) => p);
    case "send-failed":
      return withPending(view, input.nonce, (p) => ({ ...p, error: input.error }));
    case "send-discarded":
      return { ...view, pending: view.pending.filter((p) => p.nonce !== input.nonce) };
    case "held": {
      const { id, nonce, x, ts, rp, files } = input;
      const heldForReview = heldSent(view.heldForReview, {
        id,
        nonce,
        x,
        ts,
        afterSeq: view.items.at(-1)?.s ?? 0,
        ...(rp ? { rp } : {}),
        ...(files ? { files } : {}),
      });
      const pending = view.pending.filter((p) => p.nonce !== nonce);
      return heldForReview === view.heldForReview && pending.length === view.pending.length
        ? view
        : { ...view, heldForReview, pending, window: undefined };
    }
    case "held-report": {
      const last = view.items.at(-1)?.s ?? 0;
      const heldForReview = heldReported(view.heldForReview, input.report, last);
      return heldForReview === view.heldForReview ? view : { ...view, heldForReview };
    }
    case "held-dismissed":
      return view.heldForReview.some((h) => h.key === input.key)
        ? { ...view, heldForReview: view.heldForReview.filter((h) => h.key !== input.key) }
        : view;
    case "held-restored": {
      const line = view.heldForReview.find((h) => h.key === input.key);
      if (!line) return view;
      // The reply goes back too (quoted as its message is now), unless that was deleted.
      const answered = line.rp ? findMessage(view, line.rp.m) : undefined;
      const quote = answered ? quoteOf(answered) : line.rp;
      return {
        ...view,
        heldForReview: view.heldForReview.filter((h) => h.key !== input.key),
        draft: { key: input.draftKey, x: line.x },
        replying: quote && !quote.dl ? quote : view.replying,
      };
    }
    case "draft-taken":
      return view.draft?.key === input.key ? { ...view, draft: undefined } : view;
    case "send-acked": {
      const { ack, me, nonce } = input;
      const sent = view.pending.find((p) => p.nonce === nonce);
      const event: MessageEvent = {
        s: ack.s,
        t: EventType.MessagePosted,
        ts: ack.ts,
        a: me.i,
        an: me.n,
        i: ack.i,
        x: input.x,
        n: nonce,
        ...(sent?.rp ? { rp: sent.rp } : {}),
        ...(sent?.f ? { f: sent.f } : {}),
        ...(ack.mn ? { mn: ack.mn } : {}),
        ...(ack.mg ? { mg: ack.mg } : {}),
      };
      return {
        ...view,
        // The push may have come first and confirmed it already; the seq dedups either way.
        items: isLoaded(view) ? mergeEvents(view.items, [event]) : view.items,
        pending: view.pending.filter((p) => p.nonce !== nonce),
        lastSentAt: input.now,
        slowUntil: slowEnd(view.summary, input.now),
      };
    }
    case "refused": {
      const left = input.retryAfterMs;
      if (input.code === ERRORS.MUTED.code) {
        const until = left !== undefined ? input.now + left : (view.mute?.until ?? null);
        return { ...view, mute: { ...view.mute, until } };
      }
      if (input.code === ERRORS.SLOW_MODE.code && left !== undefined)
        return { ...view, slowUntil: input.now + left };
      return view;
    }
    case "note": {
      const note: LocalNote = {
        id: input.id,
        afterSeq: view.items.at(-1)?.s ?? 0,
        ts: input.ts,
        text: input.text,
        ...(input.log?.length ? { log: input.log } : {}),
      };
      // A command's reply shows after the latest item: the timeline goes back there too.
      return { ...view, notes: [...view.notes, note], window: undefined };
    }
    case "edit-started": {
      const m = findMessage(view, input.messageId);
      if (!m || m.a !== input.me || m.dl) return view;
      return { ...view, editing: { m: m.i, v: versionOf(m), x: m.x, origin: input.origin } };
    }
    case "edit-cancelled":
      return view.editing ? { ...view, editing: undefined } : view;
    case "edit-saving":
      return view.editing
        ? { ...view, editing: { ...view.editing, saving: true, error: undefined } }
        : view;
    case "edit-acked": {
      const { ack, me, messageId } = input;
      const m = findMessage(view, messageId);
      // An edit to the same content stores nothing and answers with the version held.
      const changed =
        m && ack.v > versionOf(m)
          ? withChanges(view, [
              {
                s: ack.s,
                t: EventType.MessageEdited,
                ts: input.now,
                a: me.i,
                an: me.n,
                m: messageId,
                v: ack.v,
                x: input.x,
                ed: input.now,
              },
            ])
          : view;
      const editing = view.editing?.m === messageId ? undefined : view.editing;
      return { ...changed, editing };
    }
    case "edit-failed": {
      const editing = view.editing;
      if (editing?.m !== input.messageId) return view;
      const current = input.current;
      if (!current) return { ...view, editing: { ...editing, saving: false, error: input.error } };
      const m = findMessage(view, input.messageId);
      const changed =
        m && current.v > 1
          ? withChanges(view, [
              {
                s: 0,
                t: EventType.MessageEdited,
                ts: current.ts,
                a: m.a,
                an: m.an,
                m: m.i,
                v: current.v,
                x: current.x,
                ed: current.ts,
              },
            ])
          : view;
      return {
        ...changed,
        editing: { ...editing, v: current.v, x: current.x, saving: false, error: input.error },
      };
    }
    case "delete-acked": {
      const { me, messageId } = input;
      const m = findMessage(view, messageId);
      if (!m) return view;
      return withChanges(view, [
        {
          s: input.ack.s,
          t: EventType.MessageDeleted,
          ts: input.now,
          a: me.i,
          an: me.n,
          m: messageId,
          ...(m.a !== me.i ? { mod: true as const } : {}),
        },
      ]);
    }
    case "jump-requested": {
      const target = { s: input.seq, key: input.key, loading: false };
      if (view.window && holdsSeq(view.window.items, input.seq)) return { ...view, target };
      if (holdsSeq(view.items, input.seq)) return { ...view, target, window: undefined };
      return { ...view, target: { ...target, loading: true } };
    }
    case "around-loaded": {
      const t = view.target;
      if (t?.key !== input.key || !t.loading) return view;
      const { page } = input;
      const items = pageItems([], page, t.seen);
      const target = { s: t.s, key: t.key, loading: false };
      if (reachesLive(items, view.items, page.ma) && (isLoaded(view) || !page.ma))
        return { ...joinedLive(view, items, page.mb), target };
      return { ...view, target, window: { items, mb: page.mb, ma: true } };
    }
    case "around-failed":
      return view.target?.key === input.key ? { ...view, target: undefined } : view;
    case "window-requested": {
      const w = view.window;
      return w && canPage(w, input.dir, Number.POSITIVE_INFINITY)
        ? { ...view, window: { ...w, loading: input.dir, seen: [], retryAt: undefined } }
        : view;
    }
    case "window-loaded": {
      const w = view.window;
      if (w?.loading !== input.dir) return view;
      const { page } = input;
      const items = pageItems(w.items, page, w.seen);
      if (input.dir === "older") return { ...view, window: { items, mb: page.mb, ma: w.ma } };
      if (reachesLive(items, view.items, page.ma)) return joinedLive(view, items, w.mb);
      return { ...view, window: { items, mb: w.mb, ma: true } };
    }
    case "window-failed": {
      const w = view.window;
      if (w?.loading !== input.dir) return view;
      return { ...view, window: { items: w.items, mb: w.mb, ma: w.ma, retryAt: input.retryAt } };
    }
    case "target-shown":
      return view.target?.key === input.key && !view.target.loading
        ? { ...view, target: undefined }
        : view;
    case "present":
      return view.window || view.target ? { ...view, window: undefined, target: undefined } : view;
  }
}
