import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Ack, type ClientOptions, ParleyClient } from "@parley/client";
import { EventType, type MessageEvent } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { DEFAULT_RATE_RULES } from "../src/rate-limit/rate-limiter";
import { until } from "./harness";
import { exited, spawnServer } from "./process";

const GENEROUS = Object.keys(DEFAULT_RATE_RULES)
  .map((name) => `${name}=100000/100000`)
  .join(",");

describe("durability under a crash", () => {
  const cleanup: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn();
  });

  it("after SIGKILL and restart, every acked message is in history exactly once, retried sends stored once", {
    timeout: 120_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-crash-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = {
      PARLEY_DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
      PARLEY_RATE_LIMITS: GENEROUS,
    };
    let node = await spawnServer(env);
    cleanup.push(() => {
      node.child.kill("SIGKILL");
    });
    const port = new URL(node.url).port;
    const wsUrl = `ws://127.0.0.1:${port}/ws`;
    const clients = Array.from(
      { length: 20 },
      () =>
        new ParleyClient({
          url: wsUrl,
          WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
          backoffMinMs: 50,
          backoffMaxMs: 300,
          requestTimeoutMs: 60_000,
        }),
    );
    cleanup.push(() => Promise.all(clients.map((c) => c.close())).then(() => undefined));
    await Promise.all(clients.map((c) => c.connect()));
    const channelId = (await clients[0]!.createChannel("crash")).ch.i;
    await Promise.all(clients.slice(1).map((c) => c.joinChannel(channelId)));

    const acked = new Map<string, Ack>();
    let stop = false;
    const loops = clients.map(async (client, i) => {
      for (let k = 0; !stop; k++) {
        const text = `c${i}-${k}`;
        acked.set(text, await client.send(channelId, text));
      }
    });

    await until(() => acked.size >= 400, 30_000, "acks before the crash");
    node.child.kill("SIGKILL");
    await exited(node.child);
    const ackedBeforeCrash = new Map(acked);
    node = await spawnServer({ ...env, PARLEY_PORT: port });
    await until(() => acked.size >= ackedBeforeCrash.size + 200, 60_000, "acks after the restart");
    stop = true;
    await Promise.all(loops);

    // Read the whole history.
    const stored: MessageEvent[] = [];
    for (let after = 0; ; ) {
      const page = await clients[0]!.history(channelId, { after, limit: 100 });
      stored.push(...(page.e.filter((e) => e.t === EventType.MessagePosted) as MessageEvent[]));
      if (!page.ma || page.e.length === 0) break;
      after = page.e.at(-1)!.s;
    }
    const counts = new Map<string, number>();
    for (const m of stored) counts.set(m.x, (counts.get(m.x) ?? 0) + 1);
    const duplicated = [...counts.values()].filter((n) => n > 1).length;
    const lost = [...acked.keys()].filter((text) => !counts.has(text)).length;
    expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
    for (const [text, ack] of acked) expect(stored.find((m) => m.x === text)?.s).toBe(ack.s);
    // Each client's messages are stored in the order it sent them.
    for (let i = 0; i < clients.length; i++) {
      const mine = stored
        .filter((m) => m.x.startsWith(`c${i}-`))
        .map((m) => Number(m.x.split("-")[1]));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
    node.child.kill("SIGTERM");
    await exited(node.child);
  });
});
