/**
 * The welcome of a user in many channels with unread messages, measured in-process (a real node
 * on SQLite, reached through in-memory sockets: no network, no other process), against a user
 * in the same channels with nothing unread, in the same run:
 *
 *   node --import tsx bench/welcome.ts [--channels 500] [--messages 100] [--unread 50] [--rounds 40]
 *
 * Both users are members of the same `channels` channels, each holding `messages` messages of
 * another user; "all read" has read every channel to its end, "unread" has `unread` messages
 * unread in each. Prints, for each, the time from hello to welcome (p50, p99, what a client
 * waits for, the welcome's decoding included) and the read of the read state alone (the
 * welcome's snapshot read), and the ratios unread / all read.
 */
import { parseArgs } from "node:util";
import { ParleyClient } from "@parley/client";
import { EventType, MessageKind, Role } from "@parley/protocol";
import { startInProcessNode } from "./lib/in-process-node";

const { values } = parseArgs({
  options: {
    channels: { type: "string", default: "500" },
    messages: { type: "string", default: "100" },
    unread: { type: "string", default: "50" },
    rounds: { type: "string", default: "40" },
  },
});
const CHANNELS = Number(values.channels);
const MESSAGES = Number(values.messages);
const UNREAD = Number(values.unread);
const ROUNDS = Number(values.rounds);

const parley = await startInProcessNode("welcome", {
  PARLEY_MAX_CHANNELS_PER_USER: String(CHANNELS + 10),
});
const { node, WebSocket } = parley;
const { storage } = parley.engines;
const { auth } = node.services;

// Seed: a writer's channels, both readers in each, `MESSAGES` messages per channel.
const writer = await auth.register("writer", "correct horse battery");
const readers = {
  "all read": await auth.register("allread", "correct horse battery"),
  unread: await auth.register("unread", "correct horse battery"),
};
const actor = (u: { user: { id: number; username: string } }) => ({
  id: u.user.id,
  name: u.user.username,
});
const seedStart = performance.now();
for (let c = 0; c < CHANNELS; c++) {
  const { channel } = await storage.createChannel({
    name: `room-${c}`,
    topic: "",
    owner: actor(writer),
  });
  for (const r of Object.values(readers))
    await storage.addMember(channel.id, r.user.id, Role.Member, {
      type: EventType.MemberJoined,
      actor: actor(r),
    });
  const acks = await storage.appendMessages(
    Array.from({ length: MESSAGES }, (_, k) => ({
      channelId: channel.id,
      author: actor(writer),
      nonce: `m${k}`,
      content: `message ${k} of room ${c}, with a few more words in it`,
      kind: MessageKind.Text,
    })),
  );
  const last = acks.at(-1)!;
  if (!last.ok) throw new Error("seed send failed");
  await storage.markRead(readers["all read"].user.id, channel.id, last.event.s);
  await storage.markRead(readers.unread.user.id, channel.id, last.event.s - UNREAD);
}
console.log(
  `seeded ${CHANNELS} channels × ${MESSAGES} messages in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
);

// The writer stays connected, as other members of busy channels are: the node keeps the
// channels open, so a welcome measures the welcome and not the opening of 500 channels.
const writerClient = new ParleyClient({ url: "memory://parley", WebSocket, token: writer.token });
await writerClient.connect();

async function welcomeMs(token: string): Promise<number> {
  const client = new ParleyClient({ url: "memory://parley", WebSocket, token });
  const start = performance.now();
  const welcome = await client.connect();
  const ms = performance.now() - start;
  if (welcome.ch.length !== CHANNELS) throw new Error(`welcome lists ${welcome.ch.length}`);
  await client.close();
  return ms;
}

async function readMs(userId: number): Promise<number> {
  const start = performance.now();
  await storage.memberStates(userId);
  return performance.now() - start;
}

const samples: Record<string, { welcome: number[]; read: number[] }> = {
  "all read": { welcome: [], read: [] },
  unread: { welcome: [], read: [] },
};
const check = await storage.memberStates(readers.unread.user.id);
const unreadTotal = [...check.values()].reduce((n, s) => n + s.read.uc, 0);
console.log(`unread user: ${unreadTotal} unread messages in all`);
for (let round = 0; round < ROUNDS + 3; round++)
  for (const [name, r] of Object.entries(readers)) {
    const w = await welcomeMs(r.token);
    const read = await readMs(r.user.id);
    // The first rounds warm the statement cache and the JIT.
    if (round < 3) continue;
    samples[name]!.welcome.push(w);
    samples[name]!.read.push(read);
  }

/** The nearest-rank percentile of a sample. */
function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const fmt = (n: number) => n.toFixed(2);
const row = (name: string) => {
  const s = samples[name]!;
  return {
    welcomeP50: percentile(s.welcome, 50),
    welcomeP99: percentile(s.welcome, 99),
    readP50: percentile(s.read, 50),
    readP99: percentile(s.read, 99),
  };
};
const base = row("all read");
const head = row("unread");
console.log(`\n${CHANNELS} channels, ${ROUNDS} welcomes each (ms)\n`);
console.log("| user | welcome p50 | welcome p99 | read-state read p50 | read p99 |");
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const [name, r] of [
  ["all read", base],
  [`${UNREAD} unread per channel`, head],
] as const)
  console.log(
    `| ${name} | ${fmt(r.welcomeP50)} | ${fmt(r.welcomeP99)} | ${fmt(r.readP50)} | ${fmt(r.readP99)} |`,
  );
console.log(
  `| ratio | ${fmt(head.welcomeP50 / base.welcomeP50)}× | ${fmt(head.welcomeP99 / base.welcomeP99)}× | ${fmt(head.readP50 / base.readP50)}× | ${fmt(head.readP99 / base.readP99)}× |`,
);

await writerClient.close();
await parley.close();
