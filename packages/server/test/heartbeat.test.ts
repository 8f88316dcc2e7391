import { CloseCode, EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { FreezableProxy } from "./freezable-proxy";
import { collect, TestServer, until, untilConnections } from "./harness";

describe("heartbeats", () => {
  let server: TestServer;
  let proxy: FreezableProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    await server.stop();
  });

  it("the server closes a socket whose link died, and its user goes offline", async () => {
    server = await new TestServer({ PARLEY_HEARTBEAT_MS: "1000" }).start();
    const url = new URL(server.url);
    proxy = await new FreezableProxy({ host: url.hostname, port: Number(url.port) }).start();
    const watcher = await server.connect();
    const { ch } = await watcher.createChannel("beats");
    const token = await server.register("ghost");
    const ghost = await server.connect({
      token,
      url: `ws://127.0.0.1:${proxy.port}/ws`,
      reconnect: false,
    });
    await ghost.joinChannel(ch.i);
    const offline = watcher.waitFor("presence", (p) => p.u === ghost.user!.i && !p.on, 10_000);
    proxy.freezeAll();
    await offline;
    await untilConnections(server, 1);
  });

  it("the client notices a dead link, reconnects and resumes what it missed", async () => {
    server = await new TestServer({ PARLEY_HEARTBEAT_MS: "1000" }).start();
    const url = new URL(server.url);
    proxy = await new FreezableProxy({ host: url.hostname, port: Number(url.port) }).start();
    const sender = await server.connect();
    const { ch } = await sender.createChannel("dead-link");
    const token = await server.register("tunnel");
    const client = await server.connect({ token, url: `ws://127.0.0.1:${proxy.port}/ws` });
    await client.joinChannel(ch.i);
    const seen = collect(client, ch.i);
    const dropped = client.waitFor("disconnect", () => true, 10_000);
    const rewelcomed = client.waitFor("welcome", () => true, 15_000);
    proxy.freezeAll();
    await sender.send(ch.i, "while the link was dead");
    const [{ code, willReconnect }] = await dropped;
    expect(willReconnect).toBe(true);
    expect(code).not.toBe(CloseCode.Normal);
    await rewelcomed;
    await until(() =>
      seen.some(
        (e) =>
          e.t === EventType.MessagePosted && (e as MessageEvent).x === "while the link was dead",
      ),
    );
  });
});
