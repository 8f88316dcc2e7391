import { type ChannelEvent, EventType, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { MemberState, TypingState, typingLine } from "./channel-state";
import type { ClientEvents, ParleyClient } from "./client";
import { Emitter } from "./emitter";

/** Stands in for the client: the helpers only listen to its events. */
class FakeClient extends Emitter<ClientEvents> {
  fire<K extends keyof ClientEvents>(event: K, ...args: ClientEvents[K]) {
    this.emit(event, ...args);
  }
}

const message = (s: number, a: number): ChannelEvent => ({
  s,
  t: EventType.MessagePosted,
  ts: 0,
  a,
  an: `u${a}`,
  i: s,
  x: "hi",
  n: "n",
});

describe("typingLine", () => {
  it.each([
    [[], ""],
    [["alice"], "alice is typing…"],
    [["alice", "bob"], "alice and bob are typing…"],
    [["alice", "bob", "cy"], "alice, bob and cy are typing…"],
    [["alice", "bob", "c", "d", "e"], "alice, bob and 3 others are typing…"],
  ])("formats %j", (names, line) => {
    expect(typingLine(names)).toBe(line);
  });
});

describe("TypingState", () => {
  it("adds typists on start, removes them on stop and on their message", () => {
    const client = new FakeClient();
    const state = new TypingState(client as unknown as ParleyClient);
    client.fire("typing", { c: 1, u: 2, un: "bob", on: true });
    client.fire("typing", { c: 1, u: 3, un: "cy", on: true });
    client.fire("typing", { c: 2, u: 4, un: "di", on: true });
    expect(state.names(1)).toEqual(["bob", "cy"]);
    client.fire("typing", { c: 1, u: 2, un: "bob", on: false });
    expect(state.names(1)).toEqual(["cy"]);
    client.fire("events", 1, [message(5, 3)]);
    expect(state.names(1)).toEqual([]);
    expect(state.names(2)).toEqual(["di"]);
    state.dispose();
  });
});

describe("MemberState", () => {
  it("keeps a big channel's list partial until its last page is added", () => {
    const client = new FakeClient();
    const state = new MemberState(client as unknown as ParleyClient);
    state.seed(1, [{ i: 1, n: "ann", rl: Role.Owner, on: true }], true);
    expect(state.hasMore(1)).toBe(true);
    state.addPage(1, [{ i: 2, n: "bob", rl: Role.Member, on: false }], false);
    expect(state.hasMore(1)).toBe(true);
    state.addPage(
      1,
      [
        { i: 2, n: "bob", rl: Role.Member, on: false },
        { i: 3, n: "cy", rl: Role.Member, on: true },
      ],
      true,
    );
    expect(state.hasMore(1)).toBe(false);
    expect(state.list(1).map((m) => m.n)).toEqual(["ann", "bob", "cy"]);
    state.seed(1, [{ i: 1, n: "ann", rl: Role.Owner, on: true }]);
    expect(state.hasMore(1)).toBe(false);
  });

  it("follows presence and membership events", () => {
    const client = new FakeClient();
    const state = new MemberState(client as unknown as ParleyClient);
    state.seed(1, [
      { i: 1, n: "ann", rl: Role.Owner, on: true },
      { i: 2, n: "bob", rl: Role.Member, on: false },
    ]);
    client.fire("presence", { c: 1, u: 2, un: "bob", on: true });
    expect(state.get(1, 2)?.on).toBe(true);
    client.fire("events", 1, [{ s: 9, t: EventType.MemberJoined, ts: 0, a: 3, an: "cy" }]);
    expect(state.list(1).map((m) => m.n)).toEqual(["ann", "bob", "cy"]);
    client.fire("events", 1, [
      {
        s: 10,
        t: EventType.RoleChanged,
        ts: 0,
        a: 1,
        an: "ann",
        u: 3,
        un: "cy",
        rl: Role.Moderator,
      },
    ]);
    expect(state.list(1).map((m) => m.n)).toEqual(["ann", "cy", "bob"]);
    client.fire("events", 1, [
      { s: 11, t: EventType.MemberKicked, ts: 0, a: 1, an: "ann", u: 2, un: "bob" },
    ]);
    client.fire("events", 1, [{ s: 12, t: EventType.MemberLeft, ts: 0, a: 3, an: "cy" }]);
    expect(state.list(1).map((m) => m.n)).toEqual(["ann"]);
    state.dispose();
  });
});

describe("MemberState › user changes", () => {
  it("renames a member and drops its guest flag in every channel it is in, once per change", () => {
    const client = new FakeClient();
    const state = new MemberState(client as unknown as ParleyClient);
    const guest = { i: 7, n: "guest-abc", g: true as const, rl: Role.Member, on: true };
    state.seed(1, [guest, { i: 8, n: "zed", rl: Role.Owner, on: true }]);
    state.seed(2, [guest]);
    state.seed(3, [{ i: 8, n: "zed", rl: Role.Owner, on: false }]);
    const changed: number[] = [];
    state.on("change", (c) => changed.push(c));

    client.fire("userUpdated", { i: 7, n: "gina" });
    expect(state.get(1, 7)).toEqual({ i: 7, n: "gina", rl: Role.Member, on: true });
    expect(state.get(2, 7)).toEqual({ i: 7, n: "gina", rl: Role.Member, on: true });
    expect(changed).toEqual([1, 2]);
    // The same change told again (through another channel) changes nothing.
    client.fire("userUpdated", { i: 7, n: "gina" });
    expect(changed).toEqual([1, 2]);
    expect(state.list(1).map((m) => m.n)).toEqual(["zed", "gina"]);
    // A profile arrives, then is cleared: the member follows, keeping its role and presence.
    client.fire("userUpdated", { i: 8, n: "zed", dn: "Zed Zebra", av: "A".repeat(22) });
    expect(state.get(1, 8)).toEqual({
      i: 8,
      n: "zed",
      dn: "Zed Zebra",
      av: "A".repeat(22),
      rl: Role.Owner,
      on: true,
    });
    client.fire("userUpdated", { i: 8, n: "zed" });
    expect(state.get(3, 8)).toEqual({ i: 8, n: "zed", rl: Role.Owner, on: false });
    state.dispose();
  });
});
