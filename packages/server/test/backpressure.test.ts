import { EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { FreezableProxy } from "./freezable-proxy";
import { collect, serverCloses, TestServer, until } from "./harness";

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
