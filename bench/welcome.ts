/**
 * The welcome of a user in many channels with unread messages, measured in-process (a real node
 * on SQLite, reached through in-memory sockets: no network, no other process), against a user
 * in the same channels with nothing unread, in the same run:
 *
 *   node --import tsx bench/welcome.ts [--channels 500] [--messages 100] [--unread 50] [--rounds 40]
 *                                      [--cold]
 *
 * Both users are members of the same `channels` channels, each holding `messages` messages of
 * another user; "all read" has read every channel to its end, "unread" has `unread` messages
 * unread in each. The channels' writer stays connected, so the node has them open, unless
 * `--cold`. Prints, for each:
 * - server time: the node's handling of the hello, from the router taking the frame to the end
 *   of its `after` steps (the reply encoded and written, the connection live), split by phase
 *   with timers this script puts around the services and the hub the hello handler calls;
 * - client decode: the decoding of the welcome frame as the client does it (JSON);
 * - client wait: hello to welcome as a client sees it (server time, decode and the turns between);
 * - the read of the read state alone (the welcome's snapshot read);
 * and the ratios unread / all read.
 */
import { parseArgs } from "node:util";
import { ParleyClient } from "@parley/client";
import {
  decodeFrame,
  type Envelope,
  EventType,
  encodeFrame,
  MessageKind,
  Op,
  Role,
} from "@parley/protocol";
import { Connection } from "../packages/server/src/gateway/connection";
import { startInProcessNode } from "./lib/in-process-node";
import { describeRun, runInfo } from "./lib/machine";
import { markdownTable, ms } from "./lib/report";

const { values } = parseArgs({
  options: {
    channels: { type: "string", default: "500" },
    messages: { type: "string", default: "100" },
    unread: { type: "string", default: "50" },
    rounds: { type: "string", default: "40" },
    cold: { type: "boolean", default: false },
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
// With --cold nobody else is connected: each welcome opens the 500 channels on the node
// (subscribes to them and reads their last seqs) and closes them when it ends.
const writerClient = new ParleyClient({ url: "memory://parley", WebSocket, token: writer.token });
if (!values.cold) await writerClient.connect();

/** Server time of the hello being measured, by phase (ms); undefined between measured hellos. */
let phases: Map<string, number> | undefined;
/** The last measured welcome reply, for the client's decode. */
let welcomeReply: unknown;
const addTime = (phase: string, since: number) => {
  if (phases) phases.set(phase, (phases.get(phase) ?? 0) + performance.now() - since);
};

/** Times every call of `obj[key]` (sync or async) as `phase` of the hello being measured. */
function timeCalls<T extends object>(obj: T, key: keyof T & string, phase: string): void {
  const original = (obj[key] as (...args: unknown[]) => unknown).bind(obj);
  (obj as Record<string, unknown>)[key] = (...args: unknown[]) => {
    const start = performance.now();
    const result = original(...args);
    if (result instanceof Promise) return result.finally(() => addTime(phase, start));
    addTime(phase, start);
    return result;
  };
}

// The phases of the hello handler, in its order. "blocked" runs beside "channel list".
const PHASES = [
  "authenticate",
  "user topic",
  "channel list",
  "attach",
  "read state",
  "presence",
  "reply encode",
  "ready",
] as const;
const { services, hub, users, router } = node;
timeCalls(services.auth, "authenticate", "authenticate");
timeCalls(users, "add", "user topic");
timeCalls(services.channels, "userChannels", "channel list");
timeCalls(services.direct, "blocked", "blocked");
timeCalls(services.presence, "connect", "presence");
const attachThenRead = hub.attachThenRead.bind(hub);
hub.attachThenRead = (async (conn, channelIds, read, seqOf) => {
  const start = performance.now();
  const { snapshot, ready } = await attachThenRead(
    conn,
    channelIds,
    async () => {
      addTime("attach", start);
      const readStart = performance.now();
      try {
        return await read();
      } finally {
        addTime("read state", readStart);
      }
    },
    seqOf,
  );
  return {
    snapshot,
    ready: () => {
      const readyStart = performance.now();
      ready();
      addTime("ready", readyStart);
    },
  };
}) as typeof hub.attachThenRead;
const reply = Connection.prototype.reply;
Connection.prototype.reply = function (this: Connection, op, requestId, data) {
  if (op !== Op.Hello || !phases) return reply.call(this, op, requestId, data);
  welcomeReply = data;
  const start = performance.now();
  reply.call(this, op, requestId, data);
  addTime("reply encode", start);
};
const dispatch = router.dispatch.bind(router);
router.dispatch = async (conn: Connection, envelope: Envelope) => {
  if (envelope.o !== Op.Hello || !measuring) return dispatch(conn, envelope);
  phases = new Map();
  const start = performance.now();
  await dispatch(conn, envelope);
  addTime("server", start);
  measured = phases;
  phases = undefined;
};
let measuring = false;
let measured: Map<string, number> | undefined;
// The end of each measured connection (presence off in 500 channels, detaching) is awaited
// before the next hello, so it is not counted in it.
let closing: Promise<void> = Promise.resolve();
const closed = router.closed.bind(router);
router.closed = (conn: Connection) => {
  closing = closed(conn);
  return closing;
};

interface Welcome {
  /** Hello to welcome as the client waits for it. */
  client: number;
  /** The welcome frame's decoding, as the client does it. */
  decode: number;
  /** Server time by phase, "server" the whole. */
  server: Map<string, number>;
}

async function welcome(token: string): Promise<Welcome> {
  const client = new ParleyClient({ url: "memory://parley", WebSocket, token });
  measuring = true;
  const start = performance.now();
  const reply = await client.connect();
  const ms = performance.now() - start;
  measuring = false;
  if (reply.ch.length !== CHANNELS) throw new Error(`welcome lists ${reply.ch.length}`);
  await client.close();
  await closing;
  const server = measured;
  measured = undefined;
  if (!server) throw new Error("the hello was not measured");
  const frame = encodeFrame("json", { o: Op.Hello, r: 1, d: welcomeReply });
  const decodeStart = performance.now();
  decodeFrame("json", frame);
  return { client: ms, decode: performance.now() - decodeStart, server };
}

async function readMs(userId: number): Promise<number> {
  const start = performance.now();
  await storage.memberStates(userId);
  return performance.now() - start;
}

interface Samples {
  client: number[];
  decode: number[];
  read: number[];
  phases: Map<string, number[]>;
}
const samples: Record<string, Samples> = {};
for (const name of Object.keys(readers))
  samples[name] = { client: [], decode: [], read: [], phases: new Map() };
const check = await storage.memberStates(readers.unread.user.id);
const unreadTotal = [...check.values()].reduce((n, s) => n + s.read.uc, 0);
console.log(`unread user: ${unreadTotal} unread messages in all`);
for (let round = 0; round < ROUNDS + 3; round++)
  for (const [name, r] of Object.entries(readers)) {
    const w = await welcome(r.token);
    const read = await readMs(r.user.id);
    // The first rounds warm the statement cache and the JIT.
    if (round < 3) continue;
    const s = samples[name]!;
    s.client.push(w.client);
    s.decode.push(w.decode);
    s.read.push(read);
    for (const phase of ["server", "blocked", ...PHASES]) {
      const list = s.phases.get(phase) ?? [];
      list.push(w.server.get(phase) ?? 0);
      s.phases.set(phase, list);
    }
    // What no timed call covers: the handler's own code, guards, the command list.
    const timed = PHASES.reduce((n, phase) => n + (w.server.get(phase) ?? 0), 0);
    const rest = s.phases.get("handler, rest") ?? [];
    rest.push(w.server.get("server")! - timed);
    s.phases.set("handler, rest", rest);
  }

/** The nearest-rank percentile of a sample. */
function percentile(sample: readonly number[], p: number): number {
  const sorted = [...sample].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const [base, head] = [samples["all read"]!, samples.unread!];
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const figure = (label: string, pick: (s: Samples) => number[]) => [
  label,
  ms(percentile(pick(base), 50)),
  ms(percentile(pick(base), 99)),
  ms(percentile(pick(head), 50)),
  ms(percentile(pick(head), 99)),
  ratio(percentile(pick(head), 50), percentile(pick(base), 50)),
];
console.log(`\n${describeRun(runInfo())}`);
console.log(
  `${CHANNELS} channels, ${ROUNDS} welcomes each (ms); unread: ${UNREAD} unread per channel\n`,
);
console.log(
  markdownTable(
    ["", "all read p50", "all read p99", "unread p50", "unread p99", "ratio p50"],
    [
      figure("server time", (s) => s.phases.get("server")!),
      figure("client decode", (s) => s.decode),
      figure("client wait (hello to welcome)", (s) => s.client),
      figure("read-state read alone", (s) => s.read),
    ],
  ),
);
console.log("\nServer time by phase (ms)\n");
console.log(
  markdownTable(
    ["phase", "all read p50", "all read p99", "unread p50", "unread p99", "ratio p50"],
    [...PHASES, "blocked", "handler, rest"].map((phase) =>
      figure(
        phase === "blocked" ? "blocked (beside channel list)" : phase,
        (s) => s.phases.get(phase)!,
      ),
    ),
  ),
);

await writerClient.close();
await parley.close();
