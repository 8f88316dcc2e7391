import { describe, expect, it } from "vitest";
import { messageLink, parseMessageLink } from "./message-link";

describe("message links", () => {
  it("names the channel and the seq in a hash route after the page's address", () => {
    expect(messageLink("https://chat.example/", { c: 7, s: 42 })).toBe(
      "https://chat.example/#/c/7/42",
    );
  });

  it("reads back the link it writes", () => {
    const url = new URL(messageLink("https://chat.example/app?x=1", { c: 3, s: 9001 }));
    expect(parseMessageLink(url.hash)).toEqual({ c: 3, s: 9001 });
  });

  it("accepts a trailing slash", () => {
    expect(parseMessageLink("#/c/3/4/")).toEqual({ c: 3, s: 4 });
  });

  it.each([
    "",
    "#",
    "#/c/3",
    "#/c/0/4",
    "#/c/3/0",
    "#/c/-3/4",
    "#/c/3/4.5",
    "#/c/03/4",
    "#/c/3/4/extra",
    "#/c/99999999999999999/4",
    "#composer-anchor",
  ])("names no message for %j", (hash) => {
    expect(parseMessageLink(hash)).toBeUndefined();
  });
});
