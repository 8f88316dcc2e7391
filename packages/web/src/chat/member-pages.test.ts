import { type Member, Role } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import { memberTotal, mergeMembers, pageLoaded, pagingOf } from "./member-pages";

const member = (i: number, n: string, on = false): Member => ({ i, n, on, rl: Role.Member });

describe("member paging", () => {
  it("starts after the reply's last member, as the server ordered them, when more follow", () => {
    // The server's order (by name key) is kept: "Zoe" sorts after "bob" there, whatever the locale.
    const first = [member(1, "ann"), member(2, "bob"), member(3, "Zoe")];
    expect(pagingOf(first, true)).toEqual({ after: "Zoe" });
    expect(pagingOf(first, false)).toBeUndefined();
    expect(pagingOf([], true)).toBeUndefined();
  });

  it("moves on to the last of each page, and ends with a page that has no more after it", () => {
    const paging = { after: "bob", loading: true as const };
    expect(pageLoaded(paging, { m: [member(4, "cy"), member(5, "dee")], mm: true })).toEqual({
      after: "dee",
    });
    expect(pageLoaded(paging, { m: [member(4, "cy")] })).toBeUndefined();
    expect(pageLoaded(paging, { m: [], mm: true })).toEqual({ after: "bob" });
  });

  it("counts a partial list's channel by its summary, a whole one by its list", () => {
    expect(memberTotal(10_000, 100, true)).toBe(10_000);
    expect(memberTotal(99, 104, true)).toBe(104);
    expect(memberTotal(7, 5, false)).toBe(5);
    expect(memberTotal(7, 0, false)).toBe(7);
  });

  it("merges members found by a search into the known ones, the known copy first", () => {
    const known = [member(1, "ann", true), member(2, "bob")];
    const found = [member(2, "bob", true), member(9, "zed"), member(9, "zed")];
    expect(mergeMembers(known, found)).toEqual([
      member(1, "ann", true),
      member(2, "bob"),
      member(9, "zed"),
    ]);
    expect(mergeMembers(known, [])).toEqual(known);
  });
});
