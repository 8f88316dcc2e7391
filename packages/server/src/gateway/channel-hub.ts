import {
  type ChannelEvent,
  EventType,
  Op,
  type PresencePush,
  type RemovalReason,
  type UserUpdatedPush,
} from "@parley/protocol";
import type {
  BrokerMessage,
  ChannelMessage,
  MessageBroker,
  UserMessage,
} from "../broker/message-broker";
import { OneOrSetMap } from "../one-or-set";
import type { ChannelStore } from "../storage/channel-store";
import type { EventLog } from "../storage/event-log";
import type { Connection } from "./connection";
import { eventFrames, SharedFrame } from "./shared-frame";

/** How long a node holds an out-of-order event before it fetches the gap from storage. */
const GAP_WAIT_MS = 100;
/** Largest gap fetched from storage in one read. */
const GAP_FETCH_MAX = 1000;
/**
 * In a channel with at least `minSockets` attached on this node, presence changes are held for
 * `ms` and sent together: each socket then gets the changes of that window in one write instead
 * of one write per change (a channel of N members coming online was N² writes), and a user who
 * came and went within the window is told once, with the final state.
 */
export const PRESENCE_HOLD = { minSockets: 100, ms: 50 };

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
  /** Presence changes held for {@link PRESENCE_HOLD} (by user), in the order of their last change. */
  presence?: Map<number, PresencePush>;
  presenceTimer?: NodeJS.Timeout;
}

export interface HubOptions {
  broker: MessageBroker;
  storage: Pick<ChannelStore, "getChannel"> & Pick<EventLog, "eventsAfter" | "lastSeqs">;
  onDeliveries: (count: number) => void;
  onUserMessage: (conn: Connection, message: UserMessage) => void;
  /**
   * Period (ms) of the check that compares each attached channel's last seq in storage with
   * what the hub delivered; off when absent. For a cluster, where a node can die between a
   * commit and its publish: an event seen committed at one check and still undelivered at the
   * next is read from storage.
   */
  recheckMs?: number;
  /** Overrides {@link PRESENCE_HOLD} (tests). */
  presenceHold?: { minSockets: number; ms: number };
}

/**
 * The node's one delivery path: channel events reach sockets only from the broker's
 * subscription callback. The hub subscribes to a channel when its first local connection
 * attaches and unsubscribes when the last detaches; puts each channel's events in seq order
 * (holding early ones and fetching gaps from storage); and at the end of each turn encodes a
 * channel's events once, as one batch frame, written to every attached socket.
 *
 * Attaching follows "subscribe first, then snapshot": `attach` resolves once live events are
 * flowing into the connection's pending list; the caller reads its snapshot up to seq S, then
 * calls `ready(conn, channel, S)`, which delivers the pending events after S.
 *
 * When the broker reports that its subscriptions are live again after a break (Redis restart,
 * lost link), the hub reads every attached channel's events after its delivered seq from
 * storage: what was published during the break is caught up even in a channel that stays quiet
 * afterwards. With `recheckMs`, a periodic check catches up a channel whose event was committed
 * but never published (its node died in between). A connection shown its user's removal from a
 * channel (kick, ban, leave) is detached from it here too, so the removal holds even when the
 * user-topic notice was lost.
 */
export class ChannelHub {
  private readonly channels = new Map<number, LocalChannel>();
  /** Each user's connections on this node. */
  private readonly users = new OneOrSetMap<number, Connection>();
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

  /** Registers a connection for its user's topic (membership changes, revocations). */
  async addUserConnection(conn: Connection): Promise<void> {
    const userId = conn.user!.id;
    if (!this.users.add(userId, conn)) return;
    await this.options.broker.subscribe({ kind: "user", id: userId }, (m) =>
      this.onUser(userId, m),
    );
  }

  async removeUserConnection(conn: Connection): Promise<void> {
    const userId = conn.user?.id;
    if (userId === undefined || !this.users.delete(userId, conn)) return;
    await this.options.broker.unsubscribe({ kind: "user", id: userId });
  }

  /** Whether a connection is attached to a channel on this node. */
  isAttached(conn: Connection, channelId: number): boolean {
    return this.channels.get(channelId)?.attachments.has(conn) ?? false;
  }

  /** Connections of a user on this node. */
  connectionsOf(userId: number): Connection[] {
    return [...this.users.values(userId)];
  }

  /**
   * Sends a connection UserUpdated, unless the last one it was sent is the same change (a
   * change reaches a connection through each channel it shares with the user).
   */
  tellUser(conn: Connection, user: UserUpdatedPush, frame?: SharedFrame): void {
    const key = `${user.i}|${user.g ? 1 : 0}|${user.n}`;
    if (this.toldUser.get(conn) === key) return;
    this.toldUser.set(conn, key);
    conn.sendShared(frame ?? new SharedFrame({ o: Op.UserUpdated, d: user }));
  }

  async attach(conn: Connection, channelId: number): Promise<void> {
    let channel = this.channels.get(channelId);
    if (!channel) {
      channel = this.open(channelId);
      this.channels.set(channelId, channel);
    }
    if (!channel.attachments.has(conn))
      channel.attachments.set(conn, { cursor: null, pending: [] });
    await channel.ready;
  }

  /**
   * Holds the live events of a channel a connection already receives while it reads a new
   * snapshot (a join of a channel it is attached to): they wait in its pending list until
   * `ready`, as for a first attach, so none newer than the snapshot goes out before the reply.
   * Returns the seq the connection holds, to pass to `ready` if the snapshot fails; undefined
   * when nothing was held (a first attach, whose events wait already).
   */
  hold(conn: Connection, channelId: number): number | undefined {
    const attachment = this.channels.get(channelId)?.attachments.get(conn);
    if (!attachment || attachment.cursor === null) return undefined;
    const cursor = attachment.cursor;
    attachment.cursor = null;
    return cursor;
  }

  /** Marks a connection's snapshot as read up to `seq` and sends what arrived after it. */
  ready(conn: Connection, channelId: number, seq: number): void {
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

  detach(conn: Connection, channelId: number): void {
    const channel = this.channels.get(channelId);
    if (!channel?.attachments.delete(conn) || channel.attachments.size > 0) return;
    this.channels.delete(channelId);
    this.dirty.delete(channel);
    clearTimeout(channel.gapTimer);
    clearTimeout(channel.presenceTimer);
    void this.options.broker.unsubscribe({ kind: "channel", id: channelId });
  }

  detachAll(conn: Connection): void {
    for (const channelId of conn.channels.keys()) this.detach(conn, channelId);
  }

  private open(channelId: number): LocalChannel {
    const channel: LocalChannel = {
      id: channelId,
      attachments: new Map(),
      delivered: Number.POSITIVE_INFINITY,
      held: new Map(),
      batch: [],
      ready: Promise.resolve(),
    };
    const early: ChannelEvent[] = [];
    let initialized = false;
    channel.ready = (async () => {
      await this.options.broker.subscribe({ kind: "channel", id: channelId }, (m) => {
        if (initialized) this.onChannel(channel, m);
        else if (m.k === "events") early.push(...m.events);
        else this.onChannel(channel, m);
      });
      // Every event committed after this read reaches the subscription; every one up to it is in
      // the snapshots of connections, which are all read after this point.
      const row = await this.options.storage.getChannel(channelId);
      channel.delivered = row?.lastSeq ?? 0;
      initialized = true;
      if (early.length > 0) this.acceptEvents(channel, early);
    })();
    return channel;
  }

  private onUser(userId: number, message: BrokerMessage): void {
    for (const conn of this.users.values(userId))
      this.options.onUserMessage(conn, message as UserMessage);
  }

  private onChannel(channel: LocalChannel, message: BrokerMessage): void {
    const m = message as ChannelMessage;
    if (m.k === "events") {
      this.acceptEvents(channel, m.events);
      return;
    }
    if (m.k === "user") {
      const user: UserUpdatedPush = { i: m.u, n: m.n, ...(m.g ? { g: true as const } : {}) };
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
      const hold = this.options.presenceHold ?? PRESENCE_HOLD;
      if (channel.attachments.size < hold.minSockets && !channel.presence) {
        this.sendPresence(channel, push);
        return;
      }
      channel.presence ??= new Map();
      channel.presence.delete(m.u);
      channel.presence.set(m.u, push);
      channel.presenceTimer ??= setTimeout(() => this.flushPresence(channel), hold.ms);
    }
  }

  private sendPresence(channel: LocalChannel, push: PresencePush): void {
    this.sendEphemeral(channel, new SharedFrame({ o: Op.PresenceEvent, d: push }));
  }

  /** Sends the held presence changes, all in this turn (so each socket gets one write). */
  private flushPresence(channel: LocalChannel): void {
    const held = channel.presence;
    channel.presence = undefined;
    channel.presenceTimer = undefined;
    if (!held || this.channels.get(channel.id) !== channel) return;
    for (const push of held.values()) this.sendPresence(channel, push);
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
    let next = channel.held.get(channel.delivered + 1);
    while (next) {
      channel.held.delete(next.s);
      channel.batch.push(next);
      channel.delivered = next.s;
      next = channel.held.get(channel.delivered + 1);
    }
    if (channel.batch.length > 0) this.markDirty(channel);
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
    for (const [conn, c, { s, reason }] of removals)
      this.options.onUserMessage(conn, { k: "channel-removed", c, reason, s, seen: true });
  };

  async close(): Promise<void> {
    clearInterval(this.recheckTimer);
    for (const channel of this.channels.values()) {
      clearTimeout(channel.gapTimer);
      clearTimeout(channel.presenceTimer);
    }
    this.channels.clear();
    this.users.clear();
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
