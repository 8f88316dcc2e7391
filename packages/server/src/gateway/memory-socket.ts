import { EventEmitter } from "node:events";
import type { RawData } from "ws";
import { type GatewaySocket, SOCKET_CLOSED, SOCKET_OPEN } from "./socket";

const CLOSING = 2;
/** The close code of a connection that ended without a close frame (as browsers report it). */
const ABNORMAL_CLOSURE = 1006;

type ClientListener = (event: never) => void;

/**
 * An in-memory WebSocket pair, the gateway's counterpart of fastify's `inject`: the server side
 * is a {@link GatewaySocket} the gateway accepts like a `ws` socket, the client side has the
 * browser's WebSocket API (what `@parley/client` uses). Nothing touches the network: frames
 * cross in a later turn of the event loop, in order, as they would over TCP, so routers,
 * guards and handlers can be tested fast while integration tests keep real sockets. The
 * transport never buffers (`bufferedAmount` is 0), so backpressure is for real-socket tests.
 */
export function memorySocketPair(
  protocol: string,
  options: { autoPong?: boolean } = {},
): { client: MemoryClientSocket; server: MemoryServerSocket } {
  const server = new MemoryServerSocket(protocol, options.autoPong ?? true);
  const client = new MemoryClientSocket(protocol, server);
  server.peer = client;
  return { client, server };
}

/** The server side of an in-memory pair. */
export class MemoryServerSocket extends EventEmitter implements GatewaySocket {
  readyState = SOCKET_OPEN;
  readonly bufferedAmount = 0;
  peer!: MemoryClientSocket;

  constructor(
    readonly protocol: string,
    private readonly autoPong: boolean,
  ) {
    super();
  }

  send(data: Buffer | Uint8Array, options: { binary: boolean }): void {
    if (this.readyState !== SOCKET_OPEN) return;
    // A copy, as a socket would carry: the gateway shares one buffer among many sockets.
    const bytes = Buffer.from(data);
    setImmediate(() => this.peer.receive(options.binary ? bytes : bytes.toString("utf8")));
  }

  ping(): void {
    if (this.readyState !== SOCKET_OPEN || !this.autoPong) return;
    setImmediate(() => {
      if (this.readyState === SOCKET_OPEN) this.emit("pong");
    });
  }

  close(code = 1005, reason = ""): void {
    if (this.readyState !== SOCKET_OPEN) return;
    this.readyState = CLOSING;
    setImmediate(() => this.closed(code, reason));
  }

  terminate(): void {
    if (this.readyState === SOCKET_CLOSED) return;
    this.readyState = CLOSING;
    setImmediate(() => this.closed(ABNORMAL_CLOSURE, ""));
  }

  /** A frame from the client. */
  receive(data: RawData, isBinary: boolean): void {
    if (this.readyState === SOCKET_OPEN) this.emit("message", data, isBinary);
  }

  /** Both sides closed with `code`: each learns it once. */
  closed(code: number, reason: string): void {
    if (this.readyState === SOCKET_CLOSED) return;
    this.readyState = SOCKET_CLOSED;
    this.peer.closed(code, reason);
    this.emit("close", code, Buffer.from(reason));
  }
}

/** The client side of an in-memory pair: the subset of the browser's WebSocket Parley uses. */
export class MemoryClientSocket {
  readyState = 0;
  binaryType = "arraybuffer";
  private readonly listeners = new Map<string, ClientListener[]>();

  constructor(
    readonly protocol: string,
    private readonly server: MemoryServerSocket,
  ) {
    setImmediate(() => {
      if (this.readyState !== 0) return;
      this.readyState = SOCKET_OPEN;
      this.dispatch("open", {});
    });
  }

  addEventListener(type: "open" | "close" | "message" | "error", listener: ClientListener): void {
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
  }

  /** Sends text or bytes; `binary` overrides the frame type (tests of mismatched frames). */
  send(data: string | ArrayBufferLike | Uint8Array, options: { binary?: boolean } = {}): void {
    if (this.readyState !== SOCKET_OPEN) return;
    const binary = options.binary ?? typeof data !== "string";
    const bytes =
      typeof data === "string"
        ? Buffer.from(data)
        : Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data));
    setImmediate(() => this.server.receive(bytes, binary));
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= CLOSING) return;
    this.readyState = CLOSING;
    setImmediate(() => this.server.closed(code, reason));
  }

  /** Drops the link without a close handshake, as a dead network would. */
  terminate(): void {
    if (this.readyState === SOCKET_CLOSED) return;
    this.readyState = CLOSING;
    setImmediate(() => this.server.closed(ABNORMAL_CLOSURE, ""));
  }

  /** A frame from the server: text as a string, binary as an ArrayBuffer (as in browsers). */
  receive(data: string | Buffer): void {
    if (this.readyState !== SOCKET_OPEN) return;
    const payload =
      typeof data === "string"
        ? data
        : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    this.dispatch("message", { data: payload });
  }

  closed(code: number, reason: string): void {
    if (this.readyState === SOCKET_CLOSED) return;
    this.readyState = SOCKET_CLOSED;
    this.dispatch("close", { code, reason, wasClean: code !== ABNORMAL_CLOSURE });
  }

  private dispatch(type: string, event: object): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: object) => void)(event);
  }
}
