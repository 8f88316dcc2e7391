/**
 * The load generator: a process of its own (pinned to its own core by the orchestrator) that
 * holds every client connection, sends on an open-loop schedule and measures deliveries. It
 * takes commands over the IPC channel (see load-protocol.ts) and answers each with a result.
 *
 * Clients are bare `ws` sockets speaking each server's protocol by hand: Parley's hello, join
 * and send; the ws relay's plain text; Socket.IO's engine.io framing (plus a few real
 * socket.io-client sockets as senders). Deliveries are found by scanning frame bytes for the
 * send stamp (marker.ts) instead of decoding every frame.
 */
import {
  decodeFrame,
  type Encoding,
  encodeFrame,
  Op,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
} from "@parley/protocol";
import { io, type Socket as SioSocket } from "socket.io-client";
import WebSocket from "ws";
import { LatencyHistogram } from "./latency";
import type {
  ClientPlan,
  ConnectArgs,
  ConnectResult,
  HistoryArgs,
  HistoryResult,
  ReconnectArgs,
  RunArgs,
  RunResult,
  WorkerReply,
  WorkerRequest,
} from "./load-protocol";
import { nowUs, scanStamps, scanStampsInString, stampedContent } from "./marker";
import type { ServerKind } from "./server-under-test";

interface Frame {
  o: number;
  r?: number;
  d?: Record<string, unknown>;
}

interface Client {
  index: number;
  kind: ServerKind;
  url: string;
  encoding: Encoding;
  plan: ClientPlan;
  ws?: WebSocket;
  sio?: SioSocket;
  token?: string;
  nextRequest: number;
  /** Requests waiting for their reply, by request id. */
  waiting: Map<number, (frame: Frame) => void>;
  /** Sends waiting for their ack: request id → scheduled time (µs). */
  unacked: Map<number, number>;
  /** Highest seq held per channel (kept while `trackSeqs`). */
  seqs: Map<number, number>;
  /** Set while the client is being (re)connected: counts replay frames after the welcome. */
  setup?: { replayFrames: number; replayEvents: number };
  /** Decode every frame of this client to keep its seqs (for a later resume). */
  track: boolean;
  closedByUs: boolean;
}

const clients: Client[] = [];
/** Decode every Events frame to keep each client's seqs (needed for resume); off under load. */
let trackSeqs = false;
let nonceCounter = 0;
const RUN_ID = Math.random().toString(36).slice(2, 8);

// Counters of the current step.
let stepStartUs = 0;
const latency = new LatencyHistogram();
const ackLatency = new LatencyHistogram();
let delivered = 0;
let stale = 0;
let lastDeliveryUs = 0;
let frames = 0;
let frameBytes = 0;
let acks = 0;
let lastAckUs = 0;
let errors = 0;
let errorCodes: Record<string, number> = {};
let closes: Record<string, number> = {};

function onStamp(scheduledUs: number, now: number): void {
  if (scheduledUs < stepStartUs) {
    stale++;
    return;
  }
  delivered++;
  lastDeliveryUs = now;
  latency.record(now - scheduledUs);
}

function countDeliveries(data: Buffer): number {
  const now = nowUs();
  const n = scanStamps(data, (ts) => onStamp(ts, now));
  if (n > 0) {
    frames++;
    frameBytes += data.length;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Parley

/** The op of an encoded Parley frame, read from its first bytes without decoding it. */
function opOf(encoding: Encoding, data: Buffer): number {
  if (encoding === "json") {
    // {"o":NNN,...
    let op = 0;
    for (let k = 5; k < data.length; k++) {
      const c = data[k]!;
      if (c < 48 || c > 57) break;
      op = op * 10 + c - 48;
    }
    return op;
  }
  // de 00 NN a1 6f <positive fixint>
  const b = data[5];
  return b !== undefined && b < 0x80 ? b : -1;
}

function onParleyFrame(client: Client, data: Buffer, isBinary: boolean): void {
  if (opOf(client.encoding, data) === Op.Events && !trackSeqs && !client.track && !client.setup) {
    countDeliveries(data);
    return;
  }
  const frame = decodeFrame(
    client.encoding,
    isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString(),
  ) as Frame;
  if (frame.o === Op.Events) {
    countDeliveries(data);
    const d = frame.d as { c: number; e: { s: number }[] };
    const last = d.e.at(-1)?.s ?? 0;
    if (last > (client.seqs.get(d.c) ?? 0)) client.seqs.set(d.c, last);
    if (client.setup) {
      client.setup.replayFrames++;
      client.setup.replayEvents += d.e.length;
    }
    return;
  }
  if (frame.o === Op.Error) {
    errors++;
    const code = String((frame.d as { c?: number } | undefined)?.c ?? "?");
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  }
  if (frame.r === undefined) return;
  const scheduled = client.unacked.get(frame.r);
  if (scheduled !== undefined) {
    client.unacked.delete(frame.r);
    if (frame.o === Op.MessageSend) {
      const now = nowUs();
      acks++;
      lastAckUs = now;
      ackLatency.record(now - scheduled);
    }
    return;
  }
  const waiter = client.waiting.get(frame.r);
  if (waiter) {
    client.waiting.delete(frame.r);
    waiter(frame);
  }
}

function parleySend(client: Client, frame: { o: number; r?: number; d?: unknown }): void {
  const encoded = encodeFrame(client.encoding, frame);
  client.ws!.send(encoded, { binary: client.encoding === "msgpack" });
}

/** Sends a request; resolves with its reply, or with op -1 when none came within `timeoutMs`. */
function request(client: Client, o: number, d?: unknown, timeoutMs = 30_000): Promise<Frame> {
  const r = client.nextRequest++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.waiting.delete(r);
      resolve({ o: -1, d: { m: "no reply" } });
    }, timeoutMs);
    client.waiting.set(r, (frame) => {
      clearTimeout(timer);
      resolve(frame);
    });
    if (client.ws?.readyState === WebSocket.OPEN)
      parleySend(client, d === undefined ? { o, r } : { o, r, d });
  });
}

/** Opens a bare socket; `onMessage` is attached at once, since a server may speak first. */
function openSocket(
  client: Client,
  protocols: string[],
  onMessage: (ws: WebSocket, data: Buffer, isBinary: boolean) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(client.url, protocols, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: 60_000,
  });
  client.ws = ws;
  ws.on("message", (data: Buffer, isBinary: boolean) => onMessage(ws, data, isBinary));
  client.closedByUs = false;
  ws.on("close", (code) => {
    if (!client.closedByUs) closes[String(code)] = (closes[String(code)] ?? 0) + 1;
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => {
      ws.off("error", reject);
      ws.on("error", () => {});
      resolve(ws);
    });
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

/** Opens a Parley client: hello (with token and seqs when resuming), then its joins, pipelined. */
async function openParley(
  client: Client,
  resume: boolean,
): Promise<{ helloUs: number; readyUs: number; resync: boolean }> {
  const start = nowUs();
  const protocol = client.encoding === "json" ? SUBPROTOCOL_JSON : SUBPROTOCOL_MSGPACK;
  await openSocket(client, [protocol], (_ws, data, isBinary) =>
    onParleyFrame(client, data, isBinary),
  );
  const hello: Record<string, unknown> = {};
  if (client.token) hello.tk = client.token;
  if (resume && client.seqs.size > 0) {
    hello.ls = Object.fromEntries([...client.seqs].map(([c, s]) => [String(c), s]));
  }
  const welcome = request(client, Op.Hello, hello);
  const joins = resume
    ? []
    : (client.plan.join ?? []).map((c) => request(client, Op.ChannelJoin, { c, l: 0 }));
  const w = await welcome;
  const helloUs = nowUs() - start;
  if (w.o !== Op.Hello) throw new Error(`hello failed: ${JSON.stringify(w.d)}`);
  const d = w.d as { st?: string; ch: { i: number; ls: number }[]; rs?: number[] };
  if (d.st) client.token = d.st;
  for (const ch of d.ch) if ((client.seqs.get(ch.i) ?? 0) < ch.ls) client.seqs.set(ch.i, ch.ls);
  for (const reply of await Promise.all(joins)) {
    if (reply.o !== Op.ChannelJoin) throw new Error(`join failed: ${JSON.stringify(reply.d)}`);
    const ch = (reply.d as { ch: { i: number; ls: number } }).ch;
    if ((client.seqs.get(ch.i) ?? 0) < ch.ls) client.seqs.set(ch.i, ch.ls);
  }
  return { helloUs, readyUs: nowUs() - start, resync: (d.rs?.length ?? 0) > 0 };
}

// ---------------------------------------------------------------------------------------------
// Baselines

async function openRelay(client: Client): Promise<{ helloUs: number; readyUs: number }> {
  const start = nowUs();
  await openSocket(client, [], (_ws, data) => countDeliveries(data));
  const us = nowUs() - start;
  return { helloUs: us, readyUs: us };
}

/** Socket.IO over a bare WebSocket: engine.io v4 open, namespace connect, ping/pong, events. */
async function openSocketIoRaw(client: Client): Promise<{ helloUs: number; readyUs: number }> {
  const start = nowUs();
  let connected: (us: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    connected = resolve;
  });
  await openSocket(client, [], (ws, data) => {
    const type = data[0];
    if (type === 0x34 /* 4: message */) {
      if (data[1] === 0x32 /* 2: event */) countDeliveries(data);
      else if (data[1] === 0x30 /* 0: connected */) connected(nowUs() - start);
    } else if (type === 0x32 /* 2: ping */) ws.send("3");
    else if (type === 0x30 /* 0: open */) ws.send("40");
  });
  const us = await done;
  return { helloUs: us, readyUs: us };
}

async function openSocketIoClient(client: Client): Promise<{ helloUs: number; readyUs: number }> {
  const start = nowUs();
  const socket = io(client.url.replace(/^ws/, "http").replace(/\/socket\.io\/.*$/, ""), {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    ...(client.plan.room === undefined ? {} : { query: { room: String(client.plan.room) } }),
  });
  client.sio = socket;
  socket.on("m", (text: string) => {
    const now = nowUs();
    const n = scanStampsInString(text, (ts) => onStamp(ts, now));
    if (n > 0) {
      frames++;
      frameBytes += text.length;
    }
  });
  socket.on("disconnect", (reason) => {
    if (!client.closedByUs) closes[reason] = (closes[reason] ?? 0) + 1;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });
  const us = nowUs() - start;
  return { helloUs: us, readyUs: us };
}

// ---------------------------------------------------------------------------------------------
// Commands

async function setUp(
  list: Client[],
  concurrency: number,
  timeoutMs: number,
  resume: boolean,
): Promise<ConnectResult> {
  const hello = new LatencyHistogram();
  const ready = new LatencyHistogram();
  const failures: string[] = [];
  let failed = 0;
  let replayFrames = 0;
  let replayEvents = 0;
  let resyncs = 0;
  const started = nowUs();
  let next = 0;
  const one = async (client: Client) => {
    client.setup = { replayFrames: 0, replayEvents: 0 };
    let timer: NodeJS.Timeout | undefined;
    try {
      const open =
        client.kind === "parley"
          ? openParley(client, resume)
          : client.kind === "ws-relay"
            ? openRelay(client)
            : client.plan.sioClient
              ? openSocketIoClient(client)
              : openSocketIoRaw(client);
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
      });
      const t = await Promise.race([open, timeout]);
      hello.record(t.helloUs);
      ready.record(t.readyUs);
      if ("resync" in t && t.resync) resyncs++;
      // Replays arrive right after the welcome; give them a moment before counting.
      if (resume) await new Promise((r) => setTimeout(r, 0));
    } catch (err) {
      failed++;
      if (failures.length < 5) failures.push(String((err as Error).message ?? err));
      client.ws?.terminate();
    } finally {
      clearTimeout(timer);
      replayFrames += client.setup.replayFrames;
      replayEvents += client.setup.replayEvents;
      client.setup = undefined;
    }
  };
  const lanes = Array.from({ length: Math.min(concurrency, list.length) }, async () => {
    while (next < list.length) await one(list[next++]!);
  });
  await Promise.all(lanes);
  return {
    opened: list.length - failed,
    failed,
    failures,
    elapsedMs: Math.round((nowUs() - started) / 1000),
    hello: hello.summary(),
    ready: ready.summary(),
    replayFrames,
    replayEvents,
    resyncs,
    firstIndex: list[0]?.index ?? clients.length,
  };
}

async function connect(args: ConnectArgs): Promise<ConnectResult> {
  const list = args.clients.map((plan) => {
    const client: Client = {
      index: clients.length,
      kind: args.kind,
      url:
        plan.room === undefined
          ? args.url
          : `${args.url}${args.url.includes("?") ? "&" : "?"}room=${plan.room}`,
      encoding: args.encoding,
      plan,
      nextRequest: 1,
      waiting: new Map(),
      unacked: new Map(),
      seqs: new Map(),
      track: args.trackSeqs ?? false,
      closedByUs: false,
    };
    if (plan.token) client.token = plan.token;
    clients.push(client);
    return client;
  });
  trackSeqs = true;
  try {
    return await setUp(list, args.concurrency, args.timeoutMs, false);
  } finally {
    trackSeqs = false;
  }
}

async function reconnect(args: ReconnectArgs): Promise<ConnectResult> {
  const list = args.indices.map((i) => clients[i]!);
  for (const c of list) {
    c.waiting.clear();
    c.unacked.clear();
  }
  trackSeqs = true;
  try {
    return await setUp(list, args.concurrency, args.timeoutMs, args.resume);
  } finally {
    trackSeqs = false;
  }
}

async function close(indices?: number[]): Promise<{ closed: number }> {
  const list = indices ? indices.map((i) => clients[i]!) : clients;
  // While clients go, keep their seqs current: the events of their last moments count for resume.
  trackSeqs = true;
  await Promise.all(
    list.map(async (c) => {
      c.closedByUs = true;
      if (c.sio) {
        c.sio.disconnect();
        c.sio = undefined;
        return;
      }
      const ws = c.ws;
      if (!ws || ws.readyState === WebSocket.CLOSED) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 5000);
        ws.once("close", () => {
          clearTimeout(timer);
          resolve();
        });
        ws.close(1000);
      });
    }),
  );
  trackSeqs = false;
  return { closed: list.length };
}

function resetStep(): void {
  stepStartUs = nowUs();
  latency.reset();
  ackLatency.reset();
  delivered = 0;
  stale = 0;
  lastDeliveryUs = stepStartUs;
  frames = 0;
  frameBytes = 0;
  acks = 0;
  lastAckUs = stepStartUs;
  errors = 0;
  errorCodes = {};
  closes = {};
}

function sendOne(client: Client, channel: number, scheduledUs: number, bytes: number): void {
  const content = stampedContent(scheduledUs, bytes);
  if (client.kind === "parley") {
    if (client.ws?.readyState !== WebSocket.OPEN) return;
    const r = client.nextRequest++;
    client.unacked.set(r, scheduledUs);
    const n = `${RUN_ID}${(nonceCounter++).toString(36)}`;
    if (client.encoding === "json") {
      client.ws.send(`{"o":20,"r":${r},"d":{"c":${channel},"n":"${n}","x":"${content}"}}`);
    } else parleySend(client, { o: Op.MessageSend, r, d: { c: channel, n, x: content } });
  } else if (client.sio) client.sio.emit("m", content);
  else if (client.kind === "ws-relay") client.ws?.send(content);
  else client.ws?.send(`42["m","${content}"]`);
}

async function run(args: RunArgs): Promise<RunResult> {
  resetStep();
  const total = Math.max(1, Math.round((args.rate * args.durationMs) / 1000));
  const intervalUs = 1e6 / args.rate;
  const senders = args.senders.map((s) => ({ client: clients[s.client]!, channel: s.channel }));
  let expected = 0;
  let sent = 0;
  let maxLagUs = 0;
  const start = stepStartUs;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowUs();
      while (sent < total) {
        const scheduled = start + sent * intervalUs;
        if (scheduled > now) break;
        maxLagUs = Math.max(maxLagUs, now - scheduled);
        const sender = senders[sent % senders.length]!;
        sendOne(sender.client, sender.channel, scheduled, args.contentBytes);
        expected += args.membersPerChannel[String(sender.channel)] ?? 0;
        sent++;
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendEnd = nowUs();
  const wantAcks = senders.some((s) => s.client.kind === "parley");
  // Drain: until everything arrived, nothing moved for a while, or the drain time ran out.
  let lastProgress = nowUs();
  let seen = delivered + acks;
  while (nowUs() - sendEnd < args.drainMs * 1000) {
    if (delivered >= expected && (!wantAcks || acks >= sent)) break;
    await new Promise((r) => setTimeout(r, 20));
    if (delivered + acks !== seen) {
      seen = delivered + acks;
      lastProgress = nowUs();
    } else if (nowUs() - lastProgress > 3_000_000) break;
  }
  const end = nowUs();
  // Over the whole step at least: a short step's last send is scheduled before its end.
  const stepUs = Math.max(args.durationMs * 1000, sendEnd - start);
  const deliverySpan = Math.max(lastDeliveryUs - start, stepUs);
  const ackSpan = Math.max(lastAckUs - start, stepUs);
  for (const s of senders) s.client.unacked.clear();
  return {
    rate: args.rate,
    sent,
    expected,
    delivered,
    deliveryRatio: expected > 0 ? delivered / expected : 0,
    deliveriesPerSec: Math.round(delivered / (deliverySpan / 1e6)),
    latency: latency.summary(),
    ack: ackLatency.summary(),
    acksPerSec: Math.round(acks / (ackSpan / 1e6)),
    errors,
    errorCodes,
    stale,
    frames,
    frameBytes,
    closes,
    maxSendLagMs: Math.round(maxLagUs / 1000),
    sendPhaseMs: Math.round((sendEnd - start) / 1000),
    drainPhaseMs: Math.round((end - sendEnd) / 1000),
  };
}

/**
 * Calls `fn` at `dueUs` (the `nowUs` clock) within a few microseconds: a timer to a little
 * before, then turns of the event loop. Timers alone fire up to 2 ms late, which at tens of
 * requests a second would be counted as the server's latency. (The fan-out loop keeps a 1 ms
 * tick instead: at its rates a send is due every millisecond anyway, and spinning would show
 * the generator busy when it is not.)
 */
function at(dueUs: number, fn: () => void): void {
  const waitMs = (dueUs - nowUs()) / 1000;
  if (waitMs > 2) setTimeout(fn, waitMs - 1.5);
  else setImmediate(fn);
}

async function history(args: HistoryArgs): Promise<HistoryResult> {
  const client = clients[args.client]!;
  const byName = new Map(
    args.queries.map((q) => [q.name, { h: new LatencyHistogram(), events: 0, errors: 0 }]),
  );
  const total = Math.max(1, Math.round((args.rate * args.durationMs) / 1000));
  const intervalUs = 1e6 / args.rate;
  const start = nowUs();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = nowUs();
      while (sent < total) {
        const scheduled = start + sent * intervalUs;
        if (scheduled > now) break;
        const q = args.queries[sent % args.queries.length]!;
        const stats = byName.get(q.name)!;
        inFlight.push(
          request(client, q.ping ? Op.Ping : Op.History, q.ping ? {} : q.d).then((reply) => {
            stats.h.record(nowUs() - scheduled);
            if (reply.o === Op.Ping) return;
            if (reply.o === Op.History) stats.events = (reply.d as { e: unknown[] }).e.length;
            else stats.errors++;
          }),
        );
        sent++;
      }
      if (sent >= total) resolve();
      else at(start + sent * intervalUs, tick);
    };
    tick();
  });
  await Promise.all(inFlight);
  const byQuery: HistoryResult["byQuery"] = {};
  for (const [name, s] of byName)
    byQuery[name] = { latency: s.h.summary(), events: s.events, errors: s.errors };
  return { byQuery };
}

async function handle(request: WorkerRequest): Promise<unknown> {
  switch (request.cmd) {
    case "connect":
      return connect(request.args);
    case "reconnect":
      return reconnect(request.args);
    case "close":
      return close(request.args.indices);
    case "run":
      return run(request.args);
    case "history":
      return history(request.args);
    case "lastSeqs":
      return request.args.indices.map((i) => Object.fromEntries(clients[i]?.seqs ?? []));
    case "exit":
      await close();
      setTimeout(() => process.exit(0), 50);
      return {};
  }
}

process.on("message", (message: { id: number; request: WorkerRequest }) => {
  handle(message.request).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies WorkerReply),
    (err: Error) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: err.stack ?? String(err),
      } satisfies WorkerReply),
  );
});
process.on("disconnect", () => process.exit(0));
