import { LIMITS } from "@parley/protocol";

// A URL as people paste it: up to whitespace or a character that cannot end a bare link.
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/**
 * The first distinct http(s) URLs of a message's text, in order, at most
 * `LIMITS.linkPreviewsPerMessage`: trailing punctuation is dropped (`(see https://x.org/a).`),
 * and a closing parenthesis is kept only when the URL opened one.
 */
export function linksOf(text: string, max: number = LIMITS.linkPreviewsPerMessage): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(URL_PATTERN)) {
    let url = m[0];
    for (;;) {
      const trimmed = url.replace(/[.,;:!?*_~\]}>]+$/, "");
      const opens = (trimmed.match(/\(/g) ?? []).length;
      const closes = (trimmed.match(/\)/g) ?? []).length;
      url = trimmed.endsWith(")") && closes > opens ? trimmed.slice(0, -1) : trimmed;
      if (url === trimmed) break;
    }
    if (url.length > LIMITS.linkPreviewUrlMax || out.includes(url)) continue;
    try {
      new URL(url);
    } catch {
      continue;
    }
    out.push(url);
    if (out.length >= max) break;
  }
  return out;
}
