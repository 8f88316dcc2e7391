import {
  hasCriteria,
  LIMITS,
  parseSearchQuery,
  type SearchHit,
  type SearchReply,
  searchSnippet,
} from "@parley/protocol";
import type { SearchStore } from "../storage/search-store";

/** A page of a search: the previous page's `nx`, and the results wanted. */
export interface SearchPage {
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * Message search for one user at a time: parses the query, reads a page from the store (which
 * alone decides what the user may see) and makes each result's snippet and match ranges. The
 * cursor is the last result's message id in base 36: opaque to clients, stable while messages
 * are sent (they only come before the first page).
 */
export class SearchService {
  constructor(private readonly store: SearchStore) {}

  async search(userId: number, text: string, page: SearchPage = {}): Promise<SearchReply> {
    const parsed = parseSearchQuery(text);
    // Nothing searchable in the text and no filter: nothing matches (never "everything").
    const query = hasCriteria(parsed) ? parsed : { ...parsed, impossible: true };
    const limit = page.limit ?? LIMITS.searchPageDefault;
    const rows = await this.store.searchMessages({
      userId,
      query,
      ...(page.cursor !== undefined ? { beforeId: Number.parseInt(page.cursor, 36) } : {}),
      limit: limit + 1,
    });
    const hits = rows.slice(0, limit).map((row): SearchHit => {
      const { x, hl } = searchSnippet(row.content, query.include);
      return {
        c: row.channelId,
        s: row.seq,
        m: row.messageId,
        a: row.authorId,
        an: row.authorName,
        ts: row.createdAt,
        x,
        hl,
      };
    });
    const last = hits.at(-1);
    return rows.length > limit && last ? { r: hits, nx: last.m.toString(36) } : { r: hits };
  }
}
