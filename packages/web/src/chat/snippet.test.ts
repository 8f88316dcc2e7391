import { describe, expect, it } from "vitest";
import { snippetSegments } from "./snippet";

const joined = (text: string, ranges: [number, number][]) =>
  snippetSegments(text, ranges)
    .map((s) => s.text)
    .join("");

describe("snippetSegments", () => {
  it("marks each range and keeps the text between as plain segments", () => {
    expect(
      snippetSegments("deploy the deploy bot", [
        [0, 6],
        [11, 17],
      ]),
    ).toEqual([
      { text: "deploy", mark: true },
      { text: " the ", mark: false },
      { text: "deploy", mark: true },
      { text: " bot", mark: false },
    ]);
  });

  it("gives one plain segment for no ranges, also for an empty snippet", () => {
    expect(snippetSegments("just text", [])).toEqual([{ text: "just text", mark: false }]);
    expect(snippetSegments("", [])).toEqual([{ text: "", mark: false }]);
  });

  it("clamps ranges past either end and drops empty, inverted and non-integer ones", () => {
    expect(
      snippetSegments("abc", [
        [-5, 1],
        [2, 99],
      ]),
    ).toEqual([
      { text: "a", mark: true },
      { text: "b", mark: false },
      { text: "c", mark: true },
    ]);
    expect(
      snippetSegments("abc", [
        [2, 2],
        [3, 1],
        [Number.NaN, 2],
        [0.5, 2],
        [7, 9],
      ]),
    ).toEqual([{ text: "abc", mark: false }]);
  });

  it("merges overlapping and touching ranges given in any order", () => {
    expect(
      snippetSegments("abcdefgh", [
        [4, 6],
        [1, 3],
        [2, 4],
      ]),
    ).toEqual([
      { text: "a", mark: false },
      { text: "bcdef", mark: true },
      { text: "gh", mark: false },
    ]);
  });

  it("never splits a surrogate pair: an edge inside one takes the whole character", () => {
    const text = "a😀b";
    expect(snippetSegments(text, [[2, 3]])).toEqual([
      { text: "a", mark: false },
      { text: "😀", mark: true },
      { text: "b", mark: false },
    ]);
    expect(snippetSegments(text, [[0, 2]])[0]).toEqual({ text: "a😀", mark: true });
  });

  it("always joins back to the snippet, whatever the ranges", () => {
    const text = "Café crème, 😀 and more…";
    const cases: [number, number][][] = [
      [[0, 4]],
      [
        [3, 30],
        [1, 2],
      ],
      [[-1, -1]],
      [
        [5, 4],
        [4, 5],
      ],
    ];
    for (const ranges of cases) expect(joined(text, ranges)).toBe(text);
  });
});
