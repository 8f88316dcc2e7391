import compact from "emojibase-data/en/compact.json";
import messages from "emojibase-data/en/messages.json";
import github from "emojibase-data/en/shortcodes/github.json";
import { type Emoji, type EmojiData, emojiText } from "./emoji";

/** The group emojibase keeps for skin-tone and hair components, never offered on its own. */
const COMPONENT_GROUP = 2;

const TONES = ["1F3FB", "1F3FC", "1F3FD", "1F3FE", "1F3FF"];

/** The five variants with one skin tone throughout (light to dark), if the emoji has them all. */
function uniformSkins(skins: readonly { hexcode: string; unicode: string }[]) {
  const found = TONES.map((tone) =>
    skins.find((s) => {
      const tones = s.hexcode.split("-").filter((c) => TONES.includes(c));
      return tones.length > 0 && tones.every((c) => c === tone);
    }),
  );
  return found.every((s) => s !== undefined) ? found.map((s) => emojiText(s.unicode)) : undefined;
}

/**
 * Emojibase's English data (CLDR names and keywords, GitHub shortcodes, groups, skin tones)
 * in the shape the picker and the completions use. Loaded only by `loadEmoji` (a separate
 * chunk), so the first paint does not pay for it.
 */
export function buildEmojiData(): EmojiData {
  const list: Emoji[] = [];
  for (const e of compact) {
    if (e.group === undefined || e.group === COMPONENT_GROUP) continue;
    const codes = github[e.hexcode];
    const skins = e.skins && uniformSkins(e.skins);
    list.push({
      e: emojiText(e.unicode),
      n: e.label,
      s: codes === undefined ? [] : typeof codes === "string" ? [codes] : codes,
      t: e.tags ?? [],
      g: e.group,
      ...(skins ? { k: skins } : {}),
    });
  }
  const groups = messages.groups
    .filter((g) => g.order !== COMPONENT_GROUP)
    .map((g) => ({ i: g.order, n: g.message }));
  return { list, groups };
}
