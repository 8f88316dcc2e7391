/**
 * Rules for the text of names, messages, topics and reasons, shared by the schemas, the server
 * and clients. docs/protocol.md ("Text rules") says what each field allows.
 */

/** A lone surrogate: in a `u` regex it matches as a code point of category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Whether a string is well-formed UTF-16 (no lone surrogate). A lone surrogate cannot be
 * encoded as UTF-8, so it would be stored as U+FFFD and read back differently than it was
 * acknowledged; such strings are refused instead.
 */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * Characters a name may not contain: format characters (Unicode Cf: zero-width space and
 * joiners, bidi embeddings, overrides, isolates and marks, the BOM, the soft hyphen…) and the
 * Hangul fillers, letters that render as nothing. Either would let two names look alike.
 */
const INVISIBLE_IN_NAME = /[\p{Cf}\u115F\u1160\u3164\uFFA0]/u;

/** Whether a name contains a character that renders as nothing or reorders text. */
export function hasInvisible(s: string): boolean {
  return INVISIBLE_IN_NAME.test(s);
}

/**
 * Whitespace, default-ignorable code points (zero-width characters, bidi controls, variation
 * selectors, Hangul fillers…) and the blank braille pattern: what renders as nothing.
 */
const BLANK = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Whether a text would render as nothing at all (it is empty, or invisible characters only). */
export function isBlank(s: string): boolean {
  return BLANK.test(s);
}

const PDF = 0x202c;
const PDI = 0x2069;
/** LRE, RLE, LRO, RLO: opened embeddings and overrides, closed by PDF. */
const isEmbedding = (c: number) => c === 0x202a || c === 0x202b || c === 0x202d || c === 0x202e;
/** LRI, RLI, FSI: opened isolates, closed by PDI. */
const isIsolate = (c: number) => c >= 0x2066 && c <= 0x2068;

/**
 * Whether every bidi embedding, override and isolate the text opens is closed in it, with the
 * pairing rules of the Unicode bidi algorithm (UAX #9): a PDF closes the innermost embedding or
 * override unless an isolate is open inside it, a PDI closes the innermost isolate and whatever
 * is open inside that. Right-to-left writers use these controls; balanced, they cannot reorder
 * anything outside the text (the name or time beside it).
 */
export function isBidiBalanced(s: string): boolean {
  // 1 = an embedding or override, 2 = an isolate; open ones only, innermost last.
  const open: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x202a) continue;
    if (isEmbedding(c)) open.push(1);
    else if (isIsolate(c)) open.push(2);
    else if (c === PDF) {
      if (open.at(-1) === 1) open.pop();
    } else if (c === PDI) {
      const isolate = open.lastIndexOf(2);
      if (isolate >= 0) open.length = isolate;
    }
  }
  return open.length === 0;
}

/**
 * The key under which a name is unique: NFKC (so fullwidth `Ｌｏｂｂｙ` and `Lobby` meet), then
 * case folding, then NFKC again (folding can denormalize), with runs of whitespace as one
 * space. JavaScript has no full case folding; lower → upper → lower stands for it (ß, ẞ and
 * SS all become `ss`; final and medial sigma meet). Confusable letters of different scripts
 * (Latin `a`, Cyrillic `а`) keep different keys.
 */
export function nameKey(name: string): string {
  return name
    .normalize("NFKC")
    .toLowerCase()
    .toUpperCase()
    .toLowerCase()
    .normalize("NFKC")
    .replace(/\s+/gu, " ")
    .trim();
}

/** Longest excerpt of a quoted message, in UTF-16 code units (a reply's quote). */
export const EXCERPT_MAX = 140;

/**
 * The excerpt of a message for a reply's quote: its content on one line (runs of whitespace as
 * one space), cut at {@link EXCERPT_MAX} code units without splitting a surrogate pair, with
 * "…" when cut. The server and clients compute it the same way.
 */
export function excerpt(content: string): string {
  const line = content.replace(/\s+/g, " ").trim();
  if (line.length <= EXCERPT_MAX) return line;
  let end = EXCERPT_MAX - 1;
  const code = line.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${line.slice(0, end)}…`;
}

/**
 * What a notification says of a message: the {@link excerpt} of its content, or, for a message
 * of files alone, the first file's name (`📎 report.pdf`, `📎 a.png and 2 more`).
 */
export function notificationText(content: string, files?: readonly { n: string }[]): string {
  const text = excerpt(content);
  const first = files?.[0];
  if (text !== "" || !first) return text;
  const rest = (files?.length ?? 1) - 1;
  return excerpt(`📎 ${first.n}${rest > 0 ? ` and ${rest} more` : ""}`);
}
