import { describe, expect, it } from "vitest";
import { assertDisjoint } from "./sql-storage";

describe("the storage made of slices", () => {
  it("refuses two slices that define the same method, which one would silently win", () => {
    const a = { history: () => 1, pinned: () => 2 };
    const b = { appendMessages: () => 3 };
    expect(() => assertDisjoint([a, b])).not.toThrow();
    expect(() => assertDisjoint([a, b, { pinned: () => 4 }])).toThrow(
      "storage method pinned is defined by two slices",
    );
  });
});
