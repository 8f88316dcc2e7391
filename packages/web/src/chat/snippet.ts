/** A piece of a search snippet: plain text, or a part the query matched (`mark`). */
export interface SnippetSegment {
  text: string;
  mark: boolean;
}

/** Whether the UTF-16 unit at `k` is the second half of a surrogate pair. */
function lowSurrogateAt(text: string, k: number): boolean {
  const unit = text.charCodeAt(k);
  const before = text.charCodeAt(k - 1);
  return unit >= 0xdc00 && unit <= 0xdfff && before >= 0xd800 && before <= 0xdbff;
}

/**
 * A search hit's snippet cut into segments at its match ranges (`[start, end)` UTF-16
 * offsets, as the server sends them), for rendering as text and `<mark>` elements, never as
 * markup. Ranges are not trusted: out of bounds they are clamped, empty, inverted or not
 * integers they are dropped, overlapping or touching ones merged, and an edge inside a
 * surrogate pair is widened to the whole character. The segments' texts always join back to
 * `text`.
 */
export function snippetSegments(
  text: string,
  ranges: readonly (readonly [number, number])[],
): SnippetSegment[] {
  const spans = ranges
    .filter(([a, b]) => Number.isInteger(a) && Number.isInteger(b))
    .map(([a, b]) => {
      let start = Math.max(0, Math.min(a, text.length));
      let end = Math.max(0, Math.min(b, text.length));
      if (lowSurrogateAt(text, start)) start -= 1;
      if (lowSurrogateAt(text, end)) end += 1;
      return [start, end] as const;
    })
    .filter(([a, b]) => a < b)
    .sort((x, y) => x[0] - y[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of spans) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  const out: SnippetSegment[] = [];
  let at = 0;
  for (const [a, b] of merged) {
    if (a > at) out.push({ text: text.slice(at, a), mark: false });
    out.push({ text: text.slice(a, b), mark: true });
    at = b;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), mark: false });
  return out;
}
