import { once } from "node:events";
import { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { rawSocketOf } from "./raw-socket";

describe("rawSocketOf", () => {
  let server: WebSocketServer | undefined;
  afterEach(() => server?.close());

  it("finds the TCP socket under a ws connection (fails if ws moves its private field)", async () => {
    server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const accepted = once(server, "connection");
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    const [serverSide] = (await accepted) as [WebSocket];
    await once(client, "open");
    const raw = rawSocketOf(serverSide);
    expect(raw).toBeInstanceOf(Socket);
    expect(raw?.remotePort).toBeGreaterThan(0);
    client.terminate();
  });
});
