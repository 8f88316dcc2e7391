import { describe, expect, it } from "vitest";
import {
  addRecent,
  type Emoji,
  emojiText,
  loadEmoji,
  RECENT_MAX,
  readRecent,
  readTone,
  searchEmoji,
  withTone,
  writeTone,
} from "./emoji";

/** localStorage's two methods over a Map. */
function memoryStorage() {
  const map = new Map<string, string>();
  return {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  };
}

describe("emoji data", () => {
  it("loads emojibase's emoji with shortcodes, groups and skin tones", async () => {
    const { list, groups } = await loadEmoji();
    expect(list.length).toBeGreaterThan(1500);
    expect(groups.map((g) => g.n)).toContain("smileys & emotion");
    expect(groups.map((g) => g.n)).not.toContain("components");
    const thumbs = list.find((e) => e.s.includes("+1"));
    expect(thumbs?.e).toBe("👍");
    expect(thumbs && withTone(thumbs, 5)).toBe("👍🏿");
    expect(list.find((e) => e.n === "red heart")?.e).toBe("❤️");
  });

  it("finds :smi by shortcode prefix before any name or keyword match", async () => {
    const { list } = await loadEmoji();
    const found = searchEmoji(list, ":smi", 8).map((e) => e.s[0] ?? "");
    expect(found).toHaveLength(8);
    expect(found.every((s) => s.startsWith("smi"))).toBe(true);
    expect(found).toContain("smile");
    expect(found).toContain("smiley");
    expect(found).toContain("smirk");
  });
});

describe("emojiText", () => {
  it("drops the variation selector only where the emoji needs none", () => {
    expect(emojiText("👍\uFE0F")).toBe("👍");
    expect(emojiText("❤\uFE0F")).toBe("❤\uFE0F");
  });
});

describe("searchEmoji", () => {
  const e = (s: string[], n: string, t: string[] = []): Emoji => ({ e: n, n, s, t, g: 0 });
  const list = [
    e(["grin"], "grinning face", ["smile"]),
    e(["smiley"], "smiley"),
    e(["smile"], "smile"),
  ];

  it("ranks an exact shortcode over a prefix over a keyword", () => {
    expect(searchEmoji(list, "smile").map((x) => x.n)).toEqual([
      "smile",
      "smiley",
      "grinning face",
    ]);
  });

  it("finds nothing for an empty query", () => {
    expect(searchEmoji(list, " : ")).toEqual([]);
  });
});

describe("recents and tone", () => {
  it("keeps recents most recent first, once each, at most RECENT_MAX", () => {
    const storage = memoryStorage();
    addRecent(storage, "👍");
    addRecent(storage, "🎉");
    expect(addRecent(storage, "👍")).toEqual(["👍", "🎉"]);
    for (let k = 0; k < RECENT_MAX + 5; k++) addRecent(storage, String(k));
    expect(readRecent(storage)).toHaveLength(RECENT_MAX);
  });

  it("reads garbage in storage as no recents and no tone", () => {
    const storage = memoryStorage();
    storage.setItem("parley.emoji.recent", "{not json");
    storage.setItem("parley.emoji.tone", "9");
    expect(readRecent(storage)).toEqual([]);
    expect(readTone(storage)).toBe(0);
    writeTone(storage, 3);
    expect(readTone(storage)).toBe(3);
  });
});
