import { LIMITS } from "./limits";

/**
 * Group mentions: `@here` (the members online) and `@channel` (every member), with
 * `@everyone` a synonym of `@channel`. Only ranks with the `mentionChannel` permission make
 * them; for anyone else they stay plain text. The three names are reserved as usernames.
 */
export type MentionGroup = "here" | "channel";

/** The tokens that are group mentions, and the group each stands for. */
export const GROUP_MENTIONS: Readonly<Record<string, MentionGroup>> = {
  here: "here",
  channel: "channel",
  everyone: "channel",
};

/**
 * An `@name` token. The `@` starts the text or follows a character that cannot end a word or
 * an e-mail's local part (anything but a letter, digit, mark, `_`, `-`, `.`, `+`, `@`, `/`, `=`),
 * so `bob@example.com` and `https://host/@bob` are no mentions. The name is 3–32 characters of
 * the username alphabet, taken whole: a longer run, or one followed by `@`, is no mention.
 */
const MENTION = /(?<![\p{L}\p{N}\p{M}_.+@/=-])@([A-Za-z0-9_-]{3,32})(?![A-Za-z0-9_@-])/gu;

/** Fenced code blocks: from a ``` or ~~~ line to the next line that opens with the same fence (or the end). */
const FENCED = /^ {0,3}(`{3,}|~{3,})[^\n]*(?:\n[\s\S]*?(?:\n {0,3}\1[^\n]*(?=\n|$)|$)|$)/gm;
/** Inline code spans: a run of backticks to the next run of the same length. */
const CODE_SPAN = /(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;

/** A mention token found in a text: its offset, length (with the `@`) and lower-cased name. */
export interface MentionToken {
  index: number;
  length: number;
  name: string;
}

/**
 * The `@name` tokens of a plain text (no Markdown handling: clients call it on rendered text
 * nodes), in order, with their positions. Names are lower-cased (the username key of the
 * username alphabet).
 */
export function findMentionTokens(text: string): MentionToken[] {
  if (!text.includes("@")) return [];
  const found: MentionToken[] = [];
  for (const match of text.matchAll(MENTION)) {
    found.push({ index: match.index, length: match[0].length, name: match[1]!.toLowerCase() });
  }
  return found;
}

/**
 * The distinct lower-cased names a message's Markdown mentions, in order of first appearance:
 * `@name` tokens of {@link findMentionTokens} outside fenced code blocks and inline code spans
 * (those are blanked first, by the two simple patterns above; no other Markdown is parsed).
 * At most `LIMITS.mentionsPerMessage` names; the rest are ignored. Group names (`here`,
 * `channel`, `everyone`) are among them: see {@link mentionGroup}.
 */
export function mentionTokens(text: string): string[] {
  if (!text.includes("@")) return [];
  const plain = text.replace(FENCED, " ").replace(CODE_SPAN, " ");
  const names = new Set<string>();
  for (const { name } of findMentionTokens(plain)) {
    names.add(name);
    if (names.size === LIMITS.mentionsPerMessage) break;
  }
  return [...names];
}

/** The group a message's tokens mention: `channel` over `here` when both are there. */
export function mentionGroup(names: readonly string[]): MentionGroup | undefined {
  let group: MentionGroup | undefined;
  for (const name of names) {
    const g = GROUP_MENTIONS[name];
    if (g === "channel") return g;
    if (g) group = g;
  }
  return group;
}

/**
 * Whether a message mentions a user: by id in `mn`, or by a group mention (`mg`). The author's
 * own messages never list the author.
 */
export function mentionsMe(
  message: { mn?: readonly number[]; mg?: MentionGroup },
  myUserId: number,
): boolean {
  return message.mg !== undefined || (message.mn?.includes(myUserId) ?? false);
}
