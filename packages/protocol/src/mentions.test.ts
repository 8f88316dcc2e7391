import { describe, expect, it } from "vitest";
import { LIMITS } from "./limits";
import { findMentionTokens, mentionGroup, mentionsMe, mentionTokens } from "./mentions";
import { isReservedUsername } from "./usernames";

describe("mentionTokens", () => {
  it("finds @names at the start, after spaces and after punctuation, lower-cased and distinct", () => {
    expect(mentionTokens("@Bob hi (@carol), @bob and\n@dave_1!")).toEqual([
      "bob",
      "carol",
      "dave_1",
    ]);
  });

  it("ignores e-mail addresses, paths and @ inside words", () => {
    expect(mentionTokens("mail bob@example.com or see https://host/@carol or x.@dave")).toEqual([]);
  });

  it("ignores names outside the username alphabet's lengths", () => {
    expect(mentionTokens(`@ab @${"a".repeat(33)} @${"b".repeat(32)}`)).toEqual(["b".repeat(32)]);
  });

  it("ignores tokens in inline code spans and fenced code blocks", () => {
    const text = "`@alice` and ``@bob `x` `` then\n```\n@carol\n```\n~~~ts\n@erin\n~~~\n@dave";
    expect(mentionTokens(text)).toEqual(["dave"]);
  });

  it("ignores an unclosed fence to the end of the text", () => {
    expect(mentionTokens("@alice\n```\n@bob")).toEqual(["alice"]);
  });

  it("keeps the first names up to the limit and ignores the rest", () => {
    const names = Array.from({ length: LIMITS.mentionsPerMessage + 5 }, (_, i) => `user${i}`);
    const found = mentionTokens(names.map((n) => `@${n}`).join(" "));
    expect(found).toEqual(names.slice(0, LIMITS.mentionsPerMessage));
  });

  it("returns the group names with the others", () => {
    expect(mentionTokens("@here @Everyone @bob")).toEqual(["here", "everyone", "bob"]);
  });
});

describe("findMentionTokens", () => {
  it("gives each token's offset and length with its @", () => {
    expect(findMentionTokens("hi @Bob, @bob")).toEqual([
      { index: 3, length: 4, name: "bob" },
      { index: 9, length: 4, name: "bob" },
    ]);
  });
});

describe("mentionGroup", () => {
  it("maps everyone to channel and prefers channel over here", () => {
    expect(mentionGroup(["bob"])).toBeUndefined();
    expect(mentionGroup(["here", "bob"])).toBe("here");
    expect(mentionGroup(["here", "everyone"])).toBe("channel");
  });
});

describe("mentionsMe", () => {
  it("is true for my id in mn or any group mention, false otherwise", () => {
    expect(mentionsMe({ mn: [2, 5] }, 5)).toBe(true);
    expect(mentionsMe({ mn: [2] }, 5)).toBe(false);
    expect(mentionsMe({ mg: "here" }, 5)).toBe(true);
    expect(mentionsMe({}, 5)).toBe(false);
  });
});

describe("isReservedUsername and group mentions", () => {
  it("reserves here, channel and everyone in any case", () => {
    for (const name of ["here", "Channel", "EVERYONE", "ｈｅｒｅ"])
      expect(isReservedUsername(name), name).toBe(true);
    expect(isReservedUsername("heres")).toBe(false);
  });
});
