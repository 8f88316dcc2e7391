import type { ParleyClient } from "@parley/client";
import { CLIENT_OPS, ERRORS, EventType, Op } from "@parley/protocol";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";
import { RawClient } from "./raw-client";

const packr = new Packr({ useRecords: false });

/**
 * MessagePack of a value; a value nested deeper than the packer's stack allows is written by
 * hand (fixarray headers around the innermost value), so the server still sees the deep frame.
 */
function pack(value: unknown): Uint8Array {
  try {
    return packr.pack(value);
  } catch {
    if (Array.isArray(value) && value.length === 1) {
      // Unwrap the whole chain at once: packing level by level would retry the deep rest each time.
      let depth = 0;
      let inner: unknown = value;
      while (Array.isArray(inner) && inner.length === 1) {
        inner = inner[0];
        depth++;
      }
      return Buffer.concat([Buffer.alloc(depth, 0x91), pack(inner)]);
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > 15) throw new Error("too many keys for a fixmap");
    return Buffer.concat([
      Buffer.from([0x80 | entries.length]),
      ...entries.flatMap(([k, v]) => [packr.pack(k), pack(v)]),
    ]);
  }
}

/** Frames per encoding; two encodings make 10,000. */
const FRAMES_PER_ENCODING = 5000;
const BATCH = 50;

/** Arbitrary values a client could put anywhere: the usual, and the edge cases. */
function junk(): fc.Arbitrary<unknown> {
  const deep = fc.integer({ min: 100, max: 3000 }).map((depth) => {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  });
  return fc.oneof(
    fc.jsonValue(),
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme", maxLength: 5000 }),
    fc.constantFrom(
      "\uD800",
      "\uDFFF",
      "\u0000",
      "\u202E",
      "\uFEFF",
      "e\u0301",
      "👩‍👩‍👧‍👦",
      "a".repeat(4001),
    ),
    fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -0, 1e308, -1e308, 2 ** 31, 2 ** 32, -1, 0.5),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    deep,
  );
}

/** A frame body aimed at one op: its real fields with real-looking or junk values. */
function payloadFor(channelId: number): fc.Arbitrary<Record<string, unknown>> {
  const field = fc.oneof(
    junk(),
    fc.constant(channelId),
    fc.nat(10),
    fc.constant("👍"),
    fc.constant(true),
  );
  return fc.dictionary(
    fc.oneof(
      fc.constantFrom(
        "c",
        "n",
        "x",
        "b",
        "a",
        "ar",
        "l",
        "m",
        "e",
        "on",
        "tk",
        "rt",
        "ls",
        "q",
        "af",
        "tp",
      ),
      fc.string({ maxLength: 4 }),
    ),
    field,
    { maxKeys: 6 },
  );
}

type Sent = { kind: "object"; r: number } | { kind: "raw" };

describe("fuzzing", () => {
  let server: TestServer;
  let listener: ParleyClient;
  let channelId: number;

  beforeAll(async () => {
    server = await new TestServer().start();
    listener = await server.connect();
    channelId = (await listener.createChannel("fuzz-all")).ch.i;
  });
  afterAll(() => server.stop());

  for (const encoding of ["json", "msgpack"] as const) {
    it(`survives ${FRAMES_PER_ENCODING} generated ${encoding} frames over every op, answering each`, {
      timeout: 120_000,
    }, async () => {
      const fuzzer = await RawClient.open(server.wsUrl, encoding);
      await fuzzer.request(Op.Hello, {});
      const heard = collect(listener, channelId);
      const frame = fc.oneof(
        {
          weight: 6,
          arbitrary: fc.record({
            o: fc.constantFrom(...CLIENT_OPS, 0, 3, 99, 100, -1, 2 ** 40),
            d: fc.oneof(payloadFor(channelId), junk()),
          }),
        },
        { weight: 1, arbitrary: junk().map((v) => ({ raw: v })) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => ({ bytes: b })) },
      );
      let nextR = 1;
      let sent = 0;
      let round = 0;
      while (sent < FRAMES_PER_ENCODING) {
        round++;
        const batch = fc.sample(frame, BATCH);
        const expected: Sent[] = [];
        for (const f of batch) {
          if ("bytes" in f) {
            fuzzer.sendRaw(f.bytes, true);
            expected.push({ kind: "raw" });
          } else if ("raw" in f) {
            const text = JSON.stringify(f.raw);
            if (encoding === "json") fuzzer.sendRaw(text ?? "undefined", false);
            else fuzzer.sendRaw(pack(f.raw), true);
            expected.push({ kind: "raw" });
          } else {
            const r = nextR++;
            const body = { ...f, r };
            if (encoding === "json") fuzzer.sendRaw(JSON.stringify(body), false);
            else fuzzer.sendRaw(pack(body), true);
            expected.push({ kind: "object", r });
          }
        }
        sent += batch.length;
        // Every frame with a request id is answered exactly once: a reply or a coded error.
        const ids = expected.filter((e) => e.kind === "object").map((e) => (e as { r: number }).r);
        await until(
          () => ids.every((r) => fuzzer.frames.some((f) => f.r === r)),
          20_000,
          `answers in round ${round}`,
        );
        for (const r of ids) expect(fuzzer.frames.filter((f) => f.r === r)).toHaveLength(1);
        // And the connection still works: rejoin (a fuzzed leave may have run), send, deliver.
        await fuzzer.request(Op.ChannelJoin, { c: channelId, l: 0 });
        const ack = await fuzzer.request(Op.MessageSend, {
          c: channelId,
          n: `${encoding}-${round}`,
          x: `alive ${encoding} ${round}`,
        });
        expect(ack.o).toBe(Op.MessageSend);
        await until(() =>
          heard.some(
            (e) => e.t === EventType.MessagePosted && e.x === `alive ${encoding} ${round}`,
          ),
        );
      }
      const errors = fuzzer.frames
        .filter((f) => f.o === Op.Error)
        .map((f) => (f.d as { c: number }).c);
      expect(errors).not.toContain(ERRORS.INTERNAL.code);
      expect(fuzzer.closeCode).toBeUndefined();
      fuzzer.close();
    });
  }
});
