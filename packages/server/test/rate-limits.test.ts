import { CloseCode, ERRORS, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";
import { TestServer } from "./harness";
import { RawClient } from "./raw-client";

describe("rate limits", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("refuses sends over the bucket with RATE_LIMITED and a retry-after, then recovers", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "send=3/2" }).start();
    const alice = await server.connect();
    const { ch } = await alice.createChannel("limited");
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => alice.send(ch.i, `m${i}`)),
    );
    const refused = results
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(refused[0]).toMatchObject({ errorName: "RATE_LIMITED" });
    expect(refused[0].retryAfterMs).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, refused[0].retryAfterMs));
    await alice.send(ch.i, "after waiting");
  });

  it("announces the buckets in force, the operator's overrides included, in the welcome", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "send=40/10,hello=500/100" }).start();
    const alice = await server.connect();
    expect(alice.rateLimits).toEqual({
      ...DEFAULT_RATE_RULES,
      send: { burst: 40, perSecond: 10 },
      hello: { burst: 500, perSecond: 100 },
    });
  });

  it("limits hellos per address", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "hello=2/0.01" }).start();
    await server.connect();
    await server.connect();
    const third = server.client({ reconnect: false });
    await expect(third.connect()).rejects.toMatchObject({ errorName: "RATE_LIMITED" });
  });

  it("limits logins per address over HTTP with 429 and Retry-After", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "login=2/0.01" }).start();
    const attempt = () =>
      fetch(`${server.url}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "nobody", password: "whatever-it-is" }),
      });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("refuses logins past the password-hash queue with 503, Retry-After and SERVER_BUSY", async () => {
    server = await new TestServer({ PARLEY_HASH_CONCURRENCY: "1", PARLEY_HASH_QUEUE: "1" }).start();
    const responses = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        fetch(`${server.url}/api/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ username: `nobody${i}`, password: "whatever-it-is" }),
        }),
      ),
    );
    const busy = responses.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(responses.filter((r) => r.status === 401).length).toBeGreaterThan(0);
    expect(Number(busy[0]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await busy[0]!.json()).toMatchObject({ error: { c: 1402, name: "SERVER_BUSY" } });
  });

  it("meters HTTP history and /me with the user's read bucket, the one its WebSocket uses", async () => {
    server = await new TestServer({ PARLEY_RATE_LIMITS: "read=4/0.01" }).start();
    const token = await server.register("pager");
    const alice = await server.connect({ token });
    const { ch } = await alice.createChannel("paged");
    await alice.listChannels();
    const get = (path: string) =>
      fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await get(`/api/v1/channels/${ch.i}/messages`)).status).toBe(200);
    expect((await get("/api/v1/me")).status).toBe(200);
    expect((await get(`/api/v1/channels/${ch.i}/messages`)).status).toBe(200);
    const refused = await get(`/api/v1/channels/${ch.i}/messages`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { name: "RATE_LIMITED" } });
    expect((await get("/api/v1/me")).status).toBe(429);
    await expect(alice.history(ch.i)).rejects.toMatchObject({ errorName: "RATE_LIMITED" });
  });

  it("closes a connection that keeps hitting its limits (4003)", async () => {
    server = await new TestServer({
      PARLEY_RATE_LIMITS: "read=1/0.01",
      PARLEY_MAX_REFUSALS: "50",
    }).start();
    const raw = await RawClient.open(server.wsUrl);
    await raw.request(Op.Hello, {});
    for (let i = 0; i < 60; i++) raw.send({ o: Op.Ping, r: i + 1, d: {} });
    expect(await raw.closed()).toBe(CloseCode.RateLimited);
    // Others are unaffected.
    const other = await server.connect();
    expect(other.user).toBeDefined();
  });
});

describe("refusal limit", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  /** Error replies a raw client received. */
  const errors = (raw: RawClient) => raw.frames.filter((f) => f.o === Op.Error);

  it("closes a socket flooding junk frames (4003) after the limit, while another client's pings stay answered", {
    timeout: 60_000,
  }, async () => {
    server = await new TestServer({ PARLEY_MAX_REFUSALS: "50" }).start();
    const bystander = await server.connect();
    const flooder = await RawClient.open(server.wsUrl);
    await flooder.request(Op.Hello, {});
    // Undecodable text, an unknown op, and a payload that fails its schema, in turn.
    const junk = [
      "{not json",
      JSON.stringify({ o: 77, r: 1 }),
      JSON.stringify({ o: Op.Ping, d: 5 }),
    ];
    let pings = 0;
    let flooding = true;
    const pinger = (async () => {
      while (flooding) {
        await bystander.request(Op.Ping, {});
        pings++;
      }
    })();
    for (let i = 0; i < 30_000; i++) flooder.sendRaw(junk[i % junk.length]!, false);
    expect(await flooder.closed(30_000)).toBe(CloseCode.RateLimited);
    flooding = false;
    await pinger;
    // The server stopped answering at the limit: 51 replies, not 30,000.
    const codes = errors(flooder).map((f) => (f.d as { c: number }).c);
    expect(codes).toHaveLength(51);
    expect(new Set(codes)).toEqual(
      new Set([ERRORS.BAD_FRAME.code, ERRORS.UNKNOWN_OP.code, ERRORS.INVALID_PAYLOAD.code]),
    );
    expect(pings).toBeGreaterThan(0);
    await bystander.request(Op.Ping, {});
  });

  it("counts refused hellos toward the limit", async () => {
    server = await new TestServer({ PARLEY_MAX_REFUSALS: "5" }).start();
    const raw = await RawClient.open(server.wsUrl);
    for (let i = 0; i < 5; i++) {
      const refused = await raw.request(Op.Hello, { tk: "" });
      expect(refused.d).toMatchObject({ c: ERRORS.INVALID_PAYLOAD.code, op: Op.Hello });
    }
    raw.send({ o: Op.Hello, r: 99, d: { tk: "" } });
    expect(await raw.closed()).toBe(CloseCode.RateLimited);
    expect(errors(raw)).toHaveLength(6);
  });

  it("counts refusals of every kind, not only rate limits", async () => {
    server = await new TestServer({ PARLEY_MAX_REFUSALS: "3" }).start();
    const raw = await RawClient.open(server.wsUrl);
    await raw.request(Op.Hello, {});
    for (let i = 0; i < 3; i++) {
      const refused = await raw.request(Op.ChannelInfo, { c: 999_999 });
      expect(refused.d).toMatchObject({ c: ERRORS.NO_SUCH_CHANNEL.code });
    }
    raw.send({ o: Op.ChannelInfo, r: 1, d: { c: 999_999 } });
    expect(await raw.closed()).toBe(CloseCode.RateLimited);
  });
});

describe("server limits", () => {
  let server: TestServer;
  afterEach(() => server.stop());

  it("caps connections per user (LIMIT_REACHED, close 4005) and per address (HTTP 429)", async () => {
    server = await new TestServer({
      PARLEY_MAX_CONNECTIONS_PER_USER: "2",
      PARLEY_MAX_CONNECTIONS_PER_IP: "4",
    }).start();
    const token = await server.register("many-tabs");
    await server.connect({ token });
    await server.connect({ token });
    const third = server.client({ token, reconnect: false });
    const closed = third.waitFor("disconnect");
    await expect(third.connect()).rejects.toMatchObject({ errorName: "LIMIT_REACHED" });
    expect((await closed)[0].code).toBe(CloseCode.TooManyConnections);
    await server.connect();
    await server.connect();
    await expect(RawClient.open(server.wsUrl)).rejects.toThrow(/429/);
  });

  it("caps channels per user and members per channel", async () => {
    server = await new TestServer({
      PARLEY_MAX_CHANNELS_PER_USER: "2",
      PARLEY_MAX_MEMBERS_PER_CHANNEL: "2",
    }).start();
    const alice = await server.connect();
    const { ch: one } = await alice.createChannel("one");
    await alice.createChannel("two");
    await expect(alice.createChannel("three")).rejects.toMatchObject({
      errorName: "LIMIT_REACHED",
    });
    const bob = await server.connect();
    await bob.joinChannel(one.i);
    await bob.joinChannel(one.i); // already a member: not refused
    const carol = await server.connect();
    await expect(carol.joinChannel(one.i)).rejects.toMatchObject({ errorName: "LIMIT_REACHED" });
  });
});
