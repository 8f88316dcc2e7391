import { type ChannelEvent, EventType, MessageKind } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { buildTimeline, type TimelineInput } from "./timeline";

const at = (day: number, h: number, m: number, sec = 0) =>
  new Date(2025, 2, day, h, m, sec).getTime();
let seq = 0;
const msg = (a: number, ts: number, extra: Partial<ChannelEvent> = {}): ChannelEvent =>
  ({
    s: ++seq,
    t: EventType.MessagePosted,
    ts,
    a,
    an: a === 1 ? "me" : `u${a}`,
    i: seq,
    x: `text ${seq}`,
    n: `n${seq}`,
    ...extra,
  }) as ChannelEvent;

const input = (items: ChannelEvent[], extra: Partial<TimelineInput> = {}): TimelineInput => ({
  items,
  pending: [],
  notes: [],
  me: 1,
  myName: "me",
  now: at(14, 18, 0),
  ...extra,
});

const shape = (rows: ReturnType<typeof buildTimeline>) =>
  rows.map((r) =>
    r.kind === "group"
      ? `${r.author}×${r.messages.length}`
      : r.kind === "day"
        ? `[${r.label}]`
        : r.kind === "system"
          ? `(${r.text})`
          : r.kind === "action"
            ? `*${r.author}`
            : r.kind === "new"
              ? "--new--"
              : r.kind === "held"
                ? `held:${r.held.status}`
                : `note`,
  );

describe("buildTimeline", () => {
  it("groups consecutive messages of one author and splits on another author", () => {
    const rows = buildTimeline(
      input([
        msg(2, at(14, 10, 0)),
        msg(2, at(14, 10, 1)),
        msg(3, at(14, 10, 2)),
        msg(2, at(14, 10, 3)),
      ]),
    );
    expect(shape(rows)).toEqual(["[Today]", "u2×2", "u3×1", "u2×1"]);
  });

  it("starts a new group after five quiet minutes and at a new day", () => {
    const rows = buildTimeline(
      input([
        msg(2, at(13, 23, 50)),
        msg(2, at(13, 23, 55)),
        msg(2, at(14, 0, 1)),
        msg(2, at(14, 0, 7)),
      ]),
    );
    expect(shape(rows)).toEqual(["[Yesterday]", "u2×2", "[Today]", "u2×1", "u2×1"]);
  });

  it("breaks groups at system events and shows actions on their own", () => {
    const rows = buildTimeline(
      input([
        msg(2, at(14, 9, 0)),
        { s: ++seq, t: EventType.MemberJoined, ts: at(14, 9, 1), a: 3, an: "u3" },
        msg(2, at(14, 9, 2)),
        msg(2, at(14, 9, 3), { k: MessageKind.Action }),
        msg(2, at(14, 9, 4)),
      ]),
    );
    expect(shape(rows)).toEqual(["[Today]", "u2×1", "(u3 joined)", "u2×1", "*u2", "u2×1"]);
    // An action's author opens their card like a group's: both carry the id.
    expect(rows.flatMap((r) => (r.kind === "action" ? [r.authorId] : []))).toEqual([2]);
  });

  it("marks own messages and appends pending ones to the own group", () => {
    const rows = buildTimeline(
      input([msg(1, at(14, 11, 0))], {
        pending: [{ nonce: "abc", x: "on its way", ts: at(14, 11, 1) }],
      }),
    );
    const group = rows[1];
    expect(group?.kind === "group" && group.own).toBe(true);
    expect(group?.kind === "group" && group.messages.map((m) => m.key)).toEqual([
      `p-n${seq}`,
      "p-abc",
    ]);
  });

  it("places a local note after the item it followed", () => {
    const first = msg(2, at(14, 12, 0));
    const second = msg(2, at(14, 12, 1));
    const rows = buildTimeline(
      input([first, second], {
        notes: [{ id: 1, afterSeq: first.s, ts: at(14, 12, 0), text: "x" }],
      }),
    );
    expect(shape(rows)).toEqual(["[Today]", "u2×1", "note", "u2×1"]);
  });

  it("places held messages after the item they followed, by time among notes, before pending sends", () => {
    const first = msg(2, at(14, 12, 0));
    const second = msg(2, at(14, 12, 1));
    const held = (key: string, afterSeq: number, ts: number, dropped = false) => ({
      key,
      id: key.charCodeAt(0),
      x: key,
      ts,
      afterSeq,
      status: dropped ? ("dropped" as const) : ("waiting" as const),
    });
    const rows = buildTimeline(
      input([first, second], {
        notes: [{ id: 1, afterSeq: first.s, ts: at(14, 12, 0, 30), text: "x" }],
        held: [
          held("b", first.s, at(14, 12, 0, 40), true),
          held("a", first.s, at(14, 12, 0, 10)),
          held("c", second.s, at(14, 12, 2)),
        ],
        pending: [{ nonce: "p", x: "later", ts: at(14, 12, 3) }],
      }),
    );
    expect(shape(rows)).toEqual([
      "[Today]",
      "u2×1",
      "held:waiting",
      "note",
      "held:dropped",
      "u2×1",
      "held:waiting",
      "me×1",
    ]);
    // Keyed by the held line's own key, stable as its report and refusal come.
    expect(rows.filter((r) => r.kind === "held").map((r) => r.key)).toEqual([
      "held-a",
      "held-b",
      "held-c",
    ]);
  });

  it("shows a message's author by its current name when one is known", () => {
    const t = at(14, 9, 0);
    const rows = buildTimeline(
      input([msg(2, t, { an: "guest-abc" }), msg(3, t + 60_000, { an: "carol" })], {
        names: new Map([[2, "gina"]]),
      }),
    );
    expect(shape(rows)).toEqual(["[Today]", "gina×1", "carol×1"]);
  });

  it("puts the new-messages line before the first unread message, breaking its group", () => {
    const items = [msg(2, at(14, 9, 0)), msg(2, at(14, 9, 1)), msg(2, at(14, 9, 2))];
    const from = items[1]!.s;
    expect(shape(buildTimeline(input(items, { unreadFrom: from })))).toEqual([
      "[Today]",
      "u2×1",
      "--new--",
      "u2×2",
    ]);
    // A first unread older than the items held: everything shown is new.
    expect(shape(buildTimeline(input(items, { unreadFrom: 0 })))).toEqual([
      "[Today]",
      "--new--",
      "u2×3",
    ]);
  });
});
