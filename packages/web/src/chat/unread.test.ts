import { type ChannelEvent, EventType, type MessageEvent } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { countUnread, markRead } from "./unread";

const msg = (s: number, a: number): ChannelEvent => ({
  s,
  t: EventType.MessagePosted,
  ts: 0,
  a,
  an: `u${a}`,
  i: s,
  x: "hi",
  n: `n${s}`,
});
const joined = (s: number): ChannelEvent => ({
  s,
  t: EventType.MemberJoined,
  ts: 0,
  a: 5,
  an: "e",
});

describe("countUnread", () => {
  const ctx = { active: 1, me: 9 };

  it("counts messages by others in channels that are not on screen", () => {
    let counts = countUnread({}, 2, [msg(1, 3), msg(2, 4), joined(3)], ctx);
    counts = countUnread(counts, 2, [msg(4, 3)], ctx);
    expect(counts).toEqual({ 2: 3 });
  });

  it("leaves the open channel at zero and ignores own messages", () => {
    const counts = {};
    expect(countUnread(counts, 1, [msg(1, 3)], ctx)).toBe(counts);
    expect(countUnread(counts, 2, [msg(1, 9)], ctx)).toBe(counts);
  });

  it("does not count a deleted message replayed as a tombstone", () => {
    const tombstone: ChannelEvent = {
      ...(msg(1, 3) as MessageEvent),
      x: "",
      dl: { u: 3, un: "u3", ts: 0 },
    };
    const counts = {};
    expect(countUnread(counts, 2, [tombstone], ctx)).toBe(counts);
  });
});

describe("markRead", () => {
  it("clears one channel and keeps the others", () => {
    expect(markRead({ 2: 3, 4: 1 }, 2)).toEqual({ 4: 1 });
    const counts = { 4: 1 };
    expect(markRead(counts, 2)).toBe(counts);
  });
});
