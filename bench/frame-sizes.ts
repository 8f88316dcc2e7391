/**
 * Prints the wire size of a typical chat message in Parley's two encodings, next to the seed
 * format Parley replaced. Run from the repository root:
 *
 *   node --import tsx bench/frame-sizes.ts
 *
 * Sizes are bytes of the WebSocket message payload (UTF-8 for JSON), without the WebSocket
 * frame header. Every value below has a fixed length, so the output is the same on every run.
 */
import { randomUUID } from "node:crypto";
import { type Encoding, EventType, encodeFrame, type MessageEvent, Op } from "@parley/protocol";

/** 2026-01-22T10:00:00.000Z, as Parley sends times: epoch milliseconds. */
const TS = Date.UTC(2026, 0, 22, 10, 0, 0);

/** The client's nonce for the send: a uuid4, as a typical client generates. */
const nonce = randomUUID();

/** What every member's socket receives: an Events frame with one MessagePosted event. */
const message: MessageEvent = {
  s: 42,
  t: EventType.MessagePosted,
  ts: TS,
  a: 1,
  an: "alice",
  i: 17,
  x: "hello",
  n: nonce,
};
const eventsFrame = { o: Op.Events, d: { c: 1, e: [message] } };

/** What alice's client sends: a MessageSend request with a request id. */
const sendFrame = { o: Op.MessageSend, r: 7, d: { c: 1, n: nonce, x: "hello" } };

/** The acknowledgement alice's client gets back. */
const ackFrame = { o: Op.MessageSend, r: 7, d: { s: 42, i: 17, ts: TS } };

/** The seed's chat frame, exactly as it was sent (one format for send and delivery). */
const seed = JSON.stringify({
  type: "chat_send",
  timestamp: "2026-01-22T10:00:00.000000",
  id: randomUUID(),
  payload: { channel_id: 1, sender: { username: "alice", is_guest: false }, content: "hello" },
});

function size(encoding: Encoding, frame: unknown): number {
  const encoded = encodeFrame(encoding, frame);
  return typeof encoded === "string" ? Buffer.byteLength(encoded, "utf8") : encoded.byteLength;
}

const seedBytes = Buffer.byteLength(seed, "utf8");

const rows: [string, string, number][] = [
  ["seed (JSON)", "`chat_send` message", seedBytes],
  ["`parley.v1.json`", "Events (100), one MessagePosted", size("json", eventsFrame)],
  ["`parley.v1.msgpack`", "Events (100), one MessagePosted", size("msgpack", eventsFrame)],
  ["`parley.v1.json`", "MessageSend (20) request", size("json", sendFrame)],
  ["`parley.v1.msgpack`", "MessageSend (20) request", size("msgpack", sendFrame)],
  ["`parley.v1.json`", "MessageSend (20) ack", size("json", ackFrame)],
  ["`parley.v1.msgpack`", "MessageSend (20) ack", size("msgpack", ackFrame)],
];

console.log("| Encoding | Frame | Bytes | vs seed |");
console.log("|---|---|---:|---:|");
for (const [encoding, frame, bytes] of rows) {
  const ratio = `${Math.round((bytes / seedBytes) * 100)} %`;
  console.log(`| ${encoding} | ${frame} | ${bytes} | ${ratio} |`);
}
console.log();
console.log(`Seed frame:   ${seed}`);
console.log(`Events frame: ${encodeFrame("json", eventsFrame) as string}`);
console.log(`Send frame:   ${encodeFrame("json", sendFrame) as string}`);
