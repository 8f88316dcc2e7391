import {
  CloseCode,
  EventType,
  type MessageEvent,
  Op,
  type ServerFrame,
  type WelcomeReply,
} from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { FreezableProxy } from "./freezable-proxy";
import { collect, serverCloses, TestServer, until, untilConnections } from "./harness";
import { RawClient } from "./raw-client";

/** The server's heartbeat in these tests (its smallest setting). */
const SERVER_HB = 1000;
/** The client's heartbeat where the client's own detection is tested. */
const CLIENT_HB = 500;
/** Room for a loaded machine's timers on top of a bound (two intervals). */
const SLACK_MS = 1500;

const texts = (events: { t: number }[]) =>
  events.filter((e) => e.t === EventType.MessagePosted).map((e) => (e as MessageEvent).x);

describe("heartbeats", () => {
  let server: TestServer;
  let proxy: FreezableProxy | undefined;
  const raws: RawClient[] = [];
  afterEach(async () => {
    for (const raw of raws.splice(0)) raw.close();
    await proxy?.close();
    proxy = undefined;
    await server.stop();
  });

  async function startBehindProxy(env: Record<string, string> = {}): Promise<string> {
    server = await new TestServer(env).start();
    const url = new URL(server.url);
    proxy = await new FreezableProxy({ host: url.hostname, port: Number(url.port) }).start();
    return `ws://127.0.0.1:${proxy.port}/ws`;
  }

  /** A channel with a sender connected directly and a client (of `heartbeatMs`) through the proxy. */
  async function channelBehindProxy(name: string) {
    // The server's heartbeat stays at its default (10 s): what notices a dead link is the client.
    const proxied = await startBehindProxy();
    const sender = await server.connect();
    const { ch } = await sender.createChannel(name);
    const token = await server.register(`${name}-user`);
    const client = await server.connect({ token, url: proxied, heartbeatMs: CLIENT_HB });
    await client.joinChannel(ch.i);
    const seen = collect(client, ch.i);
    const dropped = client.waitFor("disconnect", () => true, 2 * CLIENT_HB + SLACK_MS);
    /** The stored messages with this nonce, by seq. */
    const storedSeqs = async (nonce: string) =>
      (await sender.history(ch.i)).e
        .filter((e) => e.t === EventType.MessagePosted && (e as MessageEvent).n === nonce)
        .map((e) => e.s);
    return { sender, ch, client, seen, dropped, storedSeqs };
  }

  it("the server closes a client gone silent without a FIN within two intervals, and others see it offline", async () => {
    const proxied = await startBehindProxy({ PARLEY_HEARTBEAT_MS: String(SERVER_HB) });
    const watcher = await server.connect();
    const { ch } = await watcher.createChannel("beats");
    const token = await server.register("ghost");
    // A bare socket: no client-side heartbeat that could end the link from its side.
    const ghost = await RawClient.open(proxied);
    raws.push(ghost);
    const welcome = (await ghost.request(Op.Hello, { tk: token })).d as WelcomeReply;
    await ghost.request(Op.ChannelJoin, { c: ch.i });
    const offline = watcher.waitFor(
      "presence",
      (p) => p.u === welcome.u.i && !p.on,
      2 * SERVER_HB + SLACK_MS,
    );
    proxy!.freezeAll();
    await offline;
    expect(await serverCloses(server, CloseCode.HeartbeatTimeout)).toBe(1);
    await untilConnections(server, 1);
  });

  it("the server counts any frame as liveness, not only pongs, and closes the client once it falls silent", async () => {
    server = await new TestServer({ PARLEY_HEARTBEAT_MS: String(SERVER_HB) }).start();
    const token = await server.register("no-pongs");
    const raw = await RawClient.open(server.wsUrl, "json", undefined, undefined, {
      autoPong: false,
    });
    raws.push(raw);
    await raw.request(Op.Hello, { tk: token });
    // Each WebSocket ping is answered with a Ping op instead of a pong.
    let pings = 0;
    let answer = true;
    raw.ws!.on("ping", () => {
      pings++;
      if (answer) raw.send({ o: Op.Ping, r: pings, d: {} });
    });
    // Pongs alone would have had it closed at the second beat.
    await until(() => pings >= 4 || raw.closeCode !== undefined, 4 * SERVER_HB + SLACK_MS);
    expect(raw.closeCode).toBeUndefined();
    expect(raw.frames.filter((f: ServerFrame) => f.o === Op.Ping).length).toBeGreaterThanOrEqual(3);
    answer = false;
    expect(await raw.closed(2 * SERVER_HB + SLACK_MS)).toBe(CloseCode.HeartbeatTimeout);
  });

  it("pings every connection once per interval, a group per 50 ms tick, not all in one turn", async () => {
    server = await new TestServer({ PARLEY_HEARTBEAT_MS: String(SERVER_HB) }).start();
    const pings = new Map<number, number[]>();
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const raw = await RawClient.open(server.wsUrl, "json");
      raws.push(raw);
      await raw.request(Op.Hello, {});
      pings.set(i, []);
      raw.ws!.on("ping", () => pings.get(i)!.push(Date.now() - started));
    }
    await until(() => [...pings.values()].every((p) => p.length >= 3), 3 * SERVER_HB + SLACK_MS);
    // Each connection's pings come one interval apart (its group's tick), and the twenty
    // connections are pinged at twenty different ticks of the interval, one at each.
    const firsts = [...pings.values()].map((p) => p[1]!);
    const ticks = new Set(firsts.map((t) => Math.round(t / (SERVER_HB / 10))));
    expect(ticks.size).toBeGreaterThanOrEqual(5);
    for (const p of pings.values()) {
      const gap = p[2]! - p[1]!;
      expect(gap).toBeGreaterThan(SERVER_HB / 2);
      expect(gap).toBeLessThan(SERVER_HB + SLACK_MS);
    }
  });

  it("the client notices a link gone silent within two of its intervals, reconnects, resumes and stores its pending send once", async () => {
    const { sender, ch, client, seen, dropped, storedSeqs } = await channelBehindProxy("dead-link");
    const rewelcomed = client.waitFor("welcome", () => true, 2 * CLIENT_HB + SLACK_MS + 5000);
    proxy!.freezeAll();
    // Written into the dead socket: it waits for an ack that cannot come.
    const sent = client.send(ch.i, "typed while the link was dead", "nonce-typed-dead");
    await sender.send(ch.i, "posted while the link was dead");
    const [{ code, reason, willReconnect }] = await dropped;
    expect(code).toBe(CloseCode.HeartbeatTimeout);
    expect(reason).toBe("heartbeat timeout");
    expect(willReconnect).toBe(true);
    await rewelcomed;
    const ack = await sent;
    await until(() => texts(seen).includes("posted while the link was dead"));
    await until(() => texts(seen).includes("typed while the link was dead"));
    expect(await storedSeqs("nonce-typed-dead")).toEqual([ack.s]);
    expect(texts(seen).filter((x) => x === "typed while the link was dead")).toHaveLength(1);
  });

  it("the client resends a message whose ack was lost on a dead link, and it is stored once", async () => {
    const { sender, ch, client, seen, dropped, storedSeqs } = await channelBehindProxy("lost-acks");
    const nonce = "nonce-ack-lost";
    const storedOnServer = sender.waitFor("events", (c, e) =>
      e.some((x) => c === ch.i && (x as MessageEvent).n === nonce),
    );
    // The client's frames still reach the server; nothing comes back.
    proxy!.freezeAll("down");
    const sent = client.send(ch.i, "stored, but the ack was lost", nonce);
    await storedOnServer;
    expect((await dropped)[0].code).toBe(CloseCode.HeartbeatTimeout);
    const ack = await sent;
    expect(await storedSeqs(nonce)).toEqual([ack.s]);
    await until(() => texts(seen).includes("stored, but the ack was lost"));
    expect(texts(seen).filter((x) => x === "stored, but the ack was lost")).toHaveLength(1);
  });
});
