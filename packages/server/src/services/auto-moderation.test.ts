import { describe, expect, it } from "vitest";
import { AutoModeration, filterText, foldText, WordFilter } from "./auto-moderation";

describe("the blocked words filter", () => {
  const filter = new WordFilter(["scam", "free money", "crypto*"]);

  it("finds a blocked word through case, look-alikes, leetspeak, spacing and invisible characters", async () => {
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

  it("leaves innocent words alone: no match inside a longer word", async () => {
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

  it("says which entry matched", async () => {
    expect(filter.match("free money!")).toBe("free money");
    expect(filter.match("cryptos")).toBe("crypto*");
  });

  it("normalises text for matching", async () => {
    expect(filterText("s.c.a.m, b-a-d!")).toBe("s c a m b a d");
    expect(filterText("ﬁne\u200b")).toBe("fine");
    expect(foldText("FrEEE  ｍ0ney, ѕсаm")).toBe("fre money scam");
  });
});

describe("auto-moderation", () => {
  const hour = 3_600_000;
  const now = 1_000 * hour;
  const settings = {
    blockedWords: ["scam"],
    heldWords: ["crypto*"],
    linkMinAccountHours: 24,
    maxMentions: 3,
  };
  const channelWords = new Map<number, { blocked: string[]; held: string[] }>([
    [2, { blocked: ["spoiler*"], held: [] }],
    [4, { blocked: [], held: ["giveaway"] }],
  ]);
  let reads = 0;
  const automod = new AutoModeration(
    () => settings,
    {
      channelWords: async (c) => {
        reads++;
        return channelWords.get(c) ?? { blocked: [], held: [] };
      },
    },
    undefined,
    () => now,
  );
  const old = { isGuest: false, createdAt: now - 48 * hour };
  const young = { isGuest: false, createdAt: now - hour };
  const guest = { isGuest: true };
  const refusal = async (
    author: typeof old | typeof guest,
    text: string,
    exempt = false,
    channelId = 1,
    edit = false,
  ) => {
    try {
      const verdict = await automod.check(author, channelId, text, exempt, edit);
      return verdict ? `held: ${verdict.held}` : "ok";
    } catch (err) {
      return (err as { errorName: string }).errorName;
    }
  };

  it("refuses blocked words to everyone but the channel's moderators", async () => {
    expect(await refusal(old, "what a sc4m")).toBe("MESSAGE_BLOCKED");
    expect(await refusal(old, "what a sc4m", true)).toBe("ok");
    expect(await refusal(old, "what a scamper")).toBe("ok");
  });

  it("refuses links from guests and young accounts only", async () => {
    const link = "see https://example.com/page";
    expect(await refusal(guest, link)).toBe("LINKS_NOT_ALLOWED");
    expect(await refusal(young, link)).toBe("LINKS_NOT_ALLOWED");
    expect(await refusal(old, link)).toBe("ok");
    expect(await refusal(young, link, true)).toBe("ok");
    expect(await refusal(young, "no link in here")).toBe("ok");
  });

  it("refuses more distinct mentions than allowed", async () => {
    expect(await refusal(old, "@ann @bob @cid")).toBe("ok");
    expect(await refusal(old, "@ann @bob @cid @ANN")).toBe("ok");
    expect(await refusal(old, "@ann @bob @cid @dee")).toBe("TOO_MANY_MENTIONS");
  });

  it("refuses a channel's own words in that channel only, read once and kept until dropped", async () => {
    const before = reads;
    expect(await refusal(old, "big SPOILERS ahead", false, 2)).toBe("MESSAGE_BLOCKED");
    expect(await refusal(old, "big spoilers ahead", false, 3)).toBe("ok");
    expect(await refusal(old, "no spoilerz", false, 2)).toBe("MESSAGE_BLOCKED");
    expect(reads - before).toBe(2);
    channelWords.set(2, { blocked: [], held: [] });
    expect(await refusal(old, "spoilers", false, 2)).toBe("MESSAGE_BLOCKED");
    automod.channelChanged(2);
    expect(await refusal(old, "spoilers", false, 2)).toBe("ok");
  });

  it("holds sends with held words (the server's and the channel's), refuses them in edits; a blocked word wins", async () => {
    expect(await refusal(old, "CRYPT0CURRENCY tips")).toBe("held: crypto*");
    expect(await refusal(old, "crypto tips", false, 1, true)).toBe("MESSAGE_BLOCKED");
    expect(await refusal(old, "crypto tips", true)).toBe("ok");
    expect(await refusal(old, "crypto scam")).toBe("MESSAGE_BLOCKED");
    expect(await refusal(old, "a g i v e a w a y", false, 4)).toBe("held: giveaway");
    expect(await refusal(old, "a giveaway", false, 1)).toBe("ok");
    expect(await refusal(old, "nothing to see", false, 4)).toBe("ok");
  });

  it("follows the settings as they change", async () => {
    settings.blockedWords = ["spam"];
    expect(await refusal(old, "a scam")).toBe("ok");
    expect(await refusal(old, "s p a m")).toBe("MESSAGE_BLOCKED");
    settings.linkMinAccountHours = 0;
    settings.maxMentions = 0;
    expect(await refusal(guest, "https://example.com @ann @bob @cid @dee @eve")).toBe("ok");
  });
});
