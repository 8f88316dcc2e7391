import type { ParleyClient } from "@parley/client";
import { CLIENT_OPS, CloseCode, ERRORS, EventType, LIMITS, Op } from "@parley/protocol";
import fc from "fast-check";
import { Packr } from "msgpackr";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, TestServer, until } from "./harness";
import { RawClient } from "./raw-client";

const packr = new Packr({ useRecords: false });

/** Frames that are wrong in every way we can think of, and in ways fast-check thinks of. */
function badFrame(channelId: number) {
  const op = fc.constantFrom(
    ...CLIENT_OPS.filter((o) => o !== Op.ChannelLeave),
    0,
    3,
    99,
    100,
    -1,
    2 ** 31,
    1.5,
  );
  const value = fc.oneof(
    fc.jsonValue(),
    fc.string(),
    fc.integer(),
    fc.double(),
    fc.constant(null),
    fc.constant(undefined),
  );
  const envelope = fc.record(
    {
      o: fc.oneof(op, value),
      r: fc.oneof(fc.nat(), value),
      d: fc.oneof(value, fc.dictionary(fc.string({ maxLength: 3 }), value)),
    },
    { requiredKeys: [] },
  );
  // A valid request with one field swapped for junk.
  const mutated = fc
    .tuple(
      fc.constantFrom(
        { o: Op.MessageSend, d: { c: channelId, n: "n", x: "hi" } },
        { o: Op.History, d: { c: channelId, b: 5, l: 10 } },
        { o: Op.ReactionAdd, d: { c: channelId, m: 1, e: "👍" } },
        { o: Op.ChannelJoin, d: { c: channelId } },
        { o: Op.Typing, d: { c: channelId, on: true } },
      ),
      fc.constantFrom("c", "n", "x", "b", "l", "m", "e", "on", "zz"),
      value,
    )
    .map(([frame, key, junk]) => ({ ...frame, r: 1, d: { ...frame.d, [key]: junk } }));
  return fc.oneof(
    fc.string().map((s) => ({ text: s })),
    fc.string({ unit: "binary" }).map((s) => ({ text: s })),
    fc.jsonValue().map((v) => ({ value: v })),
    envelope.map((v) => ({ value: v })),
    mutated.map((v) => ({ value: v })),
    fc.uint8Array({ maxLength: 64 }).map((b) => ({ bytes: b })),
  );
}

describe("bad input", () => {
  let server: TestServer;
  let listener: ParleyClient;
  let channelId: number;

  beforeAll(async () => {
    server = await new TestServer().start();
    listener = await server.connect();
    channelId = (await listener.createChannel("fuzz")).ch.i;
  });
  afterAll(() => server.stop());

  for (const encoding of ["json", "msgpack"] as const) {
    it(`answers fuzzed ${encoding} frames with coded errors and keeps the connection working`, async () => {
      const fuzzer = await RawClient.open(server.wsUrl, encoding);
      const welcome = await fuzzer.request(Op.Hello, {});
      expect(welcome.o).toBe(Op.Hello);
      await fuzzer.request(Op.ChannelJoin, { c: channelId });
      const heard = collect(listener, channelId);
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(badFrame(channelId), { minLength: 1, maxLength: 40 }),
          async (frames) => {
            round++;
            for (const f of frames) {
              if ("text" in f) fuzzer.sendRaw(f.text, false);
              else if ("bytes" in f) fuzzer.sendRaw(f.bytes, true);
              else if (encoding === "json")
                fuzzer.sendRaw(JSON.stringify(f.value) ?? "undefined", false);
              else fuzzer.sendRaw(packr.pack(f.value), true);
            }
            // The connection still answers and still delivers.
            const ack = await fuzzer.request(Op.MessageSend, {
              c: channelId,
              n: `${encoding}-${round}`,
              x: `alive ${round}`,
            });
            expect(ack.o).toBe(Op.MessageSend);
            await until(() =>
              heard.some((e) => e.t === EventType.MessagePosted && e.x === `alive ${round}`),
            );
          },
        ),
        { numRuns: 25 },
      );
      const codes = new Set(
        fuzzer.frames.filter((f) => f.o === Op.Error).map((f) => (f.d as { c: number }).c),
      );
      expect(codes.has(ERRORS.BAD_FRAME.code)).toBe(true);
      expect(codes.has(ERRORS.INVALID_PAYLOAD.code) || codes.has(ERRORS.UNKNOWN_OP.code)).toBe(
        true,
      );
      expect(codes.has(ERRORS.INTERNAL.code)).toBe(false);
      expect(fuzzer.closeCode).toBeUndefined();
      fuzzer.close();
    });
  }

  it("names the field of an invalid payload and echoes the request id", async () => {
    const raw = await RawClient.open(server.wsUrl);
    await raw.request(Op.Hello, {});
    const reply = await raw.request(Op.MessageSend, { c: channelId, n: "x", x: "   " });
    expect(reply).toMatchObject({
      o: Op.Error,
      d: { c: ERRORS.INVALID_PAYLOAD.code, op: Op.MessageSend },
    });
    expect((reply.d as { m: string }).m).toMatch(/^x: /);
    const unknown = await raw.request(77, {});
    expect(unknown).toMatchObject({ o: Op.Error, d: { c: ERRORS.UNKNOWN_OP.code } });
    const tooLong = await raw.request(Op.MessageSend, {
      c: channelId,
      n: "y",
      x: "a".repeat(LIMITS.contentMax + 1),
    });
    expect(tooLong).toMatchObject({ d: { c: ERRORS.INVALID_PAYLOAD.code } });
    raw.close();
  });

  it("runs requests pipelined behind the hello after the welcome", async () => {
    const raw = await RawClient.open(server.wsUrl);
    raw.send({ o: Op.Hello, r: 1, d: {} });
    raw.send({ o: Op.ChannelList, r: 2, d: {} });
    raw.send({ o: Op.Ping, r: 3, d: {} });
    await raw.waitFor((f) => f.r === 2);
    await raw.waitFor((f) => f.r === 3);
    const replies = raw.frames.filter((f) => f.r !== undefined).map((f) => [f.o, f.r]);
    // The welcome comes first; replies to later requests may come in any order.
    expect(replies[0]).toEqual([Op.Hello, 1]);
    expect(replies.slice(1)).toEqual(
      expect.arrayContaining([
        [Op.ChannelList, 2],
        [Op.Ping, 3],
      ]),
    );
    raw.close();
  });

  it("requires hello first and closes a connection that starts otherwise", async () => {
    const raw = await RawClient.open(server.wsUrl);
    raw.send({ o: Op.MessageSend, r: 1, d: { c: channelId, n: "n", x: "hi" } });
    const err = await raw.waitFor((f) => f.o === Op.Error);
    expect(err.d).toMatchObject({ c: ERRORS.HELLO_REQUIRED.code });
    expect(await raw.closed()).toBe(CloseCode.ProtocolViolation);
  });

  it("closes an oversized frame with 1009 and loses nothing already accepted", async () => {
    const sender = await server.connect({ reconnect: false });
    await sender.joinChannel(channelId);
    const ack = await sender.send(channelId, "accepted before the big one");
    const closed = sender.waitFor("disconnect");
    sender.sendRaw(
      JSON.stringify({
        o: Op.MessageSend,
        r: 9,
        d: { c: channelId, n: "big", x: "a".repeat(LIMITS.maxFrameBytes) },
      }),
    );
    expect((await closed)[0].code).toBe(CloseCode.TooLarge);
    const page = await listener.history(channelId, { around: ack.s, limit: 3 });
    expect(page.e.some((e) => e.s === ack.s && e.t === EventType.MessagePosted)).toBe(true);
    // The server is fine.
    const next = await server.connect();
    expect(next.user).toBeDefined();
  });

  it("rejects a second hello and an unsupported protocol version", async () => {
    const raw = await RawClient.open(server.wsUrl);
    await raw.request(Op.Hello, {});
    const again = await raw.request(Op.Hello, {});
    expect(again.d).toMatchObject({ c: ERRORS.ALREADY_HELLO.code });
    raw.close();
    const future = await RawClient.open(server.wsUrl, "json", ["parley.v9.json"]);
    const refused = await future.request(Op.Hello, {});
    expect(refused.d).toMatchObject({ c: ERRORS.UNSUPPORTED_VERSION.code });
    expect(await future.closed()).toBe(CloseCode.UnsupportedVersion);
  });

  it("checks the Origin of an upgrade", async () => {
    await expect(
      RawClient.open(server.wsUrl, "json", undefined, { origin: "https://evil.example" }),
    ).rejects.toThrow(/403/);
    const same = await RawClient.open(server.wsUrl, "json", undefined, { origin: server.url });
    await same.request(Op.Hello, {});
    same.close();
  });
});
