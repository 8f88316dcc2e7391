import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClientOptions } from "@parley/client";
import { pino } from "pino";
import { loadConfig } from "../../packages/server/src/config";
import { Gateway } from "../../packages/server/src/gateway/gateway";
import { memorySocketPair } from "../../packages/server/src/gateway/memory-socket";
import { buildNode, type Engines, type Node, openEngines } from "../../packages/server/src/main";
import { DEFAULT_RATE_RULES } from "../../packages/server/src/rate-limit/rate-limiter";

/** A node in this process, on a fresh SQLite file, and a WebSocket class that reaches it. */
export interface InProcessNode {
  node: Node;
  engines: Engines;
  /** For `ParleyClient`'s `WebSocket` option: in-memory sockets into the node's gateway. */
  WebSocket: ClientOptions["WebSocket"];
  /** Drains and closes the node and removes its files. */
  close(): Promise<void>;
}

/**
 * Starts a real node on SQLite in this process, reached through in-memory sockets (no network,
 * no other process): quiet logs, no default channels, rate limits out of the way, then `env`.
 */
export async function startInProcessNode(
  name: string,
  env: Record<string, string> = {},
): Promise<InProcessNode> {
  const dir = mkdtempSync(join(tmpdir(), `parley-bench-${name}-`));
  const config = loadConfig({
    PARLEY_PORT: "0",
    PARLEY_LOG_LEVEL: "silent",
    PARLEY_DATABASE_URL: `sqlite:${join(dir, "parley.db")}`,
    PARLEY_RATE_LIMITS: Object.keys(DEFAULT_RATE_RULES)
      .map((rule) => `${rule}=1000000/1000000`)
      .join(","),
    PARLEY_DEFAULT_CHANNELS: "",
    ...env,
  });
  const logger = pino({ level: "silent" });
  const engines = await openEngines(config, logger);
  const node = await buildNode(config, engines, logger);
  node.start();
  const WebSocket = class {
    constructor(_url: string, protocols: string[]) {
      const { client, server } = memorySocketPair(Gateway.selectProtocol(new Set(protocols)) || "");
      node.gateway.accept(server, "127.0.0.1");
      // biome-ignore lint/correctness/noConstructorReturn: the socket is the pair's client side
      return client;
    }
  } as unknown as ClientOptions["WebSocket"];
  return {
    node,
    engines,
    WebSocket,
    async close() {
      await node.drain();
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
