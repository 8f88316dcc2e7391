import {
  type ChannelEvent,
  EventType,
  type HistoryPage,
  LIMITS,
  MUTATION_EVENT_TYPES,
  Op,
  type PresencePush,
  type RemovalReason,
  type UserUpdatedPush,
} from "@parley/protocol";
import type { BrokerMessage, ChannelMessage, MessageBroker } from "../broker/message-broker";
import type { Connection } from "../gateway/connection";
import { eventFrames, SharedFrame } from "../gateway/shared-frame";
import type { EventLog } from "../storage/event-log";

/** How long a node holds an out-of-order event before it fetches the gap from storage. */
const GAP_WAIT_MS = 100;
/** Largest gap fetched from storage in one read. */
const GAP_FETCH_MAX = 1000;
/**
 * In a channel with at least `minSockets` attached on this node, presence changes and member
 * joins are held and sent together when the window ends: each socket then gets the changes of
 * that window in one write instead of one write per change (a channel of N members coming
 * online, or joining, was N² writes). The window is `ms` at `minSockets` and grows with the
 * sockets attached, up to `maxMs`, so a socket gets at most one such write per window however
 * many change, and the node's writes per second stay bounded as the channel grows. A user who
 * came and went within the window is told once, with the final state. Joins wait only while
 * nothing else is to be sent: any other event sends them at once, before it, so messages are
 * never held.
 */
export const BIG_CHANNEL_HOLD = { minSockets: 100, ms: 50, maxMs: 500 };

/**
 * The latest page kept per open channel for join snapshots: at most `max` events (the largest
 * page a join asks for, and one more to know there are older ones), re-read from storage at
 * least every `ms`. Appended to as the channel's events are delivered; dropped by any change
 * to an event it holds (edit, deletion, reaction, pin, link previews) and by a user change
 * told to the channel, so that it is what storage would read. The re-read bounds what no
 * event tells (an account deleted by an admin is renamed in the events of its messages).
 */
export const PAGE_CACHE = { max: LIMITS.historyMax + 1, ms: 10_000 };

const MUTATIONS: ReadonlySet<number> = new Set(MUTATION_EVENT_TYPES);

/** A channel's latest page as of `upTo` (see {@link PAGE_CACHE}). */
interface CachedPage {
  /** Its displayable events up to `upTo`, oldest first: the newest ones, up to the cache's max. */
  events: ChannelEvent[];
  /** Whether older displayable events exist before the first of `events`. */
  more: boolean;
  upTo: number;
  /** When it was read from storage. */
  at: number;
}

interface Attachment {
  /** Last seq this connection has (null until its snapshot is read). */
  cursor: number | null;
  /** Events that arrived before the snapshot was read. */
  pending: ChannelEvent[];
}

interface LocalChannel {
  id: number;
  attachments: Map<Connection, Attachment>;
  /** Highest seq delivered to this node's sockets without a gap. */
  delivered: number;
  /** Events received ahead of a gap, by seq. */
  held: Map<number, ChannelEvent>;
  gapTimer?: NodeJS.Timeout;
  /** Events to deliver at the end of this turn. */
  batch: ChannelEvent[];
  /** The channel's last seq at the previous periodic check, when it was ahead of `delivered`. */
  suspect?: number;
  ready: Promise<void>;
  /** Presence changes held for {@link BIG_CHANNEL_HOLD} (by user), in the order of their last change. */
  presence?: Map<number, PresencePush>;
  /** True while `batch` holds only MemberJoined events, held for {@link BIG_CHANNEL_HOLD}. */
  joinsHeld?: boolean;
  /** Ends the window of what is held (see {@link BIG_CHANNEL_HOLD}). */
  holdTimer?: NodeJS.Timeout;
  /** The latest page, for snapshots (see {@link PAGE_CACHE}). */
  page?: CachedPage;
  /** The storage read of the latest page under way, of `limit` events, for others to share. */
  pageRead?: { limit: number; promise: Promise<Snapshot> };
}

/** A snapshot's page and the last seq it is as of. */
interface Snapshot {
  page: HistoryPage;
  lastSeq: number;
}

/** The channel's copy of its latest page as a snapshot of `limit`, if it has one as of `minSeq`. */
function fromCopy(channel: LocalChannel, limit: number, minSeq: number): Snapshot | undefined {
  const cached = channel.page;
  if (!cached || Date.now() - cached.at >= PAGE_CACHE.ms || cached.upTo < minSeq) return undefined;
  const { events, more } = cached;
  if (events.length < limit && more) return undefined;
  return {
    page: { e: events.slice(-limit), mb: events.length > limit || more, ma: false },
    lastSeq: cached.upTo,
  };
}

/** A snapshot's page cut to its newest `limit` events. */
function trimmed(snapshot: Snapshot, limit: number): Snapshot {
  const { e, ma } = snapshot.page;
  if (e.length <= limit) return snapshot;
  return { page: { e: e.slice(-limit), mb: true, ma }, lastSeq: snapshot.lastSeq };
}

export interface HubOptions {
  broker: MessageBroker;
  storage: Pick<EventLog, "eventsAfter" | "lastSeqs">;
  onDeliveries: (count: number) => void;
  /**
   * Period (ms) of the check that compares each attached channel's last seq in storage with
   * what the hub delivered; off when absent. For a cluster, where a node can die between a
   * commit and its publish: an event seen committed at one check and still undelivered at the
   * next is read from storage.
   */
  recheckMs?: number;
  /** Overrides {@link BIG_CHANNEL_HOLD} (tests). */
  bigChannelHold?: { minSockets: number; ms: number; maxMs: number };
}

/**
 * The node's one delivery path: channel events reach sockets only from the broker's
 * subscription callback. The hub subscribes to a channel when its first local connection
 * attaches and unsubscribes when the last detaches; puts each channel's events in seq order
 * (holding early ones and fetching gaps from storage); and at the end of each turn encodes a
 * channel's events once, as one batch frame, written to every attached socket.
 *
 * Attaching follows "subscribe first, then snapshot", in one primitive, {@link attachThenRead}:
 * live events flow into the connection's pending list before its snapshot is read up to seq S,
 * and `ready` delivers the pending events after S.
 *
 * When the broker reports that its subscriptions are live again after a break (Redis restart,
 * lost link), the hub reads every attached channel's events after its delivered seq from
 * storage: what was published during the break is caught up even in a channel that stays quiet
 * afterwards. With `recheckMs`, a periodic check catches up a channel whose event was committed
 * but never published (its node died in between). A connection shown its user's removal from a
 * channel (kick, ban, leave) is detached from it here too, so the removal holds even when the
 * user-topic notice was lost. Each user's own topic is {@link UserTopic}'s.
 */
export class ChannelHub {
  private readonly channels = new Map<number, LocalChannel>();
  private readonly dirty = new Set<LocalChannel>();
  /** The last UserUpdated each connection was sent, so the same change told by several channels goes once. */
  private readonly toldUser = new WeakMap<Connection, string>();
  private flushScheduled = false;
  private readonly recheckTimer?: NodeJS.Timeout;
  private rechecking = false;

  constructor(private readonly options: HubOptions) {
    options.broker.onReconnect?.(() => void this.catchUp());
    if (options.recheckMs) {
      this.recheckTimer = setInterval(() => void this.recheck(), options.recheckMs);
      this.recheckTimer.unref();
    }
  }

  /** Whether a connection is attached to a channel on this node. */
  isAttached(conn: Connection, channelId: number): boolean {
    return this.channels.get(channelId)?.attachments.has(conn) ?? false;
  }

  /**
   * Sends a connection UserUpdated, unless the last one it was sent is the same change (a
   * change reaches a connection through each channel it shares with the user).
   */
  tellUser(conn: Connection, user: UserUpdatedPush, frame?: SharedFrame): void {
    const key = JSON.stringify(user);
    if (this.toldUser.get(conn) === key) return;
    this.toldUser.set(conn, key);
    conn.sendShared(frame ?? new SharedFrame({ o: Op.UserUpdated, d: user }));
  }

  /**
   * Subscribe, then snapshot, the one way a connection starts receiving channels (hello, resume,
   * join, create, being added): attaches `conn` to each channel, so that live events from now on
   * wait in its pending list (a channel it already receives is held the same way, so no event
   * newer than the new snapshot goes out before it); then runs `read`, the snapshot. Returns the
   * snapshot and `ready`, to call once the reply is sent: it sends each channel's pending events
   * after the seq `seqOf` gives for it and puts the connection on the shared path. A channel for
   * which `seqOf` gives undefined (the user is no longer a member) is detached. If `read` fails,
   * every channel is as it was: held ones resume from their cursor, new ones are detached.
   */
  async attachThenRead<T>(
    conn: Connection,
    channelIds: readonly number[],
    read: () => Promise<T>,
    seqOf: (snapshot: T, channelId: number) => number | undefined,
  ): Promise<{ snapshot: T; ready: () => void }> {
    const held = new Map<number, number>();
    const added: number[] = [];
    this.open(channelIds.filter((channelId) => !this.channels.has(channelId)));
    const opening = new Set<Promise<void>>();
    for (const channelId of channelIds) {
      const cursor = this.hold(conn, channelId);
      if (cursor !== undefined) held.set(channelId, cursor);
      else if (!this.isAttached(conn, channelId)) added.push(channelId);
      const channel = this.channels.get(channelId)!;
      if (!channel.attachments.has(conn))
        channel.attachments.set(conn, { cursor: null, pending: [] });
      opening.add(channel.ready);
    }
    let snapshot: T;
    try {
      await Promise.all(opening);
      snapshot = await read();
    } catch (err) {
      for (const [channelId, cursor] of held) this.ready(conn, channelId, cursor);
      for (const channelId of added) this.detach(conn, channelId);
      throw err;
    }
    const seqs = channelIds.map((channelId) => seqOf(snapshot, channelId));
    channelIds.forEach((channelId, i) => {
      if (seqs[i] === undefined) this.detach(conn, channelId);
    });
    return {
      snapshot,
      ready: () =>
        channelIds.forEach((channelId, i) => {
          const seq = seqs[i];
          if (seq !== undefined) this.ready(conn, channelId, seq);
        }),
    };
  }

  /**
   * The channel's latest page of at most `limit` events and the last seq it is as of, for a
   * snapshot inside {@link attachThenRead}: from this node's copy when it has one as of
   * `minSeq` or later; else from the storage read another snapshot of the channel is making,
   * when that one is as of `minSeq` or later; else by `read` (storage), kept as the copy when
   * nothing delivered here is newer than it. The copy follows the channel's delivered events
   * (see {@link PAGE_CACHE}); with one read at a time shared, a storm of joins into a channel
   * reads its page about once.
   */
  async latestPage(
    channelId: number,
    limit: number,
    minSeq: number,
    read: () => Promise<Snapshot>,
  ): Promise<Snapshot> {
    const channel = this.channels.get(channelId);
    const copied = channel && fromCopy(channel, limit, minSeq);
    if (copied) return copied;
    const shared = channel?.pageRead;
    if (channel && shared && shared.limit >= limit) {
      const other = await shared.promise.catch(() => undefined);
      if (other && other.lastSeq >= minSeq) return trimmed(other, limit);
      const later = fromCopy(channel, limit, minSeq);
      if (later) return later;
    }
    const at = Date.now();
    const promise = read();
    if (channel) channel.pageRead = { limit, promise };
    let snapshot: Snapshot;
    try {
      snapshot = await promise;
    } finally {
      if (channel?.pageRead?.promise === promise) channel.pageRead = undefined;
    }
    if (
      channel &&
      this.channels.get(channelId) === channel &&
      snapshot.lastSeq >= channel.delivered &&
      snapshot.lastSeq >= (channel.page?.upTo ?? 0)
    ) {
      const { e, mb } = snapshot.page;
      channel.page = { events: [...e], more: mb, upTo: snapshot.lastSeq, at };
    }
    return snapshot;
  }

  /**
   * Brings a channel's page copy to its delivered event `event`, or drops it: also once it is
   * too old to be used, so a copy lives only while joins read it (a busy channel's would
   * otherwise keep a page of events in memory for as long as it is open).
   */
  private followPage(channel: LocalChannel, event: ChannelEvent): void {
    const page = channel.page;
    if (!page || event.s <= page.upTo) return;
    if (
      event.s !== page.upTo + 1 ||
      MUTATIONS.has(event.t) ||
      Date.now() - page.at >= PAGE_CACHE.ms
    ) {
      channel.page = undefined;
      return;
    }
    page.events.push(event);
    page.upTo = event.s;
    if (page.events.length > PAGE_CACHE.max) {
      page.events.shift();
      page.more = true;
    }
  }

  /**
   * Holds the live events of a channel a connection already receives: they wait in its pending
   * list until `ready`, as for a first attach. Returns the seq the connection held; undefined
   * when nothing was held (not attached, or its events wait already).
   */
  private hold(conn: Connection, channelId: number): number | undefined {
    const attachment = this.channels.get(channelId)?.attachments.get(conn);
    if (!attachment || attachment.cursor === null) return undefined;
    const cursor = attachment.cursor;
    attachment.cursor = null;
    return cursor;
  }

  /** Marks a connection's snapshot as read up to `seq` and sends what arrived after it. */
  private ready(conn: Connection, channelId: number, seq: number): void {
    const attachment = this.channels.get(channelId)?.attachments.get(conn);
    if (!attachment || attachment.cursor !== null) return;
    attachment.cursor = seq;
    const missed = attachment.pending.filter((e) => e.s > seq);
    attachment.pending = [];
    if (missed.length > 0) {
      for (const frame of eventFrames(channelId, missed)) conn.sendShared(frame);
      attachment.cursor = missed.at(-1)!.s;
    }
  }

  /**
   * Ends a connection's membership of a channel it was removed from by the event at seq `s`
   * (kick, ban, leave): drops its rights, detaches it and tells it why (ChannelRemoved). A
   * removal older than the connection's membership (the user joined again since) is void.
   */
  removed(conn: Connection, channelId: number, why: RemovalReason, s?: number): void {
    const since = conn.channels.since(channelId);
    if (since !== undefined && s !== undefined && since >= s) return;
    const had = conn.channels.delete(channelId);
    if (!had && !this.isAttached(conn, channelId)) return;
    this.detach(conn, channelId);
    conn.sendFrame({ o: Op.ChannelRemoved, d: { c: channelId, why } });
  }

  detach(conn: Connection, channelId: number): void {
    const channel = this.channels.get(channelId);
    if (!channel?.attachments.delete(conn) || channel.attachments.size > 0) return;
    this.channels.delete(channelId);
    this.dirty.delete(channel);
    clearTimeout(channel.gapTimer);
    clearTimeout(channel.holdTimer);
    void this.options.broker.unsubscribe({ kind: "channel", id: channelId });
  }

  detachAll(conn: Connection): void {
    for (const channelId of conn.channels.keys()) this.detach(conn, channelId);
  }

  /**
   * Opens channels on this node in one pass, however many (a welcome opens all of a user's):
   * one broker subscription for them all, then one read of their last seqs as the baselines.
   * Every event committed after that read reaches the subscription; every one up to it is in
   * the snapshots of connections, which are all read after this point. Events that arrive
   * before the baselines wait, then go through the ordering like any other.
   */
  private open(channelIds: readonly number[]): void {
    if (channelIds.length === 0) return;
    const opening = [...new Set(channelIds)].map((id) => {
      const channel: LocalChannel = {
        id,
        attachments: new Map(),
        delivered: Number.POSITIVE_INFINITY,
        held: new Map(),
        batch: [],
        ready: Promise.resolve(),
      };
      this.channels.set(id, channel);
      return { channel, early: [] as ChannelEvent[], initialized: false };
    });
    const ready = (async () => {
      await this.options.broker.subscribe(
        opening.map((o) => ({
          topic: { kind: "channel", id: o.channel.id },
          handler: (m: BrokerMessage) => {
            if (!o.initialized && m.k === "events") o.early.push(...m.events);
            else this.onChannel(o.channel, m);
          },
        })),
      );
      const seqs = await this.options.storage.lastSeqs(opening.map((o) => o.channel.id));
      for (const o of opening) {
        o.channel.delivered = seqs.get(o.channel.id) ?? 0;
        o.initialized = true;
        if (o.early.length > 0) this.acceptEvents(o.channel, o.early);
      }
    })();
    for (const o of opening) o.channel.ready = ready;
  }

  private onChannel(channel: LocalChannel, message: BrokerMessage): void {
    const m = message as ChannelMessage;
    if (m.k === "events") {
      this.acceptEvents(channel, m.events);
      return;
    }
    if (m.k === "user") {
      // Names in the page (a reply's author) may have changed.
      channel.page = undefined;
      const user: UserUpdatedPush = m.user;
      const frame = new SharedFrame({ o: Op.UserUpdated, d: user });
      // Connections whose snapshot is still being read get it too: a member list read before
      // the change is then corrected by it.
      for (const conn of channel.attachments.keys()) this.tellUser(conn, user, frame);
      return;
    }
    if (m.k === "typing") {
      const frame = new SharedFrame({
        o: Op.TypingEvent,
        d: { c: m.c, u: m.u, un: m.un, on: m.on },
      });
      this.sendEphemeral(channel, frame, m.u);
    } else {
      const { k: _, ...push } = m;
      const hold = this.options.bigChannelHold ?? BIG_CHANNEL_HOLD;
      if (channel.attachments.size < hold.minSockets && !channel.presence) {
        this.sendPresence(channel, push);
        return;
      }
      channel.presence ??= new Map();
      channel.presence.delete(m.u);
      channel.presence.set(m.u, push);
      this.startHold(channel);
    }
  }

  /** Starts the channel's hold window, unless one is open. */
  private startHold(channel: LocalChannel): void {
    if (channel.holdTimer) return;
    const hold = this.options.bigChannelHold ?? BIG_CHANNEL_HOLD;
    const ms = Math.min(hold.maxMs, (hold.ms * channel.attachments.size) / hold.minSockets);
    channel.holdTimer = setTimeout(() => this.endHold(channel), Math.max(hold.ms, ms));
  }

  /**
   * Ends the hold window: sends the held joins, then the held presence changes (one
   * PresenceBatch frame for several), all in this turn, so each socket gets one write.
   */
  private endHold(channel: LocalChannel): void {
    channel.holdTimer = undefined;
    if (this.channels.get(channel.id) !== channel) return;
    if (channel.joinsHeld) {
      channel.joinsHeld = false;
      this.dirty.add(channel);
      this.flush();
    }
    const held = channel.presence;
    channel.presence = undefined;
    if (!held) return;
    if (held.size === 1) {
      for (const push of held.values()) this.sendPresence(channel, push);
      return;
    }
    const p = [...held.values()].map(({ c: _, ...change }) => change);
    this.sendEphemeral(channel, new SharedFrame({ o: Op.PresenceBatch, d: { c: channel.id, p } }));
  }

  private sendPresence(channel: LocalChannel, push: PresencePush): void {
    this.sendEphemeral(channel, new SharedFrame({ o: Op.PresenceEvent, d: push }));
  }

  private sendEphemeral(channel: LocalChannel, frame: SharedFrame, exceptUser?: number): void {
    for (const [conn, attachment] of channel.attachments) {
      if (attachment.cursor === null || conn.user?.id === exceptUser) continue;
      conn.sendShared(frame, true);
    }
  }

  /** Puts events in seq order: delivers the contiguous run, holds what is ahead of a gap. */
  private acceptEvents(channel: LocalChannel, events: readonly ChannelEvent[]): void {
    for (const event of events) {
      if (event.s <= channel.delivered) continue;
      channel.held.set(event.s, event);
    }
    const before = channel.batch.length;
    let joinsOnly = true;
    let next = channel.held.get(channel.delivered + 1);
    while (next) {
      channel.held.delete(next.s);
      channel.batch.push(next);
      if (next.t !== EventType.MemberJoined) joinsOnly = false;
      channel.delivered = next.s;
      this.followPage(channel, next);
      next = channel.held.get(channel.delivered + 1);
    }
    if (channel.batch.length > before) {
      const hold = this.options.bigChannelHold ?? BIG_CHANNEL_HOLD;
      if (
        joinsOnly &&
        (before === 0 || channel.joinsHeld) &&
        channel.attachments.size >= hold.minSockets
      ) {
        channel.joinsHeld = true;
        this.startHold(channel);
      } else {
        channel.joinsHeld = false;
        this.markDirty(channel);
      }
    }
    if (channel.held.size > 0 && !channel.gapTimer) {
      channel.gapTimer = setTimeout(() => void this.fillGap(channel), GAP_WAIT_MS);
    }
  }

  /** Reads what every attached channel missed while the broker was away. */
  private async catchUp(): Promise<void> {
    await Promise.all([...this.channels.values()].map((channel) => this.catchUpChannel(channel)));
  }

  /** Reads a channel's events after its delivered seq from storage, page by page. */
  private async catchUpChannel(channel: LocalChannel): Promise<void> {
    try {
      for (;;) {
        if (this.channels.get(channel.id) !== channel) return;
        // Not initialized yet: its baseline is read after its subscription went live.
        if (!Number.isFinite(channel.delivered)) return;
        const from = channel.delivered;
        const missed = await this.options.storage.eventsAfter(channel.id, from, GAP_FETCH_MAX);
        this.acceptEvents(channel, missed);
        if (missed.length < GAP_FETCH_MAX || channel.delivered === from) return;
      }
    } catch {
      // Storage unavailable: the next event, gap fill or check reads it.
    }
  }

  /**
   * The periodic check: one read of every attached channel's last seq. An event committed at
   * the previous check and still not delivered lost its publish; read it from storage. (One
   * seen only now may just be in flight, so it gets until the next check.)
   */
  private async recheck(): Promise<void> {
    if (this.rechecking) return;
    this.rechecking = true;
    try {
      const channels = [...this.channels.values()].filter((c) => Number.isFinite(c.delivered));
      if (channels.length === 0) return;
      const seqs = await this.options.storage.lastSeqs(channels.map((c) => c.id));
      for (const channel of channels) {
        if (this.channels.get(channel.id) !== channel) continue;
        const suspect = channel.suspect;
        const last = seqs.get(channel.id);
        channel.suspect = last !== undefined && last > channel.delivered ? last : undefined;
        if (suspect !== undefined && suspect > channel.delivered) void this.catchUpChannel(channel);
      }
    } catch {
      // Storage unavailable: the next check tries again.
    } finally {
      this.rechecking = false;
    }
  }

  private async fillGap(channel: LocalChannel): Promise<void> {
    channel.gapTimer = undefined;
    if (channel.held.size === 0 || this.channels.get(channel.id) !== channel) return;
    const upTo = Math.min(...channel.held.keys());
    try {
      const missing = await this.options.storage.eventsAfter(
        channel.id,
        channel.delivered,
        Math.min(upTo - channel.delivered - 1, GAP_FETCH_MAX),
      );
      this.acceptEvents(channel, missing);
    } catch {
      // Storage is unavailable: try again after the same wait.
      if (!channel.gapTimer)
        channel.gapTimer = setTimeout(() => void this.fillGap(channel), GAP_WAIT_MS);
    }
  }

  private markDirty(channel: LocalChannel): void {
    this.dirty.add(channel);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  /** Sends each dirty channel's batch: encoded once, the same bytes to every attached socket. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    let deliveries = 0;
    const removals: [Connection, number, { s: number; reason: RemovalReason }][] = [];
    for (const channel of this.dirty) {
      const events = channel.batch;
      channel.batch = [];
      const first = events[0];
      const last = events.at(-1);
      if (!first || !last) continue;
      const frames = eventFrames(channel.id, events);
      const removed = removedUsers(events);
      for (const [conn, attachment] of channel.attachments) {
        if (attachment.cursor === null) {
          attachment.pending.push(...events);
          continue;
        }
        const gone = removed && conn.user ? removed.get(conn.user.id) : undefined;
        if (gone && gone.s > attachment.cursor) removals.push([conn, channel.id, gone]);
        if (attachment.cursor < first.s) {
          for (const frame of frames) conn.sendShared(frame);
          attachment.cursor = last.s;
          deliveries += events.length;
        } else if (attachment.cursor < last.s) {
          // This connection's snapshot already has part of the batch.
          const rest = events.filter((e) => e.s > attachment.cursor!);
          for (const frame of eventFrames(channel.id, rest)) conn.sendShared(frame);
          attachment.cursor = last.s;
          deliveries += rest.length;
        }
      }
    }
    this.dirty.clear();
    if (deliveries > 0) this.options.onDeliveries(deliveries);
    for (const [conn, c, { s, reason }] of removals) this.removed(conn, c, reason, s);
  };

  async close(): Promise<void> {
    clearInterval(this.recheckTimer);
    for (const channel of this.channels.values()) {
      clearTimeout(channel.gapTimer);
      clearTimeout(channel.holdTimer);
    }
    this.channels.clear();
  }
}

const REMOVALS = {
  [EventType.MemberLeft]: "left",
  [EventType.MemberKicked]: "kicked",
  [EventType.MemberBanned]: "banned",
} as const;

/** Users removed from the channel by these events (leave, kick, ban), with the event's seq. */
function removedUsers(
  events: readonly ChannelEvent[],
): Map<number, { s: number; reason: RemovalReason }> | undefined {
  let out: Map<number, { s: number; reason: RemovalReason }> | undefined;
  for (const e of events) {
    let user: number;
    if (e.t === EventType.MemberLeft) user = e.a;
    else if (e.t === EventType.MemberKicked || e.t === EventType.MemberBanned) user = e.u;
    else continue;
    out ??= new Map();
    out.set(user, { s: e.s, reason: REMOVALS[e.t] });
  }
  return out;
}
