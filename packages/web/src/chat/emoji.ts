/**
 * Emoji for the picker and the composer's `:shortcode` completion. The data (emojibase) is
 * loaded on first use as a chunk of its own (`emoji-data.ts`); this module is small and holds
 * the matching, skin tones and recents.
 */

/** One emoji as the picker shows it. */
export interface Emoji {
  /** The emoji, as it is inserted and sent as a reaction. */
  e: string;
  /** Its CLDR name: "grinning face". */
  n: string;
  /** Shortcodes without colons: ["smile"]. */
  s: readonly string[];
  /** CLDR keywords. */
  t: readonly string[];
  /** Its group (category) number. */
  g: number;
  /** With a skin tone, light to dark (five), when the emoji takes one. */
  k?: readonly string[];
}

export interface EmojiData {
  list: readonly Emoji[];
  /** The categories in order: number and English name ("smileys & emotion"). */
  groups: readonly { i: number; n: string }[];
}

/**
 * The form of an emoji Parley sends: without the U+FE0F variation selector after a character
 * that is an emoji by default ("👍" not "👍\uFE0F"), with it after one that needs it ("❤️"),
 * so the same reaction from any picker is the same string and shares one chip.
 */
export function emojiText(unicode: string): string {
  return unicode.replace(/(\p{Emoji_Presentation})\uFE0F/gu, "$1");
}

/** Skin tones: 0 = none (the default yellow), 1–5 = light to dark. */
export const SKIN_TONES = [
  "No skin tone",
  "Light skin tone",
  "Medium-light skin tone",
  "Medium skin tone",
  "Medium-dark skin tone",
  "Dark skin tone",
] as const;

/** The emoji in skin tone `tone` (0–5), or as it is when it takes no tone. */
export function withTone(emoji: Emoji, tone: number): string {
  return (tone > 0 && emoji.k?.[tone - 1]) || emoji.e;
}

let loading: Promise<EmojiData> | undefined;

/** The emoji data, read once per page (a dynamic import; the chunk stays cached). */
export function loadEmoji(): Promise<EmojiData> {
  loading ??= import("./emoji-data").then((m) => m.buildEmojiData());
  // A failed load (the network dropped) may be tried again.
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * Emoji matching a query, best first: an exact shortcode, then a shortcode that starts with
 * it, then a shortcode word (`_smile`), then a word of the name, then a keyword; ties keep the
 * data's order (emojibase's, common ones first). Case and a leading colon are ignored.
 */
export function searchEmoji(list: readonly Emoji[], query: string, limit = Infinity): Emoji[] {
  const q = query.trim().toLowerCase().replace(/^:/, "").replace(/:$/, "");
  if (!q) return [];
  const ranked: { emoji: Emoji; rank: number }[] = [];
  for (const emoji of list) {
    const rank = rankOf(emoji, q);
    if (rank !== undefined) ranked.push({ emoji, rank });
  }
  // Array.prototype.sort is stable: equal ranks keep the data's order.
  ranked.sort((a, b) => a.rank - b.rank);
  return ranked.slice(0, limit).map((r) => r.emoji);
}

function rankOf(emoji: Emoji, q: string): number | undefined {
  if (emoji.s.includes(q)) return 0;
  if (emoji.s.some((s) => s.startsWith(q))) return 1;
  if (emoji.s.some((s) => s.includes(`_${q}`))) return 2;
  const name = emoji.n.toLowerCase();
  if (name.startsWith(q) || name.includes(` ${q}`)) return 3;
  if (emoji.t.some((t) => t.startsWith(q))) return 4;
  return undefined;
}

/** How many recently used emoji are kept. */
export const RECENT_MAX = 24;

const RECENT_KEY = "parley.emoji.recent";
const TONE_KEY = "parley.emoji.tone";

/** The recently used emoji, most recent first (kept in `storage`, localStorage in the app). */
export function readRecent(storage: Pick<Storage, "getItem">): string[] {
  try {
    const value: unknown = JSON.parse(storage.getItem(RECENT_KEY) ?? "[]");
    return Array.isArray(value)
      ? value.filter((e): e is string => typeof e === "string").slice(0, RECENT_MAX)
      : [];
  } catch {
    return [];
  }
}

/** Puts `emoji` first in the recents, once, and returns the new list. */
export function addRecent(storage: Pick<Storage, "getItem" | "setItem">, emoji: string): string[] {
  const next = [emoji, ...readRecent(storage).filter((e) => e !== emoji)].slice(0, RECENT_MAX);
  try {
    storage.setItem(RECENT_KEY, JSON.stringify(next));
  } catch {
    // Storage full or refused: the recents just are not kept.
  }
  return next;
}

/** The chosen skin tone, 0–5. */
export function readTone(storage: Pick<Storage, "getItem">): number {
  const tone = Number(storage.getItem(TONE_KEY));
  return Number.isInteger(tone) && tone >= 0 && tone < SKIN_TONES.length ? tone : 0;
}

export function writeTone(storage: Pick<Storage, "setItem">, tone: number): void {
  try {
    storage.setItem(TONE_KEY, String(tone));
  } catch {
    // As above.
  }
}
