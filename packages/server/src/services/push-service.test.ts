import { createECDH } from "node:crypto";
import { EventType, MessageKind, NotifyLevel, Role } from "@parley/protocol";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { PushSubscriptionRow } from "../storage/push-store";
import { openSqliteStorage } from "../storage/sqlite/open-sqlite";
import type { Storage } from "../storage/storage";
import { PUSH_SUBSCRIBED_RECHECK_MS, PushService } from "./push-service";

describe("PushService's decisions", () => {
  let storage: Storage;
  afterEach(() => storage?.close());

  /** A channel of two accounts, bob at level All and offline, and the service under test. */
  async function setUp() {
    storage = await openSqliteStorage(":memory:");
    const account = async (username: string) => {
      const { user } = await storage.createUserWithSession(
        { username, passwordHash: "h", isGuest: false },
        `seed-${username}`,
      );
      return { id: user.id, name: user.username };
    };
    const alice = await account("alice");
    const bob = await account("bob");
    const { channel } = await storage.createChannel({ name: "c", topic: "", owner: alice });
    await storage.addMember(channel.id, bob.id, Role.Member, {
      type: EventType.MemberJoined,
      actor: bob,
    });
    await storage.setNotifyLevel(bob.id, channel.id, NotifyLevel.All);
    let reads = 0;
    const store = {
      ...storage,
      pushTargets: (c: number, except: number) => {
        reads++;
        return storage.pushTargets(c, except);
      },
    };
    const sent: string[] = [];
    const payloads: unknown[] = [];
    const clock = { now: 1_000_000 };
    const service = new PushService({
      store,
      presence: { online: async () => new Set<number>() },
      sender: {
        send: async (sub: PushSubscriptionRow, payload: string) => {
          sent.push(sub.endpoint);
          payloads.push(JSON.parse(payload));
          return { status: 201 };
        },
        close: async () => {},
      },
      publicKey: "key",
      policy: { allowInsecureLocal: true },
      counters: { sent() {}, failed() {}, removed() {}, dropped() {}, decided() {} },
      logger: pino({ level: "silent" }),
      now: () => clock.now,
    });
    let n = 0;
    const post = async (channelId = channel.id) => {
      const [result] = await storage.appendMessages([
        {
          channelId,
          author: alice,
          nonce: `n${n++}`,
          content: "hi",
          kind: MessageKind.Text,
        },
      ]);
      if (!result?.ok) throw new Error("send failed");
      service.posted([{ channelId, event: result.event }]);
      await service.idle();
    };
    return { service, post, alice, bob, clock, sent, payloads, reads: () => reads };
  }

  const device = (userId: number, name: string) => ({
    userId,
    endpoint: `https://push.example/${name}`,
    p256dh: "key",
    auth: "auth",
    userAgent: null,
  });

  it("reads no members while nobody has subscribed, and learns of another node's subscriber within the recheck", async () => {
    const { post, bob, clock, sent, reads } = await setUp();
    await post();
    await post();
    expect(reads()).toBe(0);
    // Another node stores bob's device: this one sees it once its last look is old enough.
    await storage.subscribe(device(bob.id, "phone"), 10);
    await post();
    expect(sent).toEqual([]);
    clock.now += PUSH_SUBSCRIBED_RECHECK_MS;
    await post();
    expect(reads()).toBe(1);
    expect(sent).toEqual(["https://push.example/phone"]);
  });

  it("counts a subscription made through it at once", async () => {
    const { service, post, bob, sent } = await setUp();
    await post();
    const ep = "https://push.example/laptop";
    // A public P-256 point: the service checks the key's shape.
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    await service.subscribe(
      { id: bob.id, isGuest: false },
      { ep, p256dh: ecdh.getPublicKey("base64url"), auth: "YXV0aC1zZWNyZXQtMTIzNA" },
    );
    await post();
    expect(sent).toEqual([ep]);
  });

  it("names a DM's push by its author, never by the DM's stored name, at the default level", async () => {
    const { post, alice, bob, payloads } = await setUp();
    await storage.subscribe(device(bob.id, "phone"), 10);
    const dm = await storage.openDirect({
      opener: alice,
      members: [
        { ...alice, isGuest: false },
        { ...bob, isGuest: false },
      ],
    });
    await post(dm.channel.id);
    expect(payloads).toEqual([
      expect.objectContaining({ c: dm.channel.id, cn: "", dm: true, a: "alice", t: "message" }),
    ]);
  });
});
