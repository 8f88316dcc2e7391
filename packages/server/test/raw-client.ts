import {
  decodeFrame,
  type Encoding,
  encodeFrame,
  type ServerFrame,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
} from "@parley/protocol";
import WebSocket from "ws";
import type { MemoryClientSocket } from "../src/gateway/memory-socket";

/** How a raw client's frames leave: over a `ws` socket or an in-memory pair. */
interface Transport {
  send(data: string | Uint8Array, binary: boolean): void;
  terminate(): void;
}

/**
 * A bare WebSocket speaking Parley frames by hand, for tests of malformed input: over a real
 * socket (`open`) or the client side of an in-memory pair (`over`).
 */
export class RawClient {
  readonly frames: ServerFrame[] = [];
  closeCode?: number;
  private nextId = 1_000_000;
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly transport: Transport,
    readonly encoding: Encoding,
    /** The `ws` socket, for a real connection. */
    readonly ws?: WebSocket,
  ) {}

  /** A frame arrived: text or bytes. */
  private received(data: string | Uint8Array): void {
    this.frames.push(decodeFrame(this.encoding, data) as ServerFrame);
    for (const w of this.waiters.splice(0)) w();
  }

  private ended(code: number): void {
    this.closeCode = code;
    for (const w of this.waiters.splice(0)) w();
  }

  /** A raw client on the client side of an in-memory pair (see `memory-node.ts`). */
  static over(socket: MemoryClientSocket, encoding: Encoding = "json"): Promise<RawClient> {
    const client = new RawClient(
      {
        send: (data, binary) => socket.send(data, { binary }),
        terminate: () => socket.terminate(),
      },
      encoding,
    );
    socket.addEventListener("message", (event: { data: string | ArrayBuffer }) =>
      client.received(typeof event.data === "string" ? event.data : new Uint8Array(event.data)),
    );
    socket.addEventListener("close", (event: { code: number }) => client.ended(event.code));
    return new Promise((resolve) => socket.addEventListener("open", () => resolve(client)));
  }

  static open(
    url: string,
    encoding: Encoding = "json",
    protocols?: string[],
    headers?: Record<string, string>,
    /** `autoPong: false` leaves the server's WebSocket pings unanswered. */
    options: { autoPong?: boolean } = {},
  ): Promise<RawClient> {
    const ws = new WebSocket(
      url,
      protocols ?? [encoding === "json" ? SUBPROTOCOL_JSON : SUBPROTOCOL_MSGPACK],
      { headers, ...options },
    );
    return new Promise((resolve, reject) => {
      ws.once("open", () => {
        const client = new RawClient(
          { send: (data, binary) => ws.send(data, { binary }), terminate: () => ws.terminate() },
          encoding,
          ws,
        );
        ws.on("message", (data: Buffer, isBinary: boolean) =>
          client.received(isBinary ? new Uint8Array(data) : data.toString()),
        );
        ws.on("close", (code: number) => client.ended(code));
        resolve(client);
      });
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  /** Sends bytes or text exactly as given. */
  sendRaw(data: string | Uint8Array, binary = this.encoding === "msgpack"): void {
    this.transport.send(data, binary);
  }

  send(frame: unknown): void {
    this.sendRaw(encodeFrame(this.encoding, frame));
  }

  /** Sends a frame with a fresh request id and resolves with the frame that answers it. */
  async request(o: number, d?: unknown): Promise<ServerFrame> {
    const r = this.nextId++;
    this.send(d === undefined ? { o, r } : { o, r, d });
    return this.waitFor((f) => f.r === r);
  }

  async waitFor(predicate: (f: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (this.closeCode !== undefined) throw new Error(`socket closed (${this.closeCode})`);
      if (Date.now() > deadline) throw new Error("timed out waiting for a frame");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async closed(timeoutMs = 5000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.closeCode === undefined) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await new Promise<void>((r) => this.waiters.push(r) && setTimeout(r, 50));
    }
    return this.closeCode;
  }

  close(): void {
    this.transport.terminate();
  }
}
