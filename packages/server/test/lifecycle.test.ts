import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientOptions } from "@parley/client";
import { ParleyClient } from "@parley/client";
import { CloseCode, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { TestServer } from "./harness";
import { exited, spawnServer } from "./process";
import { RawClient } from "./raw-client";

describe("server lifecycle", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it("on SIGTERM closes sockets with 1001, keeps what was acked, and exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-proc-"));
    dirs.push(dir);
    const db = join(dir, "data", "parley.db");
    const { child, url } = await spawnServer({ PARLEY_DATABASE_URL: `sqlite:${db}` });
    const wsUrl = `${url.replace(/^http/, "ws")}/ws`;
    const client = new ParleyClient({
      url: wsUrl,
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      reconnect: false,
    });
    const welcome = await client.connect();
    const { ch } = await client.createChannel("shutdown");
    const ack = await client.send(ch.i, "before the signal");
    const closed = client.waitFor("disconnect");
    child.kill("SIGTERM");
    expect((await closed)[0].code).toBe(CloseCode.GoingAway);
    expect(await exited(child)).toBe(0);
    expect(existsSync(db)).toBe(true);

    const again = await spawnServer({ PARLEY_DATABASE_URL: `sqlite:${db}` });
    const back = new ParleyClient({
      url: `${again.url.replace(/^http/, "ws")}/ws`,
      WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
      token: welcome.st!,
    });
    await back.connect();
    const page = await back.history(ch.i);
    expect(page.e.some((e) => e.s === ack.s)).toBe(true);
    await back.close();
    again.child.kill("SIGINT");
    expect(await exited(again.child)).toBe(0);
  });

  it("refuses to start on a bad setting, naming the variable", async () => {
    await expect(spawnServer({ PARLEY_PORT: "nope" })).rejects.toThrow(
      /PARLEY_PORT="nope" is invalid/,
    );
  });

  it("closes a connection that sends no hello in time", async () => {
    const server = await new TestServer({ PARLEY_HELLO_TIMEOUT_MS: "200" }).start();
    try {
      const raw = await RawClient.open(server.wsUrl);
      expect(await raw.closed()).toBe(CloseCode.HelloTimeout);
      const ok = await RawClient.open(server.wsUrl);
      const welcome = await ok.request(Op.Hello, {});
      expect(welcome.o).toBe(Op.Hello);
      ok.close();
    } finally {
      await server.stop();
    }
  });
});
