import { type Member, type MemberListReply, Role } from "@parley/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MEMBER_SEARCH_DELAY_MS, MemberSearch, searchKey } from "./member-search";

const member = (i: number, n: string): Member => ({ i, n, on: false, rl: Role.Member });

/** A server whose answers the test gives, one request at a time. */
function fakeServer() {
  const asked: string[] = [];
  const waiting: { resolve: (r: MemberListReply) => void; reject: (e: Error) => void }[] = [];
  const ask = (prefix: string) => {
    asked.push(prefix);
    return new Promise<MemberListReply>((resolve, reject) => waiting.push({ resolve, reject }));
  };
  /** Answers the oldest request still open. */
  const answer = async (reply: MemberListReply | Error) => {
    const next = waiting.shift();
    if (!next) throw new Error("no request in flight");
    if (reply instanceof Error) next.reject(reply);
    else next.resolve(reply);
    await Promise.resolve();
    await Promise.resolve();
  };
  return { asked, ask, answer, open: () => waiting.length };
}

const names = (ms: readonly Member[]) => ms.map((m) => m.n).sort();

describe("MemberSearch", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("asks once typing pauses, for the latest prefix only", () => {
    const server = fakeServer();
    const search = new MemberSearch(server.ask, () => undefined);
    search.query("z");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS - 1);
    search.query("ze");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS - 1);
    expect(server.asked).toEqual([]);
    search.query("Zed");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    // Asked as the server compares names.
    expect(server.asked).toEqual(["zed"]);
  });

  it("keeps one request in flight, then asks for what is typed by then", async () => {
    const server = fakeServer();
    const changed = vi.fn();
    const search = new MemberSearch(server.ask, changed);
    search.query("a");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    search.query("ab");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    search.query("abc");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    expect(server.asked).toEqual(["a"]);
    expect(server.open()).toBe(1);
    expect(search.busy).toBe(true);
    await server.answer({ m: [member(1, "abe"), member(2, "abcd")], mm: true });
    expect(changed).toHaveBeenCalledTimes(1);
    // "ab" was passed over: the answer for "a" came when "abc" was typed.
    expect(server.asked).toEqual(["a", "abc"]);
    // Meanwhile what "a" found and fits "abc" is offered.
    expect(names(search.found("abc"))).toEqual(["abcd"]);
    await server.answer({ m: [member(2, "abcd"), member(3, "abcz")] });
    expect(names(search.found("abc"))).toEqual(["abcd", "abcz"]);
    expect(search.busy).toBe(false);
  });

  it("never offers an answer for a prefix that is not the start of the one typed", async () => {
    const server = fakeServer();
    const search = new MemberSearch(server.ask, () => undefined);
    search.query("bo");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    search.query("ca");
    await server.answer({ m: [member(1, "bob")] });
    expect(search.found("ca")).toEqual([]);
    expect(names(search.found("bo"))).toEqual(["bob"]);
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    expect(server.asked).toEqual(["bo", "ca"]);
  });

  it("does not ask for a longer prefix when a shorter one's answer listed every match", async () => {
    const server = fakeServer();
    const search = new MemberSearch(server.ask, () => undefined);
    search.query("ze");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    await server.answer({ m: [member(1, "zed"), member(2, "zelda")] });
    search.query("zel");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    expect(server.asked).toEqual(["ze"]);
    expect(names(search.found("zel"))).toEqual(["zelda"]);
    // Closing the completion forgets the answers: the next one asks again.
    search.query(undefined);
    search.query("zel");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    expect(server.asked).toEqual(["ze", "zel"]);
  });

  it("does not ask again for a prefix whose read failed until the typing changes", async () => {
    const server = fakeServer();
    const search = new MemberSearch(server.ask, () => undefined);
    search.query("q");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    await server.answer(new Error("rate limited"));
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS * 10);
    expect(server.asked).toEqual(["q"]);
    search.query("qu");
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    expect(server.asked).toEqual(["q", "qu"]);
  });

  it("asks nothing for an empty prefix or one longer than any name, nor once disposed", () => {
    const server = fakeServer();
    const search = new MemberSearch(server.ask, () => undefined);
    expect(searchKey("   ")).toBeUndefined();
    search.query("");
    search.query("x".repeat(100));
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    search.query("x");
    search.dispose();
    vi.advanceTimersByTime(MEMBER_SEARCH_DELAY_MS);
    expect(server.asked).toEqual([]);
  });
});
