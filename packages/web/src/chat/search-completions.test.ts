import { type ChannelSummary, type Member, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { applyCompletion, matchMembers } from "./completions";
import {
  insertFilter,
  knownUsers,
  namedChannels,
  SEARCH_FILTERS,
  searchCompletionAt,
  searchDay,
} from "./search-completions";

const member = (i: number, n: string, on: boolean): Member => ({ i, n, on, rl: Role.Member });
const channel = (i: number, n: string, dm?: { i: number; n: string }[]): ChannelSummary =>
  ({ i, n, mc: 2, ls: 0, ...(dm ? { dm } : {}) }) as ChannelSummary;
const filter = (label: string) => {
  const f = SEARCH_FILTERS.find((x) => x.label === label);
  if (!f) throw new Error(label);
  return f;
};

describe("searchCompletionAt", () => {
  it("completes a person after from:@ and mentions:@, with or without the @", () => {
    expect(searchCompletionAt("deploy from:@al", 15)).toEqual({
      kind: "user",
      filter: "from",
      query: "al",
      start: 12,
    });
    expect(searchCompletionAt("mentions:@", 10)).toEqual({
      kind: "user",
      filter: "mentions",
      query: "",
      start: 9,
    });
    expect(searchCompletionAt("FROM:bo", 7)).toEqual({
      kind: "user",
      filter: "from",
      query: "bo",
      start: 5,
    });
  });

  it("completes a channel after in:# and a person after in:@", () => {
    expect(searchCompletionAt("in:#gen", 7)).toEqual({
      kind: "channel",
      filter: "in",
      query: "gen",
      start: 3,
    });
    expect(searchCompletionAt("x in:@da", 8)).toEqual({
      kind: "user",
      filter: "in",
      query: "da",
      start: 5,
    });
  });

  it("completes nothing in words, quotes, other filters, a glued key or after a space", () => {
    for (const text of ["deploy", '"from:@al', "before:2025", "xfrom:@al", "from:@al ", "from:#x"])
      expect(searchCompletionAt(text, text.length)).toBeUndefined();
  });

  it("looks only at the text before the caret", () => {
    expect(searchCompletionAt("from:@al rest", 8)?.query).toBe("al");
    expect(searchCompletionAt("from:@al rest", 13)).toBeUndefined();
  });

  it("replaces the value typed with the one chosen, through the composer's applyCompletion", () => {
    const at = searchCompletionAt("ship from:@al now", 13);
    if (!at) throw new Error("no completion");
    expect(applyCompletion("ship from:@al now", 13, at, "@alice")).toEqual({
      text: "ship from:@alice now",
      caret: 16,
    });
  });
});

describe("knownUsers", () => {
  it("gathers every channel's members, DM people and the user, once each, online if anywhere", () => {
    const users = knownUsers(
      { 1: [member(1, "alice", false), member(2, "bob", false)], 2: [member(1, "alice", true)] },
      [channel(1, "general"), channel(3, "dm", [{ i: 4, n: "carol" }])],
      { i: 9, n: "me", g: undefined } as never,
    );
    expect(users.sort((a, b) => a.i - b.i)).toEqual([
      { i: 1, n: "alice", on: true },
      { i: 2, n: "bob", on: false },
      { i: 4, n: "carol", on: false },
      { i: 9, n: "me", on: true },
    ]);
  });

  it("ranks the people matching what was typed as the composer does", () => {
    const users = knownUsers(
      { 1: [member(1, "bob", false), member(2, "rob", true)] },
      [],
      undefined,
    );
    expect(matchMembers(users, "ob").map((u) => u.n)).toEqual(["rob", "bob"]);
    expect(matchMembers(users, "b").map((u) => u.n)).toEqual(["bob", "rob"]);
  });
});

describe("namedChannels", () => {
  it("offers channels by name and leaves DMs out", () => {
    expect(
      namedChannels([channel(1, "general"), channel(2, "dm:1,2", [{ i: 2, n: "bob" }])]),
    ).toEqual([{ i: 1, n: "general" }]);
  });
});

describe("insertFilter", () => {
  const now = Date.UTC(2025, 0, 15, 23, 30);

  it("adds a finished filter after the words with a space before and after", () => {
    expect(insertFilter("deploy", 6, filter("Has a link"), now)).toEqual({
      text: "deploy has:link ",
      select: [16, 16],
    });
    expect(insertFilter("", 0, filter("Pinned"), now)).toEqual({
      text: "is:pinned ",
      select: [10, 10],
    });
  });

  it("leaves a filter that waits for a name open at the caret, so its completion shows", () => {
    const out = insertFilter("deploy ", 7, filter("From a person"), now);
    expect(out).toEqual({ text: "deploy from:@", select: [13, 13] });
    expect(searchCompletionAt(out.text, out.select[1])?.kind).toBe("user");
  });

  it("fills a date filter with today's UTC day, selected for retyping", () => {
    const out = insertFilter("x", 1, filter("After a date"), now);
    expect(out.text).toBe("x after:2025-01-15 ");
    expect(out.text.slice(...out.select)).toBe("2025-01-15");
  });

  it("inserts in the middle without doubling the space that follows", () => {
    expect(insertFilter("a b", 1, filter("Mentions me"), now)).toEqual({
      text: "a mentions:@me b",
      select: [14, 14],
    });
  });

  it("writes days as the query language reads them, in UTC", () => {
    expect(searchDay(Date.UTC(2024, 1, 29, 0, 0))).toBe("2024-02-29");
  });
});
