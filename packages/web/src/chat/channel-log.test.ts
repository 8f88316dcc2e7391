import { type ChannelEvent, EventType } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { applyReaction, mergeEvents, mergePage } from "./channel-log";

const msg = (s: number, i = s, a = 1): ChannelEvent => ({
  s,
  t: EventType.MessagePosted,
  ts: s * 1000,
  a,
  an: `u${a}`,
  i,
  x: `m${s}`,
  n: `n${s}`,
});
const react = (s: number, m: number, a: number, add = true): ChannelEvent => ({
  s,
  t: add ? EventType.ReactionAdded : EventType.ReactionRemoved,
  ts: 0,
  a,
  an: `u${a}`,
  m,
  e: "👍",
});

describe("mergeEvents", () => {
  it("inserts by seq once, whatever the arrival order", () => {
    const items = mergeEvents([msg(1)], [msg(3), msg(2), msg(3), msg(1)]);
    expect(items.map((e) => e.s)).toEqual([1, 2, 3]);
  });

  it("returns the same array when every event is already held", () => {
    const items = [msg(1), msg(2)];
    expect(mergeEvents(items, [msg(2)])).toBe(items);
  });

  it("applies reactions to the message they name, idempotently", () => {
    let items = mergeEvents([], [msg(1, 10)]);
    items = mergeEvents(items, [react(2, 10, 7), react(3, 10, 8), react(2, 10, 7)]);
    expect(items).toHaveLength(1);
    expect((items[0] as { r?: unknown }).r).toEqual([
      {
        e: "👍",
        u: [
          { i: 7, n: "u7" },
          { i: 8, n: "u8" },
        ],
      },
    ]);
    items = mergeEvents(items, [react(4, 10, 7, false), react(5, 10, 8, false)]);
    expect((items[0] as { r?: unknown }).r).toEqual([]);
  });

  it("ignores reactions to messages it does not hold", () => {
    const items = [msg(1, 10)];
    expect(mergeEvents(items, [react(2, 99, 7)])).toBe(items);
  });
});

describe("mergePage", () => {
  it("keeps held items, which carry live changes, and adds older ones", () => {
    const live = mergeEvents([msg(5, 5)], [react(6, 5, 2)]);
    const page = [msg(3), msg(4), { ...msg(5, 5), r: [] }];
    const merged = mergePage(live, page);
    expect(merged.map((e) => e.s)).toEqual([3, 4, 5]);
    expect(merged[2]).toBe(live[0]);
  });
});

describe("applyReaction", () => {
  it("drops an emoji whose last user removes it and keeps the others in order", () => {
    const start = [
      { e: "a", u: [{ i: 1, n: "x" }] },
      { e: "b", u: [{ i: 2, n: "y" }] },
    ];
    expect(applyReaction(start, "a", { i: 1, n: "x" }, false)).toEqual([start[1]]);
    expect(applyReaction(start, "b", { i: 3, n: "z" }, false)).toBe(start);
  });
});
