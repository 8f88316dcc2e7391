import { describe, expect, it } from "vitest";
import {
  EXCERPT_MAX,
  excerpt,
  hasInvisible,
  isBidiBalanced,
  isBlank,
  isWellFormedText,
  nameKey,
  notificationText,
} from "./text";

describe("text rules", () => {
  it("nameKey meets fullwidth, case and sharp-s forms of a name, and keeps scripts apart", () => {
    expect(new Set(["Lobby", "Ｌｏｂｂｙ", "LOBBY", "ｌｏｂｂｙ"].map(nameKey))).toEqual(
      new Set(["lobby"]),
    );
    expect(new Set(["Straße", "STRASSE", "STRAẞE"].map(nameKey))).toEqual(new Set(["strasse"]));
    expect(nameKey("café")).toBe(nameKey("cafe\u0301"));
    expect(nameKey("a\u3000\u00A0 b")).toBe("a b");
    // Cyrillic а is a different letter: confusables are not folded.
    expect(nameKey("\u0430bc")).not.toBe(nameKey("abc"));
  });

  it("finds format characters and Hangul fillers in names", () => {
    for (const s of [
      "gen\u200Beral",
      "\u202Ex",
      "a\u2066b\u2069",
      "\uFEFFa",
      "so\u00ADft",
      "\u3164",
    ])
      expect(hasInvisible(s), JSON.stringify(s)).toBe(true);
    expect(hasInvisible("général 🎉")).toBe(false);
  });

  it("tells text that renders as nothing from text with something visible", () => {
    for (const s of ["", " \t\n", "\u200B\u200C\u200D", "\u2060\uFEFF\u180E", "\u2800", "\u3164"])
      expect(isBlank(s), JSON.stringify(s)).toBe(true);
    for (const s of ["a", "\u200B.", "👍", "\u0301"])
      expect(isBlank(s), JSON.stringify(s)).toBe(false);
  });

  it("accepts bidi controls only when each one opened is closed", () => {
    for (const s of [
      "plain",
      "\u202Babc\u202C",
      "\u2067x\u202Ey\u2069",
      "\u200Fmark",
      "\u202C\u2069",
    ])
      expect(isBidiBalanced(s), JSON.stringify(s)).toBe(true);
    for (const s of ["\u202Eabc", "\u2066abc", "\u2067\u202C", "\u202A\u2066\u202C\u2069x\u202A"])
      expect(isBidiBalanced(s), JSON.stringify(s)).toBe(false);
  });

  it("refuses lone surrogates but not pairs", () => {
    expect(isWellFormedText("a\uD800b")).toBe(false);
    expect(isWellFormedText("\uDC00")).toBe(false);
    expect(isWellFormedText("😀")).toBe(true);
  });
});

describe("excerpt", () => {
  it("keeps a short message whole, on one line", () => {
    expect(excerpt("  hello\n\n  world  ")).toBe("hello world");
  });

  it("cuts a long message at the limit with an ellipsis, never inside a surrogate pair", () => {
    const long = "a".repeat(EXCERPT_MAX + 10);
    expect(excerpt(long)).toBe(`${"a".repeat(EXCERPT_MAX - 1)}…`);
    const emoji = `${"a".repeat(EXCERPT_MAX - 3)}😀😀😀`;
    const cut = excerpt(emoji);
    expect(cut.length).toBeLessThanOrEqual(EXCERPT_MAX);
    expect(isWellFormedText(cut)).toBe(true);
    expect(cut.endsWith("…")).toBe(true);
  });
});

describe("notificationText", () => {
  it("is the excerpt of the content, or the files' names for a message of files alone", () => {
    expect(notificationText("  see\nthis ", [{ n: "a.png" }])).toBe("see this");
    expect(notificationText("", [{ n: "report.pdf" }])).toBe("📎 report.pdf");
    expect(notificationText("  ", [{ n: "a.png" }, { n: "b.png" }, { n: "c.txt" }])).toBe(
      "📎 a.png and 2 more",
    );
    expect(notificationText("", [])).toBe("");
    expect(notificationText("", [{ n: "x".repeat(300) }])).toHaveLength(EXCERPT_MAX);
  });
});
