import { Op } from "@parley/protocol";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type ClientOptions,
  ParleyClient,
  ParleyDisconnectedError,
  ParleyRequestError,
  type SocketFactory,
} from "./client";

/**
 * A socket the test drives by hand: it opens, receives frames and closes when told to. With
 * `silent`, `close()` never completes, as over a dead link.
 */
class FakeSocket {
  static last: FakeSocket | undefined;
  static silent = false;
  readyState = 0;
  closedWith?: number;
  binaryType = "";
  readonly sent: { o: number; r?: number; d?: Record<string, unknown> }[] = [];
  private readonly listeners = new Map<string, ((event: never) => void)[]>();

  constructor() {
    FakeSocket.last = this;
  }

  addEventListener(type: string, listener: (event: never) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000): void {
    this.closedWith = code;
    if (FakeSocket.silent) {
      this.readyState = 2;
      return;
    }
    this.readyState = 3;
    this.fire("close", { code, reason: "" });
  }

  open(): void {
    this.readyState = 1;
    this.fire("open", {});
  }

  receive(frame: unknown): void {
    this.fire("message", { data: JSON.stringify(frame) });
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) listener(event as never);
  }
}

const welcome = {
  u: { i: 1, n: "alice" },
  v: 1,
  lim: {},
  ch: [{ i: 1, n: "general", tp: "", mc: 1, oc: 1, rl: 1, ls: 0, sl: 0 }],
  rate: { send: { burst: 20, perSecond: 5 } },
  cmd: [],
  hb: 30_000,
};

/** Opens the fake socket and answers the hello. */
function welcomeClient(client: ParleyClient): FakeSocket {
  void client.connect();
  const socket = FakeSocket.last!;
  socket.open();
  const hello = socket.sent.find((f) => f.o === Op.Hello)!;
  socket.receive({ o: Op.Hello, r: hello.r, d: welcome });
  return socket;
}

describe("ParleyClient", () => {
  let client: ParleyClient | undefined;
  afterEach(async () => {
    FakeSocket.silent = false;
    await client?.close();
    vi.useRealTimers();
  });

  it("sends a message written as soon as the welcome event is awaited", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
    });
    const welcomed = client.waitFor("welcome");
    const socket = welcomeClient(client);
    await welcomed;
    client.send(1, "right away", "n1").catch(() => undefined);
    expect(socket.sent.filter((f) => f.o === Op.MessageSend).map((f) => f.d)).toEqual([
      { c: 1, n: "n1", x: "right away" },
    ]);
    expect(client.connected).toBe(true);
  });

  it("tells a PresenceBatch as one presence event per change, in order, each with its channel", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
    });
    const seen: unknown[] = [];
    client.on("presence", (p) => seen.push(p));
    const socket = welcomeClient(client);
    socket.receive({
      o: Op.PresenceBatch,
      d: {
        c: 4,
        p: [
          { u: 2, un: "bob", on: true },
          { u: 3, un: "guest-1", g: true, on: false },
        ],
      },
    });
    expect(seen).toEqual([
      { c: 4, u: 2, un: "bob", on: true },
      { c: 4, u: 3, un: "guest-1", g: true, on: false },
    ]);
  });

  it("sends an edit and a delete again with the same nonce after a reconnect, and settles each once", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
      backoffMinMs: 1,
      backoffMaxMs: 1,
    });
    const welcomed = client.waitFor("welcome");
    const first = welcomeClient(client);
    await welcomed;
    const edit = client.editMessage(1, 7, 2, "better", "edit-1");
    const deletion = client.deleteMessage(1, 8, "spam", "delete-1");
    const changes = (socket: FakeSocket) =>
      socket.sent.filter((f) => f.o === Op.MessageEdit || f.o === Op.MessageDelete);
    expect(changes(first).map((f) => f.d)).toEqual([
      { c: 1, m: 7, v: 2, x: "better", n: "edit-1" },
      { c: 1, m: 8, n: "delete-1", rs: "spam" },
    ]);
    // The replies are lost with the connection: after the next welcome both go out again.
    const again = client.waitFor("welcome");
    first.close(4002);
    await vi.waitFor(() => expect(FakeSocket.last).not.toBe(first));
    const second = FakeSocket.last!;
    second.open();
    const hello = second.sent.find((f) => f.o === Op.Hello)!;
    second.receive({ o: Op.Hello, r: hello.r, d: welcome });
    await again;
    const resent = changes(second);
    expect(resent.map((f) => f.d)).toEqual(changes(first).map((f) => f.d));
    second.receive({ o: Op.MessageEdit, r: resent[0]!.r, d: { s: 5, v: 3 } });
    second.receive({ o: Op.MessageDelete, r: resent[1]!.r, d: { s: 6 } });
    expect(await edit).toEqual({ s: 5, v: 3 });
    expect(await deletion).toEqual({ s: 6 });
    const versions = client.messageVersions(1, 7);
    const asked = second.sent.find((f) => f.o === Op.MessageVersions)!;
    expect(asked.d).toEqual({ c: 1, m: 7 });
    second.receive({ o: Op.MessageVersions, r: asked.r, d: { vs: [{ v: 1, x: "a", ts: 1 }] } });
    expect((await versions).vs).toHaveLength(1);
  });

  it("rejects requests it could not complete with ParleyDisconnectedError, and says which refusals are temporary", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
      reconnect: false,
    });
    await expect(client.history(1)).rejects.toBeInstanceOf(ParleyDisconnectedError);
    const welcomed = client.waitFor("welcome");
    const socket = welcomeClient(client);
    await welcomed;
    const limited = client.history(1);
    const cut = client.history(1);
    const [first, second] = socket.sent.filter((f) => f.o === Op.History);
    socket.receive({ o: Op.Error, r: first!.r, d: { c: 1400, m: "slow down", ra: 500 } });
    const refusal = await limited.catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(ParleyRequestError);
    expect((refusal as ParleyRequestError).temporary).toBe(true);
    expect(second).toBeDefined();
    socket.close(4002);
    const lost = await cut.catch((err: unknown) => err);
    expect(lost).toBeInstanceOf(ParleyDisconnectedError);
    expect((lost as ParleyDisconnectedError).code).toBe(4002);
  });

  it("exposes the rate-limit buckets the welcome announced", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
    });
    expect(client.rateLimits).toBeUndefined();
    const welcomed = client.waitFor("welcome");
    welcomeClient(client);
    await welcomed;
    expect(client.rateLimits).toEqual({ send: { burst: 20, perSecond: 5 } });
  });

  it("emits replayDone after the replayed events, once the server marks the replay's end", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
    });
    const seen: string[] = [];
    client.on("events", (_c, e) => seen.push(`events ${e.map((x) => x.s).join(",")}`));
    client.on("replayDone", () => seen.push("replayDone"));
    const socket = welcomeClient(client);
    socket.receive({
      o: Op.Events,
      d: { c: 1, e: [{ s: 1, t: 11, ts: 0, a: 2, an: "bob" }] },
    });
    expect(seen).toEqual(["events 1"]);
    socket.receive({ o: Op.ReplayDone, d: {} });
    expect(seen).toEqual(["events 1", "replayDone"]);
  });

  it("after a hello refused by the hello bucket, reconnects no sooner than the retry-after, with jitter", async () => {
    vi.useFakeTimers();
    try {
      client = new ParleyClient({
        url: "ws://test/ws",
        WebSocket: FakeSocket as unknown as SocketFactory,
        backoffMinMs: 20,
        backoffMaxMs: 200,
      });
      const connecting = client.connect().catch((err: unknown) => err);
      const first = FakeSocket.last!;
      first.open();
      const hello = first.sent.find((f) => f.o === Op.Hello)!;
      first.receive({ o: Op.Error, r: hello.r, d: { c: 1400, m: "Too many", ra: 1000, op: 1 } });
      expect(await connecting).toMatchObject({ errorName: "RATE_LIMITED" });
      expect(first.readyState).toBe(3);
      await vi.advanceTimersByTimeAsync(999);
      expect(FakeSocket.last).toBe(first);
      // The retry-after plus at most min(retry-after, backoffMaxMs) of jitter.
      await vi.advanceTimersByTimeAsync(201);
      expect(FakeSocket.last).not.toBe(first);
    } finally {
      vi.useRealTimers();
    }
  });

  it("spreads the reconnects of clients that dropped together over the jittered backoff", async () => {
    vi.useFakeTimers();
    const clients: ParleyClient[] = [];
    try {
      const sockets: FakeSocket[] = [];
      for (let k = 0; k < 20; k++) {
        const c = new ParleyClient({
          url: "ws://test/ws",
          WebSocket: FakeSocket as unknown as SocketFactory,
          backoffMinMs: 100,
        });
        clients.push(c);
        const welcomed = c.waitFor("welcome");
        sockets.push(welcomeClient(c));
        await welcomed;
      }
      for (const s of sockets) s.close(1006);
      // First attempt: min/2 + random() × min, so within 50–150 ms, at spread-out times.
      const socketOf = (c: ParleyClient) => (c as unknown as { socket?: FakeSocket }).socket;
      const times = new Map<ParleyClient, number>();
      for (let t = 0; t <= 150; t++) {
        for (const c of clients) if (!times.has(c) && socketOf(c)) times.set(c, t);
        await vi.advanceTimersByTimeAsync(1);
      }
      expect(times.size).toBe(20);
      expect(Math.min(...times.values())).toBeGreaterThanOrEqual(49);
      expect(new Set(times.values()).size).toBeGreaterThan(5);
    } finally {
      for (const c of clients) await c.close();
      vi.useRealTimers();
    }
  });

  it("sends a message written inside a welcome listener once", async () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
    });
    const c = client;
    c.on("welcome", () => {
      c.send(1, "from the listener", "n2").catch(() => undefined);
    });
    const welcomed = c.waitFor("welcome");
    const socket = welcomeClient(c);
    await welcomed;
    expect(socket.sent.filter((f) => f.o === Op.MessageSend)).toHaveLength(1);
  });

  it("is not connected before the welcome nor after the socket closed", () => {
    client = new ParleyClient({
      url: "ws://test/ws",
      WebSocket: FakeSocket as unknown as SocketFactory,
      reconnect: false,
    });
    void client.connect().catch(() => undefined);
    const socket = FakeSocket.last!;
    socket.open();
    expect(client.connected).toBe(false);
    const hello = socket.sent.find((f) => f.o === Op.Hello)!;
    socket.receive({ o: Op.Hello, r: hello.r, d: welcome });
    return Promise.resolve().then(() => {
      socket.close(1006);
      expect(client?.connected).toBe(false);
    });
  });

  describe("heartbeat", () => {
    const HB = 1000;
    const pings = (socket: FakeSocket) => socket.sent.filter((f) => f.o === Op.Ping).length;
    /** A client on fake timers whose sockets never finish closing, as over a dead link. */
    function heartbeatClient(options: Partial<ClientOptions> = {}): ParleyClient {
      vi.useFakeTimers();
      FakeSocket.silent = true;
      return new ParleyClient({
        url: "ws://test/ws",
        WebSocket: FakeSocket as unknown as SocketFactory,
        heartbeatMs: HB,
        backoffMinMs: 100,
        backoffMaxMs: 100,
        ...options,
      });
    }

    it("drops a link silent for two intervals without waiting for its close, and reconnects", async () => {
      client = heartbeatClient();
      const drops: { code: number; willReconnect: boolean }[] = [];
      client.on("disconnect", (d) => drops.push(d));
      const socket = welcomeClient(client);
      await vi.advanceTimersByTimeAsync(HB);
      expect(pings(socket)).toBe(1);
      expect(drops).toEqual([]);
      await vi.advanceTimersByTimeAsync(HB);
      expect(drops).toEqual([{ code: 4001, reason: "heartbeat timeout", willReconnect: true }]);
      expect(socket.closedWith).toBe(4001);
      expect(client.connected).toBe(false);
      await vi.advanceTimersByTimeAsync(200);
      expect(FakeSocket.last).not.toBe(socket);
    });

    it("keeps a link on which frames keep arriving, replies or not", async () => {
      client = heartbeatClient();
      const drops: unknown[] = [];
      client.on("disconnect", (d) => drops.push(d));
      const socket = welcomeClient(client);
      for (let k = 0; k < 10; k++) {
        await vi.advanceTimersByTimeAsync(HB / 2);
        socket.receive({ o: Op.PresenceEvent, d: { c: 1, u: 2, on: true } });
        await vi.advanceTimersByTimeAsync(HB / 2);
      }
      expect(drops).toEqual([]);
      expect(pings(socket)).toBe(10);
      expect(client.connected).toBe(true);
    });

    it("ignores frames from a socket it gave up on", async () => {
      client = heartbeatClient();
      const socket = welcomeClient(client);
      const events: unknown[] = [];
      client.on("events", (c, e) => events.push([c, e]));
      await vi.advanceTimersByTimeAsync(2 * HB);
      expect(socket.closedWith).toBe(4001);
      socket.receive({ o: Op.Events, d: { c: 1, e: [{ s: 1, t: 1, ts: 1, a: 2, an: "b" }] } });
      expect(events).toEqual([]);
    });

    it("reconnects at once when asked instead of waiting out the backoff", async () => {
      client = heartbeatClient({ backoffMinMs: 60_000, backoffMaxMs: 60_000 });
      const socket = welcomeClient(client);
      await vi.advanceTimersByTimeAsync(2 * HB);
      expect(socket.closedWith).toBe(4001);
      expect(FakeSocket.last).toBe(socket);
      client.reconnectNow();
      expect(FakeSocket.last).not.toBe(socket);
      const next = FakeSocket.last!;
      client.reconnectNow(); // nothing waits now: no second socket
      expect(FakeSocket.last).toBe(next);
    });

    it("closes without waiting for a closing handshake that never completes", async () => {
      client = heartbeatClient();
      const socket = welcomeClient(client);
      let closed = false;
      const closing = client.close().then(() => {
        closed = true;
      });
      expect(socket.closedWith).toBe(1000);
      await vi.advanceTimersByTimeAsync(1000);
      expect(closed).toBe(false);
      await vi.advanceTimersByTimeAsync(1000);
      await closing;
      expect(closed).toBe(true);
    });

    it("gives up on a connection attempt that gets no welcome in time and tries again", async () => {
      client = heartbeatClient({ connectTimeoutMs: 500 });
      const connecting = client.connect();
      const failed = expect(connecting).rejects.toThrow(/before welcome \(4000/);
      const first = FakeSocket.last!;
      await vi.advanceTimersByTimeAsync(500);
      await failed;
      expect(first.closedWith).toBe(4000);
      await vi.advanceTimersByTimeAsync(200);
      expect(FakeSocket.last).not.toBe(first);
    });
  });
});
