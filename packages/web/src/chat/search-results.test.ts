import { ParleyRequestError } from "@parley/client";
import { ERRORS, type SearchHit } from "@parley/protocol";
import { describe, expect, it } from "vitest";
import {
  canLoadMore,
  noResults,
  reduceSearch,
  type SearchResults,
  searchRefusal,
} from "./search-results";

const hit = (m: number): SearchHit => ({
  c: 1,
  s: m,
  m,
  a: 7,
  an: "alice",
  ts: 1_700_000_000_000 + m,
  x: `hit ${m}`,
  hl: [[0, 3]],
});

const searched = (query = "hit", key = 1) =>
  reduceSearch(noResults, { type: "searched", query, key });

describe("reduceSearch", () => {
  it("shows the first page of a search and offers more while a cursor comes with it", () => {
    const r = reduceSearch(searched(), {
      type: "page-loaded",
      key: 1,
      reply: { r: [hit(9), hit(8)], nx: "8" },
    });
    expect(r).toMatchObject({ phase: "ready", query: "hit", next: "8" });
    expect(r.hits.map((h) => h.m)).toEqual([9, 8]);
    expect(canLoadMore(r)).toBe(true);
  });

  it("appends the next page after the first, and stops offering more on the last", () => {
    let r = reduceSearch(searched(), {
      type: "page-loaded",
      key: 1,
      reply: { r: [hit(9)], nx: "9" },
    });
    r = reduceSearch(r, { type: "more-requested", key: 2 });
    expect(r.phase).toBe("more");
    expect(canLoadMore(r)).toBe(false);
    r = reduceSearch(r, { type: "page-loaded", key: 2, reply: { r: [hit(5), hit(9)] } });
    expect(r.hits.map((h) => h.m)).toEqual([9, 5]);
    expect(r.next).toBeUndefined();
    expect(canLoadMore(r)).toBe(false);
  });

  it("drops a page that answers an earlier search", () => {
    let r = searched("first", 1);
    r = reduceSearch(r, { type: "searched", query: "second", key: 2 });
    r = reduceSearch(r, { type: "page-loaded", key: 1, reply: { r: [hit(1)] } });
    expect(r).toMatchObject({ phase: "loading", query: "second", hits: [] });
    r = reduceSearch(r, { type: "page-failed", key: 1, text: "late" });
    expect(r.phase).toBe("loading");
  });

  it("keeps the pages read when Load more fails, with the error and its retry time", () => {
    let r: SearchResults = reduceSearch(searched(), {
      type: "page-loaded",
      key: 1,
      reply: { r: [hit(9)], nx: "9" },
    });
    r = reduceSearch(r, { type: "more-requested", key: 2 });
    r = reduceSearch(r, { type: "page-failed", key: 2, text: "Too many", retryAt: 5000 });
    expect(r).toMatchObject({ phase: "error", error: { text: "Too many", retryAt: 5000 } });
    expect(r.hits.map((h) => h.m)).toEqual([9]);
    expect(canLoadMore(r)).toBe(true);
    r = reduceSearch(r, { type: "more-requested", key: 3 });
    expect(r.error).toBeUndefined();
  });

  it("starts a new search empty, without the last one's hits, cursor or error", () => {
    let r = reduceSearch(searched(), { type: "page-failed", key: 1, text: "off" });
    r = reduceSearch(r, { type: "searched", query: "again", key: 2 });
    expect(r).toEqual({ phase: "loading", query: "again", hits: [], key: 2 });
  });
});

describe("searchRefusal", () => {
  it("says search is off for SEARCH_DISABLED, with nothing to count down", () => {
    const err = new ParleyRequestError({ c: ERRORS.SEARCH_DISABLED.code, m: "off" });
    expect(searchRefusal(err, 1000)).toEqual({ text: "Search is turned off on this server." });
  });

  it("counts a rate limit down from the time it was refused", () => {
    const err = new ParleyRequestError({ c: ERRORS.RATE_LIMITED.code, m: "slow down", ra: 2500 });
    expect(searchRefusal(err, 1000)).toEqual({ text: "Too many searches at once.", retryAt: 3500 });
  });

  it("passes any other refusal's message through", () => {
    const err = new ParleyRequestError({ c: ERRORS.INVALID_PAYLOAD.code, m: "Query too long" });
    expect(searchRefusal(err, 0)).toEqual({ text: "Query too long" });
  });
});
