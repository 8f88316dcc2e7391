import type { ParleyClient } from "@parley/client";
import {
  type ChannelSummary,
  NotifyLevel,
  type NotifySetting,
  Op,
  type ReadState,
} from "@parley/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { until } from "./harness";
import { MemoryNode } from "./memory-node";

/** The welcome's summary of channel `c`. */
const inWelcome = (client: ParleyClient, c: number): ChannelSummary | undefined =>
  client.welcome?.ch.find((ch) => ch.i === c);

/** Read markers, unread counts and notification levels end to end through the SDK on a real node. */
describe("member state (in memory)", () => {
  let m: MemoryNode;
  afterEach(async () => {
    await m.stop();
  });

  /** Ann's channel, with bob (an account, so he can come back) as a member. */
  async function setup() {
    const ann = await m.connect();
    const { ch } = await ann.createChannel("reading");
    const token = await m.register("bobby");
    const bob = await m.connect({ token });
    await bob.joinChannel(ch.i);
    return { ann, bob, token, c: ch.i };
  }

  it("welcomes a returning member with the exact unread count and first unread", async () => {
    m = await MemoryNode.start();
    const { ann, bob, token, c } = await setup();
    const joined = bob.lastSeq.get(c)!;
    await bob.close();
    const first = await ann.send(c, "one");
    const gone = await ann.send(c, "soon deleted");
    await ann.send(c, "two");
    await ann.send(c, "are you there, @bobby?");
    await ann.send(c, "@here standup in five");
    await ann.deleteMessage(c, gone.i);
    await ann.react(c, first.i, "👍");
    const back = await m.connect({ token });
    // A guest's @here is plain text: one mention.
    expect(inWelcome(back, c)).toMatchObject({ rs: joined, uc: 4, um: 1, fu: first.s });
    // The author has nothing unread: its own messages never count (a marker at 0 moves nothing).
    expect(await ann.markRead(c, 0)).toMatchObject({ rs: 1, uc: 0 });
  });

  it("tells every connection of the user when one of them marks read", async () => {
    m = await MemoryNode.start();
    const { ann, bob, token, c } = await setup();
    const other = await m.connect({ token });
    const pushed: ReadState[] = [];
    other.on("readState", (s) => pushed.push(s));
    await ann.send(c, "one");
    const two = await ann.send(c, "two");
    const state = await bob.markRead(c, two.s - 1);
    expect(state).toEqual({ c, rs: two.s - 1, ls: two.s, uc: 1, um: 0, fu: two.s });
    await until(() => pushed.length === 1, 5000, "the other tab's read state");
    expect(pushed[0]).toEqual(state);
    // A marker never moves back, and the answer says where it is.
    expect(await bob.markRead(c, 1)).toMatchObject({ rs: two.s - 1, uc: 1 });
    expect(await other.markRead(c, two.s)).toMatchObject({ rs: two.s, uc: 0 });
    const third = await m.connect({ token });
    expect(inWelcome(third, c)).toMatchObject({ rs: two.s, uc: 0 });
    expect(inWelcome(third, c)?.fu).toBeUndefined();
  });

  it("refuses a marker in a channel the user left, and tells nobody", async () => {
    m = await MemoryNode.start();
    const { ann, bob, c } = await setup();
    const ack = await ann.send(c, "hello");
    await bob.leaveChannel(c);
    await expect(bob.markRead(c, ack.s)).rejects.toMatchObject({ errorName: "NOT_A_MEMBER" });
    const raw = await m.raw();
    await raw.request(Op.Hello, {});
    const reply = await raw.request(Op.MarkRead, { c, s: -1 });
    expect(reply).toMatchObject({ o: Op.Error, d: { c: 1002 } });
  });

  it("keeps a notification level per channel, the same in every tab and the next welcome", async () => {
    m = await MemoryNode.start();
    const { bob, token, c } = await setup();
    const other = await m.connect({ token });
    expect(inWelcome(other, c)?.nl).toBe(NotifyLevel.Mentions);
    const pushed: NotifySetting[] = [];
    other.on("notifyChanged", (s) => pushed.push(s));
    expect(await bob.setNotify(c, NotifyLevel.All)).toEqual({ c, nl: NotifyLevel.All });
    await until(() => pushed.length === 1, 5000, "the other tab's level");
    expect(pushed).toEqual([{ c, nl: NotifyLevel.All }]);
    const third = await m.connect({ token });
    expect(inWelcome(third, c)?.nl).toBe(NotifyLevel.All);
    const raw = await m.raw();
    await raw.request(Op.Hello, { tk: token });
    expect(await raw.request(Op.SetNotify, { c, nl: 4 })).toMatchObject({
      o: Op.Error,
      d: { c: 1002 },
    });
  });
});
