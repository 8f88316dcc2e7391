import { ECDH } from "node:crypto";
import { type MessageEvent, notificationText, notifies, PUSH_LIMITS } from "@parley/protocol";
import type { Logger } from "pino";
import { ParleyError } from "../errors";
import { type AddressPolicyOptions, urlRefusal } from "../http/address-policy";
import type { PresenceStore } from "../presence/presence-store";
import type { PushPayload } from "../push/push-payload";
import type { PushSender } from "../push/web-push-sender";
import type { ChannelStore } from "../storage/channel-store";
import type { PushStore, PushSubscriptionRow } from "../storage/push-store";
import { isDirect } from "./direct-service";
import type { PostedMessage } from "./message-service";

/** What a push's outcome is counted as. */
export interface PushCounters {
  sent(): void;
  failed(): void;
  removed(): void;
  dropped(): void;
  /** A message's decision is made (its pushes, if any, queued). */
  decided(): void;
}

export interface PushServiceOptions {
  store: PushStore & Pick<ChannelStore, "getChannel">;
  presence: Pick<PresenceStore, "online">;
  /** Clock (tests). */
  now?: () => number;
  /** Null when push is off (`PARLEY_WEB_PUSH=off`): subscribing is refused, nothing is sent. */
  sender: PushSender | null;
  /** The VAPID public key (base64url), null when push is off. */
  publicKey: string | null;
  policy: AddressPolicyOptions;
  counters: PushCounters;
  logger: Logger;
  /** Pushes in flight at once. Default 8. */
  concurrency?: number;
  /** Tasks (message decisions and pushes) waiting; past it new ones are dropped. Default 10 000. */
  maxQueued?: number;
}

/** How long a push service keeps a push for a device that is off (s): a day-old chat is stale. */
const PUSH_TTL_SECONDS = 24 * 60 * 60;

/**
 * How long a node trusts what it last read of whether anyone subscribed (ms). While nobody has,
 * decisions read nothing; a subscription made on another node counts here within this time (one
 * made on this node at once). A device subscribes while connected, and pushes go only to users
 * connected nowhere, so a push is missed only if its user leaves within this time of a first
 * subscription anywhere.
 */
export const PUSH_SUBSCRIBED_RECHECK_MS = 10_000;

/**
 * Web Push for members with no live connection. After a batch of messages commits, the node that
 * committed it (and only that node, so each message is pushed once in a cluster) queues one
 * decision per channel of the batch and returns; while nobody anywhere has subscribed, a decision
 * reads nothing ({@link PUSH_SUBSCRIBED_RECHECK_MS}). A decision reads the channel's members holding subscriptions,
 * keeps those the message notifies (`notifies` of the protocol package) and that are online nowhere (the presence
 * store), and queues one push per subscription. The queue is bounded and drained with bounded
 * concurrency; work past the bound is dropped and counted. A push service's 404 or 410 deletes
 * the subscription; other failures are logged and counted, never retried (the next message
 * pushes again).
 */
export class PushService {
  private readonly queue: (() => Promise<void>)[] = [];
  private active = 0;
  private closed = false;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private idleWaiters: (() => void)[] = [];
  /** What was last read of whether anyone subscribed, and when (see {@link PUSH_SUBSCRIBED_RECHECK_MS}). */
  private subscribed: { any: boolean; at: number } | undefined;

  constructor(private readonly options: PushServiceOptions) {
    this.concurrency = options.concurrency ?? 8;
    this.maxQueued = options.maxQueued ?? 10_000;
  }

  /** The VAPID public key for `applicationServerKey`, or null when push is off. */
  get publicKey(): string | null {
    return this.options.publicKey;
  }

  /**
   * Stores a device's subscription for an account (guests: FORBIDDEN, as when push is off). The
   * endpoint must pass the address policy's URL check and `p256dh` must be a P-256 point
   * (INVALID_PAYLOAD). A user's oldest past {@link PUSH_LIMITS.perUser} is dropped.
   */
  async subscribe(
    user: { id: number; isGuest: boolean },
    sub: { ep: string; p256dh: string; auth: string },
    userAgent: string | null = null,
  ): Promise<void> {
    if (!this.options.sender) throw new ParleyError("FORBIDDEN", "Push notifications are off");
    if (user.isGuest)
      throw new ParleyError("FORBIDDEN", "Guests cannot subscribe to push notifications");
    const refusal = urlRefusal(sub.ep, this.options.policy);
    if (refusal) throw new ParleyError("INVALID_PAYLOAD", `ep: ${refusal}`);
    if (!isP256Point(sub.p256dh))
      throw new ParleyError("INVALID_PAYLOAD", "p256dh: not a P-256 public key");
    await this.options.store.subscribe(
      { userId: user.id, endpoint: sub.ep, p256dh: sub.p256dh, auth: sub.auth, userAgent },
      PUSH_LIMITS.perUser,
    );
    this.subscribed = { any: true, at: this.now() };
  }

  /** Removes one of the user's subscriptions (an unknown endpoint is no change). */
  unsubscribe(userId: number, endpoint: string): Promise<void> {
    return this.options.store.unsubscribe(userId, endpoint);
  }

  /**
   * The after-commit hook: queues one decision per channel of the batch (one read of its
   * subscribed members, one presence read, for all of its new messages) and returns at once.
   */
  posted(messages: readonly PostedMessage[]): void {
    if (!this.options.sender) return;
    const byChannel = new Map<number, MessageEvent[]>();
    for (const { channelId, event } of messages) {
      const events = byChannel.get(channelId);
      if (events) events.push(event);
      else byChannel.set(channelId, [event]);
    }
    for (const [channelId, events] of byChannel) this.enqueue(() => this.decide(channelId, events));
  }

  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what is queued, waits for what is in flight (each bounded by the push timeout). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.idle();
    await this.options.sender?.close();
  }

  private enqueue(task: () => Promise<void>): void {
    if (this.closed) return;
    if (this.queue.length >= this.maxQueued) {
      this.options.counters.dropped();
      return;
    }
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.active++;
      task()
        .catch((err) => this.options.logger.warn({ err }, "push task failed"))
        .finally(() => {
          this.active--;
          this.pump();
          if (this.active === 0 && this.queue.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
    }
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Whether anyone may hold a subscription: read at most once per {@link PUSH_SUBSCRIBED_RECHECK_MS}. */
  private async anySubscribed(): Promise<boolean> {
    const now = this.now();
    if (!this.subscribed || now - this.subscribed.at >= PUSH_SUBSCRIBED_RECHECK_MS)
      this.subscribed = { any: await this.options.store.hasSubscriptions(), at: now };
    return this.subscribed.any;
  }

  private async decide(channelId: number, events: readonly MessageEvent[]): Promise<void> {
    const { store, presence, counters } = this.options;
    try {
      if (!(await this.anySubscribed())) return;
      // Every subscribed member (user id 0 is no one); each message leaves its author out.
      const targets = await store.pushTargets(channelId, 0);
      const channel = targets.length > 0 ? await store.getChannel(channelId) : undefined;
      if (!channel) return;
      const notified = events.flatMap((event) =>
        targets.flatMap((target) => {
          if (target.userId === event.a) return [];
          const why = notifies(target.userId, target.level, event, isDirect(channel));
          return why ? [{ target, why, event }] : [];
        }),
      );
      if (notified.length === 0) return;
      const online = await presence.online([...new Set(notified.map((n) => n.target.userId))]);
      for (const { target, why, event } of notified) {
        if (online.has(target.userId)) continue;
        const payload: PushPayload = {
          c: channelId,
          // A DM's stored name is an internal key: the notification names the author instead.
          cn: isDirect(channel) ? "" : channel.name,
          ...(isDirect(channel) ? { dm: true as const } : {}),
          s: event.s,
          m: event.i,
          a: event.an,
          x: notificationText(event.x, event.f),
          t: why,
        };
        const text = JSON.stringify(payload);
        const urgency = why === "mention" ? "high" : "normal";
        for (const sub of target.subscriptions) this.enqueue(() => this.push(sub, text, urgency));
      }
    } finally {
      for (const _ of events) counters.decided();
    }
  }

  private async push(
    sub: PushSubscriptionRow,
    payload: string,
    urgency: "normal" | "high",
  ): Promise<void> {
    const { sender, store, counters, logger } = this.options;
    const outcome = await sender!.send(sub, payload, { ttl: PUSH_TTL_SECONDS, urgency });
    if ("status" in outcome && outcome.status >= 200 && outcome.status < 300) {
      counters.sent();
      return;
    }
    if ("status" in outcome && (outcome.status === 404 || outcome.status === 410)) {
      await store.removeSubscription(sub.endpoint);
      counters.removed();
      return;
    }
    counters.failed();
    logger.warn(
      {
        userId: sub.userId,
        host: new URL(sub.endpoint).host,
        ...("status" in outcome ? { status: outcome.status } : { err: outcome.error.message }),
      },
      "push failed",
    );
  }
}

/** Whether a base64url string is an uncompressed point on P-256 (a browser's `p256dh`). */
function isP256Point(base64url: string): boolean {
  const key = Buffer.from(base64url, "base64url");
  if (key.length !== PUSH_LIMITS.p256dhBytes || key[0] !== 4) return false;
  try {
    // Throws unless the bytes are a point on the curve.
    ECDH.convertKey(key, "prime256v1", undefined, undefined, "compressed");
    return true;
  } catch {
    return false;
  }
}
