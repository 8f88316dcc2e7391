import { type Member, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { applyCompletion, completionAt, matchGroups, matchMembers } from "./completions";

const member = (i: number, n: string, on: boolean): Member => ({ i, n, on, rl: Role.Member });

describe("completionAt", () => {
  it("finds a shortcode of two or more characters at the caret", () => {
    expect(completionAt("hi :smi", 7)).toEqual({ kind: "emoji", query: "smi", start: 3 });
    expect(completionAt(":+1", 3)).toEqual({ kind: "emoji", query: "+1", start: 0 });
    expect(completionAt("hi :s", 5)).toBeUndefined();
  });

  it("ignores colons inside words, times and smileys", () => {
    expect(completionAt("at 10:30", 8)).toBeUndefined();
    expect(completionAt("ok :)", 5)).toBeUndefined();
    expect(completionAt("see http://x", 12)).toBeUndefined();
  });

  it("finds an @ name at the caret, also with nothing typed after the @", () => {
    expect(completionAt("hey @al", 7)).toEqual({ kind: "member", query: "al", start: 4 });
    expect(completionAt("@", 1)).toEqual({ kind: "member", query: "", start: 0 });
    expect(completionAt("mail a@b", 8)).toBeUndefined();
  });

  it("looks only at the text before the caret", () => {
    expect(completionAt("hey @al there", 7)).toEqual({ kind: "member", query: "al", start: 4 });
    expect(completionAt("hey @al there", 13)).toBeUndefined();
  });
});

describe("matchMembers", () => {
  const members = [
    member(1, "malice", true),
    member(2, "alice", false),
    member(3, "Albert", true),
    member(4, "bob", true),
  ];

  it("puts names that start with the query first, online first, then by name", () => {
    expect(matchMembers(members, "al").map((m) => m.n)).toEqual(["Albert", "alice", "malice"]);
  });

  it("lists everyone for an empty query and honours the limit", () => {
    expect(matchMembers(members, "").map((m) => m.n)).toEqual(["Albert", "bob", "malice", "alice"]);
    expect(matchMembers(members, "", 2)).toHaveLength(2);
  });

  it("matches nobody when no name contains the query", () => {
    expect(matchMembers(members, "zed")).toEqual([]);
  });
});

describe("applyCompletion", () => {
  it("replaces the token and puts the caret after the insertion", () => {
    const text = "hey @al, look";
    const at = completionAt(text, 7);
    if (!at) throw new Error("no token");
    expect(applyCompletion(text, 7, at, "@alice ")).toEqual({
      text: "hey @alice , look",
      caret: 11,
    });
  });
});

describe("matchGroups", () => {
  it("offers the group mentions whose name starts with the query", () => {
    expect(matchGroups("").map((g) => g.n)).toEqual(["here", "channel"]);
    expect(matchGroups("CH").map((g) => g.n)).toEqual(["channel"]);
    expect(matchGroups("bo")).toEqual([]);
  });
});
