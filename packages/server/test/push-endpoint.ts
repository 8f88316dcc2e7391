import { createECDH, createPublicKey, type ECDH, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
// http_ece is web-push's own dependency: the receiving side of RFC 8188/8291, as a browser does it.
import ece from "http_ece";

/** A push as a browser would get it: decrypted, with its request's headers and VAPID claims. */
export interface ReceivedPush {
  /** The subscription's path on the endpoint server. */
  path: string;
  headers: IncomingHttpHeaders;
  payload: unknown;
  /** The VAPID JWT's claims (`aud`, `exp`, `sub`), its signature checked against `k`. */
  claims: { aud: string; exp: number; sub: string };
  /** The VAPID public key the request named (`k=`). */
  vapidKey: string;
}

/** A browser's side of a subscription: the endpoint and the keys it keeps. */
export interface BrowserSubscription {
  ep: string;
  p256dh: string;
  auth: string;
  ecdh: ECDH;
  authSecret: Buffer;
}

/**
 * A stand-in push service on 127.0.0.1 (port 0): each subscription is a path; a POST to it is
 * decrypted with the keys that path's "browser" generated, as the browser would, and recorded.
 * A path can be told to answer with another status (410: the subscription is gone).
 */
export class PushEndpoint {
  readonly received: ReceivedPush[] = [];
  private readonly browsers = new Map<string, BrowserSubscription>();
  private readonly statuses = new Map<string, number>();
  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<PushEndpoint> {
    let endpoint!: PushEndpoint;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "";
        const status = endpoint.statuses.get(path) ?? 201;
        try {
          endpoint.record(path, req.headers, Buffer.concat(chunks));
        } catch (err) {
          res.writeHead(400).end(String(err));
          return;
        }
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    endpoint = new PushEndpoint(server, `http://127.0.0.1:${port}`);
    return endpoint;
  }

  /** A new subscription as a browser makes one: a P-256 key pair and a 16-byte auth secret. */
  subscription(name: string): BrowserSubscription {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const authSecret = randomBytes(16);
    const sub = {
      ep: `${this.origin}/push/${name}`,
      p256dh: ecdh.getPublicKey().toString("base64url"),
      auth: authSecret.toString("base64url"),
      ecdh,
      authSecret,
    };
    this.browsers.set(`/push/${name}`, sub);
    return sub;
  }

  /** Answers the subscription's pushes with `status` from now on. */
  answer(sub: BrowserSubscription, status: number): void {
    this.statuses.set(new URL(sub.ep).pathname, status);
  }

  /** The pushes one subscription received. */
  to(sub: BrowserSubscription): ReceivedPush[] {
    const path = new URL(sub.ep).pathname;
    return this.received.filter((p) => p.path === path);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private record(path: string, headers: IncomingHttpHeaders, body: Buffer): void {
    const browser = this.browsers.get(path);
    if (!browser) throw new Error(`no subscription at ${path}`);
    if (headers["content-encoding"] !== "aes128gcm") throw new Error("not aes128gcm");
    const plain: Buffer = ece.decrypt(body, {
      version: "aes128gcm",
      privateKey: browser.ecdh,
      authSecret: browser.authSecret.toString("base64url"),
    });
    const match = /^vapid t=([^,\s]+),\s*k=(\S+)$/.exec(headers.authorization ?? "");
    if (!match) throw new Error(`no VAPID authorization: ${headers.authorization}`);
    const [, jwt, vapidKey] = match as unknown as [string, string, string];
    this.received.push({
      path,
      headers,
      payload: JSON.parse(plain.toString("utf8")),
      claims: verifiedClaims(jwt, vapidKey),
      vapidKey,
    });
  }
}

/** The claims of an ES256 JWT whose signature `publicKey` (a raw P-256 point, base64url) made. */
function verifiedClaims(jwt: string, publicKey: string) {
  const [header, claims, signature] = jwt.split(".") as [string, string, string];
  const point = Buffer.from(publicKey, "base64url");
  const key = createPublicKey({
    format: "jwk",
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
  });
  const signed = verify(
    "sha256",
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!signed) throw new Error("VAPID signature does not verify");
  return JSON.parse(Buffer.from(claims, "base64url").toString("utf8"));
}
