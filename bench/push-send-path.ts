/**
 * What Web Push costs the send path, measured in-process (a real node on SQLite, reached through
 * in-memory sockets), with push off against push on in the same run:
 *
 *   node --import tsx bench/push-send-path.ts [--members 50] [--messages 2000] [--window 50]
 *
 * "on": `members` other members of the channel at level All, each offline with one subscription
 * to a local push endpoint (node:http on 127.0.0.1, answering 201), so every message queues
 * `members` encrypted, signed pushes (the endpoint is a child process of its own). "off": the same channel and members, PARLEY_WEB_PUSH=off.
 * One author sends `messages` messages, `window` in flight at a time. Prints the send rate and
 * the ack latency (p50, p99) of each, the ratios on / off, and how long the pushes took to drain.
 */
import { fork } from "node:child_process";
import { createECDH, randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { ParleyClient } from "@parley/client";
import { EventType, NotifyLevel, PUSH_LIMITS, Role } from "@parley/protocol";
import { startInProcessNode } from "./lib/in-process-node";
import { describeRun, runInfo } from "./lib/machine";

const { values } = parseArgs({
  options: {
    members: { type: "string", default: "50" },
    messages: { type: "string", default: "2000" },
    window: { type: "string", default: "50" },
  },
});
const MEMBERS = Number(values.members);
const MESSAGES = Number(values.messages);
const WINDOW = Number(values.window);

// The stand-in push service runs in a process of its own, so its work is not the server's.
const ENDPOINT_SOURCE = `
let received = 0;
const server = require("node:http").createServer((req, res) => {
  req.resume();
  req.on("end", () => { received++; res.writeHead(201).end(); });
});
server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
process.on("message", (m) => {
  if (m === "count") process.send({ received });
  else if (m === "reset") received = 0;
});`;
const endpoint = fork("-e", [ENDPOINT_SOURCE], { execArgv: [] });
const { port } = await new Promise<{ port: number }>((r) => endpoint.once("message", r as never));
const origin = `http://127.0.0.1:${port}`;
async function receivedCount(): Promise<number> {
  endpoint.send("count");
  return (await new Promise<{ received: number }>((r) => endpoint.once("message", r as never)))
    .received;
}

function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(push: boolean) {
  const parley = await startInProcessNode("push", {
    PARLEY_WEB_PUSH: push ? "on" : "off",
    PARLEY_PUSH_ALLOW_INSECURE_LOCAL: "1",
  });
  const { node, WebSocket } = parley;
  const { storage } = parley.engines;
  const { auth } = node.services;

  const writer = await auth.register("writer", "correct horse battery");
  const { channel } = await storage.createChannel({
    name: "busy",
    topic: "",
    owner: { id: writer.user.id, name: writer.user.username },
  });
  for (let m = 0; m < MEMBERS; m++) {
    const member = await auth.register(`member${m}`, "correct horse battery");
    const actor = { id: member.user.id, name: member.user.username };
    await storage.addMember(channel.id, actor.id, Role.Member, {
      type: EventType.MemberJoined,
      actor,
    });
    await storage.setNotifyLevel(actor.id, channel.id, NotifyLevel.All);
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    await storage.subscribe(
      {
        userId: actor.id,
        endpoint: `${origin}/push/${push ? "on" : "off"}/${m}`,
        p256dh: ecdh.getPublicKey().toString("base64url"),
        auth: randomBytes(16).toString("base64url"),
        userAgent: null,
      },
      PUSH_LIMITS.perUser,
    );
  }
  const client = new ParleyClient({ url: "memory://parley", WebSocket, token: writer.token });
  await client.connect();

  endpoint.send("reset");
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < MESSAGES) {
        const k = next++;
        const t = performance.now();
        await client.send(channel.id, `message ${k}, a line of about the usual length`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const sendMs = performance.now() - start;
  await node.services.push.idle();
  const drainMs = performance.now() - start;
  const pushes = await receivedCount();
  const dropped = (await node.metrics.pushesDropped.get()).values[0]?.value ?? 0;
  await client.close();
  await parley.close();
  return {
    rate: MESSAGES / (sendMs / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    drainMs,
    pushes,
    dropped,
  };
}

console.log(describeRun(runInfo()));
await run(true); // warm-up: the JIT, the statement cache
const off = await run(false);
const on = await run(true);
const fmt = (n: number) => n.toFixed(2);
console.log(
  `\n${MESSAGES} messages, ${WINDOW} in flight, ${MEMBERS} offline members at level All\n`,
);
console.log(
  "| push | sends/s | ack p50 ms | ack p99 ms | pushes | dropped (queue full) | all pushed after ms |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [name, r] of [
  ["off", off],
  ["on", on],
] as const)
  console.log(
    `| ${name} | ${r.rate.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.pushes} | ${r.dropped} | ${r.drainMs.toFixed(0)} |`,
  );
console.log(
  `| on / off | ${fmt(on.rate / off.rate)}× | ${fmt(on.p50 / off.p50)}× | ${fmt(on.p99 / off.p99)}× | | | |`,
);
endpoint.kill();
