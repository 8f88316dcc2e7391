/**
 * The search query language (op 42 Search, `GET /api/v1/search`): words, `"phrases"`, `word*`
 * prefixes, `-word` exclusions and filters, parsed into data. Nothing of the text typed ever
 * becomes index syntax: the parsed terms hold only folded word tokens, and each storage quotes
 * them as literals.
 *
 * - `alpha beta`: messages with both words (any order, anywhere).
 * - `"alpha beta"`: the words next to each other, in that order.
 * - `alph*`: a word starting with `alph` (3 characters at least; a shorter one is a word). The
 *   last word is not a prefix by itself: add `*`.
 * - `-alpha`, `-"alpha beta"`: without that word or phrase.
 * - `from:@bob` (or `from:bob`): written by bob. `in:#general` (or `in:general`): in that
 *   channel; `in:@bob`: in your direct message with bob. `mentions:@me`, `mentions:@bob`:
 *   mentioning you or bob. The same filter twice means any of them.
 * - `before:2025-01-31`, `after:2025-01-01` (both exclusive), `on:2025-01-15`: by UTC day.
 * - `has:link` (an http or https address), `is:pinned`.
 *
 * A filter whose value cannot match (a date that is no date, `has:` or `is:` of something
 * else) makes the query match nothing, as does one naming a user or channel that does not
 * exist or that you cannot see; that is decided by the server, not here. An unknown `key:` is
 * text.
 */

/** A word, phrase or prefix of a query, as folded tokens. */
export interface SearchTerm {
  /** The term's tokens, folded ({@link foldSearchText}): one for a word, more for a phrase. */
  tokens: string[];
  /** The last token is a prefix (`alph*`). */
  prefix: boolean;
}

/** A parsed query. Filters are `undefined` or empty when absent. */
export interface SearchQuery {
  /** Terms every result contains. */
  include: SearchTerm[];
  /** Terms no result contains. */
  exclude: SearchTerm[];
  /** Authors, by username as typed (without `@`): any of them. */
  from: string[];
  /** Channels by name as typed (without `#`): any of them (with {@link dms}). */
  channels: string[];
  /** The direct messages with these users (`in:@name`): any of them (with {@link channels}). */
  dms: string[];
  /** Mentioned users, by username (`me` for the searcher): any of them. */
  mentions: string[];
  /** Earliest time (epoch ms, inclusive). */
  since?: number;
  /** Latest time (epoch ms, exclusive). */
  until?: number;
  /** Only messages with an http(s) link. */
  hasLink: boolean;
  /** Only pinned messages. */
  pinned: boolean;
  /** A filter value that cannot match: the query matches nothing. */
  impossible: boolean;
}

/** Longest prefix term that stays a word: `a*` is the word `a`. */
export const PREFIX_MIN = 3;

const DAY_MS = 24 * 3600 * 1000;

/**
 * A token character as the indexes see it: letters, digits, marks and private use (SQLite's
 * `unicode61` tokenizer: categories L*, N*, Co; marks are folded away). Everything else
 * separates tokens.
 */
export const SEARCH_TOKEN = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * Folds text the way the indexes compare it: canonical decomposition, combining marks
 * removed, lower case (SQLite's `remove_diacritics 2`; on PostgreSQL the index's function and
 * this do the same).
 */
export function foldSearchText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The folded tokens of a text, in order (empty tokens, such as a lone mark, left out). */
export function searchTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SEARCH_TOKEN)) {
    const t = foldSearchText(m[0]);
    if (t) out.push(t);
  }
  return out;
}

/** Whether folded tokens hold a term: its tokens in a row, the last one as a prefix if it is one. */
function holdsTerm(tokens: readonly string[], term: SearchTerm): boolean {
  const n = term.tokens.length;
  next: for (let i = 0; i + n <= tokens.length; i++) {
    for (let j = 0; j < n; j++) {
      const token = tokens[i + j]!;
      const want = term.tokens[j]!;
      if (term.prefix && j === n - 1 ? !token.startsWith(want) : token !== want) continue next;
    }
    return true;
  }
  return false;
}

/**
 * Whether a text matches a query's terms as the indexes match them: it holds every included
 * term and none of the excluded ones (a word as a whole token, a phrase as tokens in a row, a
 * prefix as the start of a token), compared folded ({@link searchTokens}). A text whose folded
 * form does not contain an included term's first token at all is refused before it is split.
 */
export function matchesSearchTerms(
  text: string,
  include: readonly SearchTerm[],
  exclude: readonly SearchTerm[],
): boolean {
  if (include.length > 0) {
    const folded = foldSearchText(text);
    if (include.some((t) => !folded.includes(t.tokens[0]!))) return false;
  }
  const tokens = searchTokens(text);
  return include.every((t) => holdsTerm(tokens, t)) && !exclude.some((t) => holdsTerm(tokens, t));
}

/** Whether a query asks for anything: a term or a filter. One that does not matches nothing. */
export function hasCriteria(q: SearchQuery): boolean {
  return (
    q.include.length > 0 ||
    q.exclude.length > 0 ||
    q.from.length > 0 ||
    q.channels.length > 0 ||
    q.dms.length > 0 ||
    q.mentions.length > 0 ||
    q.since !== undefined ||
    q.until !== undefined ||
    q.hasLink ||
    q.pinned ||
    q.impossible
  );
}

/** A day `YYYY-MM-DD` as the epoch ms of its UTC midnight, or undefined when it is no date. */
function utcDay(value: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  return t;
}

/** Splits a query into its pieces: quoted phrases (an unclosed quote runs to the end) and runs of non-space. */
function pieces(text: string): { text: string; quoted: boolean; negated: boolean }[] {
  const out: { text: string; quoted: boolean; negated: boolean }[] = [];
  const re = /(-?)"([^"]*)"?|([^\s"]+)/gu;
  for (const m of text.matchAll(re)) {
    if (m[3] !== undefined) {
      // A word glued to a quote (`ab"cd"`) ends at the quote: the phrase is a piece of its own.
      const negated = m[3].length > 1 && m[3].startsWith("-");
      out.push({ text: negated ? m[3].slice(1) : m[3], quoted: false, negated });
    } else out.push({ text: m[2] ?? "", quoted: true, negated: m[1] === "-" });
  }
  return out;
}

const FILTER = /^(from|in|before|after|on|has|is|mentions):(.*)$/i;

/** Parses a query typed by a user. Never throws: what is not a filter is text. */
export function parseSearchQuery(text: string): SearchQuery {
  const q: SearchQuery = {
    include: [],
    exclude: [],
    from: [],
    channels: [],
    dms: [],
    mentions: [],
    hasLink: false,
    pinned: false,
    impossible: false,
  };
  const narrow = (since: number | undefined, until: number | undefined) => {
    if (since !== undefined) q.since = Math.max(q.since ?? since, since);
    if (until !== undefined) q.until = Math.min(q.until ?? until, until);
  };
  for (const piece of pieces(text)) {
    const filter = piece.quoted || piece.negated ? null : FILTER.exec(piece.text);
    if (filter) {
      const key = filter[1]!.toLowerCase();
      const value = filter[2]!;
      if (applyFilter(q, key, value, narrow)) continue;
    }
    const prefix = !piece.quoted && piece.text.endsWith("*");
    const tokens = searchTokens(piece.text);
    if (tokens.length === 0) continue;
    const term: SearchTerm = {
      tokens,
      prefix: prefix && (tokens.at(-1)?.length ?? 0) >= PREFIX_MIN,
    };
    (piece.negated ? q.exclude : q.include).push(term);
  }
  if (q.since !== undefined && q.until !== undefined && q.since >= q.until) q.impossible = true;
  return q;
}

/** Applies one `key:value`; false when it is not a filter after all (then it is text). */
function applyFilter(
  q: SearchQuery,
  key: string,
  value: string,
  narrow: (since: number | undefined, until: number | undefined) => void,
): boolean {
  const name = (v: string) => v.replace(/^[@#]/, "");
  switch (key) {
    case "from":
    case "mentions": {
      const user = name(value);
      if (!user) return false;
      (key === "from" ? q.from : q.mentions).push(user);
      return true;
    }
    case "in": {
      if (!name(value)) return false;
      if (value.startsWith("@")) q.dms.push(name(value));
      else q.channels.push(name(value));
      return true;
    }
    case "before":
    case "after":
    case "on": {
      const day = utcDay(value);
      if (day === undefined) q.impossible = true;
      else if (key === "before") narrow(undefined, day);
      else if (key === "after") narrow(day + DAY_MS, undefined);
      else narrow(day, day + DAY_MS);
      return true;
    }
    case "has":
      if (value.toLowerCase() === "link") q.hasLink = true;
      else q.impossible = true;
      return true;
    case "is":
      if (value.toLowerCase() === "pinned") q.pinned = true;
      else q.impossible = true;
      return true;
    default:
      return false;
  }
}
