/**
 * Cross-node delivery overhead: the same load against one node and against three nodes, with
 * the clients spread over the nodes (no proxy in between). Prints deliveries/s and p50/p99
 * delivery latency (send → receipt at another client) for each, and the ratios.
 *
 *   scripts/test-services.sh start && . /tmp/parley-test-services/env
 *   node --import tsx bench/cluster-overhead.ts [--conns 300] [--senders 20] [--rate 100] [--seconds 10]
 *
 * Runs: "1 node, local broker" (PostgreSQL, no Redis: the single-node engines), "1 node, Redis"
 * (the cluster engines with nothing to cross) and "3 nodes, Redis". Every run uses a fresh
 * PostgreSQL schema and Redis prefix. The load is open loop: each sender sends at a fixed pace
 * whatever the latency. Everything runs on this machine, load generator included: on a small
 * machine the nodes compete with PostgreSQL, Redis and the clients for the same cores.
 */
import { type ChildProcess, execSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ClientOptions, ParleyClient } from "@parley/client";
import { EventType, type MessageEvent } from "@parley/protocol";
import pg from "pg";
import WebSocket from "ws";

const MAIN = fileURLToPath(new URL("../packages/server/src/main.ts", import.meta.url));

const { values } = parseArgs({
  options: {
    conns: { type: "string", default: "300" },
    senders: { type: "string", default: "20" },
    rate: { type: "string", default: "100" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
  },
});
const CONNS = Number(values.conns);
const SENDERS = Number(values.senders);
/** Messages per second offered by all senders together. */
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);

const postgresUrl = process.env.PARLEY_TEST_POSTGRES_URL;
const redisUrl = process.env.PARLEY_TEST_REDIS_URL;
if (!postgresUrl || !redisUrl) {
  console.error(
    "cluster-overhead needs PARLEY_TEST_POSTGRES_URL and PARLEY_TEST_REDIS_URL (scripts/test-services.sh start)",
  );
  process.exit(2);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function freshSchema(): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(5).toString("hex")}`;
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: postgresUrl });
    await c.connect();
    await c.query(q);
    await c.end();
  };
  await run(`create schema ${schema}`);
  const url = new URL(postgresUrl!);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => run(`drop schema ${schema} cascade`) };
}

async function startNode(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; ws: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      PARLEY_HOST: "127.0.0.1",
      PARLEY_PORT: String(port),
      PARLEY_LOG_LEVEL: "warn",
      PARLEY_RATE_LIMITS:
        "send=100000/100000,join=100000/100000,hello=100000/100000,read=100000/100000",
      PARLEY_MAX_CONNECTIONS_PER_IP: "100000",
      // The runs make their own channels; a default one would add a join to every guest.
      PARLEY_DEFAULT_CHANNELS: "",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error("node exited during start");
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error("node did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, ws: `ws://127.0.0.1:${port}/ws` };
}

function stopNode(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Result {
  name: string;
  deliveriesPerSecond: number;
  p50: number;
  p99: number;
  sent: number;
  expected: number;
  received: number;
}

async function run(name: string, nodeCount: number, redis: boolean): Promise<Result> {
  const schema = await freshSchema();
  const env: Record<string, string> = { PARLEY_DATABASE_URL: schema.url };
  if (redis) {
    env.PARLEY_REDIS_URL = redisUrl!;
    env.PARLEY_REDIS_PREFIX = `bench-${randomBytes(4).toString("hex")}:`;
  }
  const nodes = [await startNode(env)];
  nodes.push(...(await Promise.all(Array.from({ length: nodeCount - 1 }, () => startNode(env)))));
  const clients: ParleyClient[] = [];
  const now = () => performance.timeOrigin + performance.now();
  let measuring = false;
  let received = 0;
  const latencies: number[] = [];
  try {
    for (let i = 0; i < CONNS; i++) {
      clients.push(
        new ParleyClient({
          url: nodes[i % nodes.length]!.ws,
          WebSocket: WebSocket as unknown as ClientOptions["WebSocket"],
          reconnect: false,
          requestTimeoutMs: 60_000,
        }),
      );
    }
    for (let i = 0; i < CONNS; i += 50)
      await Promise.all(clients.slice(i, i + 50).map((c) => c.connect()));
    const { ch } = await clients[0]!.createChannel(`bench-${randomBytes(3).toString("hex")}`);
    for (let i = 1; i < CONNS; i += 50)
      await Promise.all(clients.slice(i, i + 50).map((c) => c.joinChannel(ch.i)));
    for (const c of clients) {
      c.on("events", (_c, events) => {
        if (!measuring) return;
        const t = now();
        for (const e of events) {
          if (e.t !== EventType.MessagePosted) continue;
          received++;
          latencies.push(t - Number((e as MessageEvent).x));
        }
      });
    }

    // Open loop: each sender sends every SENDERS/RATE seconds, offset from the others.
    const intervalMs = (1000 * SENDERS) / RATE;
    let sent = 0;
    const timers: NodeJS.Timeout[] = [];
    const senders = clients.slice(0, SENDERS);
    const failures: unknown[] = [];
    senders.forEach((s, k) => {
      const start = setTimeout(
        () => {
          timers.push(
            setInterval(() => {
              if (measuring) sent++;
              s.send(ch.i, String(now())).catch((err) => failures.push(err));
            }, intervalMs),
          );
        },
        (k * intervalMs) / SENDERS,
      );
      timers.push(start);
    });
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    measuring = true;
    const started = now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    for (const t of timers) clearInterval(t);
    // Let what was sent in the window arrive (bounded), then stop counting.
    const expected = sent * CONNS;
    const drainUntil = Date.now() + 5000;
    while (received < expected && Date.now() < drainUntil)
      await new Promise((r) => setTimeout(r, 20));
    const elapsed = (now() - started) / 1000;
    measuring = false;
    if (failures.length > 0) console.error(`${name}: ${failures.length} sends failed`);
    latencies.sort((a, b) => a - b);
    return {
      name,
      deliveriesPerSecond: received / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      sent,
      expected,
      received,
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all(nodes.map((n) => stopNode(n.child)));
    await schema.drop();
  }
}

const commit = (() => {
  try {
    return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
})();
console.log(
  `cluster-overhead @ ${commit}; ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB; node ${process.version}`,
);
console.log(
  `load: ${CONNS} connections in one channel, ${SENDERS} senders, ${RATE} msg/s offered ` +
    `(${RATE * CONNS} deliveries/s), ${WARMUP} s warm-up, ${SECONDS} s measured`,
);
const results: Result[] = [];
for (const [name, count, redis] of [
  ["1 node, local broker", 1, false],
  ["1 node, Redis", 1, true],
  ["3 nodes, Redis", 3, true],
] as const) {
  const r = await run(name, count, redis);
  results.push(r);
  console.log(
    `${r.name.padEnd(22)} ${r.deliveriesPerSecond.toFixed(0).padStart(8)} deliveries/s  ` +
      `p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(7)} ms  ` +
      `(${r.received}/${r.expected} delivered)`,
  );
}
const [local, single, three] = results as [Result, Result, Result];
const ratio = (a: number, b: number) => (a / b).toFixed(2);
console.log(
  `3 nodes / 1 node (Redis): deliveries/s ×${ratio(three.deliveriesPerSecond, single.deliveriesPerSecond)}, ` +
    `p50 ×${ratio(three.p50, single.p50)}, p99 ×${ratio(three.p99, single.p99)}`,
);
console.log(
  `1 node Redis / local broker: p50 ×${ratio(single.p50, local.p50)}, p99 ×${ratio(single.p99, local.p99)}`,
);
process.exit(0);
