import {
  decodeFrame,
  type Encoding,
  encodeFrame,
  type ServerFrame,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
} from "@parley/protocol";
import WebSocket from "ws";

/** A bare WebSocket speaking Parley frames by hand, for tests of malformed input. */
export class RawClient {
  readonly frames: ServerFrame[] = [];
  closeCode?: number;
  private nextId = 1_000_000;
  private readonly waiters: (() => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly encoding: Encoding,
  ) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      this.frames.push(
        decodeFrame(encoding, isBinary ? new Uint8Array(data) : data.toString()) as ServerFrame,
      );
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("close", (code: number) => {
      this.closeCode = code;
      for (const w of this.waiters.splice(0)) w();
    });
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
      ws.once("open", () => resolve(new RawClient(ws, encoding)));
      ws.once("error", reject);
      ws.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
  }

  /** Sends bytes or text exactly as given. */
  sendRaw(data: string | Uint8Array, binary = this.encoding === "msgpack"): void {
    this.ws.send(data, { binary });
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
    this.ws.terminate();
  }
}
