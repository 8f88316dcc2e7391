import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { CloseCode, LIMITS, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { TestServer, untilConnections } from "./harness";
import { RawClient } from "./raw-client";

/** What an open connection keeps alive, and that slimming it kept its behaviour. */
describe("idle connections", () => {
  let server: TestServer;
  afterEach(async () => {
    await server.stop();
  });

  it("keep none of the HTTP objects of their upgrade", async () => {
    server = await new TestServer().start();
    const accepted = once(server.parley.app.websocketServer, "connection");
    const raw = await RawClient.open(server.wsUrl);
    const [ws, req] = (await accepted) as [WebSocket, IncomingMessage];
    expect((await raw.request(Op.Hello, {})).o).toBe(Op.Hello);
    // Node keeps a socket's current response in `_httpMessage`: the upgrade's was detached.
    expect((req.socket as unknown as { _httpMessage: unknown })._httpMessage).toBeNull();
    // The gateway's listener alone: the plugin's held Fastify's request and reply.
    expect(ws.listenerCount("error")).toBe(1);
    raw.close();
  });

  it("outlive the hello timeout once welcomed", async () => {
    server = await new TestServer({ PARLEY_HELLO_TIMEOUT_MS: "200" }).start();
    const raw = await RawClient.open(server.wsUrl);
    expect((await raw.request(Op.Hello, {})).o).toBe(Op.Hello);
    await new Promise((r) => setTimeout(r, 400));
    expect((await raw.request(Op.Ping)).o).toBe(Op.Ping);
    expect(raw.closeCode).toBeUndefined();
    raw.close();
  });

  it("are closed and forgotten after a malformed frame", async () => {
    server = await new TestServer().start();
    const raw = await RawClient.open(server.wsUrl);
    expect((await raw.request(Op.Hello, {})).o).toBe(Op.Hello);
    await untilConnections(server, 1);
    raw.sendRaw("x".repeat(LIMITS.maxFrameBytes + 1));
    expect(await raw.closed()).toBe(CloseCode.TooLarge);
    await untilConnections(server, 0);
  });
});
