import type { ParleyClient } from "@parley/client";

/** Where the service worker is served: the site's root, so its scope is the whole app. */
const WORKER_URL = "/sw.js";

/** Whether this browser can receive Web Push (service workers, PushManager, notifications). */
export function pushSupported(): boolean {
  return (
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    typeof window !== "undefined" &&
    "PushManager" in window &&
    "Notification" in window
  );
}

/** This device's current push subscription, if it has one (without asking for anything). */
export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const registration = await navigator.serviceWorker.getRegistration(WORKER_URL);
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/** Thrown when push cannot be turned on; the message is for the user. */
export class PushUnavailableError extends Error {}

/**
 * Turns push on for this device: asks for permission (call only from a user's click), registers
 * the service worker, subscribes with the server's VAPID key and sends PushSubscribe.
 */
export async function enablePush(client: ParleyClient): Promise<void> {
  if (!pushSupported())
    throw new PushUnavailableError("This browser cannot receive push notifications.");
  const permission = await Notification.requestPermission();
  if (permission !== "granted")
    throw new PushUnavailableError(
      "Notifications are blocked for this site in the browser's settings.",
    );
  const res = await fetch("/api/v1/push/key");
  if (res.status === 404)
    throw new PushUnavailableError("This server does not send push notifications.");
  if (!res.ok) throw new PushUnavailableError("The server's push key could not be read.");
  const { key } = (await res.json()) as { key: string };
  const registration = await navigator.serviceWorker.register(WORKER_URL, { scope: "/" });
  await navigator.serviceWorker.ready;
  let sub = await registration.pushManager.getSubscription();
  // A subscription made against another key (the server's keys were rotated) cannot be used.
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await registration.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: fromBase64url(key),
  });
  const json = sub.toJSON();
  if (!json.endpoint || !json.keys?.p256dh || !json.keys.auth)
    throw new PushUnavailableError("The browser gave an incomplete subscription.");
  await client.pushSubscribe({ ep: json.endpoint, p256dh: json.keys.p256dh, auth: json.keys.auth });
}

/** Turns push off for this device: PushUnsubscribe, then the browser's own unsubscribe. */
export async function disablePush(client: ParleyClient): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  await client.pushUnsubscribe(sub.endpoint);
  await sub.unsubscribe();
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function sameKey(current: ArrayBuffer | null, key: string): boolean {
  if (!current) return false;
  const a = new Uint8Array(current);
  const b = fromBase64url(key);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
