/** A run of message text: plain, or a link to open in a new tab. */
export type TextPart =
  | { kind: "text"; text: string }
  | { kind: "link"; text: string; href: string };

// Candidates start at an http(s) scheme and run to whitespace or a character that never ends
// a URL in chat text; trailing punctuation is trimmed below.
const CANDIDATE = /https?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'*_~]+$/;

/** Drops sentence punctuation and unbalanced closing brackets from the end of a URL. */
function trimUrl(raw: string): string {
  let url = raw;
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, "");
    for (const [open, close] of [
      ["(", ")"],
      ["[", "]"],
      ["{", "}"],
    ] as const) {
      if (url.endsWith(close) && url.split(open).length < url.split(close).length)
        url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

function safeHref(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return undefined;
    if (!parsed.hostname) return undefined;
    return parsed.href;
  } catch {
    return undefined;
  }
}

/**
 * Splits message text into plain runs and http/https links. Everything else stays text, so the
 * result can be rendered as React text nodes and anchors without any HTML parsing.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const push = (t: string) => {
    if (!t) return;
    const prev = parts.at(-1);
    if (prev?.kind === "text") prev.text += t;
    else parts.push({ kind: "text", text: t });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const url = trimUrl(match[0]);
    const href = safeHref(url);
    if (!href || url.length <= "https://".length) continue;
    push(text.slice(last, start));
    parts.push({ kind: "link", text: url, href });
    last = start + url.length;
  }
  push(text.slice(last));
  return parts;
}
