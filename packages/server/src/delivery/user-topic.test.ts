import { Op, Role } from "@parley/protocol";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LocalBroker } from "../broker/local-broker";
import { ChannelRoles } from "../gateway/channel-roles";
import type { Connection } from "../gateway/connection";
import type { SharedFrame } from "../gateway/shared-frame";
import type { Storage } from "../storage/storage";
import { ChannelHub } from "./channel-hub";
import { UserTopic } from "./user-topic";

/** A stand-in socket of user `userId` that records the ops of the frames it is sent. */
function fakeConnection(userId: number) {
  const ops: number[] = [];
  const conn = {
    user: { id: userId, username: "guest-1", isGuest: true, isAdmin: false },
    isAdmin: false,
    channels: new ChannelRoles(),
    closed: false,
    isJoining: () => false,
    sendFrame: (frame: { o: number }) => ops.push(frame.o),
    sendShared: (frame: SharedFrame) => ops.push((frame.frame as { o: number }).o),
  } as unknown as Connection;
  return { conn, ops };
}

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
}

function newTopic(removalGraceMs = 2000) {
  const broker = new LocalBroker();
  const storage = {
    lastSeqs: async (ids: number[]) => new Map(ids.map((id) => [id, 0])),
    eventsAfter: async () => [],
  } as unknown as Storage;
  const hub = new ChannelHub({ broker, storage, onDeliveries: () => {} });
  const users = new UserTopic({
    broker,
    hub,
    summary: async (i) => ({ i, n: `c${i}`, tp: "", mc: 1, oc: 0, sl: 0, ls: 0 }),
    logger: pino({ level: "silent" }),
    removalGraceMs,
  });
  return { broker, hub, users };
}

describe("UserTopic", () => {
  it("routes a user's topic to each of its connections as they come and go", async () => {
    const { broker, users } = newTopic();
    const first = fakeConnection(5);
    const second = fakeConnection(5);
    const topic = { kind: "user", id: 5 } as const;
    const roles = [Role.Moderator, Role.Owner, Role.Member];
    const say = async (expected: { first: Role; second: Role }) => {
      broker.publish(topic, { k: "role", c: 1, rl: roles.shift()! });
      await until(
        () =>
          first.conn.channels.get(1) === expected.first &&
          second.conn.channels.get(1) === expected.second,
      );
    };
    first.conn.channels.set(1, Role.Member);
    second.conn.channels.set(1, Role.Member);

    await users.add(first.conn);
    expect(users.connectionsOf(5)).toEqual([first.conn]);
    await say({ first: Role.Moderator, second: Role.Member });
    await users.add(second.conn);
    expect(users.connectionsOf(5)).toHaveLength(2);
    await say({ first: Role.Owner, second: Role.Owner });
    await users.remove(first.conn);
    expect(users.connectionsOf(5)).toEqual([second.conn]);
    await say({ first: Role.Owner, second: Role.Member });
    await users.remove(second.conn);
    expect(users.connectionsOf(5)).toHaveLength(0);
  });

  it("starts a channel the user was added to with its listing, then its live events", async () => {
    const { broker, hub, users } = newTopic();
    const { conn, ops } = fakeConnection(5);
    await users.add(conn);
    broker.publish(
      { kind: "user", id: 5 },
      { k: "channel-added", ch: { i: 3, n: "c3", tp: "", mc: 2, oc: 0, sl: 0, ls: 0 }, s: 1 },
    );
    await until(() => ops.includes(Op.ChannelAdded));
    expect(conn.channels.get(3)).toBe(Role.Member);
    expect(hub.isAttached(conn, 3)).toBe(true);
  });

  it("makes a registered guest an account, and no admin whatever its new name", async () => {
    const { broker, users } = newTopic();
    const { conn, ops } = fakeConnection(5);
    await users.add(conn);
    broker.publish({ kind: "user", id: 5 }, { k: "registered", n: "root" });
    await until(() => ops.includes(Op.UserUpdated));
    expect(conn.user).toMatchObject({ username: "root", isGuest: false });
    expect(conn.isAdmin).toBe(false);
  });

  it("drops a kicked member's rights at once and detaches it after the grace without the event", async () => {
    const { broker, hub, users } = newTopic(20);
    const { conn, ops } = fakeConnection(5);
    conn.channels.set(1, Role.Member, 1);
    await users.add(conn);
    const { ready } = await hub.attachThenRead(
      conn,
      [1],
      async () => 1,
      (s) => s,
    );
    ready();
    broker.publish({ kind: "user", id: 5 }, { k: "channel-removed", c: 1, reason: "kicked", s: 2 });
    await until(() => !conn.channels.has(1));
    // Still receiving the stream, so the kick event itself can say who and why…
    expect(hub.isAttached(conn, 1)).toBe(true);
    // …until the grace ends: then it is detached and told.
    await until(() => ops.includes(Op.ChannelRemoved));
    expect(hub.isAttached(conn, 1)).toBe(false);
  });

  it("ignores a removal older than the connection's membership", async () => {
    const { broker, hub, users } = newTopic(0);
    const { conn, ops } = fakeConnection(5);
    conn.channels.set(1, Role.Member, 7);
    await users.add(conn);
    const { ready } = await hub.attachThenRead(
      conn,
      [1],
      async () => 7,
      (s) => s,
    );
    ready();
    broker.publish({ kind: "user", id: 5 }, { k: "channel-removed", c: 1, reason: "kicked", s: 5 });
    broker.publish({ kind: "user", id: 5 }, { k: "role", c: 1, rl: Role.Moderator });
    await until(() => conn.channels.get(1) === Role.Moderator);
    expect(ops).not.toContain(Op.ChannelRemoved);
    expect(hub.isAttached(conn, 1)).toBe(true);
  });
});
