import { type EmptyPayload, Op, type PingReply, REQUEST_SCHEMAS } from "@parley/protocol";
import { describe, expect, expectTypeOf, it } from "vitest";
import { REGISTRY } from "./registry";
import { route } from "./route";

// The `@ts-expect-error` lines are checked by the compiler (`tsc` type-checks test files): each
// fails the build when the line under it compiles.

describe("route", () => {
  it("types a handler's reply by its op", () => {
    const ping = route<typeof Op.Ping>({
      schema: REQUEST_SCHEMAS[Op.Ping],
      guards: [],
      handle: () => ({ t: 5 }),
    });
    expect(ping.handle(undefined as never)).toEqual({ t: 5 });
    expectTypeOf(ping.handle).returns.toEqualTypeOf<PingReply | Promise<PingReply>>();
    expectTypeOf(REGISTRY[Op.ChannelLeave].handle).returns.toEqualTypeOf<
      EmptyPayload | Promise<EmptyPayload>
    >();
  });

  it("refuses a handler whose reply does not fit its op", () => {
    const schema = REQUEST_SCHEMAS[Op.Ping];
    // @ts-expect-error a Ping reply's `t` is a number.
    const late = route<typeof Op.Ping>({ schema, guards: [], handle: () => ({ t: "now" }) });
    const leave = route<typeof Op.ChannelLeave>({
      schema: REQUEST_SCHEMAS[Op.ChannelLeave],
      guards: [],
      // @ts-expect-error a ChannelLeave reply is empty.
      handle: async () => ({ left: true }),
    });
    expect([late.guards, leave.guards]).toEqual([[], []]);
  });
});
