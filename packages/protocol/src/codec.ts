import { Packr } from "msgpackr";
import type { Encoding } from "./version";

// Plain maps only (no record extension), so any MessagePack library can read the frames.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: "number" });

/** Encodes a frame: a string (text frame) for JSON, bytes (binary frame) for MessagePack. */
export function encodeFrame(encoding: Encoding, frame: unknown): string | Uint8Array {
  return encoding === "json" ? JSON.stringify(frame) : packr.pack(frame);
}

/**
 * Decodes a frame. Throws on undecodable input; callers map that to BAD_FRAME.
 * A frame in the wrong form for the encoding (text on MessagePack, binary on JSON) is undecodable.
 */
export function decodeFrame(encoding: Encoding, data: string | Uint8Array): unknown {
  if (encoding === "json") {
    const text =
      typeof data === "string" ? data : new TextDecoder("utf-8", { fatal: true }).decode(data);
    return JSON.parse(text);
  }
  if (typeof data === "string") throw new Error("text frame on the MessagePack subprotocol");
  return packr.unpack(data);
}
