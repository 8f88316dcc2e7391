import { EventType, type MessageEvent, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { rawSocketOf } from "../src/gateway/raw-socket";
import { FreezableProxy } from "./freezable-proxy";
import { collect, metric, serverCloses, TestServer, until, untilConnections } from "./harness";
import { RawClient } from "./raw-client";

const texts = (events: { t: number }[]) =>
  events.filter((e) => e.t === EventType.MessagePosted).map((e) => (e as MessageEvent).x);

describe("backpressure", () => {
  let server: TestServer;
  let proxy: FreezableProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await server.stop();
  });

  it("closes a reader that stopped reading once its buffer is over the bound; others get everything; it resumes", {
    timeout: 90_000,
  }, async () => {
    server = await new TestServer({
      PARLEY_MAX_BUFFERED_BYTES: String(256 * 1024),
      PARLEY_RESUME_MAX: "5000",
    }).start();
    const url = new URL(server.url);
    proxy = await new FreezableProxy({ host: url.hostname, port: Number(url.port) }).start();
    const sender = await server.connect();
    const { ch } = await sender.createChannel("firehose");
    const reader = await server.connect();
    await reader.joinChannel(ch.i);
    const token = await server.register("sloth");
    const slow = await server.connect({ token, url: `ws://127.0.0.1:${proxy.port}/ws` });
    await slow.joinChannel(ch.i);
    const readerLog = collect(reader, ch.i);
    const slowLog = collect(slow, ch.i);

    proxy.freezeAll(); // the slow client's bytes stop moving; the server keeps writing
    const body = "x".repeat(3900);
    const total = 4000;
    for (let i = 0; i < total; i += 200) {
      await Promise.all(
        Array.from({ length: 200 }, (_, k) => sender.send(ch.i, `${i + k} ${body}`)),
      );
    }
    await until(() => texts(readerLog).length === total, 30_000, "the fast reader's messages");
    expect(texts(readerLog).map((x) => Number(x.split(" ")[0]))).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
    expect(await serverCloses(server, 4002)).toBe(1);

    // Its link comes back to life as a new connection; it resumes without loss or duplicate.
    proxy.dropFrozen();
    await until(() => texts(slowLog).length === total, 30_000, "the slow client's resume");
    expect(texts(slowLog).map((x) => Number(x.split(" ")[0]))).toEqual(
      Array.from({ length: total }, (_, i) => i),
    );
  });
});

describe("outbound budget", () => {
  let server: TestServer;
  const readers: RawClient[] = [];
  afterEach(async () => {
    for (const r of readers.splice(0)) r.close();
    await server.stop();
  });

  it("keeps all sockets' buffers within the budget by shedding the largest; others keep working", {
    timeout: 180_000,
  }, async () => {
    const budget = 4 << 20;
    // The per-socket bound equals the budget, so every close here is the budget's doing.
    server = await new TestServer({
      PARLEY_MAX_BUFFERED_BYTES: String(budget),
      PARLEY_MAX_BUFFERED_TOTAL: String(budget),
    }).start();
    const sender = await server.connect();
    const { ch } = await sender.createChannel("archive");
    const body = "x".repeat(3900);
    await Promise.all(Array.from({ length: 100 }, (_, i) => sender.send(ch.i, `${i} ${body}`)));
    const bystander = await server.connect();
    await bystander.joinChannel(ch.i);
    const heard = collect(bystander, ch.i);

    // Ten readers that stop reading at the TCP level, then page through history (≈400 KB a
    // page) far faster than they read: each alone stays under its bound, together they do not.
    for (let i = 0; i < 10; i++) {
      const reader = await RawClient.open(server.wsUrl);
      readers.push(reader);
      await reader.request(Op.Hello, {});
      await reader.request(Op.ChannelJoin, { c: ch.i, l: 0 });
      rawSocketOf(reader.ws!)!.pause();
    }
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, (await metric(server, "parley_outbound_buffered_bytes")) ?? 0);
      }
    })();
    for (let page = 0; page < 30; page++) {
      for (const reader of readers) reader.send({ o: Op.History, r: page, d: { c: ch.i, l: 100 } });
    }
    // Meanwhile the others are served: a message goes round, a ping is answered.
    await sender.send(ch.i, "still here");
    await until(() => heard.some((e) => (e as MessageEvent).x === "still here"), 30_000);
    await bystander.request(Op.Ping, {});
    await untilConnections(server, 2, 150_000);
    sampling = false;
    await sampler;

    const shed = (await metric(server, "parley_outbound_shed_total")) ?? 0;
    expect(shed).toBeGreaterThan(0);
    expect(await serverCloses(server, 4002)).toBe(shed);
    // Between writes the total stays within the budget plus its 1/64 of slack.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(budget + budget / 64);
    expect(await metric(server, "parley_outbound_buffered_bytes")).toBeLessThanOrEqual(budget);
    await bystander.request(Op.Ping, {});
  });
});
