import { type ChannelEvent, EventType, Op, Role } from "@parley/protocol";
import { describe, expect, it, vi } from "vitest";
import { LocalBroker } from "../broker/local-broker";
import { ChannelRoles } from "../gateway/channel-roles";
import type { Connection } from "../gateway/connection";
import type { SharedFrame } from "../gateway/shared-frame";
import type { Storage } from "../storage/storage";
import { ChannelHub, PAGE_CACHE } from "./channel-hub";

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
    channels: new ChannelRoles(),
    sendFrame: (frame: { o: number; d?: unknown }) => take(frame),
    sendShared: (frame: SharedFrame) => take(frame.frame as { o: number; d?: unknown }),
  } as unknown as Connection;
  return { conn, seqs, frames };
}

/** Storage that knows a channel's events, for the hub's two reads. */
function fakeStorage(events: ChannelEvent[], lastSeq = () => events.length) {
  return {
    lastSeqs: async (ids: number[]) => new Map(ids.map((id) => [id, lastSeq()])),
    eventsAfter: async (_c: number, after: number, limit: number) =>
      events.filter((e) => e.s > after).slice(0, limit),
  } as unknown as Storage;
}

/** A hub on `broker` and `storage`. */
function newHub(
  broker: ConstructorParameters<typeof ChannelHub>[0]["broker"],
  storage: Storage,
): ChannelHub {
  return new ChannelHub({ broker, storage, onDeliveries: () => {} });
}

/**
 * Attaches a connection to channel 1 with a snapshot read at `seq`; returns `ready`, which the
 * caller runs when the reply would have gone out.
 */
async function attachAt(hub: ChannelHub, conn: Connection, seq: number): Promise<() => void> {
  const { ready } = await hub.attachThenRead(
    conn,
    [1],
    async () => seq,
    (s) => s,
  );
  return ready;
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
    (await attachAt(hub, conn, 0))();
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
    (await attachAt(hub, conn, 0))();
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
    (await attachAt(hub, early.conn, 0))();
    const lateReady = await attachAt(hub, late.conn, 1);
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(1), ev(2)] });
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(2)] });
    await until(() => early.seqs.length === 2);
    // The late connection's snapshot was read at seq 1: it gets 2 only, after its snapshot.
    lateReady();
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
      (await attachAt(hub, s.conn, 0))();
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
      (await attachAt(hub, s.conn, 0))();
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
    (await attachAt(hub, conn, 1))();
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
      recheckMs: 20,
    });
    const { conn, seqs } = fakeConnection();
    (await attachAt(hub, conn, 1))();
    // Committed by a node that died before publishing: nothing on the broker, nothing after it.
    stored.push(ev(2));
    await until(() => seqs.length === 1);
    expect(seqs).toEqual([2]);
    await hub.close();
  });

  it("detaches a connection that is shown its own kick, even without the user-topic notice", async () => {
    const broker = new LocalBroker();
    const hub = newHub(broker, fakeStorage([]));
    const kicked = fakeConnection(7);
    kicked.conn.channels.set(1, Role.Member);
    const other = fakeConnection(8);
    for (const c of [kicked, other]) {
      (await attachAt(hub, c.conn, 0))();
    }
    const kick = { ...ev(1), t: EventType.MemberKicked, u: 7, un: "x" } as ChannelEvent;
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [kick] });
    await until(() => kicked.frames.includes(Op.ChannelRemoved));
    expect(kicked.frames).toEqual([Op.Events, Op.ChannelRemoved]);
    expect(kicked.conn.channels.has(1)).toBe(false);
    expect(hub.isAttached(kicked.conn, 1)).toBe(false);
    expect(hub.isAttached(other.conn, 1)).toBe(true);
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: [ev(2)] });
    await until(() => other.seqs.length === 2);
    expect(kicked.seqs).toEqual([1]);
  });

  it("holds presence changes in a big channel and sends each user's last state together", async () => {
    const broker = new LocalBroker();
    const hub = new ChannelHub({
      broker,
      storage: fakeStorage([]),
      onDeliveries: () => {},
      bigChannelHold: { minSockets: 3, ms: 30, maxMs: 30 },
    });
    const seen: { u: number; on: boolean }[][] = [];
    /** The PresenceBatch frames, as lists of changes. */
    const frames: { u: number; on: boolean }[][] = [];
    for (let i = 0; i < 3; i++) {
      const got: { u: number; on: boolean }[] = [];
      seen.push(got);
      const conn = {
        user: { id: 100 + i },
        channels: new Map(),
        sendShared: (frame: SharedFrame) => {
          const f = frame.frame as {
            o: number;
            d: { u: number; on: boolean; p: { u: number; on: boolean }[] };
          };
          if (f.o === Op.PresenceEvent) got.push({ u: f.d.u, on: f.d.on });
          if (f.o === Op.PresenceBatch) frames.push(f.d.p.map((x) => ({ u: x.u, on: x.on })));
        },
      } as unknown as Connection;
      (await attachAt(hub, conn, 0))();
    }
    const presence = (u: number, on: boolean) =>
      broker.publish({ kind: "channel", id: 1 }, { k: "presence", c: 1, u, un: `user${u}`, on });
    presence(7, true);
    presence(8, true);
    presence(7, false);
    await new Promise((r) => setTimeout(r, 5));
    expect(frames).toEqual([]);
    // One PresenceBatch frame per socket, with each user's last state.
    await until(() => frames.length === 3);
    for (const changes of frames)
      expect(changes).toEqual([
        { u: 8, on: true },
        { u: 7, on: false },
      ]);
    expect(seen.flat()).toEqual([]);
  });

  /**
   * A hub whose channels count as big from 3 sockets, with a hold window of `ms`, and `count`
   * members attached to channel 1.
   */
  async function bigChannel(ms: number, count: number) {
    const broker = new LocalBroker();
    const hub = new ChannelHub({
      broker,
      storage: fakeStorage([]),
      onDeliveries: () => {},
      bigChannelHold: { minSockets: 3, ms, maxMs: ms },
    });
    const members = Array.from({ length: count }, (_, i) => fakeConnection(100 + i));
    for (const m of members) (await attachAt(hub, m.conn, 0))();
    const publish = (...events: ChannelEvent[]) =>
      broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events });
    return { broker, hub, members, publish };
  }

  it("holds joins in a big channel and sends them in one frame with the window's presence", async () => {
    const { broker, members, publish } = await bigChannel(30, 3);
    publish(ev(1));
    broker.publish({ kind: "channel", id: 1 }, { k: "presence", c: 1, u: 1, un: "a", on: true });
    publish(ev(2));
    await new Promise((r) => setTimeout(r, 5));
    expect(members[0]!.seqs).toEqual([]);
    await until(() => members.every((m) => m.seqs.length === 2));
    // The joins and the presence change of one window, together: the joins first.
    for (const m of members) {
      expect(m.seqs).toEqual([1, 2]);
      expect(m.frames).toEqual([Op.Events, Op.PresenceEvent]);
    }
  });

  it("sends held joins at once when another event follows them", async () => {
    // A window longer than the test may take: what arrives was not held.
    const { hub, members, publish } = await bigChannel(60_000, 3);
    publish(ev(1));
    const message = { s: 2, t: EventType.MessagePosted, ts: 2, a: 1, an: "a", i: 2, x: "hi" };
    publish({ ...message, n: "n" } as ChannelEvent);
    await until(() => members.every((m) => m.seqs.length === 2));
    for (const m of members) expect(m.seqs).toEqual([1, 2]);
    await hub.close();
  });

  it("sends joins at once in a small channel", async () => {
    const { hub, members, publish } = await bigChannel(60_000, 2);
    publish(ev(1));
    await until(() => members.every((m) => m.seqs.length === 1));
    await hub.close();
  });

  it("sends presence at once in a small channel", async () => {
    const broker = new LocalBroker();
    const hub = newHub(broker, fakeStorage([]));
    const { conn, frames } = fakeConnection(2);
    (await attachAt(hub, conn, 0))();
    broker.publish(
      { kind: "channel", id: 1 },
      { k: "presence", c: 1, u: 9, un: "user9", on: true },
    );
    await new Promise((r) => setImmediate(r));
    expect(frames).toContain(Op.PresenceEvent);
  });
});

describe("ChannelHub.attachThenRead (subscribe, then snapshot)", () => {
  const publish = (broker: LocalBroker, ...seqs: number[]) =>
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events: seqs.map(ev) });
  /** A connection on the shared path: once it has `n` events, the hub has handled them. */
  async function observer(hub: ChannelHub) {
    const o = fakeConnection(99);
    (await attachAt(hub, o.conn, 0))();
    return (n: number) => until(() => o.seqs.length === n);
  }

  it("sends nothing before ready, then only what is newer than the snapshot", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const { conn, seqs } = fakeConnection();
    const handled = await observer(hub);
    const { snapshot, ready } = await hub.attachThenRead(
      conn,
      [1],
      async () => {
        // Committed while the snapshot is read: 1 and 2 are in it, 3 is not.
        publish(broker, 1, 2, 3);
        await handled(3);
        return 2;
      },
      (s) => s,
    );
    expect(snapshot).toBe(2);
    expect(seqs).toEqual([]);
    ready();
    expect(seqs).toEqual([3]);
    publish(broker, 4);
    await until(() => seqs.length === 2);
    expect(seqs).toEqual([3, 4]);
  });

  it("holds a channel the connection already receives while its new snapshot is read", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const { conn, seqs } = fakeConnection();
    const handled = await observer(hub);
    (await attachAt(hub, conn, 0))();
    publish(broker, 1);
    await until(() => seqs.length === 1);
    const again = await hub.attachThenRead(
      conn,
      [1],
      async () => {
        publish(broker, 2, 3);
        await handled(3);
        return 2;
      },
      (s) => s,
    );
    // 2 and 3 arrived during the read: neither went out ahead of the new snapshot's reply.
    expect(seqs).toEqual([1]);
    again.ready();
    expect(seqs).toEqual([1, 3]);
  });

  it("detaches the channels the snapshot has no seq for", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const { conn } = fakeConnection();
    const { ready } = await hub.attachThenRead(
      conn,
      [1, 2],
      async () => new Map([[1, 0]]),
      (seqs, c) => seqs.get(c),
    );
    ready();
    expect(hub.isAttached(conn, 1)).toBe(true);
    expect(hub.isAttached(conn, 2)).toBe(false);
  });

  it("leaves every channel as it was when the snapshot cannot be read", async () => {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => 0),
    );
    const { conn, seqs } = fakeConnection();
    const handled = await observer(hub);
    (await attachAt(hub, conn, 0))();
    const failing = hub.attachThenRead(
      conn,
      [1, 2],
      async () => {
        publish(broker, 1);
        await handled(1);
        throw new Error("storage unavailable");
      },
      () => 0,
    );
    await expect(failing).rejects.toThrow("storage unavailable");
    // The channel it had resumes from where it was (1 held, then sent); the new one is gone.
    expect(seqs).toEqual([1]);
    expect(hub.isAttached(conn, 1)).toBe(true);
    expect(hub.isAttached(conn, 2)).toBe(false);
    publish(broker, 2);
    await until(() => seqs.length === 2);
  });

  it("opens all the channels of one attach with one subscription and one read of last seqs", async () => {
    const broker = new LocalBroker();
    const subscribed: number[][] = [];
    const subscribe = broker.subscribe.bind(broker);
    broker.subscribe = (subscriptions) => {
      subscribed.push(subscriptions.map((s) => s.topic.id));
      return subscribe(subscriptions);
    };
    const reads: number[][] = [];
    // Channel c has c events stored: each channel's baseline is its own.
    const storage = {
      lastSeqs: async (ids: number[]) => {
        reads.push([...ids]);
        return new Map(ids.map((id) => [id, id]));
      },
      eventsAfter: async () => [],
    } as unknown as Storage;
    const hub = newHub(broker, storage);
    const { conn, seqs } = fakeConnection();
    const ids = Array.from({ length: 500 }, (_, i) => i + 1);
    const { ready } = await hub.attachThenRead(
      conn,
      ids,
      async () => undefined,
      (_, c) => c,
    );
    ready();
    expect(subscribed).toEqual([ids]);
    expect(reads).toEqual([ids]);
    // Each channel delivers from its own baseline on: 7's next event is 8, and 6 is old.
    broker.publish({ kind: "channel", id: 7 }, { k: "events", c: 7, events: [ev(6), ev(8)] });
    broker.publish({ kind: "channel", id: 300 }, { k: "events", c: 300, events: [ev(301)] });
    await until(() => seqs.length === 2);
    expect(seqs).toEqual([8, 301]);
  });
});

describe("ChannelHub.latestPage (the node's copy of a channel's latest page)", () => {
  const publish = (broker: LocalBroker, ...events: ChannelEvent[]) =>
    broker.publish({ kind: "channel", id: 1 }, { k: "events", c: 1, events });
  const page = (...seqs: number[]) => ({ e: seqs.map(ev), mb: seqs[0] !== 1, ma: false });

  /** A hub with channel 1 open (an observer attached at `lastSeq`) and a counted storage read. */
  async function openHub(lastSeq: number) {
    const broker = new LocalBroker();
    const hub = newHub(
      broker,
      fakeStorage([], () => lastSeq),
    );
    const o = fakeConnection(99);
    (await attachAt(hub, o.conn, lastSeq))();
    const reads: number[] = [];
    const read = (stored: { page: ReturnType<typeof page>; lastSeq: number }) => async () => {
      reads.push(stored.lastSeq);
      return stored;
    };
    const handled = (n: number) => until(() => o.seqs.length === n);
    return { broker, hub, reads, read, handled, frames: o.frames };
  }

  it("follows the delivered events from one read, and reads again after a change to one of them", async () => {
    const { broker, hub, reads, read, handled } = await openHub(3);
    const first = await hub.latestPage(1, 2, 0, read({ page: page(2, 3), lastSeq: 3 }));
    expect(first.page.e.map((e) => e.s)).toEqual([2, 3]);
    publish(broker, ev(4), ev(5));
    await handled(2);
    const kept = await hub.latestPage(1, 2, 5, read({ page: page(4, 5), lastSeq: 5 }));
    expect(reads).toEqual([3]);
    expect(kept).toEqual({ page: { e: [ev(4), ev(5)], mb: true, ma: false }, lastSeq: 5 });
    // A page larger than the copy holds, with older events before it: storage.
    await hub.latestPage(1, 10, 0, read({ page: page(1, 2, 3, 4, 5), lastSeq: 5 }));
    expect(reads).toEqual([3, 5]);
    // The copy now has everything from seq 1: a larger page still comes from it.
    const all = await hub.latestPage(1, 20, 0, read({ page: page(), lastSeq: 0 }));
    expect(all.page).toEqual({ e: [1, 2, 3, 4, 5].map(ev), mb: false, ma: false });
    expect(reads).toEqual([3, 5]);
    // An edit of a message in it: the next snapshot reads storage.
    publish(broker, {
      s: 6,
      t: EventType.MessageEdited,
      ts: 6,
      a: 1,
      an: "a",
      m: 1,
      x: "x",
      v: 2,
    } as ChannelEvent);
    await handled(3);
    await hub.latestPage(1, 2, 0, read({ page: page(4, 5), lastSeq: 6 }));
    expect(reads).toEqual([3, 5, 6]);
  });

  it("reads storage for a join newer than the copy, and keeps no read older than what it delivered", async () => {
    const { broker, hub, reads, read, handled } = await openHub(3);
    await hub.latestPage(1, 2, 0, read({ page: page(2, 3), lastSeq: 3 }));
    // The joiner's own join (seq 4) is not delivered here yet: storage, which has it.
    await hub.latestPage(1, 2, 4, read({ page: page(3, 4), lastSeq: 4 }));
    expect(reads).toEqual([3, 4]);
    publish(broker, ev(4), ev(5));
    await handled(2);
    // A read as of seq 4, answered after 5 was delivered, is not kept.
    const late = await hub.latestPage(1, 2, 6, read({ page: page(3, 4), lastSeq: 4 }));
    expect(late.lastSeq).toBe(4);
    const next = await hub.latestPage(1, 2, 0, read({ page: page(4, 5), lastSeq: 5 }));
    expect(next.lastSeq).toBe(5);
    expect(reads).toEqual([3, 4, 4]);
  });

  it("shares one storage read among snapshots asked for while it is made, when it is new enough", async () => {
    const { hub } = await openHub(3);
    let reads = 0;
    const releases: (() => void)[] = [];
    const release = () => {
      for (const r of releases.splice(0)) r();
    };
    const slow =
      (lastSeq: number, ...seqs: number[]) =>
      () => {
        reads++;
        return new Promise<{ page: ReturnType<typeof page>; lastSeq: number }>((resolve) => {
          releases.push(() => resolve({ page: page(...seqs), lastSeq }));
        });
      };
    const first = hub.latestPage(1, 3, 0, slow(5, 3, 4, 5));
    // Smaller and as of an older seq: served by the read under way, cut to its size.
    const second = hub.latestPage(1, 2, 4, slow(5, 4, 5));
    release();
    expect((await first).page.e.map((e) => e.s)).toEqual([3, 4, 5]);
    expect(await second).toEqual({ page: { e: [ev(4), ev(5)], mb: true, ma: false }, lastSeq: 5 });
    expect(reads).toBe(1);
    // Larger than the read under way: a read of its own.
    const third = hub.latestPage(1, 10, 0, slow(5, 1, 2, 3, 4, 5));
    const fourth = hub.latestPage(1, 20, 0, slow(5, 1, 2, 3, 4, 5));
    release();
    await Promise.all([third, fourth]);
    expect(reads).toBe(3);
  });

  it("drops a copy too old to be used at the next event, so an idle channel keeps no page", async () => {
    const { broker, hub, reads, read, handled } = await openHub(3);
    await hub.latestPage(1, 2, 0, read({ page: page(2, 3), lastSeq: 3 }));
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + PAGE_CACHE.ms + 1000);
      publish(broker, ev(4));
      await handled(1);
    } finally {
      vi.useRealTimers();
    }
    // Back to the time of the read: a copy kept would be fresh enough, but there is none.
    await hub.latestPage(1, 2, 0, read({ page: page(3, 4), lastSeq: 4 }));
    expect(reads).toEqual([3, 4]);
  });

  it("drops the copy when a user's change is told to the channel", async () => {
    const { broker, hub, reads, read, frames } = await openHub(3);
    await hub.latestPage(1, 2, 0, read({ page: page(2, 3), lastSeq: 3 }));
    broker.publish({ kind: "channel", id: 1 }, { k: "user", c: 1, user: { i: 1, n: "renamed" } });
    await until(() => frames.includes(Op.UserUpdated));
    await hub.latestPage(1, 2, 0, read({ page: page(2, 3), lastSeq: 3 }));
    expect(reads).toEqual([3, 3]);
  });
});
