import { type ChannelEvent, EventType, Op } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { LocalBroker } from "../broker/local-broker";
import type { Storage } from "../storage/storage";
import { ChannelHub } from "./channel-hub";
import type { Connection } from "./connection";
import type { SharedFrame } from "./shared-frame";

const ev = (s: number): ChannelEvent => ({ s, t: EventType.MemberJoined, ts: s, a: 1, an: "a" });

/** A stand-in socket that records the seqs of the Events frames it is sent. */
function fakeConnection(userId = 1) {
  const seqs: number[] = [];
  const frames: number[] = [];
  const take = (frame: { o: number; d?: unknown }) => {
    frames.push(frame.o);
    if (frame.o === Op.Events) seqs.push(...(frame.d as { e: ChannelEvent[] }).e.map((e) => e.s));
  };
  const conn = {
    user: { id: userId },
    channels: new Map(),
    sendFrame: (frame: { o: number; d?: unknown }) => take(frame),
    sendShared: (frame: SharedFrame) => take(frame.frame as { o: number; d?: unknown }),
  } as unknown as Connection;
  return { conn, seqs, frames };
}

/** Storage that knows a channel's events, for the hub's two reads. */
function fakeStorage(events: ChannelEvent[], lastSeq = () => events.length) {
  return {
    getChannel: async (id: number) => ({ id, lastSeq: lastSeq() }),
    eventsAfter: async (_c: number, after: number, limit: number) =>
      events.filter((e) => e.s > after).slice(0, limit),
  } as unknown as Storage;
}

/** A hub on `broker` and `storage`; user-topic messages go to `onUserMessage`. */
function newHub(
  broker: ConstructorParameters<typeof ChannelHub>[0]["broker"],
  storage: Storage,
  onUserMessage: ConstructorParameters<typeof ChannelHub>[0]["onUserMessage"] = () => {},
): ChannelHub {
  return new ChannelHub({ broker, storage, onDeliveries: () => {}, onUserMessage });
}

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("ChannelHub", () => {
  it("delivers out-of-order broker events in seq order", async () => {
    const broker = new LocalBroker();
    const stored: ChannelEvent[] = [];
    const hub = newHub(broker, fakeStorage(stored));
    const { conn, seqs } = fakeConnection();
    await hub.attach(conn, 1);
    hub.ready(conn, 1, 0);
    for (const s of [2, 1, 4, 3, 5])
      broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(s)] });
    await until(() => seqs.length === 5);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it("fills a gap from storage when the missing event never arrives", async () => {
    const broker = new LocalBroker();
    const stored = [ev(1), ev(2), ev(3)];
    const hub = newHub(
      broker,
      fakeStorage(stored, () => 0),
    );
    const { conn, seqs } = fakeConnection();
    await hub.attach(conn, 1);
    hub.ready(conn, 1, 0);
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(1)] });
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(3)] }); // 2 is lost
    await until(() => seqs.length === 3);
    expect(seqs).toEqual([1, 2, 3]);
  });

  it("drops duplicates and what a connection's snapshot already holds", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const early = fakeConnection();
    const late = fakeConnection(2);
    await hub.attach(early.conn, 1);
    hub.ready(early.conn, 1, 0);
    await hub.attach(late.conn, 1);
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(1), ev(2)] });
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(2)] });
    await until(() => early.seqs.length === 2);
    // The late connection's snapshot was read at seq 1: it gets 2 only, after its snapshot.
    hub.ready(late.conn, 1, 1);
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(3)] });
    await until(() => early.seqs.length === 3 && late.seqs.length === 2);
    expect(early.seqs).toEqual([1, 2, 3]);
    expect(late.seqs).toEqual([2, 3]);
  });

  it("encodes one batch frame per channel per turn for every socket", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const sockets = [fakeConnection(1), fakeConnection(2), fakeConnection(3)];
    for (const s of sockets) {
      await hub.attach(s.conn, 1);
      hub.ready(s.conn, 1, 0);
    }
    for (let s = 1; s <= 10; s++)
      broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(s)] });
    await until(() => sockets.every((s) => s.seqs.length === 10));
    for (const s of sockets) expect(s.frames).toEqual([Op.Events]);
  });

  it("does not echo typing to the typist", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const typist = fakeConnection(1);
    const other = fakeConnection(2);
    for (const s of [typist, other]) {
      await hub.attach(s.conn, 1);
      hub.ready(s.conn, 1, 0);
    }
    broker.publish({ kind: "channel", id: 1 }, { k: "typing", c: 1, u: 1, un: "a", on: true });
    await until(() => other.frames.length === 1);
    expect(other.frames).toEqual([Op.TypingEvent]);
    expect(typist.frames).toEqual([]);
  });
});

describe("ChannelHub across broker breaks", () => {
  /** A local broker that can report a reconnect, as the Redis broker does after a break. */
  class BreakableBroker extends LocalBroker {
    private readonly listeners: (() => void)[] = [];
    onReconnect(listener: () => void): void {
      this.listeners.push(listener);
    }
    reconnected(): void {
      for (const l of this.listeners) l();
    }
  }

  it("catches up a quiet channel from storage when the broker reconnects", async () => {
    const broker = new BreakableBroker();
    const stored = [ev(1)];
    const hub = newHub(broker, fakeStorage(stored));
    const { conn, seqs } = fakeConnection();
    await hub.attach(conn, 1);
    hub.ready(conn, 1, 1);
    // Committed while the link was down: their publishes never arrive, and nothing follows.
    stored.push(ev(2), ev(3));
    broker.reconnected();
    await until(() => seqs.length === 2);
    expect(seqs).toEqual([2, 3]);
  });

  it("with the periodic check, delivers an event whose publish was lost in a quiet channel", async () => {
    const broker = new LocalBroker();
    const stored = [ev(1)];
    const storage = {
      ...fakeStorage(stored),
      lastSeqs: async (ids: number[]) => new Map(ids.map((id) => [id, stored.length])),
    } as unknown as Storage;
    const hub = new ChannelHub({
      broker,
      storage,
      onDeliveries: () => {},
      onUserMessage: () => {},
      recheckMs: 20,
    });
    const { conn, seqs } = fakeConnection();
    await hub.attach(conn, 1);
    hub.ready(conn, 1, 1);
    // Committed by a node that died before publishing: nothing on the broker, nothing after it.
    stored.push(ev(2));
    await until(() => seqs.length === 1);
    expect(seqs).toEqual([2]);
    await hub.close();
  });

  it("detaches a connection that is shown its own kick, even without the user-topic notice", async () => {
    const broker = new LocalBroker();
    const removed: unknown[] = [];
    const hub = newHub(broker, fakeStorage([]), (_conn, message) => removed.push(message));
    const kicked = fakeConnection(7);
    const other = fakeConnection(8);
    for (const c of [kicked, other]) {
      await hub.attach(c.conn, 1);
      hub.ready(c.conn, 1, 0);
    }
    const kick = { ...ev(1), t: EventType.MemberKicked, u: 7, un: "x" } as ChannelEvent;
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [kick] });
    await until(() => removed.length === 1);
    expect(removed).toEqual([{ k: "channel-removed", c: 1, reason: "kicked", s: 1, seen: true }]);
    expect(other.seqs).toEqual([1]);
  });

  it("routes a user's topic to each of its connections as they come and go", async () => {
    const broker = new LocalBroker();
    const got: [Connection, unknown][] = [];
    const hub = newHub(broker, fakeStorage([]), (conn, message) => got.push([conn, message]));
    const first = fakeConnection(5).conn;
    const second = fakeConnection(5).conn;
    const topic = { kind: "user", id: 5 } as const;
    const say = async (n: number) => {
      broker.publish(topic, { k: "registered", n: "alice" });
      await until(() => got.length === n);
    };

    await hub.addUserConnection(first);
    expect([...hub.connectionsOf(5)]).toEqual([first]);
    await say(1);
    await hub.addUserConnection(second);
    expect(hub.connectionsOf(5)).toHaveLength(2);
    await say(3);
    await hub.removeUserConnection(first);
    expect([...hub.connectionsOf(5)]).toEqual([second]);
    await say(4);
    expect(got.map(([conn]) => conn)).toEqual([first, first, second, second]);

    await hub.removeUserConnection(second);
    expect(hub.connectionsOf(5)).toHaveLength(0);
    broker.publish(topic, { k: "registered", n: "alice" });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(4);
    await hub.close();
  });

  it("holds presence changes in a big channel and sends each user's last state together", async () => {
    const broker = new LocalBroker();
    const hub = new ChannelHub({
      broker,
      storage: fakeStorage([]),
      onDeliveries: () => {},
      onUserMessage: () => {},
      presenceHold: { minSockets: 3, ms: 30 },
    });
    const seen: { u: number; on: boolean }[][] = [];
    for (let i = 0; i < 3; i++) {
      const got: { u: number; on: boolean }[] = [];
      seen.push(got);
      const conn = {
        user: { id: 100 + i },
        channels: new Map(),
        sendShared: (frame: SharedFrame) => {
          const f = frame.frame as { o: number; d: { u: number; on: boolean } };
          if (f.o === Op.PresenceEvent) got.push({ u: f.d.u, on: f.d.on });
        },
      } as unknown as Connection;
      await hub.attach(conn, 1);
      hub.ready(conn, 1, 0);
    }
    const presence = (u: number, on: boolean) =>
      broker.publish({ kind: "channel", id: 1 }, { k: "presence", c: 1, u, un: `user${u}`, on });
    presence(7, true);
    presence(8, true);
    presence(7, false);
    await new Promise((r) => setTimeout(r, 5));
    expect(seen[0]).toEqual([]);
    await until(() => seen.every((got) => got.length === 2));
    for (const got of seen)
      expect(got).toEqual([
        { u: 8, on: true },
        { u: 7, on: false },
      ]);
  });

  it("sends presence at once in a small channel", async () => {
    const broker = new LocalBroker();
    const hub = newHub(broker, fakeStorage([]));
    const { conn, frames } = fakeConnection(2);
    await hub.attach(conn, 1);
    hub.ready(conn, 1, 0);
    broker.publish(
      { kind: "channel", id: 1 },
      { k: "presence", c: 1, u: 9, un: "user9", on: true },
    );
    await new Promise((r) => setImmediate(r));
    expect(frames).toContain(Op.PresenceEvent);
  });
});
