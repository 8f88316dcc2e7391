import { type ClientOptions, ParleyClient } from "@parley/client";
import { EventType, type MessageEvent, Op, type WelcomeReply } from "@parley/protocol";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";
import { TestCluster } from "./cluster";
import { FreezableProxy } from "./freezable-proxy";
import { until } from "./harness";
import { RawClient } from "./raw-client";
import { describeWith } from "./services";

/** The nodes' heartbeat (their smallest setting), and the SDK's in the client test. */
const SERVER_HB = 1000;
const CLIENT_HB = 500;
/** Room for a loaded machine's timers on top of a bound (two intervals). */
const SLACK_MS = 2000;

describeWith(["postgres", "redis"], "dead links on a cluster of two nodes", () => {
  let cluster: TestCluster;
  let proxy: FreezableProxy;
  const clients: ParleyClient[] = [];
  const raws: RawClient[] = [];

  beforeAll(async () => {
    cluster = await TestCluster.start(2, {
      PARLEY_HEARTBEAT_MS: String(SERVER_HB),
      PARLEY_RATE_LIMITS: Object.keys(DEFAULT_RATE_RULES)
        .map((name) => `${name}=100000/100000`)
        .join(","),
    });
    // Clients of the second node reach it through a proxy that can silence their links.
    const url = new URL(cluster.nodes[1]!.url);
    proxy = await new FreezableProxy({ host: url.hostname, port: Number(url.port) }).start();
  }, 120_000);

  afterAll(async () => {
    for (const raw of raws) raw.close();
    await Promise.all(clients.map((c) => c.close()));
    await proxy?.close();
    await cluster?.stop();
  }, 120_000);

  async function register(name: string): Promise<string> {
    const res = await fetch(`${cluster.nodes[0]!.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: name, password: "correct horse battery" }),
    });
    if (res.status !== 201) throw new Error(`register ${name}: ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  async function client(name: string, url: string, options: Partial<ClientOptions> = {}) {
    const c = new ParleyClient({
      url,
      token: await register(name),
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      backoffMinMs: 20,
      backoffMaxMs: 200,
      ...options,
    });
    clients.push(c);
    await c.connect();
    return c;
  }

  const proxied = () => `ws://127.0.0.1:${proxy.port}/ws`;

  it("a client gone silent on one node goes offline for a watcher on the other within two intervals", async () => {
    const watcher = await client("watcher", cluster.nodes[0]!.wsUrl);
    const { ch } = await watcher.createChannel("far-beats");
    const ghost = await RawClient.open(proxied());
    raws.push(ghost);
    const welcome = (await ghost.request(Op.Hello, { tk: await register("ghost") }))
      .d as WelcomeReply;
    await ghost.request(Op.ChannelJoin, { c: ch.i });
    const offline = watcher.waitFor(
      "presence",
      (p) => p.u === welcome.u.i && !p.on,
      2 * SERVER_HB + SLACK_MS,
    );
    proxy.freezeAll();
    await offline;
  });

  it("a client whose link to one node went silent reconnects and its pending send reaches the other node once", async () => {
    const watcher = await client("far-watcher", cluster.nodes[0]!.wsUrl);
    const { ch } = await watcher.createChannel("far-outage");
    const wanderer = await client("wanderer", proxied(), { heartbeatMs: CLIENT_HB });
    await wanderer.joinChannel(ch.i);
    const seen: string[] = [];
    watcher.on("events", (c, events) => {
      for (const e of events)
        if (c === ch.i && e.t === EventType.MessagePosted) seen.push((e as MessageEvent).x);
    });
    const dropped = wanderer.waitFor("disconnect", () => true, 2 * CLIENT_HB + SLACK_MS);
    proxy.freezeAll();
    const sent = wanderer.send(ch.i, "sent into a dead link", "far-nonce");
    expect((await dropped)[0].code).toBe(4001);
    const ack = await sent;
    await until(() => seen.includes("sent into a dead link"));
    const stored = (await watcher.history(ch.i)).e.filter(
      (e) => e.t === EventType.MessagePosted && (e as MessageEvent).n === "far-nonce",
    );
    expect(stored.map((e) => e.s)).toEqual([ack.s]);
    expect(seen.filter((x) => x === "sent into a dead link")).toHaveLength(1);
  });
});
