import type { ChannelSummary, Member, Self } from "@parley/protocol";

/**
 * What the search box completes at the caret: a person after `from:`, `mentions:` or `in:@`,
 * a channel after `in:#` (or a bare `in:`), with what was typed of the name so far.
 */
export interface SearchCompletion {
  kind: "user" | "channel";
  /** The filter, lower case: `from`, `mentions` or `in`. */
  filter: "from" | "mentions" | "in";
  /** The typed part of the name, without its `@` or `#`. */
  query: string;
  /** Where the filter's value (with its `@` or `#`) starts; it ends at the caret. */
  start: number;
}

const FILTER_TOKEN = /(?:^|\s)(from|mentions|in):([@#]?)([^\s@#"]*)$/i;

/** The filter value the caret is at the end of, if it is one to complete. */
export function searchCompletionAt(text: string, caret: number): SearchCompletion | undefined {
  const match = FILTER_TOKEN.exec(text.slice(0, caret));
  if (!match) return undefined;
  const filter = (match[1] ?? "").toLowerCase() as SearchCompletion["filter"];
  const sigil = match[2] ?? "";
  const query = match[3] ?? "";
  const kind = filter !== "in" || sigil === "@" ? "user" : "channel";
  if (filter !== "in" && sigil === "#") return undefined;
  return { kind, filter, query, start: caret - sigil.length - query.length };
}

/** A person the client knows of, online when any channel's member list says so. */
export interface KnownUser {
  i: number;
  n: string;
  on: boolean;
}

/**
 * Everyone this client has seen: the members of every channel whose list it holds, the people
 * of its DMs, and the user itself; once each, by id.
 */
export function knownUsers(
  members: Readonly<Record<number, readonly Member[]>>,
  channels: readonly ChannelSummary[],
  me: Self | undefined,
): KnownUser[] {
  const byId = new Map<number, KnownUser>();
  const add = (i: number, n: string, on: boolean) => {
    const held = byId.get(i);
    byId.set(i, { i, n, on: on || (held?.on ?? false) });
  };
  for (const list of Object.values(members)) for (const m of list) add(m.i, m.n, m.on);
  for (const ch of channels) for (const u of ch.dm ?? []) add(u.i, u.n, false);
  if (me) add(me.i, me.n, true);
  return [...byId.values()];
}

/** The channels `in:#` can name: those with a name, not DMs (which `in:@name` names). */
export function namedChannels(channels: readonly ChannelSummary[]): { i: number; n: string }[] {
  return channels.filter((c) => c.dm === undefined).map((c) => ({ i: c.i, n: c.n }));
}

/** A filter the filters menu inserts; `date` ones get today's date (UTC), selected to retype. */
export interface SearchFilter {
  label: string;
  insert: string;
  date?: true;
}

export const SEARCH_FILTERS: readonly SearchFilter[] = [
  { label: "From a person", insert: "from:@" },
  { label: "In a channel", insert: "in:#" },
  { label: "Mentions me", insert: "mentions:@me" },
  { label: "Has a link", insert: "has:link" },
  { label: "Pinned", insert: "is:pinned" },
  { label: "Before a date", insert: "before:", date: true },
  { label: "After a date", insert: "after:", date: true },
  { label: "On a date", insert: "on:", date: true },
];

/** A day as the query language writes it (`YYYY-MM-DD`, the UTC day the server compares). */
export function searchDay(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/**
 * The query with a filter inserted at the caret, spaced from the words around it, and the
 * selection after: at the end of the insertion, or over a date filter's date. A filter that
 * waits for its value (`from:@`, `in:#`) is left without a trailing space, so its completion
 * opens at once.
 */
export function insertFilter(
  text: string,
  caret: number,
  filter: SearchFilter,
  now: number,
): { text: string; select: [number, number] } {
  const before = text.slice(0, caret);
  const after = text.slice(caret);
  const lead = before === "" || /\s$/.test(before) ? "" : " ";
  const value = filter.date ? searchDay(now) : "";
  const open = !filter.date && /[:@#]$/.test(filter.insert);
  const trail = open || /^\s/.test(after) ? "" : " ";
  const start = before.length + lead.length;
  const token = filter.insert + value;
  const end = start + token.length;
  return {
    text: `${before}${lead}${token}${trail}${after}`,
    select: filter.date
      ? [start + filter.insert.length, end]
      : [end + trail.length, end + trail.length],
  };
}
