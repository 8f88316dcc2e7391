import { describe, expect, expectTypeOf, it } from "vitest";
import { type ClientOp, Op } from "./ops";
import type { Exhaustive, PushMap, PushOp, ReplyMap, ReplyOf, ServerPush } from "./server-frames";
import type { CommandReply, EmptyPayload, JoinReply, MessageAck, WelcomeReply } from "./types";

// These checks are made by the compiler (`tsc`, which type-checks test files): each
// `@ts-expect-error` fails the build when the line under it compiles, and each `expectTypeOf`
// fails it when the types differ. At run time they only have to load.

/** A push switch as clients write it: one case per op, and a `never` default. */
function describePush(push: ServerPush): string {
  switch (push.o) {
    case Op.Error:
      return `error ${push.d.c}`;
    case Op.Events:
      return `${push.d.e.length} events in ${push.d.c}`;
    case Op.TypingEvent:
      return `${push.d.un} typing`;
    case Op.PresenceEvent:
      return `${push.d.un} ${push.d.on ? "online" : "offline"}`;
    case Op.PresenceBatch:
      return `${push.d.p.length} presence changes in ${push.d.c}`;
    case Op.ChannelAdded:
      return `added to ${push.d.ch.n}`;
    case Op.ChannelRemoved:
      return `removed from ${push.d.c}: ${push.d.why}`;
    case Op.UserUpdated:
      return `user ${push.d.i} is ${push.d.n}`;
    case Op.ReplayDone:
      return "replay done";
    case Op.ReadState:
      return `read ${push.d.c} up to ${push.d.rs}`;
    case Op.NotifyChanged:
      return `notify ${push.d.c} at level ${push.d.nl}`;
    case Op.BlockChanged:
      return `${push.d.on ? "blocked" : "unblocked"} ${push.d.u}`;
    case Op.ReportChanged:
      return `report ${push.d.rp.id} is ${push.d.rp.st}`;
    default:
      return push satisfies never;
  }
}

/** The same switch missing a case: its `never` default no longer compiles. */
function describePushMissingReplayDone(push: ServerPush): string {
  switch (push.o) {
    case Op.Error:
    case Op.Events:
    case Op.TypingEvent:
    case Op.PresenceEvent:
    case Op.PresenceBatch:
    case Op.ChannelAdded:
    case Op.ChannelRemoved:
    case Op.UserUpdated:
    case Op.ReadState:
    case Op.NotifyChanged:
    case Op.BlockChanged:
    case Op.ReportChanged:
      return String(push.o);
    default:
      // @ts-expect-error ReplayDone has no case, so `push` is not `never` here.
      return push satisfies never;
  }
}

describe("the reply map", () => {
  it("types each client op's reply payload", () => {
    expectTypeOf<ReplyOf<typeof Op.Hello>>().toEqualTypeOf<WelcomeReply>();
    expectTypeOf<ReplyOf<typeof Op.ChannelJoin>>().toEqualTypeOf<JoinReply>();
    expectTypeOf<ReplyOf<typeof Op.ChannelCreate>>().toEqualTypeOf<JoinReply>();
    expectTypeOf<ReplyOf<typeof Op.MessageSend>>().toEqualTypeOf<MessageAck>();
    expectTypeOf<ReplyOf<typeof Op.Command>>().toEqualTypeOf<CommandReply>();
    expectTypeOf<ReplyOf<typeof Op.ChannelLeave>>().toEqualTypeOf<EmptyPayload>();
    expectTypeOf<keyof ReplyMap>().toEqualTypeOf<ClientOp>();
  });

  it("refuses a wrong reply payload", () => {
    // @ts-expect-error the ping reply's time is a number.
    const late: ReplyOf<typeof Op.Ping> = { t: "now" };
    // @ts-expect-error an empty reply has no keys.
    const chatty: ReplyOf<typeof Op.ChannelLeave> = { ok: true };
    // @ts-expect-error an ack has a seq, an id and a time.
    const partial: ReplyOf<typeof Op.MessageSend> = { s: 1, i: 2 };
    expectTypeOf([late, chatty, partial]).toBeArray();
  });

  it("refuses a map that misses an op or has one too many", () => {
    type WithoutCommand = Omit<ReplyMap, typeof Op.Command>;
    // @ts-expect-error Command has no reply type.
    expectTypeOf<Exhaustive<ClientOp, WithoutCommand>>().not.toBeNever();
    type WithAPush = ReplyMap & { [Op.Events]: EmptyPayload };
    // @ts-expect-error Events is not a client op.
    expectTypeOf<Exhaustive<ClientOp, WithAPush>>().not.toBeNever();
  });
});

describe("the server-push union", () => {
  it("covers every op that is not a client op, each with its payload", () => {
    expectTypeOf<ServerPush["o"]>().toEqualTypeOf<PushOp>();
    expectTypeOf<keyof PushMap>().toEqualTypeOf<PushOp>();
    expectTypeOf<Extract<ServerPush, { o: typeof Op.ChannelRemoved }>["d"]["why"]>().toEqualTypeOf<
      "left" | "kicked" | "banned" | "deleted"
    >();
    expectTypeOf<
      Extract<ServerPush, { o: typeof Op.ReplayDone }>["d"]
    >().toEqualTypeOf<EmptyPayload>();
  });

  it("refuses a push whose payload does not match its op", () => {
    // @ts-expect-error a ChannelRemoved reason is one of left, kicked, banned.
    const odd: ServerPush = { o: Op.ChannelRemoved, d: { c: 1, why: "expired" } };
    // @ts-expect-error a client op is not a push.
    const request: ServerPush = { o: Op.Ping, d: { t: 1 } };
    expectTypeOf([odd, request]).toBeArray();
  });

  it("makes a push switch without a case for every op fail to compile", () => {
    const pushes: ServerPush[] = [
      { o: Op.ReplayDone, d: {} },
      { o: Op.ChannelRemoved, d: { c: 3, why: "kicked" } },
    ];
    expect(pushes.map(describePush)).toEqual(["replay done", "removed from 3: kicked"]);
    expectTypeOf(describePushMissingReplayDone).returns.toBeString();
  });
});
