import { type ChannelEvent, EventType, type MessageEvent } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { applyReaction, mergeEvents, mergePage } from "./channel-log";

const msg = (s: number, i = s, a = 1): MessageEvent => ({
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

const edit = (s: number, m: number, v: number, x = `v${v}`): ChannelEvent => ({
  s,
  t: EventType.MessageEdited,
  ts: s * 1000,
  a: 1,
  an: "u1",
  m,
  v,
  x,
  ed: s * 1000,
});
const del = (s: number, m: number, a = 1, mod = false): ChannelEvent => ({
  s,
  t: EventType.MessageDeleted,
  ts: s * 1000,
  a,
  an: `u${a}`,
  m,
  ...(mod ? { mod: true as const } : {}),
});
const only = (items: readonly ChannelEvent[]) => items[0] as MessageEvent;

describe("mergeEvents with edits and deletions", () => {
  it("replaces content, version and edit time when the edit's version is above the one held", () => {
    const items = mergeEvents(mergeEvents([], [msg(1, 10)]), [edit(2, 10, 2, "fixed")]);
    expect(items).toHaveLength(1);
    expect(only(items)).toMatchObject({ s: 1, i: 10, x: "fixed", v: 2, ed: 2000 });
  });

  it("applies an edit once: a replay of it, or of an older one, changes nothing", () => {
    const items = mergeEvents([msg(1, 10)], [edit(2, 10, 2), edit(3, 10, 3)]);
    expect(only(items)).toMatchObject({ x: "v3", v: 3 });
    expect(mergeEvents(items, [edit(2, 10, 2), edit(3, 10, 3)])).toBe(items);
  });

  it("takes an edit's mentions as the message's, and a deletion drops them", () => {
    const mentioning = { ...msg(1, 10), mn: [4], mg: "here" as const };
    const renamed = { ...edit(2, 10, 2, "@carol"), mn: [6] } as ChannelEvent;
    const items = mergeEvents([mentioning], [renamed]);
    expect(only(items).mn).toEqual([6]);
    expect(only(items)).not.toHaveProperty("mg");
    const gone = mergeEvents(items, [del(3, 10)]);
    expect(only(gone)).not.toHaveProperty("mn");
  });

  it("keeps the reactions of an edited message", () => {
    const items = mergeEvents([msg(1, 10)], [react(2, 10, 7), edit(3, 10, 2)]);
    expect(only(items).r).toEqual([{ e: "👍", u: [{ i: 7, n: "u7" }] }]);
  });

  it("turns a deleted message into a tombstone: no content, no reactions, who and when", () => {
    const items = mergeEvents([msg(1, 10, 5)], [react(2, 10, 7), del(3, 10, 9, true)]);
    expect(only(items)).toMatchObject({ s: 1, i: 10, a: 5, x: "" });
    expect(only(items).r).toBeUndefined();
    expect(only(items).dl).toEqual({ u: 9, un: "u9", mod: true, ts: 3000 });
  });

  it("marks a deletion by the author without the moderator flag", () => {
    const items = mergeEvents([msg(1, 10)], [del(2, 10)]);
    expect(only(items).dl).toEqual({ u: 1, un: "u1", ts: 2000 });
  });

  it("lets nothing change a tombstone: no later edit, reaction or second deletion", () => {
    const items = mergeEvents([msg(1, 10)], [del(2, 10)]);
    expect(mergeEvents(items, [edit(3, 10, 2), react(4, 10, 7), del(5, 10, 8, true)])).toBe(items);
  });

  it("holds a replay correctly: the current-state message, then its changes, once", () => {
    // On resume the message row comes in its current state (edited twice, then deleted),
    // followed by the stored changes themselves.
    const current: ChannelEvent = {
      ...msg(1, 10),
      x: "",
      v: 3,
      ed: 3000,
      dl: { u: 1, un: "u1", ts: 4000 },
    };
    const items = mergeEvents([], [current, edit(2, 10, 2), edit(3, 10, 3), react(4, 10, 7)]);
    expect(only(items)).toEqual(current);
  });

  it("ignores edits and deletions of messages it does not hold", () => {
    const items = [msg(1, 10)];
    expect(mergeEvents(items, [edit(2, 99, 2), del(3, 99)])).toBe(items);
  });
});

describe("mergePage", () => {
  it("never rolls back a newer version held: a page read before the edit keeps it", () => {
    const items = mergeEvents([msg(1, 10)], [edit(2, 10, 2, "fixed")]);
    expect(mergePage(items, [msg(1, 10)])).toBe(items);
  });

  it("takes a page's newer state of a held message, keeping the reactions held", () => {
    const held = mergeEvents([msg(1, 10)], [react(2, 10, 7)]);
    const newer: ChannelEvent = { ...msg(1, 10), x: "fixed", v: 2, ed: 5000 };
    const items = mergePage(held, [newer]);
    expect(only(items)).toMatchObject({ x: "fixed", v: 2, ed: 5000 });
    expect(only(items).r).toEqual([{ e: "👍", u: [{ i: 7, n: "u7" }] }]);
  });

  it("takes a page's tombstone of a held message, without its reactions", () => {
    const held = mergeEvents([msg(1, 10)], [react(2, 10, 7)]);
    const tombstone: ChannelEvent = { ...msg(1, 10), x: "", dl: { u: 1, un: "u1", ts: 3000 } };
    expect(mergePage(held, [tombstone])).toEqual([tombstone]);
  });

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

const pin = (s: number, m: number, a: number, on = true, ts = s * 1000): ChannelEvent => ({
  s,
  t: on ? EventType.MessagePinned : EventType.MessageUnpinned,
  ts,
  a,
  an: `u${a}`,
  m,
});

describe("mergeEvents with pins", () => {
  it("pins the held message with the event's actor and time, and unpins it", () => {
    let items = mergeEvents([], [msg(1, 10)]);
    items = mergeEvents(items, [pin(2, 10, 7)]);
    expect(only(items).pn).toEqual({ u: 7, un: "u7", ts: 2000 });
    items = mergeEvents(items, [pin(3, 10, 8, false)]);
    expect(only(items).pn).toBeUndefined();
    expect(only(items).x).toBe("m1");
  });

  it("applies a replayed pin or unpin once: a repeat changes nothing", () => {
    let items = mergeEvents([], [msg(1, 10)]);
    items = mergeEvents(items, [pin(2, 10, 7)]);
    expect(mergeEvents(items, [pin(2, 10, 7)])).toBe(items);
    items = mergeEvents(items, [pin(3, 10, 7, false)]);
    expect(mergeEvents(items, [pin(3, 10, 7, false)])).toBe(items);
  });

  it("keeps a pin from a later time against an older pin or unpin event", () => {
    const page: MessageEvent = { ...msg(1, 10), pn: { u: 9, un: "u9", ts: 5000 } };
    const items = mergeEvents([], [page]);
    expect(mergeEvents(items, [pin(2, 10, 7, true, 2000)])).toBe(items);
    expect(mergeEvents(items, [pin(3, 10, 7, false, 3000)])).toBe(items);
  });

  it("unpins a message when it is deleted, and a tombstone takes no pin", () => {
    let items = mergeEvents([], [msg(1, 10)]);
    items = mergeEvents(items, [pin(2, 10, 7), del(3, 10, 7, true)]);
    expect(only(items).dl).toBeDefined();
    expect(only(items).pn).toBeUndefined();
    expect(mergeEvents(items, [pin(4, 10, 7)])).toBe(items);
  });

  it("ignores a pin of a message it does not hold", () => {
    const items = [msg(1, 10)];
    expect(mergeEvents(items, [pin(2, 99, 7)])).toBe(items);
  });
});

const reply = (s: number, i: number, to: MessageEvent): MessageEvent => ({
  ...msg(s, i, 2),
  rp: { m: to.i, s: to.s, a: to.a, an: to.an, x: to.x },
});
const quoteOf = (items: readonly ChannelEvent[], i: number) =>
  (items.find((e) => (e as MessageEvent).i === i) as MessageEvent).rp;

describe("mergeEvents with replies", () => {
  it("updates a held reply's quote to the excerpt of its original's edit", () => {
    const original = msg(1, 10);
    const long = `new\n\ntext ${"a".repeat(200)}`;
    const items = mergeEvents([original, reply(2, 20, original)], [edit(3, 10, 2, long)]);
    expect(quoteOf(items, 20)?.x).toBe(`new text ${"a".repeat(130)}…`);
    expect((items[0] as MessageEvent).x).toBe(long);
  });

  it("updates the quote when the original is not held (older than the pages)", () => {
    const original = msg(1, 10);
    const items = mergeEvents([reply(5, 20, original)], [edit(6, 10, 2, "changed")]);
    expect(quoteOf(items, 20)?.x).toBe("changed");
  });

  it("marks the quote deleted, with no text, when the original is deleted, and keeps it so", () => {
    const original = msg(1, 10);
    let items = mergeEvents([original, reply(2, 20, original)], [del(3, 10)]);
    expect(quoteOf(items, 20)).toEqual({ m: 10, s: 1, a: 1, an: "u1", x: "", dl: true });
    items = mergeEvents(items, [edit(4, 10, 2, "back?")]);
    expect(quoteOf(items, 20)).toMatchObject({ x: "", dl: true });
  });

  it("leaves a quote alone for a change older than the reply (the quote already shows it)", () => {
    const original = msg(1, 10);
    const held = [{ ...reply(5, 20, original), rp: { ...reply(5, 20, original).rp!, x: "v3" } }];
    expect(mergeEvents(held, [edit(3, 10, 2, "v2")])).toBe(held);
  });

  it("changes only replies to the edited message, and returns the same array when none", () => {
    const a = msg(1, 10);
    const b = msg(2, 11);
    const items = [a, b, reply(3, 20, a), reply(4, 21, b)];
    const next = mergeEvents(items, [edit(5, 11, 2, "b2")]);
    expect(quoteOf(next, 20)?.x).toBe("m1");
    expect(quoteOf(next, 21)?.x).toBe("b2");
    const lone = [reply(3, 20, a)];
    expect(mergeEvents(lone, [edit(5, 99, 2, "x")])).toBe(lone);
  });
});
