import type { ParleyClient } from "@parley/client";
import { NotifyLevel } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metric, TestServer, until, untilConnections } from "./harness";
import { type BrowserSubscription, PushEndpoint } from "./push-endpoint";

/** Waits until the server's counter `name` reaches `n`. */
async function untilCount(server: TestServer, name: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (((await metric(server, name)) ?? 0) < n) {
    if (Date.now() > deadline) throw new Error(`${name}: fewer than ${n}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until the server has made its push decision for `n` messages in all. */
const decided = (server: TestServer, n: number) =>
  untilCount(server, "parley_push_decisions_total", n);

describe("Web Push", () => {
  let server: TestServer;
  let endpoint: PushEndpoint;
  let alice: ParleyClient;
  let channelId: number;

  beforeEach(async () => {
    endpoint = await PushEndpoint.start();
    server = await new TestServer({ PARLEY_PUSH_ALLOW_INSECURE_LOCAL: "1" }).start();
    alice = await server.connect({ token: await server.register("alice") });
    channelId = (await alice.createChannel("town-square")).ch.i;
  });
  afterEach(async () => {
    await server.stop();
    await endpoint.close();
  });

  /** Bob: an account in the channel at `level`, subscribed from one device, then offline. */
  async function offlineBob(level?: NotifyLevel): Promise<BrowserSubscription> {
    const bob = await server.connect({ token: await server.register("bob") });
    await bob.joinChannel(channelId);
    if (level !== undefined) await bob.setNotify(channelId, level);
    const sub = endpoint.subscription("bob-phone");
    await bob.pushSubscribe({ ep: sub.ep, p256dh: sub.p256dh, auth: sub.auth });
    await bob.close();
    await untilConnections(server, 1);
    return sub;
  }

  it("pushes every message to an offline member at level All, encrypted and signed for the endpoint", async () => {
    const phone = await offlineBob(NotifyLevel.All);
    const first = await alice.send(channelId, "lunch at   noon?\nsay yes");
    const second = await alice.send(channelId, "second");
    await until(() => endpoint.to(phone).length === 2, 10_000, "two pushes");
    const pushes = [...endpoint.to(phone)].sort(
      (a, b) => (a.payload as { s: number }).s - (b.payload as { s: number }).s,
    );
    expect(pushes.map((p) => p.payload)).toEqual([
      {
        c: channelId,
        cn: "town-square",
        s: first.s,
        m: first.i,
        a: "alice",
        x: "lunch at noon? say yes",
        t: "message",
      },
      {
        c: channelId,
        cn: "town-square",
        s: second.s,
        m: second.i,
        a: "alice",
        x: "second",
        t: "message",
      },
    ]);
    const { key } = (await (await fetch(`${server.url}/api/v1/push/key`)).json()) as {
      key: string;
    };
    for (const push of pushes) {
      expect(push.claims.aud).toBe(endpoint.origin);
      expect(push.claims.sub).toBe("mailto:admin@localhost");
      expect(push.vapidKey).toBe(key);
      expect(push.headers.ttl).toBe("86400");
      expect(push.headers.urgency).toBe("normal");
    }
    expect(await metric(server, "parley_pushes_sent_total")).toBe(2);
  });

  it("pushes a mention to an offline member at the default level exactly once, with high urgency", async () => {
    const phone = await offlineBob();
    const probe = await alice.send(channelId, "@bob are you there?");
    expect(probe.mn).toHaveLength(1);
    await until(() => endpoint.to(phone).length === 1, 10_000, "the mention's push");
    await decided(server, 1);
    expect(endpoint.to(phone)).toHaveLength(1);
    expect(endpoint.to(phone)[0]!.payload).toMatchObject({ s: probe.s, t: "mention" });
    expect(endpoint.to(phone)[0]!.headers.urgency).toBe("high");
  });

  it("pushes nothing to a member at the default level for a message that does not mention them", async () => {
    const phone = await offlineBob();
    await alice.send(channelId, "just chatting");
    await decided(server, 1);
    expect(endpoint.to(phone)).toEqual([]);
  });

  it("pushes nothing to a member at level Nothing", async () => {
    const phone = await offlineBob(NotifyLevel.None);
    await alice.send(channelId, "anyone?");
    await decided(server, 1);
    expect(endpoint.to(phone)).toEqual([]);
  });

  it("pushes nothing to a member who is online on another connection", async () => {
    const phone = await offlineBob(NotifyLevel.All);
    // bob back online: one connection of his is enough.
    const bob = await server.connect({ token: await loginToken(server, "bob") });
    await alice.send(channelId, "while bob is here");
    await decided(server, 1);
    expect(endpoint.to(phone)).toEqual([]);
    await bob.close();
    await untilConnections(server, 1);
    await alice.send(channelId, "bob left");
    await until(() => endpoint.to(phone).length === 1, 10_000, "the push once offline");
    expect(endpoint.to(phone)[0]!.payload).toMatchObject({ x: "bob left" });
  });

  it("never pushes to the author", async () => {
    await offlineBob(NotifyLevel.All);
    await alice.setNotify(channelId, NotifyLevel.All);
    const own = endpoint.subscription("alice-laptop");
    await alice.pushSubscribe({ ep: own.ep, p256dh: own.p256dh, auth: own.auth });
    await alice.send(channelId, "my own words");
    await until(() => endpoint.received.length === 1, 10_000, "bob's push");
    await decided(server, 1);
    expect(endpoint.to(own)).toEqual([]);
  });

  it("deletes a subscription the push service answers 410 for", async () => {
    const phone = await offlineBob(NotifyLevel.All);
    endpoint.answer(phone, 410);
    await alice.send(channelId, "one");
    await until(() => endpoint.to(phone).length === 1, 10_000, "the refused push");
    await untilCount(server, "parley_push_subscriptions_removed_total", 1);
    await alice.send(channelId, "two");
    await decided(server, 2);
    expect(endpoint.to(phone)).toHaveLength(1);
    expect(await metric(server, "parley_pushes_sent_total")).toBe(0);
  });

  it("refuses guests, unsafe endpoints and keys that are not a P-256 point", async () => {
    const guest = await server.connect();
    const sub = endpoint.subscription("guest");
    await expect(
      guest.pushSubscribe({ ep: sub.ep, p256dh: sub.p256dh, auth: sub.auth }),
    ).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    const refuse = (ep: string, p256dh = sub.p256dh, auth = sub.auth) =>
      expect(alice.pushSubscribe({ ep, p256dh, auth })).rejects.toMatchObject({
        errorName: "INVALID_PAYLOAD",
      });
    await refuse("https://10.0.0.1/push");
    await refuse("http://push.example.com/push");
    await refuse("http://192.168.1.1/push");
    await refuse(`https://push.example.com/${"x".repeat(1100)}`);
    const notOnCurve = Buffer.from(sub.p256dh, "base64url");
    notOnCurve[40]! ^= 1;
    await refuse("https://push.example.com/p", notOnCurve.toString("base64url"));
    await refuse("https://push.example.com/p", sub.p256dh, "c2hvcnQ");
    // And the connection carries on.
    await alice.pushSubscribe({ ep: sub.ep, p256dh: sub.p256dh, auth: sub.auth });
    await alice.pushUnsubscribe(sub.ep);
  });

  it("keeps its generated VAPID key across a restart", async () => {
    const keyOf = async () =>
      ((await (await fetch(`${server.url}/api/v1/push/key`)).json()) as { key: string }).key;
    const before = await keyOf();
    expect(Buffer.from(before, "base64url")).toHaveLength(65);
    await server.restart();
    expect(await keyOf()).toBe(before);
  });
});

describe("Web Push switched off", () => {
  it("has no key to give and refuses subscriptions", async () => {
    const server = await new TestServer({ PARLEY_WEB_PUSH: "off" }).start();
    try {
      expect((await fetch(`${server.url}/api/v1/push/key`)).status).toBe(404);
      const carol = await server.connect({ token: await server.register("carol") });
      await expect(
        carol.pushSubscribe({
          ep: "https://push.example.com/p",
          p256dh: `B${"A".repeat(86)}`,
          auth: "A".repeat(22),
        }),
      ).rejects.toMatchObject({ errorName: "FORBIDDEN" });
    } finally {
      await server.stop();
    }
  });
});

async function loginToken(server: TestServer, username: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "correct horse battery" }),
  });
  return ((await res.json()) as { token: string }).token;
}
