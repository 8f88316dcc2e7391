import type { Encoding } from "@parley/protocol";
import type { LatencySummary } from "./latency";
import type { ServerKind } from "./server-under-test";

/** One client the generator opens. */
export interface ClientPlan {
  /** Parley session token; without one the hello creates a guest. */
  token?: string;
  /** Parley channels to join with ChannelJoin right behind the hello. */
  join?: number[];
  /** Socket.IO only: use the socket.io-client package instead of a raw engine.io socket. */
  sioClient?: boolean;
  /** Baselines only: the room this client is in (its URL's `room`); without one, the room of all. */
  room?: number;
}

export interface ConnectArgs {
  kind: ServerKind;
  /** WebSocket URL (Socket.IO: the server's http URL is derived from it). */
  url: string;
  encoding: Encoding;
  clients: ClientPlan[];
  /** Connections being set up at once. */
  concurrency: number;
  /** Give up on one client after this long. */
  timeoutMs: number;
  /** Decode every frame these clients get, to know their seqs for a later resume. */
  trackSeqs?: boolean;
}

/** Reconnects clients opened before, with their token and, when `resume`, the seqs they hold. */
export interface ReconnectArgs {
  indices: number[];
  resume: boolean;
  concurrency: number;
  timeoutMs: number;
}

export interface ConnectResult {
  opened: number;
  failed: number;
  /** A few failure reasons, for the report. */
  failures: string[];
  elapsedMs: number;
  /** From the start of a client's attempt to its welcome. */
  hello: LatencySummary;
  /** From the start of a client's attempt to its last reply (welcome, or the last join). */
  ready: LatencySummary;
  /** Events frames received right after the welcomes (resume replays), and events in them. */
  replayFrames: number;
  replayEvents: number;
  resyncs: number;
  /** Index of the first client opened by this call. */
  firstIndex: number;
}

export interface SenderPlan {
  /** Index of the client that sends. */
  client: number;
  /** Parley channel id (ignored by the baselines). */
  channel: number;
}

export interface RunArgs {
  /** Offered messages per second, over all senders. */
  rate: number;
  durationMs: number;
  senders: SenderPlan[];
  /** Deliveries expected per message sent to a channel (its connected members). */
  membersPerChannel: Record<string, number>;
  contentBytes: number;
  /** Longest wait for stragglers after the last send. */
  drainMs: number;
}

export interface RunResult {
  rate: number;
  sent: number;
  expected: number;
  delivered: number;
  /** Delivered / expected. */
  deliveryRatio: number;
  /** Deliveries per second, from the first send to the last delivery. */
  deliveriesPerSec: number;
  /** Scheduled send time to delivery, every delivery. */
  latency: LatencySummary;
  /** Scheduled send time to ack (Parley only). */
  ack: LatencySummary;
  acksPerSec: number;
  errors: number;
  errorCodes: Record<string, number>;
  /** Deliveries of messages from an earlier step that arrived in this one. */
  stale: number;
  /** Frames that carried deliveries, and their payload bytes. */
  frames: number;
  frameBytes: number;
  /** Closes the server initiated during the step, by code. */
  closes: Record<string, number>;
  /** How late the sending loop fell behind its schedule at worst, ms. */
  maxSendLagMs: number;
  sendPhaseMs: number;
  drainPhaseMs: number;
}

export interface HistoryQuery {
  name: string;
  /** The History payload: c plus b / a / ar / l. */
  d: Record<string, number>;
  /** Send a Ping instead (no storage): the round trip's floor, measured beside the pages. */
  ping?: boolean;
}

export interface HistoryArgs {
  client: number;
  queries: HistoryQuery[];
  /** Requests per second over all kinds, round-robin. */
  rate: number;
  durationMs: number;
}

export interface HistoryResult {
  byQuery: Record<string, { latency: LatencySummary; events: number; errors: number }>;
}

export type WorkerRequest =
  | { cmd: "connect"; args: ConnectArgs }
  | { cmd: "reconnect"; args: ReconnectArgs }
  | { cmd: "close"; args: { indices?: number[] } }
  | { cmd: "run"; args: RunArgs }
  | { cmd: "history"; args: HistoryArgs }
  | { cmd: "lastSeqs"; args: { indices: number[] } }
  | { cmd: "exit"; args: Record<string, never> };

export interface WorkerReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}
