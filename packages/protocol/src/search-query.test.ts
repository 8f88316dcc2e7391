import { describe, expect, it } from "vitest";
import {
  foldSearchText,
  hasCriteria,
  matchesSearchTerms,
  parseSearchQuery,
  type SearchTerm,
  searchTokens,
} from "./search-query";

const word = (t: string): SearchTerm => ({ tokens: [t], prefix: false });
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe("parseSearchQuery", () => {
  it("reads words as terms that must all match, folded to lower case without diacritics", () => {
    expect(parseSearchQuery("Café  DÉJÀ vu").include).toEqual([
      word("cafe"),
      word("deja"),
      word("vu"),
    ]);
  });

  it("reads a quoted phrase as one term of several tokens, and an unclosed quote to the end", () => {
    expect(parseSearchQuery('"release notes" draft').include).toEqual([
      { tokens: ["release", "notes"], prefix: false },
      word("draft"),
    ]);
    expect(parseSearchQuery('"open ended').include).toEqual([
      { tokens: ["open", "ended"], prefix: false },
    ]);
  });

  it("reads a trailing star as a prefix of three characters or more, and never makes the last word one by itself", () => {
    expect(parseSearchQuery("depl* rel").include).toEqual([
      { tokens: ["depl"], prefix: true },
      word("rel"),
    ]);
    expect(parseSearchQuery("a*").include).toEqual([word("a")]);
    expect(parseSearchQuery("of*").include).toEqual([word("of")]);
    expect(parseSearchQuery("off*").include).toEqual([{ tokens: ["off"], prefix: true }]);
    expect(parseSearchQuery('"deploy*"').include).toEqual([word("deploy")]);
  });

  it("reads a leading minus as an exclusion of a word or a phrase", () => {
    const q = parseSearchQuery('deploy -friday -"on call"');
    expect(q.include).toEqual([word("deploy")]);
    expect(q.exclude).toEqual([word("friday"), { tokens: ["on", "call"], prefix: false }]);
  });

  it("reads from:, in:, and mentions: with or without @ and #, a DM by in:@user", () => {
    const q = parseSearchQuery("from:@Bob from:carol in:#general in:random in:@dave mentions:@me");
    expect(q).toMatchObject({
      from: ["Bob", "carol"],
      channels: ["general", "random"],
      dms: ["dave"],
      mentions: ["me"],
      include: [],
    });
    expect(hasCriteria(q)).toBe(true);
  });

  it("reads before:, after: and on: as UTC days, after: and before: exclusive, and narrows by each", () => {
    expect(parseSearchQuery("on:2025-03-10")).toMatchObject({
      since: day("2025-03-10"),
      until: day("2025-03-11"),
    });
    expect(parseSearchQuery("after:2025-03-10 before:2025-03-20")).toMatchObject({
      since: day("2025-03-11"),
      until: day("2025-03-20"),
      impossible: false,
    });
    expect(parseSearchQuery("after:2025-03-10 before:2025-03-11").impossible).toBe(true);
  });

  it("makes a date that is no date, or an unknown has: or is:, match nothing rather than everything", () => {
    for (const q of ["before:2025-02-30", "on:yesterday", "has:image", "is:starred", "after:1-1-1"])
      expect(parseSearchQuery(q).impossible, q).toBe(true);
    expect(parseSearchQuery("has:LINK is:Pinned")).toMatchObject({
      hasLink: true,
      pinned: true,
      impossible: false,
    });
  });

  it("reads an unknown key, a quoted filter and an empty filter value as text", () => {
    expect(parseSearchQuery("size:large").include).toEqual([
      { tokens: ["size", "large"], prefix: false },
    ]);
    expect(parseSearchQuery('"from:bob"').include).toEqual([
      { tokens: ["from", "bob"], prefix: false },
    ]);
    expect(parseSearchQuery("from: in:#").include).toEqual([word("from"), word("in")]);
  });

  it("keeps index syntax typed by the user as plain words, or drops what has no word in it", () => {
    const q = parseSearchQuery('alpha NEAR(beta) OR "x" AND NOT y* : ( ) ^ "" \' -');
    expect(q.include.map((t) => t.tokens)).toEqual([
      ["alpha"],
      ["near", "beta"],
      ["or"],
      ["x"],
      ["and"],
      ["not"],
      ["y"],
    ]);
    expect(q.exclude).toEqual([]);
    const punctuation = parseSearchQuery(`*** ::: ((( """ \\ ' -- \u0000`);
    expect(punctuation.include).toEqual([]);
    expect(hasCriteria(punctuation)).toBe(false);
  });

  it("parses a 10,000-character query of one repeated hostile piece without throwing", () => {
    const q = parseSearchQuery('"a" OR b:* '.repeat(1000));
    expect(q.include.length).toBe(3000);
    expect(q.include.every((t) => t.tokens.every((x) => /^[a-z]+$/.test(x)))).toBe(true);
  });
});

describe("search folding", () => {
  it("folds case and combining diacritics, and keeps other scripts", () => {
    expect(foldSearchText("Ångström ÉCOLE naïve Ǆ Привет")).toBe("angstrom ecole naive ǆ привет");
  });

  it("splits text into tokens at spaces and punctuation, as the index does", () => {
    expect(searchTokens("don't foo.bar.com hello_world e-mail 3.5")).toEqual([
      "don",
      "t",
      "foo",
      "bar",
      "com",
      "hello",
      "world",
      "e",
      "mail",
      "3",
      "5",
    ]);
  });
});

describe("matchesSearchTerms", () => {
  const q = (text: string) => parseSearchQuery(text);
  const matches = (content: string, query: string) =>
    matchesSearchTerms(content, q(query).include, q(query).exclude);

  it("matches whole words folded, never a part of a word", () => {
    expect(matches("Deploy the ÉCOLE build", "ecole deploy")).toBe(true);
    expect(matches("redeployed it", "deploy")).toBe(false);
    expect(matches("deploy it", "deploy build")).toBe(false);
  });

  it("matches a phrase only as words in a row, and a prefix only at a word's start", () => {
    expect(matches("the release notes are out", '"release notes"')).toBe(true);
    expect(matches("notes of the release", '"release notes"')).toBe(false);
    expect(matches("release, notes!", '"release notes"')).toBe(true);
    expect(matches("the alphabet", "alph*")).toBe(true);
    expect(matches("the ralphabet", "alph*")).toBe(false);
    expect(matches("release notebook", '"release note*"')).toBe(false);
    expect(matches("release notebook", "release note*")).toBe(true);
  });

  it("refuses a text holding an excluded word or phrase, and takes one with only exclusions", () => {
    expect(matches("deploy on friday", "deploy -friday")).toBe(false);
    expect(matches("deploy on call today", 'deploy -"on call"')).toBe(false);
    expect(matches("call on deploy", 'deploy -"on call"')).toBe(true);
    expect(matches("anything", "-friday")).toBe(true);
  });
});
