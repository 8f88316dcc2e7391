import type { Member } from "@parley/protocol";

/** What is being completed at the caret: an emoji shortcode or a member's name. */
export interface CompletionQuery {
  kind: "emoji" | "member";
  /** The typed part after `:` or `@`, as typed. */
  query: string;
  /** Where the token (with its `:` or `@`) starts; it ends at the caret. */
  start: number;
}

/**
 * A `:shortcode` needs two characters before it is completed, so "10:30" or ":)" never opens
 * a list; `@` completes at once (all members, online first).
 */
const EMOJI_MIN = 2;
const EMOJI_TOKEN = /(?:^|\s)(:([a-z0-9_+-]*))$/i;
const MEMBER_TOKEN = /(?:^|\s)(@([^\s@]*))$/;

/** The token the caret is at the end of, if it is one to complete. */
export function completionAt(text: string, caret: number): CompletionQuery | undefined {
  const before = text.slice(0, caret);
  const emoji = EMOJI_TOKEN.exec(before);
  if (emoji?.[1] !== undefined && (emoji[2] ?? "").length >= EMOJI_MIN)
    return { kind: "emoji", query: emoji[2] ?? "", start: caret - emoji[1].length };
  const member = MEMBER_TOKEN.exec(before);
  if (member?.[1] !== undefined)
    return { kind: "member", query: member[2] ?? "", start: caret - member[1].length };
  return undefined;
}

/**
 * Members (or anything named: people, channels) whose name matches, best first: names that
 * start with the query, then names that contain it (case-insensitive); online before offline,
 * then by name.
 */
export function matchMembers<M extends Pick<Member, "n"> & { on?: boolean }>(
  members: readonly M[],
  query: string,
  limit = Infinity,
): M[] {
  const q = query.toLowerCase();
  const rank = (m: M) => {
    const name = m.n.toLowerCase();
    if (name.startsWith(q)) return 0;
    return name.includes(q) ? 1 : undefined;
  };
  return members
    .map((m) => ({ m, r: rank(m) }))
    .filter((x): x is { m: M; r: number } => x.r !== undefined)
    .sort((a, b) => a.r - b.r || Number(!!b.m.on) - Number(!!a.m.on) || a.m.n.localeCompare(b.m.n))
    .slice(0, limit)
    .map((x) => x.m);
}

/** The text with the token replaced by `insert`, and the caret after it. */
export function applyCompletion(
  text: string,
  caret: number,
  at: Pick<CompletionQuery, "start">,
  insert: string,
): { text: string; caret: number } {
  return {
    text: text.slice(0, at.start) + insert + text.slice(caret),
    caret: at.start + insert.length,
  };
}

/** The group mentions the composer offers to those who may make them, with what each does. */
export const GROUP_COMPLETIONS = [
  { n: "here", d: "Notify the members online now" },
  { n: "channel", d: "Notify every member of the channel" },
] as const;

/** The group mentions whose name starts with the query (case-insensitive). */
export function matchGroups(query: string): (typeof GROUP_COMPLETIONS)[number][] {
  const q = query.toLowerCase();
  return GROUP_COMPLETIONS.filter((g) => g.n.startsWith(q));
}
