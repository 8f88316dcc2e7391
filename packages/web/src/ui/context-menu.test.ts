import { describe, expect, it } from "vitest";
import { messageMenuEntries, placeMenu } from "./context-menu";

const VIEW = { width: 1000, height: 800 };
const SIZE = { width: 200, height: 300 };

describe("placeMenu", () => {
  it("opens to the right of and below the point when there is room", () => {
    expect(placeMenu({ x: 100, y: 100 }, SIZE, VIEW)).toEqual({ x: 100, y: 100 });
  });

  it("moves left to stay inside the right edge", () => {
    expect(placeMenu({ x: 950, y: 100 }, SIZE, VIEW)).toEqual({ x: 792, y: 100 });
  });

  it("flips above the point near the bottom", () => {
    expect(placeMenu({ x: 100, y: 700 }, SIZE, VIEW)).toEqual({ x: 100, y: 400 });
  });

  it("keeps clear of the top and left edges, even when taller than the room above", () => {
    expect(placeMenu({ x: -20, y: 250 }, { width: 200, height: 700 }, VIEW)).toEqual({
      x: 8,
      y: 8,
    });
  });
});

describe("messageMenuEntries", () => {
  const more = { react: () => {}, copyLink: () => {}, copyText: () => {} };
  const labels = (actions: Parameters<typeof messageMenuEntries>[0]) =>
    messageMenuEntries(actions, more).map((e) => e.label);

  it("offers reacting and the copies to everyone", () => {
    expect(labels({ onReact: () => {} })).toEqual(["Add reaction…", "Copy link", "Copy text"]);
  });

  it("offers exactly the toolbar's actions that apply, Delete last and marked", () => {
    const all = messageMenuEntries(
      {
        onReact: () => {},
        onReply: () => {},
        onEdit: () => {},
        onPin: () => {},
        pinned: true,
        onDelete: () => {},
        onReport: () => {},
      },
      more,
    );
    expect(all.map((e) => e.label)).toEqual([
      "Reply",
      "Add reaction…",
      "Edit message",
      "Unpin message",
      "Copy link",
      "Copy text",
      "Report message…",
      "Delete message…",
    ]);
    expect(all.filter((e) => e.danger).map((e) => e.label)).toEqual(["Delete message…"]);
  });

  it("runs the toolbar's own handler", () => {
    let replied = 0;
    const entries = messageMenuEntries({ onReact: () => {}, onReply: () => replied++ }, more);
    entries.find((e) => e.label === "Reply")?.run();
    expect(replied).toBe(1);
  });
});
