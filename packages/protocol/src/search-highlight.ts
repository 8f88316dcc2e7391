import { foldSearchText, SEARCH_TOKEN, type SearchTerm } from "./search-query";

/** Longest search snippet, in UTF-16 code units ("…" included). */
export const SNIPPET_MAX = 200;

/** Code units of context kept before the first match when a snippet is cut. */
const SNIPPET_LEAD = 60;

/** `[start, end)` in UTF-16 code units. */
export type TextRange = [number, number];

/**
 * Where the terms match in a text: each token of the text that, folded as the index folds it
 * (case and diacritics), equals a token of an included term, or starts with the prefix of a
 * prefix term. Ranges are ascending and disjoint. The text is data,
 * never markup: a client highlights by slicing.
 */
export function highlightRanges(text: string, terms: readonly SearchTerm[]): TextRange[] {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const term of terms) {
    term.tokens.forEach((t, i) => {
      if (term.prefix && i === term.tokens.length - 1) prefixes.push(t);
      else exact.add(t);
    });
  }
  const out: TextRange[] = [];
  if (exact.size === 0 && prefixes.length === 0) return out;
  for (const m of text.matchAll(SEARCH_TOKEN)) {
    const folded = foldSearchText(m[0]);
    if (!exact.has(folded) && !prefixes.some((p) => folded.startsWith(p))) continue;
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}

/** A search result's excerpt: its text, and where the terms match in it. */
export interface Snippet {
  x: string;
  hl: TextRange[];
}

/**
 * The snippet of a message for a search result: its content on one line (runs of whitespace as
 * one space), at most {@link SNIPPET_MAX} code units around the first match, "…" where cut
 * (never inside a surrogate pair), with the match ranges within it.
 */
export function searchSnippet(content: string, terms: readonly SearchTerm[]): Snippet {
  const line = content.replace(/\s+/g, " ").trim();
  if (line.length <= SNIPPET_MAX) return { x: line, hl: highlightRanges(line, terms) };
  const first = highlightRanges(line, terms)[0]?.[0] ?? 0;
  let start = first <= SNIPPET_LEAD ? 0 : first - SNIPPET_LEAD;
  // Start at a word when one begins shortly before; never in the middle of a surrogate pair.
  const space = line.lastIndexOf(" ", start);
  if (space >= 0 && start - space < 20) start = space + 1;
  if (isLowSurrogate(line.charCodeAt(start))) start--;
  const lead = start > 0 ? "…" : "";
  let end = start + SNIPPET_MAX - lead.length;
  let tail = "";
  if (end < line.length) {
    end--;
    tail = "…";
    if (isLowSurrogate(line.charCodeAt(end))) end--;
  } else {
    // The rest fits: take more from before instead.
    end = line.length;
  }
  const x = `${lead}${line.slice(start, end).trimEnd()}${tail}`;
  return { x, hl: highlightRanges(x, terms) };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
