import type { SearchQuery } from "@parley/protocol";

/** One page of a search, for one user. */
export interface SearchRequest {
  /** The searcher: only messages of channels it is a member of now are searched. */
  userId: number;
  query: SearchQuery;
  /** Only messages with an id below this one (the previous page's last). */
  beforeId?: number;
  limit: number;
}

/** A message found, as it is now. */
export interface SearchRow {
  channelId: number;
  seq: number;
  messageId: number;
  authorId: number;
  authorName: string;
  createdAt: number;
  content: string;
}

/**
 * Full-text search over messages, kept in step with them by the database itself (triggers in
 * the writing transaction), so a committed send, edit or deletion is searched as committed.
 *
 * Contract:
 * - **Visibility.** Only messages of channels the user is a member of at the time of the query
 *   (public, private, direct), read in the same statement as the match: leaving, a kick or a
 *   ban takes the channel out of the user's results at once. A public channel the user has not
 *   joined is not searched.
 * - **Current state.** A deleted message never matches; an edited one matches its current text
 *   only.
 * - **Matching** is by the folded tokens of `query` (case and diacritics folded, as the
 *   protocol's `foldSearchText`): all `include` terms (a phrase's tokens adjacent and in order,
 *   a prefix term's last token as a prefix), no `exclude` term, and every filter. Terms are
 *   literals: nothing typed is query syntax. A name in `from`, `channels`, `dms` or `mentions`
 *   that names nothing the user can see matches nothing, exactly like one that does not exist.
 *   A query with filters only matches every message that passes them.
 * - **Order.** Newest first by message id; `beforeId` pages on, so messages sent while a user
 *   pages are never repeated or skipped on later pages.
 * - With search turned off (`PARLEY_SEARCH=off`) every search is refused with SEARCH_DISABLED
 *   and the index is not maintained.
 */
export interface SearchStore {
  searchMessages(request: SearchRequest): Promise<SearchRow[]>;
}
