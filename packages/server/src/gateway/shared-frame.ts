import { type Encoding, encodeFrame } from "@parley/protocol";

/**
 * A server frame encoded at most once per encoding, however many sockets it goes to.
 * JSON is kept as a Buffer so that `ws` does not convert the string again for every socket.
 */
export class SharedFrame {
  private json?: Buffer;
  private msgpack?: Uint8Array;

  constructor(readonly frame: unknown) {}

  bytes(encoding: Encoding): Buffer | Uint8Array {
    if (encoding === "json") {
      this.json ??= Buffer.from(encodeFrame("json", this.frame) as string);
      return this.json;
    }
    this.msgpack ??= encodeFrame("msgpack", this.frame) as Uint8Array;
    return this.msgpack;
  }
}
