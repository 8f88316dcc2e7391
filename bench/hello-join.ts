/**
 * The cost of new guests' hello + join, measured in-process (a real node on SQLite, reached
 * through in-memory sockets: no network, no other process), as a storm: every client at once,
 * each a hello creating a guest and a join of a channel of 50 behind it.
 *
 *   node --import tsx bench/hello-join.ts [--clients 2000] [--per-channel 50] [--rounds 3]
 *                                         [--statements]
 *
 * Prints, per round, the wall time and the process's CPU time per client (the clients' own
 * work included, the same on both sides of a comparison); with `--statements`, also the SQLite
 * statements run per client and the ones that took the most time, from a wrapper around
 * better-sqlite3's statements (which costs time of its own: leave it off for the CPU figure).
 */
import { parseArgs } from "node:util";
import { ParleyClient } from "@parley/client";
import Database from "better-sqlite3";
import { startInProcessNode } from "./lib/in-process-node";
import { describeRun, runInfo } from "./lib/machine";
import { markdownTable } from "./lib/report";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "2000" },
    "per-channel": { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
    statements: { type: "boolean", default: false },
  },
});
const CLIENTS = Number(values.clients);
const PER_CHANNEL = Number(values["per-channel"]);
const ROUNDS = Number(values.rounds);

/** SQLite time and count by statement text, while `tracing`. */
const statements = new Map<string, { n: number; ms: number }>();
let tracing = false;
if (values.statements) {
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("select 1")) as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  probe.close();
  for (const method of ["all", "run", "get"]) {
    const original = proto[method]!;
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      if (!tracing) return original.apply(this, args);
      const start = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const entry = statements.get(this.source) ?? { n: 0, ms: 0 };
        entry.n++;
        entry.ms += performance.now() - start;
        statements.set(this.source, entry);
      }
    };
  }
}

console.log(describeRun(runInfo()));
const rows: string[][] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const parley = await startInProcessNode("hello-join");
  const { node, engines, WebSocket } = parley;
  const owner = await node.services.auth.register("owner", "correct horse battery");
  const channels: number[] = [];
  for (let c = 0; c < Math.ceil(CLIENTS / PER_CHANNEL); c++) {
    const { channel } = await engines.storage.createChannel({
      name: `storm-${c}`,
      topic: "",
      owner: { id: owner.user.id, name: owner.user.username },
    });
    channels.push(channel.id);
  }
  const connect = async (channelId: number) => {
    const client = new ParleyClient({ url: "memory://parley", WebSocket });
    await client.connect();
    await client.joinChannel(channelId);
    return client;
  };
  // Warm-up: the statements prepared, the code compiled.
  for (let i = 0; i < 50; i++) await (await connect(channels[0]!)).close();
  statements.clear();
  tracing = true;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => connect(channels[Math.floor(i / PER_CHANNEL)]!)),
  );
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  tracing = false;
  let count = 0;
  for (const s of statements.values()) count += s.n;
  rows.push([
    String(round),
    String(CLIENTS),
    wall.toFixed(0),
    (CLIENTS / (wall / 1000)).toFixed(0),
    ((used.user + used.system) / 1000 / CLIENTS).toFixed(3),
    values.statements ? (count / CLIENTS).toFixed(1) : "–",
  ]);
  await Promise.all(clients.map((c) => c.close()));
  await parley.close();
}
console.log(
  markdownTable(
    ["round", "clients", "wall ms", "clients/s", "CPU ms per client", "statements per client"],
    rows,
  ),
);
if (values.statements) {
  const top = [...statements.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12);
  console.log(`\nStatements of the last round by SQLite time (${CLIENTS} clients):\n`);
  console.log(
    markdownTable(
      ["ms", "runs", "µs each", "statement"],
      top.map(([text, s]) => [
        s.ms.toFixed(1),
        String(s.n),
        ((s.ms * 1000) / s.n).toFixed(1),
        text.replace(/\s+/g, " ").slice(0, 110),
      ]),
    ),
  );
}
