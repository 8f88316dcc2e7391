import type { NotifyLevel } from "@parley/protocol";

/** A device's Web Push subscription. */
export interface PushSubscriptionRow {
  userId: number;
  /** The push service's URL for this device. */
  endpoint: string;
  /** The browser's P-256 public key (65 bytes), base64url. */
  p256dh: string;
  /** The browser's auth secret (16 bytes), base64url. */
  auth: string;
}

/** A member of a channel who has subscriptions, with the level they notify at. */
export interface PushTarget {
  userId: number;
  level: NotifyLevel;
  subscriptions: PushSubscriptionRow[];
}

/**
 * Web Push: each device's subscription, and the server's own settings (its VAPID key pair).
 *
 * Contract:
 * - An endpoint belongs to one user. `subscribe` is idempotent, and a subscribe of an endpoint
 *   another user holds moves it to the caller, with the keys given (the device's latest owner
 *   is the one signed in on it now).
 * - A user holds at most `max` subscriptions: the subscribe that passes it deletes the user's
 *   oldest (by when each was last subscribed), in the same transaction.
 * - `unsubscribe` and `remove` delete by endpoint; unknown endpoints are no change.
 *   `unsubscribe` deletes only the caller's own.
 * - `pushTargets` lists the members of a channel (but `exceptUserId`) holding at least one
 *   subscription, each with their notification level there, in one read.
 * - `settingOrInsert` inserts a setting when absent and returns the stored value either way:
 *   of several concurrent calls (any node) with different values, all return the same one.
 */
export interface PushStore {
  subscribe(sub: PushSubscriptionRow & { userAgent: string | null }, max: number): Promise<void>;
  unsubscribe(userId: number, endpoint: string): Promise<void>;
  /** Deletes a subscription the push service says is gone (404, 410). */
  removeSubscription(endpoint: string): Promise<void>;
  /** The user's subscriptions, oldest first. */
  subscriptions(userId: number): Promise<PushSubscriptionRow[]>;
  pushTargets(channelId: number, exceptUserId: number): Promise<PushTarget[]>;
  /** Whether any device of anyone holds a subscription (one indexed read). */
  hasSubscriptions(): Promise<boolean>;
  settingOrInsert(key: string, value: string): Promise<string>;
}
