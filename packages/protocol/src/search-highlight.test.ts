import { describe, expect, it } from "vitest";
import { highlightRanges, SNIPPET_MAX, searchSnippet } from "./search-highlight";
import { parseSearchQuery } from "./search-query";
import { isWellFormedText } from "./text";

const terms = (q: string) => parseSearchQuery(q).include;
const marked = (x: string, hl: [number, number][]) => hl.map(([s, e]) => x.slice(s, e));

describe("highlightRanges", () => {
  it("marks every token equal to a term's, whatever its case and diacritics", () => {
    const text = "Café, CAFE and cafés at the cafe";
    expect(marked(text, highlightRanges(text, terms("café")))).toEqual(["Café", "CAFE", "cafe"]);
  });

  it("marks the tokens of a phrase and those starting with a prefix term", () => {
    const text = "Deployed the release notes; deployment at noon";
    expect(marked(text, highlightRanges(text, terms('deploy* "release notes"')))).toEqual([
      "Deployed",
      "release",
      "notes",
      "deployment",
    ]);
  });

  it("counts offsets in UTF-16 code units, past astral characters", () => {
    const text = "😀😀 word";
    expect(highlightRanges(text, terms("word"))).toEqual([[5, 9]]);
  });

  it("marks nothing for a query of filters only, and nothing of markup in the text", () => {
    expect(highlightRanges("from bob", terms("from:bob"))).toEqual([]);
    const text = "<b>bold</b>";
    expect(marked(text, highlightRanges(text, terms("b")))).toEqual(["b", "b"]);
  });
});

describe("searchSnippet", () => {
  it("keeps a short message whole, on one line", () => {
    expect(searchSnippet("first\n\nsecond   match", terms("match"))).toEqual({
      x: "first second match",
      hl: [[13, 18]],
    });
  });

  it("cuts a long message around its first match, with … at each cut, within the bound", () => {
    const long = `${"lorem ipsum ".repeat(40)}needle ${"dolor sit ".repeat(40)}`;
    const s = searchSnippet(long, terms("needle"));
    expect(s.x.length).toBeLessThanOrEqual(SNIPPET_MAX);
    expect(s.x.startsWith("…")).toBe(true);
    expect(s.x.endsWith("…")).toBe(true);
    expect(marked(s.x, s.hl)).toEqual(["needle"]);
  });

  it("starts at the beginning when the match is near it, and never splits a surrogate pair", () => {
    const long = `needle ${"😀".repeat(200)}`;
    const s = searchSnippet(long, terms("needle"));
    expect(s.x.startsWith("needle")).toBe(true);
    expect(s.x.length).toBeLessThanOrEqual(SNIPPET_MAX);
    expect(isWellFormedText(s.x)).toBe(true);
    const late = searchSnippet(`${"😀".repeat(150)} needle`, terms("needle"));
    expect(isWellFormedText(late.x)).toBe(true);
    expect(marked(late.x, late.hl)).toEqual(["needle"]);
  });
});
