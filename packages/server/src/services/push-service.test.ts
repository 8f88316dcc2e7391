import { createECDH } from "node:crypto";
import { EventType, MessageKind, NotifyLevel, Role } from "@parley/protocol";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import type { PushSubscriptionRow } from "../storage/push-store";
import { openSqliteStorage } from "../storage/sqlite/open-sqlite";
import type { ChannelRow, Storage } from "../storage/storage";
import { notifies, PUSH_SUBSCRIBED_RECHECK_MS, PushService } from "./push-service";

const channel: ChannelRow = {
  id: 1,
  name: "c",
  topic: "",
  createdBy: 1,
  createdAt: 0,
  lastSeq: 0,
  slowMode: 0,
  isPrivate: false,
  isDirect: false,
};
const bob = 7;

describe("notifies", () => {
  it.each([
    [NotifyLevel.All, {}, "message"],
    [NotifyLevel.All, { mn: [bob] }, "mention"],
    [NotifyLevel.Mentions, {}, false],
    [NotifyLevel.Mentions, { mn: [3, 4] }, false],
    [NotifyLevel.Mentions, { mn: [3, bob] }, "mention"],
    [NotifyLevel.Mentions, { mg: "here" as const }, "mention"],
    [NotifyLevel.Mentions, { mg: "channel" as const }, "mention"],
    [NotifyLevel.None, { mn: [bob] }, false],
    [NotifyLevel.None, { mg: "channel" as const }, false],
    [NotifyLevel.None, {}, false],
  ])("at level %s, a message with %o notifies: %s", (level, event, why) => {
    expect(notifies({ userId: bob, level }, event, channel)).toBe(why);
  });

  it.each([
    [NotifyLevel.All, {}, "message"],
    [NotifyLevel.Mentions, {}, "message"],
    [NotifyLevel.Mentions, { mn: [bob] }, "mention"],
    [NotifyLevel.None, {}, false],
  ])("in a direct message at level %s, a message with %o notifies: %s", (level, event, why) => {
    expect(notifies({ userId: bob, level }, event, { ...channel, isDirect: true })).toBe(why);
  });
});

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
    const clock = { now: 1_000_000 };
    const service = new PushService({
      store,
      presence: { online: async () => new Set<number>() },
      sender: {
        send: async (sub: PushSubscriptionRow) => {
          sent.push(sub.endpoint);
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
    const post = async () => {
      const [result] = await storage.appendMessages([
        {
          channelId: channel.id,
          author: alice,
          nonce: `n${n++}`,
          content: "hi",
          kind: MessageKind.Text,
        },
      ]);
      if (!result?.ok) throw new Error("send failed");
      service.posted([{ channelId: channel.id, event: result.event }]);
      await service.idle();
    };
    return { service, post, bob, clock, sent, reads: () => reads };
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
});
