import type { Member, MemberListReply } from "@parley/protocol";

/**
 * Paging through a big channel's members: a join's reply (or ChannelInfo's) lists the first
 * page only (`mm`), and MemberList gives the next one after the last member read. The cursor is
 * the last name of the pages read, as the server ordered them: members learned otherwise (who
 * joined since, someone looked up by name) are no part of it.
 */
export interface MemberPaging {
  /** The name of the last member of the pages read: the next page starts after it. */
  after: string;
  /** The next page is being read. */
  loading?: true;
  /** Why the last read of a page failed (the button offers it again). */
  error?: string;
}

/**
 * The paging of a member list just seeded from a reply: undefined when the reply listed every
 * member, else the cursor after its last member (replies are in the server's name order).
 */
export function pagingOf(members: readonly Member[], more: boolean): MemberPaging | undefined {
  const last = members.at(-1);
  return more && last ? { after: last.n } : undefined;
}

/**
 * The paging after a page was read: undefined when it was the last (no `mm`: the list is now
 * whole), else the cursor after its last member.
 */
export function pageLoaded(paging: MemberPaging, reply: MemberListReply): MemberPaging | undefined {
  if (!reply.mm) return undefined;
  return { after: reply.m.at(-1)?.n ?? paging.after };
}

/**
 * How many members a channel has, as shown: the list's length when it is whole (it follows
 * every join and leave), else the summary's count (kept current by the member events since),
 * and never fewer than the members known.
 */
export function memberTotal(summaryCount: number, known: number, partial: boolean): number {
  if (!partial) return known || summaryCount;
  return Math.max(summaryCount, known);
}

/**
 * The members known (the list) with those found by a name search, once each: a member the
 * list holds is taken from it (its presence and role are kept current there).
 */
export function mergeMembers(known: readonly Member[], found: readonly Member[]): Member[] {
  const merged = [...known];
  const ids = new Set(known.map((m) => m.i));
  for (const m of found) {
    if (ids.has(m.i)) continue;
    ids.add(m.i);
    merged.push(m);
  }
  return merged;
}
