import { describe, expect, it } from "vitest";
import { AutoModeration, filterText, foldText, WordFilter } from "./auto-moderation";

describe("the blocked words filter", () => {
  const filter = new WordFilter(["scam", "free money", "crypto*"]);

  it("finds a blocked word through case, look-alikes, leetspeak, spacing and invisible characters", () => {
    for (const text of [
      "this is a scam",
      "THIS IS A SCAM",
      "a scam!",
      "(scam)",
      "ѕсаm", // Cyrillic ѕ, с, а
      "ｓｃａｍ", // fullwidth
      "𝐬𝐜𝐚𝐦", // mathematical bold
      "5c4m",
      "sc@m",
      "scaaaam",
      "s c a m",
      "s.c.a.m",
      "s-c-a-m",
      "not a s.c.a.m, promise",
      "s\u200bc\u200ba\u200bm", // zero-width spaces
      "s\u00adcam", // soft hyphen
      "get FREE   money now",
      "free-money",
      "fr33 m0ney",
      "cryptocoins here",
    ])
      expect([text, filter.match(text)]).toEqual([text, expect.any(String)]);
  });

  it("leaves innocent words alone: no match inside a longer word", () => {
    for (const text of [
      "scamper across the lawn",
      "escambray mountains",
      "money for free",
      "freely money",
      "freedom money",
      "a classic class",
      "s c a r f",
      "",
    ])
      expect([text, filter.match(text)]).toEqual([text, undefined]);
    expect(new WordFilter([]).match("scam")).toBeUndefined();
  });

  it("says which entry matched", () => {
    expect(filter.match("free money!")).toBe("free money");
    expect(filter.match("cryptos")).toBe("crypto*");
  });

  it("normalises text for matching", () => {
    expect(filterText("s.c.a.m, b-a-d!")).toBe("s c a m b a d");
    expect(filterText("ﬁne\u200b")).toBe("fine");
    expect(foldText("FrEEE  ｍ0ney, ѕсаm")).toBe("fre money scam");
  });
});

describe("auto-moderation", () => {
  const hour = 3_600_000;
  const now = 1_000 * hour;
  const settings = { blockedWords: ["scam"], linkMinAccountHours: 24, maxMentions: 3 };
  const automod = new AutoModeration(
    () => settings,
    () => now,
  );
  const old = { isGuest: false, createdAt: now - 48 * hour };
  const young = { isGuest: false, createdAt: now - hour };
  const guest = { isGuest: true };
  const refusal = (author: typeof old | typeof guest, text: string, exempt = false) => {
    try {
      automod.check(author, text, exempt);
      return "ok";
    } catch (err) {
      return (err as { errorName: string }).errorName;
    }
  };

  it("refuses blocked words to everyone but the channel's moderators", () => {
    expect(refusal(old, "what a sc4m")).toBe("MESSAGE_BLOCKED");
    expect(refusal(old, "what a sc4m", true)).toBe("ok");
    expect(refusal(old, "what a scamper")).toBe("ok");
  });

  it("refuses links from guests and young accounts only", () => {
    const link = "see https://example.com/page";
    expect(refusal(guest, link)).toBe("LINKS_NOT_ALLOWED");
    expect(refusal(young, link)).toBe("LINKS_NOT_ALLOWED");
    expect(refusal(old, link)).toBe("ok");
    expect(refusal(young, link, true)).toBe("ok");
    expect(refusal(young, "no link in here")).toBe("ok");
  });

  it("refuses more distinct mentions than allowed", () => {
    expect(refusal(old, "@ann @bob @cid")).toBe("ok");
    expect(refusal(old, "@ann @bob @cid @ANN")).toBe("ok");
    expect(refusal(old, "@ann @bob @cid @dee")).toBe("TOO_MANY_MENTIONS");
  });

  it("follows the settings as they change", () => {
    settings.blockedWords = ["spam"];
    expect(refusal(old, "a scam")).toBe("ok");
    expect(refusal(old, "s p a m")).toBe("MESSAGE_BLOCKED");
    settings.linkMinAccountHours = 0;
    settings.maxMentions = 0;
    expect(refusal(guest, "https://example.com @ann @bob @cid @dee @eve")).toBe("ok");
  });
});
