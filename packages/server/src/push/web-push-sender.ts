import http from "node:http";
import https from "node:https";
import webpush from "web-push";
import {
  type AddressPolicyOptions,
  guardedLookup,
  RefusedAddressError,
  urlRefusal,
} from "../http/address-policy";
import type { PushSubscriptionRow } from "../storage/push-store";
import { type EncryptedPush, PushEncryptor } from "./push-encryptor";

/** The server's VAPID identity: a P-256 key pair (base64url) and a contact (`mailto:` or `https:`). */
export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** How one push is delivered. */
export interface PushDelivery {
  /** Seconds the push service keeps the push for an offline device. */
  ttl: number;
  urgency: "normal" | "high";
}

/** The outcome of one push: the push service's status, or the reason it was not sent. */
export type PushOutcome = { status: number } | { error: Error };

/** Sends one encrypted Web Push notification to one subscription. */
export interface PushSender {
  send(sub: PushSubscriptionRow, payload: string, delivery: PushDelivery): Promise<PushOutcome>;
  close(): Promise<void>;
}

/** The longest a push may take, connect to response (ms). */
export const PUSH_TIMEOUT_MS = 5000;

/** How long a VAPID JWT is valid (s): push services accept at most 24 h; web-push's default. */
const JWT_LIFETIME_S = 12 * 60 * 60;
/** A cached JWT is replaced when less than this is left of it (s). */
const JWT_RENEW_S = 60 * 60;

/**
 * {@link PushSender} over `web-push` (RFC 8291 aes128gcm encryption, RFC 8292 VAPID) for the
 * request it builds (on a worker thread, {@link PushEncryptor}), and over our own HTTP client for the request itself, since the endpoint is
 * a URL a user gave: its URL is checked by the address policy, every connection resolves through
 * {@link guardedLookup} (refusing private and local addresses at connect time), redirects are not
 * followed (a 3xx is a failure), and each push has {@link PUSH_TIMEOUT_MS} in all.
 */
export class WebPushSender implements PushSender {
  private readonly httpsAgent: https.Agent;
  private readonly httpAgent: http.Agent;
  private readonly encryptor = new PushEncryptor();
  /**
   * The VAPID Authorization header per push service origin: signing one (an ECDSA signature)
   * cost as much as the rest of a push, and every push to one service may carry the same.
   */
  private readonly authorizations = new Map<string, { header: string; expires: number }>();

  constructor(
    private readonly vapid: VapidKeys,
    private readonly policy: AddressPolicyOptions = {},
    private readonly timeoutMs = PUSH_TIMEOUT_MS,
  ) {
    const lookup = guardedLookup(policy);
    this.httpsAgent = new https.Agent({ keepAlive: true, lookup });
    this.httpAgent = new http.Agent({ keepAlive: true, lookup });
  }

  async send(
    sub: PushSubscriptionRow,
    payload: string,
    delivery: PushDelivery,
  ): Promise<PushOutcome> {
    const refusal = urlRefusal(sub.endpoint, this.policy);
    if (refusal) return { error: new RefusedAddressError(`endpoint refused: ${refusal}`) };
    let details: EncryptedPush;
    try {
      details = await this.encryptor.encrypt(
        { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
        payload,
        {
          // Signed here, once per push service and half a day, instead of once per push. A null
          // skips web-push's own signing (its documented way).
          vapidDetails: null,
          headers: { Authorization: this.authorization(new URL(sub.endpoint).origin) },
          TTL: delivery.ttl,
          urgency: delivery.urgency,
          contentEncoding: "aes128gcm",
        },
      );
    } catch (err) {
      return { error: err as Error };
    }
    const url = new URL(sub.endpoint);
    const secure = url.protocol === "https:";
    const request = secure ? https.request : http.request;
    return new Promise<PushOutcome>((resolve) => {
      const req = request(
        url,
        {
          method: "POST",
          headers: details.headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (res) => {
          // The body is of no use; read it so the connection can be reused.
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
          res.on("error", (error) => resolve({ error }));
        },
      );
      req.on("error", (error) => resolve({ error }));
      req.end(details.body ? Buffer.from(details.body) : undefined);
    });
  }

  private authorization(audience: string): string {
    const now = Math.floor(Date.now() / 1000);
    const cached = this.authorizations.get(audience);
    if (cached && cached.expires - now > JWT_RENEW_S) return cached.header;
    const expires = now + JWT_LIFETIME_S;
    const { publicKey, privateKey, subject } = this.vapid;
    const header = webpush.getVapidHeaders(
      audience,
      subject,
      publicKey,
      privateKey,
      "aes128gcm",
      expires,
    ).Authorization;
    // One entry per push service origin: a handful (FCM, Mozilla, Apple), bounded anyway.
    if (this.authorizations.size >= 1000) this.authorizations.clear();
    this.authorizations.set(audience, { header, expires });
    return header;
  }

  async close(): Promise<void> {
    await this.encryptor.close();
    this.httpsAgent.destroy();
    this.httpAgent.destroy();
  }
}
