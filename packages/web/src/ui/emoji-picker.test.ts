import { describe, expect, it } from "vitest";
import { gridMove } from "./emoji-picker";

describe("gridMove", () => {
  // 20 cells, 8 wide: rows 0–7, 8–15, 16–19.
  it("moves by one across and by a row down and up", () => {
    expect(gridMove("ArrowRight", 3, 20, 8)).toBe(4);
    expect(gridMove("ArrowLeft", 3, 20, 8)).toBe(2);
    expect(gridMove("ArrowDown", 3, 20, 8)).toBe(11);
    expect(gridMove("ArrowUp", 11, 20, 8)).toBe(3);
  });

  it("stops at the ends and leaves the grid upwards from the first row", () => {
    expect(gridMove("ArrowRight", 19, 20, 8)).toBe(19);
    expect(gridMove("ArrowLeft", 0, 20, 8)).toBe(0);
    expect(gridMove("ArrowDown", 13, 20, 8)).toBe(13);
    expect(gridMove("ArrowUp", 5, 20, 8)).toBeUndefined();
    expect(gridMove("Home", 13, 20, 8)).toBe(0);
    expect(gridMove("End", 1, 20, 8)).toBe(19);
  });

  it("ignores other keys", () => {
    expect(gridMove("a", 7, 20, 8)).toBe(7);
  });
});
