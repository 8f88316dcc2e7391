import { CloseCode, ERRORS, Op } from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryNode } from "./memory-node";

/**
 * The router and its guards, on a real node reached through in-memory sockets: no port, no
 * TCP, so each case costs milliseconds. What needs the network is in the integration tests.
 */
describe("router and guards (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  it("answers an unknown op and a bad payload with their codes and keeps the connection", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    const unknown = await raw.request(99, {});
    expect(unknown).toMatchObject({ o: Op.Error, d: { c: ERRORS.UNKNOWN_OP.code, op: 99 } });
    const bad = await raw.request(Op.MessageSend, { c: "general", n: "x", x: "hi" });
    expect(bad).toMatchObject({
      o: Op.Error,
      d: { c: ERRORS.INVALID_PAYLOAD.code, op: Op.MessageSend },
    });
    expect((bad.d as { m: string }).m).toMatch(/^c: /);
    expect(await raw.request(Op.Ping, {})).toMatchObject({ o: Op.Ping });
  });

  it("closes a connection whose first frame is not a hello", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw();
    const refused = await raw.request(Op.ChannelList, {});
    expect(refused).toMatchObject({ d: { c: ERRORS.HELLO_REQUIRED.code } });
    expect(await raw.closed()).toBe(CloseCode.ProtocolViolation);
  });

  it("runs requests pipelined behind the hello after the welcome, in arrival order", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw();
    raw.send({ o: Op.Hello, r: 1, d: {} });
    raw.send({ o: Op.Ping, r: 2, d: {} });
    raw.send({ o: Op.Ping, r: 3, d: {} });
    await raw.waitFor((f) => f.r === 3);
    const order = raw.frames.filter((f) => f.r !== undefined).map((f) => f.r);
    expect(order).toEqual([1, 2, 3]);
    expect(raw.frames[0]).toMatchObject({ o: Op.Hello, r: 1 });
  });

  it("refuses a second hello", async () => {
    m = await MemoryNode.start();
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    const again = await raw.request(Op.Hello, {});
    expect(again).toMatchObject({ d: { c: ERRORS.ALREADY_HELLO.code } });
  });

  it("refuses a non-member's send and history with NOT_A_MEMBER", async () => {
    m = await MemoryNode.start();
    const owner = await m.connect();
    const { ch } = await owner.createChannel("members-only");
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    const send = await raw.request(Op.MessageSend, { c: ch.i, n: "n1", x: "hi" });
    expect(send).toMatchObject({ d: { c: ERRORS.NOT_A_MEMBER.code } });
    const history = await raw.request(Op.History, { c: ch.i });
    expect(history).toMatchObject({ d: { c: ERRORS.NOT_A_MEMBER.code } });
  });

  it("takes a join's rate-limit token before it looks the channel up", async () => {
    m = await MemoryNode.start({ PARLEY_RATE_LIMITS: "join=1/60" });
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    const first = await raw.request(Op.ChannelJoin, { c: 424242 });
    expect(first).toMatchObject({ d: { c: ERRORS.NO_SUCH_CHANNEL.code } });
    // The second is refused by the limit, before any database read of the missing channel.
    const second = await raw.request(Op.ChannelJoin, { c: 424242 });
    expect(second).toMatchObject({ d: { c: ERRORS.RATE_LIMITED.code } });
  });

  it("closes a connection past its refusal limit with 4003", async () => {
    m = await MemoryNode.start({ PARLEY_MAX_REFUSALS: "5" });
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    for (let i = 0; i < 6; i++) raw.send({ o: 99, r: i + 10, d: {} });
    expect(await raw.closed()).toBe(CloseCode.RateLimited);
    expect(raw.frames.filter((f) => f.o === Op.Error)).toHaveLength(6);
  });
});
