import { ParleyRequestError } from "@parley/client";
import { ERRORS, type SearchHit, type SearchReply } from "@parley/protocol";
import { errorText } from "./chat-store";

/**
 * The results panel's state: the query last searched, its hits in the server's order (newest
 * first) and the cursor of the next page. Each search or page read carries a key; a reply
 * whose key is no longer the latest (the user searched again meanwhile) is dropped.
 *
 * - `idle`: nothing searched yet. `loading`: the first page is being read; `more`: the next.
 * - `error`: the last read failed; the hits read before it stay (a failed "Load more" keeps
 *   the first pages). `retryAt` for a rate limit, to count down.
 */
export interface SearchResults {
  phase: "idle" | "loading" | "more" | "ready" | "error";
  query: string;
  hits: readonly SearchHit[];
  next?: string;
  key: number;
  error?: { text: string; retryAt?: number };
}

export type SearchInput =
  | { type: "searched"; query: string; key: number }
  | { type: "more-requested"; key: number }
  | { type: "page-loaded"; key: number; reply: SearchReply }
  | { type: "page-failed"; key: number; text: string; retryAt?: number };

export const noResults: SearchResults = { phase: "idle", query: "", hits: [], key: 0 };

/** Whether another page may be asked for now. */
export function canLoadMore(r: SearchResults): boolean {
  return r.next !== undefined && (r.phase === "ready" || r.phase === "error");
}

export function reduceSearch(r: SearchResults, input: SearchInput): SearchResults {
  switch (input.type) {
    case "searched":
      return { phase: "loading", query: input.query, hits: [], key: input.key };
    case "more-requested": {
      if (!canLoadMore(r)) return r;
      const { error: _, ...rest } = r;
      return { ...rest, phase: "more", key: input.key };
    }
    case "page-loaded": {
      if (input.key !== r.key) return r;
      // Pages never repeat a hit; a message id twice would mean a stale page: keep the first.
      const held = new Set(r.hits.map((h) => h.m));
      const hits = [...r.hits, ...input.reply.r.filter((h) => !held.has(h.m))];
      const { next: _, error: __, ...rest } = r;
      return {
        ...rest,
        phase: "ready",
        hits,
        ...(input.reply.nx !== undefined ? { next: input.reply.nx } : {}),
      };
    }
    case "page-failed":
      if (input.key !== r.key) return r;
      return {
        ...r,
        phase: "error",
        error: {
          text: input.text,
          ...(input.retryAt !== undefined ? { retryAt: input.retryAt } : {}),
        },
      };
  }
}

/**
 * What the panel says when a search is refused: search turned off on this server, a rate limit
 * (with the time it ends, counted down), or the refusal's own text.
 */
export function searchRefusal(err: unknown, now: number): { text: string; retryAt?: number } {
  if (err instanceof ParleyRequestError && err.code === ERRORS.SEARCH_DISABLED.code)
    return { text: "Search is turned off on this server." };
  if (err instanceof ParleyRequestError && err.code === ERRORS.RATE_LIMITED.code)
    return {
      text: "Too many searches at once.",
      ...(err.retryAfterMs !== undefined ? { retryAt: now + err.retryAfterMs } : {}),
    };
  return { text: errorText(err) };
}
