import { randomUUID } from "node:crypto";
import type { Socket } from "node:net";
import {
  type ClientOp,
  CloseCode,
  type Encoding,
  type Envelope,
  type ErrorPayload,
  encodeFrame,
  Op,
  type ReplyOf,
  type ServerPush,
} from "@parley/protocol";
import type { SessionRow, UserRow } from "../storage/storage";
import { ChannelRoles } from "./channel-roles";
import { rawSocketOf } from "./raw-socket";
import type { SharedFrame } from "./shared-frame";
import { type GatewaySocket, SOCKET_OPEN } from "./socket";
import type { WriteCoalescer } from "./write-coalescer";

export interface ConnectionOptions {
  /**
   * Bytes buffered for a socket (written but not yet taken by the kernel) above which ephemeral
   * frames are dropped and the socket is closed on its next stored event.
   */
  maxBufferedBytes: number;
  onFrameOut: (bytes: number) => void;
  /** Called once when the server closes this socket, with the close code. */
  onServerClose: (code: number) => void;
}

/**
 * One client socket: its encoding, identity, channel roles, and the outbound path. Knows
 * sockets and frames, not chat.
 */
export class Connection {
  readonly id = randomUUID();
  user?: UserRow;
  session?: SessionRow;
  /** Channels this connection is attached to, with the user's role in each. */
  readonly channels = new ChannelRoles();
  /** While a hello is in flight: the requests pipelined behind it. */
  preHello?: Envelope[];
  /** Set once the hello was accepted. */
  ready = false;
  closed = false;
  /** Whether a pong or any frame came since the last heartbeat ping (the gateway's heartbeat). */
  alive = true;
  /** Which of the gateway's heartbeat groups pings this connection. */
  heartbeatGroup = 0;
  /** Closes the socket unless it is welcomed in time; cleared at the welcome. */
  helloTimer?: NodeJS.Timeout;

  constructor(
    readonly ws: GatewaySocket,
    readonly encoding: Encoding,
    readonly ip: string,
    /** Protocol version asked for by the subprotocol (1 when none was offered). */
    readonly protocolVersion: number,
    private readonly coalescer: WriteCoalescer,
    private readonly options: ConnectionOptions,
  ) {
    this.raw = rawSocketOf(ws);
  }

  /** The TCP socket under `ws`, looked up once: every write corks it. */
  private readonly raw: Socket | undefined;

  /**
   * Made on first use, like `refusals`: most connections never join a channel mid-session
   * nor get refused, and an empty set or array still costs every one of them its table.
   */
  private joins?: Set<number>;
  private refusals?: number[];
  /** Bytes written in the current turn (still corked), and that turn. */
  private turnBytes = 0;
  private turn = -1;

  /** Channels a join is in flight for (their user-topic announcement is the join's own). */
  get joining(): Set<number> {
    this.joins ??= new Set();
    return this.joins;
  }

  /** Whether a join of this channel is in flight, without making the set. */
  isJoining(channelId: number): boolean {
    return this.joins?.has(channelId) ?? false;
  }

  /** Records an error reply; returns how many fell within the last `windowMs`. */
  recordRefusal(windowMs: number, now = Date.now()): number {
    const recent = this.refusals?.filter((t) => t > now - windowMs) ?? [];
    recent.push(now);
    this.refusals = recent;
    return recent.length;
  }

  /** A server-wide admin (the user row's `isAdmin`, read at the hello). */
  isAdmin = false;

  /** The actor for stored events and permission checks. Only valid after hello. */
  get actor(): {
    id: number;
    name: string;
    isGuest: boolean;
    isAdmin: boolean;
    createdAt: number;
  } {
    const user = this.user!;
    return {
      id: user.id,
      name: user.username,
      isGuest: user.isGuest,
      isAdmin: this.isAdmin,
      createdAt: user.createdAt,
    };
  }

  /** Answers request `requestId` of op `op` (nothing when the request had no id). */
  reply(op: number, requestId: number | undefined, data: ReplyOf<ClientOp>): void {
    if (requestId === undefined) return;
    this.encodeAndWrite({ o: op, r: requestId, d: data });
  }

  /** An error reply to request `requestId`, or an unsolicited error when it is undefined. */
  error(payload: ErrorPayload, requestId?: number): void {
    if (requestId === undefined) this.sendFrame({ o: Op.Error, d: payload });
    else this.encodeAndWrite({ o: Op.Error, r: requestId, d: payload });
  }

  /** Sends a push to this socket alone (pushes to many go through `sendShared`). */
  sendFrame(frame: ServerPush): void {
    this.encodeAndWrite(frame);
  }

  private encodeAndWrite(frame: object): void {
    const encoded = encodeFrame(this.encoding, frame);
    this.write(typeof encoded === "string" ? Buffer.from(encoded) : encoded, false);
  }

  /** Sends a frame shared with other sockets; `ephemeral` frames are dropped first under backpressure. */
  sendShared(frame: SharedFrame, ephemeral = false): void {
    this.write(frame.bytes(this.encoding), ephemeral);
  }

  /**
   * Bytes written to this socket that the kernel has not taken yet (this turn's included); 0
   * once the server closed it, as nothing more is written and it cannot be shed again.
   */
  get buffered(): number {
    return this.closed ? 0 : this.ws.bufferedAmount;
  }

  /**
   * Closes a reader too slow to keep (4002) and drops its socket at once, freeing what it holds
   * buffered; the client reconnects and resumes.
   */
  shed(reason = "slow consumer"): void {
    this.close(CloseCode.SlowConsumer, reason);
    this.ws.terminate();
  }

  close(code: number, reason = ""): void {
    if (this.closed) return;
    this.closed = true;
    this.options.onServerClose(code);
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  private write(bytes: Buffer | Uint8Array, ephemeral: boolean): void {
    if (this.closed || this.ws.readyState !== SOCKET_OPEN) return;
    if (this.turn !== this.coalescer.turn) {
      this.turn = this.coalescer.turn;
      this.turnBytes = 0;
    }
    // Behind by more than the bound (not counting this turn's corked writes): drop what can be
    // lost, close what cannot (the client resumes).
    if (this.ws.bufferedAmount - this.turnBytes > this.options.maxBufferedBytes) {
      if (ephemeral) return;
      // A reader this slow would hold unbounded memory; it can reconnect and resume.
      this.shed();
      return;
    }
    if (this.raw) this.coalescer.cork(this.raw);
    this.ws.send(bytes, { binary: this.encoding === "msgpack" });
    this.turnBytes += bytes.byteLength;
    this.options.onFrameOut(bytes.byteLength);
  }
}
