import {
  CloseCode,
  decodeFrame,
  type Encoding,
  type Envelope,
  encodingOf,
  envelopeSchema,
  Op,
  PROTOCOL_VERSION,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
  versionOf,
} from "@parley/protocol";
import type { Logger } from "pino";
import type { RawData } from "ws";
import { ParleyError } from "../errors";
import type { Metrics } from "../metrics";
import type { Router } from "../router/router";
import { Connection, type ConnectionOptions } from "./connection";
import { OutboundBudget } from "./outbound-budget";
import { type GatewaySocket, SOCKET_CLOSED } from "./socket";
import { WriteCoalescer } from "./write-coalescer";

/** Requests a client may pipeline behind its hello before the welcome. */
const PRE_HELLO_MAX = 64;

/** Closes a connection that was not welcomed in time (one function for all their timers). */
function helloTimedOut(conn: Connection): void {
  conn.helloTimer = undefined;
  if (!conn.ready) conn.close(CloseCode.HelloTimeout, "no hello");
}

function clearHelloTimer(conn: Connection): void {
  clearTimeout(conn.helloTimer);
  conn.helloTimer = undefined;
}

export interface GatewayOptions {
  /** Where every decoded request goes, and the end of every connection. */
  router: Router;
  metrics: Metrics;
  logger: Logger;
  helloTimeoutMs: number;
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** Bytes all sockets together may hold buffered; the largest are shed (4002) above it. */
  maxBufferedTotal: number;
  /** Allowed origins; null = same origin only. */
  origins: string[] | null;
  /** Open sockets per client address. */
  maxConnectionsPerIp: number;
}

/**
 * How often the heartbeat ticks: an interval is spread over ticks this far apart, each pinging
 * one group of connections (a ping costs tens of microseconds of socket write, so 10,000 in
 * one turn held the loop for a quarter of a second).
 */
const HEARTBEAT_TICK_MS = 50;

/**
 * The WebSocket edge: origin check, subprotocol, hello timeout, heartbeat, decoding, and the
 * per-connection outbound path. Knows sockets, not chat: requests and the end of a connection go
 * to the router.
 */
export class Gateway {
  /** Open sockets and their connections; the sockets' shared listeners look them up here. */
  private readonly connections = new Map<GatewaySocket, Connection>();
  private readonly perIp = new Map<string, number>();
  private readonly coalescer = new WriteCoalescer();
  private readonly heartbeat: NodeJS.Timeout;
  /**
   * The connections in groups, one per tick of an interval, by arrival: each tick of the
   * heartbeat visits one group, so each connection is still visited once per interval, but no
   * turn pings more than a group.
   */
  private readonly beatGroups: Set<Connection>[];
  private beatTick = 0;
  private joinGroup = 0;
  /** One options object for every connection (closures per connection would cost each one). */
  private readonly connectionOptions: ConnectionOptions;
  private readonly socketListeners = this.createSocketListeners();

  constructor(private readonly options: GatewayOptions) {
    const metrics = options.metrics;
    const budget = new OutboundBudget({
      maxBytes: options.maxBufferedTotal,
      sockets: () => this.connections.values(),
      onShed: () => metrics.outboundShed.inc(),
    });
    metrics.observeOutboundBuffered(() => budget.total());
    this.connectionOptions = {
      maxBufferedBytes: options.maxBufferedBytes,
      onServerClose: (code) => metrics.serverCloses.inc({ code: String(code) }),
      onFrameOut: (bytes) => {
        metrics.framesOut.inc();
        metrics.bytesOut.inc(bytes);
        budget.wrote(bytes);
      },
    };
    const ticks = Math.max(1, Math.round(options.heartbeatMs / HEARTBEAT_TICK_MS));
    this.beatGroups = Array.from({ length: ticks }, () => new Set());
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs / ticks);
    this.heartbeat.unref();
  }

  /**
   * Whether an upgrade from this Origin may proceed: one of the allowed origins, or, when none
   * are configured, the server's own origin as the request reached it (`own`: scheme, host and
   * port). Origins are compared whole, so `http://host` is not `https://host`. Requests without
   * Origin (non-browsers) may.
   */
  originAllowed(origin: string | undefined, own: string): boolean {
    if (!origin) return true;
    const of = (url: string) => {
      try {
        return new URL(url).origin;
      } catch {
        return undefined;
      }
    };
    const given = of(origin);
    if (given === undefined || given === "null") return false;
    if (this.options.origins) return this.options.origins.some((o) => of(o) === given);
    return of(own) === given;
  }

  /** Picks our subprotocol from the client's offer: JSON first when both are offered. */
  static selectProtocol(offered: Set<string>): string | false {
    if (offered.has(SUBPROTOCOL_JSON)) return SUBPROTOCOL_JSON;
    if (offered.has(SUBPROTOCOL_MSGPACK)) return SUBPROTOCOL_MSGPACK;
    // Another version of ours: accept, so that hello can answer UNSUPPORTED_VERSION clearly.
    for (const p of offered) if (versionOf(p) !== undefined) return p;
    return false;
  }

  /** Whether another socket from this address is allowed. */
  ipAllowed(ip: string): boolean {
    return (this.perIp.get(ip) ?? 0) < this.options.maxConnectionsPerIp;
  }

  get size(): number {
    return this.connections.size;
  }

  /** Takes a new socket; `ip` is the client's address (from the proxy's header when trusted). */
  accept(ws: GatewaySocket, ip: string): void {
    const protocol = ws.protocol;
    const encoding: Encoding =
      encodingOf(protocol) ?? (protocol.endsWith(".msgpack") ? "msgpack" : "json");
    const version = protocol ? (versionOf(protocol) ?? -1) : PROTOCOL_VERSION;
    const conn = new Connection(ws, encoding, ip, version, this.coalescer, this.connectionOptions);
    this.connections.set(ws, conn);
    conn.heartbeatGroup = this.joinGroup;
    this.beatGroups[this.joinGroup]!.add(conn);
    this.joinGroup = (this.joinGroup + 1) % this.beatGroups.length;
    this.perIp.set(conn.ip, (this.perIp.get(conn.ip) ?? 0) + 1);
    this.options.metrics.connections.inc();
    conn.helloTimer = setTimeout(helloTimedOut, this.options.helloTimeoutMs, conn);
    const on = this.socketListeners;
    ws.on("pong", on.pong);
    ws.on("message", on.message);
    ws.on("error", on.error);
    ws.on("close", on.close);
  }

  /**
   * The listeners of every socket, created once: `ws` calls a listener with its socket as
   * `this`, and the connection is looked up from it. Closures per socket would cost every
   * connection four functions and their contexts.
   */
  private createSocketListeners() {
    const gateway = this;
    const connections = this.connections;
    return {
      pong(this: GatewaySocket): void {
        const conn = connections.get(this);
        if (conn) conn.alive = true;
      },
      message(this: GatewaySocket, data: RawData, isBinary: boolean): void {
        const conn = connections.get(this);
        if (conn) gateway.onFrame(conn, data, isBinary);
      },
      error(this: GatewaySocket, err: Error): void {
        // A malformed frame (which `ws` has answered with its close code) or a failed write:
        // drop the socket at once.
        gateway.options.logger.debug({ err, conn: connections.get(this)?.id }, "socket error");
        this.terminate();
      },
      close(this: GatewaySocket): void {
        const conn = connections.get(this);
        if (conn) void gateway.onClose(conn);
      },
    };
  }

  private onFrame(conn: Connection, data: RawData, isBinary: boolean): void {
    this.options.metrics.framesIn.inc();
    // Closed by the server (refusal limit, slow consumer…): what the client still sends while
    // the close handshake runs is not read.
    if (conn.closed) return;
    // Any frame proves the link as well as a pong does (clients that cannot answer WebSocket
    // pings stay alive on their Ping ops).
    conn.alive = true;
    const router = this.options.router;
    let decoded: unknown;
    try {
      if (isBinary !== (conn.encoding === "msgpack"))
        throw new Error("frame type does not match the subprotocol");
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      decoded = decodeFrame(
        conn.encoding,
        conn.encoding === "json" ? bytes.toString("utf8") : bytes,
      );
    } catch {
      router.fail(conn, undefined, undefined, new ParleyError("BAD_FRAME"));
      return;
    }
    const envelope = envelopeSchema.safeParse(decoded);
    if (!envelope.success) {
      const r = (decoded as { r?: unknown } | null)?.r;
      const requestId =
        Number.isInteger(r) && (r as number) >= 0 && (r as number) <= 0xffffffff
          ? (r as number)
          : undefined;
      router.fail(
        conn,
        undefined,
        requestId,
        new ParleyError("BAD_FRAME", "A frame is an object {o, r?, d?}"),
      );
      return;
    }
    if (conn.ready) {
      void router.dispatch(conn, envelope.data);
      return;
    }
    if (!conn.preHello) {
      if (envelope.data.o !== Op.Hello) {
        router.fail(conn, envelope.data.o, envelope.data.r, new ParleyError("HELLO_REQUIRED"));
        conn.close(CloseCode.ProtocolViolation, "hello required");
        return;
      }
      // Requests pipelined behind the hello wait for it, then run in arrival order.
      const queue: Envelope[] = [];
      conn.preHello = queue;
      void router.dispatch(conn, envelope.data).then(() => {
        // Welcomed: the hello timer has nothing left to guard.
        if (conn.ready) clearHelloTimer(conn);
        for (const queued of queue.splice(0)) void router.dispatch(conn, queued);
        conn.preHello = undefined;
      });
      return;
    }
    if (conn.preHello.length >= PRE_HELLO_MAX) {
      router.fail(
        conn,
        envelope.data.o,
        envelope.data.r,
        new ParleyError("RATE_LIMITED", "Too many requests before the welcome"),
      );
      return;
    }
    conn.preHello.push(envelope.data);
  }

  private async onClose(conn: Connection): Promise<void> {
    conn.closed = true;
    clearHelloTimer(conn);
    if (!this.connections.delete(conn.ws)) return;
    this.beatGroups[conn.heartbeatGroup]!.delete(conn);
    const left = (this.perIp.get(conn.ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(conn.ip, left);
    else this.perIp.delete(conn.ip);
    this.options.metrics.connections.dec();
    await this.options.router.closed(conn);
  }

  /**
   * Every `heartbeatMs`, in ticks {@link HEARTBEAT_TICK_MS} apart of one group each: a socket from
   * which nothing (no pong, no frame) arrived since its previous ping is closed (4001), so a
   * silent client is dropped, and its presence cleared, less than two intervals after the last
   * thing it sent; the others are pinged.
   */
  private beat(): void {
    const group = this.beatGroups[this.beatTick]!;
    this.beatTick = (this.beatTick + 1) % this.beatGroups.length;
    for (const conn of group) {
      if (!conn.alive) {
        // Nothing since the last ping: the link is dead.
        conn.close(CloseCode.HeartbeatTimeout, "heartbeat timeout");
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        conn.ws.terminate();
      }
    }
  }

  /** Closes every socket with 1001 (going away) and waits until they are gone. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    const waits = [...this.connections.values()].map(
      (conn) =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState === SOCKET_CLOSED) return resolve();
          conn.ws.once("close", () => resolve());
          conn.close(CloseCode.GoingAway, "server shutting down");
          setTimeout(() => {
            conn.ws.terminate();
            resolve();
          }, 2000).unref();
        }),
    );
    await Promise.all(waits);
  }
}
