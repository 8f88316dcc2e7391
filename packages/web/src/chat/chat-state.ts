import {
  type ChannelEvent,
  type ChannelSummary,
  type CommandInfo,
  EventType,
  type JoinReply,
  type Member,
  type MessageEvent,
  mentionsMe,
  type NotifyLevel,
  type ReadState,
  type Report,
  ReportStatus,
  Role,
  type Self,
  type UserRef,
  type WelcomeReply,
} from "@parley/protocol";
import { isMessage } from "./channel-log";
import {
  type ChannelInput,
  type ChannelView,
  findMessage,
  newChannelView,
  reduceChannel,
} from "./channel-view";
import { type HeldMessage, isOwnHeld } from "./held";
import type { MemberPaging } from "./member-pages";
import { displayName, learned, personOf, shownMembers, withProfile } from "./people";
import {
  firstUnread,
  fromServer,
  type ReadMark,
  readUpTo,
  unreadCount,
  unreadMentions,
  withEvents,
} from "./unread";

export type ConnectionStatus = "connecting" | "online" | "reconnecting" | "offline";

export interface Notice {
  id: number;
  tone: "info" | "warning";
  text: string;
}

/** The web client's whole state: one immutable snapshot, replaced on every change. */
export interface ChatState {
  status: ConnectionStatus;
  me?: Self;
  channels: Readonly<Record<number, ChannelView>>;
  activeId?: number;
  /** Each held channel's read state: the server's, kept current by the events received. */
  reads: Readonly<Record<number, ReadMark>>;
  /** In the open channel, the first message that was unread when it was opened. */
  divider?: { c: number; s: number };
  commands: readonly CommandInfo[];
  /** Mirrored from the SDK's TypingState. */
  typing: Readonly<Record<number, readonly string[]>>;
  /** Mirrored from the SDK's MemberState. */
  members: Readonly<Record<number, readonly Member[]>>;
  /**
   * The channels whose member list is partial (a big channel's: its reply listed the first
   * page only), with where the next page starts. A channel absent has its whole list (or none
   * read yet).
   */
  memberPages: Readonly<Record<number, MemberPaging>>;
  /**
   * Names users took since the welcome (UserUpdated), by id: what their earlier messages show,
   * also once they left the channel (a deleted account leaves its channels).
   */
  renamed: Readonly<Record<number, string>>;
  /**
   * Users as last heard of, by id (name, guest flag, display name, status, avatar): from the
   * welcome (you, your DMs' members), the member lists read, and every UserUpdated since. What
   * the member lists show over their own (events name their author by username only).
   */
  people: Readonly<Record<number, UserRef>>;
  /**
   * Each channel's pinned messages as last read (most recently pinned first), once read on
   * the current connection; read again when a pin changes.
   */
  pins: Readonly<Record<number, readonly MessageEvent[]>>;
  notices: readonly Notice[];
  /** Your notification level per channel (the welcome's `nl`, then NotifyChanged); absent: Mentions. */
  notify: Readonly<Record<number, NotifyLevel>>;
  /**
   * The latest message by someone else in the open channel, for a screen-reader live region:
   * "author: text", the author by the name they were shown by when it came.
   */
  announcement?: string;
  /** The ids of the users you blocked (the welcome's `bl`, then BlockChanged). */
  blocked: readonly number[];
  /**
   * The open reports you handle (of channels you moderate; an admin: all), newest first: read
   * after each welcome when you handle any, then kept by ReportChanged. Undefined until read.
   */
  reports?: readonly Report[];
}

/** At most this many notices are shown; a new one pushes out the oldest. */
const MAX_NOTICES = 3;

export const initialChatState: ChatState = {
  status: "connecting",
  channels: {},
  reads: {},
  commands: [],
  typing: {},
  members: {},
  memberPages: {},
  renamed: {},
  people: {},
  pins: {},
  notices: [],
  notify: {},
  blocked: [],
};

/** Whether a channel is a direct message (a DM or group DM). */
export function isDirect(summary: ChannelSummary): boolean {
  return summary.dm !== undefined;
}

/** How a channel is titled: a DM by its other members' (display) names, a channel by its name. */
export function channelTitle(summary: ChannelSummary): string {
  return summary.dm ? summary.dm.map(displayName).join(", ") || "Only you" : summary.n;
}

/** A channel as a sentence names it: `#name`, or a DM's members' names. */
export function addressOf(summary: ChannelSummary): string {
  return isDirect(summary) ? channelTitle(summary) : `#${summary.n}`;
}

/** The blocked list after a BlockChanged. */
export function blockChanged(state: ChatState, u: number, on: boolean): ChatState {
  const rest = state.blocked.filter((id) => id !== u);
  return { ...state, blocked: on ? [...rest, u] : rest };
}

/**
 * Whether you handle reports: an admin, or an account that moderates or owns a channel (no one
 * moderates a direct message).
 */
export function handlesReports(state: ChatState): boolean {
  const me = state.me;
  if (!me) return false;
  if (me.ad) return true;
  if (me.g) return false;
  return Object.values(state.channels).some(
    (v) => !isDirect(v.summary) && (v.summary.rl ?? Role.Member) >= Role.Moderator,
  );
}

/** Whether you handle a channel's reports: an admin, or its moderator or owner (not a guest). */
function handlesChannelReports(state: ChatState, channelId: number): boolean {
  const me = state.me;
  const view = state.channels[channelId];
  if (!me || me.g) return false;
  if (me.ad) return true;
  return (
    view !== undefined &&
    !isDirect(view.summary) &&
    (view.summary.rl ?? Role.Member) >= Role.Moderator
  );
}

/**
 * After a ReportChanged. A report you handle: a filed one joins the open reports, a closed one
 * leaves. Your own message held for review (its author's copy) is no report you handle: its
 * channel's held line follows it ({@link heldChanged}), and it joins the open reports only
 * where you moderate now (as ReportList would give it).
 */
export function reportChanged(state: ChatState, report: Report): ChatState {
  if (!isOwnHeld(report, state.me?.i)) return listed(state, report);
  const next = heldChanged(state, report.c, { type: "held-report", report });
  return handlesChannelReports(state, report.c) ? listed(next, report) : next;
}

function listed(state: ChatState, report: Report): ChatState {
  const rest = (state.reports ?? []).filter((r) => r.id !== report.id);
  const reports =
    report.st === ReportStatus.Open ? [report, ...rest].sort((a, b) => b.id - a.id) : rest;
  return { ...state, reports };
}

/** What a screen reader is told when one of your held lines appears or changes. */
export function heldAnnouncement(
  before: readonly HeldMessage[],
  after: readonly HeldMessage[],
): string | undefined {
  for (const line of after) {
    const was = before.find((h) => h.key === line.key);
    if (line.status === "dropped" && was?.status !== "dropped")
      return `A moderator did not approve your message: ${line.x}`;
    if (!was) return `Your message is waiting for a moderator's review: ${line.x}`;
  }
  return undefined;
}

/**
 * One of your held lines in a channel after a held send, its report's push, a dismissal or the
 * text taken back: in the open channel a new line, or one turned to dropped, is read out.
 */
export function heldChanged(
  state: ChatState,
  channelId: number,
  input: Extract<
    ChannelInput,
    { type: "held" | "held-report" | "held-dismissed" | "held-restored" | "draft-taken" }
  >,
): ChatState {
  const view = state.channels[channelId];
  const next = withChannel(state, channelId, input);
  if (next === state || !view || channelId !== state.activeId) return next;
  const said = heldAnnouncement(view.heldForReview, next.channels[channelId]!.heldForReview);
  return said !== undefined ? { ...next, announcement: said } : next;
}

/** The first channel by name, opened when none is chosen. */
function firstByName(channels: Iterable<ChannelSummary>): number | undefined {
  return [...channels].sort((a, b) => a.n.localeCompare(b.n))[0]?.i;
}

/** Feeds one input to a held channel's reducer; a channel not held is left alone. */
export function withChannel(state: ChatState, channelId: number, input: ChannelInput): ChatState {
  const view = state.channels[channelId];
  if (!view) return state;
  const next = reduceChannel(view, input);
  return next === view ? state : { ...state, channels: { ...state.channels, [channelId]: next } };
}

/** The read mark of a channel from its summary: the welcome's read state, or read to `ls`. */
function markOf(previous: ReadMark | undefined, ch: ChannelSummary): ReadMark {
  return fromServer(previous, {
    c: ch.i,
    rs: ch.rs ?? ch.ls,
    ls: ch.ls,
    uc: ch.uc ?? 0,
    um: ch.um ?? 0,
    ...(ch.fu !== undefined ? { fu: ch.fu } : {}),
  });
}

/** Unread messages of a channel, as the badges show them. */
export function unreadOf(state: ChatState, channelId: number): number {
  return unreadCount(state.reads[channelId]);
}

/** Unread messages of a channel that mention the reader (or the channel). */
export function mentionsOf(state: ChatState, channelId: number): number {
  // Every unread message of a DM is addressed to you: it counts as a mention.
  const summary = state.channels[channelId]?.summary;
  if (summary && isDirect(summary)) return unreadOf(state, channelId);
  return unreadMentions(state.reads[channelId]);
}

/**
 * After a welcome: its channels (views kept for those already held, with the new summary),
 * their read states from the server (a mark this tab made further and the server has not
 * answered yet is kept), and the open channel kept, else `lastChannel`, else the first by name.
 */
export function welcomed(
  state: ChatState,
  w: WelcomeReply,
  lastChannel: number | undefined,
): ChatState {
  const channels: Record<number, ChannelView> = {};
  for (const ch of w.ch) {
    const existing = state.channels[ch.i];
    channels[ch.i] = existing
      ? reduceChannel(existing, { type: "summary", summary: ch })
      : newChannelView(ch);
  }
  const reads: Record<number, ReadMark> = {};
  for (const ch of w.ch) reads[ch.i] = markOf(state.reads[ch.i], ch);
  let activeId = state.activeId;
  if (activeId === undefined || !channels[activeId])
    activeId = lastChannel !== undefined && channels[lastChannel] ? lastChannel : firstByName(w.ch);
  const people = learned(state.people, [w.u, ...w.ch.flatMap((ch) => ch.dm ?? [])]);
  return {
    ...state,
    status: "online",
    me: w.u,
    people,
    commands: w.cmd,
    channels,
    reads,
    activeId,
    blocked: w.bl ?? [],
  };
}

/**
 * A channel opened. It is read as the reader sees its messages ({@link seen}); where its unread
 * messages began is kept for the "New messages" line until another channel opens.
 */
export function selected(state: ChatState, channelId: number): ChatState {
  const { divider: _, ...rest } = state;
  const s = firstUnread(state.reads[channelId]);
  return {
    ...rest,
    activeId: channelId,
    ...(s !== undefined ? { divider: { c: channelId, s } } : {}),
  };
}

/** The reader has seen a channel up to `seq`: read up to there (never back). */
export function seen(state: ChatState, channelId: number, seq: number): ChatState {
  const mark = state.reads[channelId];
  const next = readUpTo(mark, seq);
  return next === mark ? state : { ...state, reads: { ...state.reads, [channelId]: next } };
}

/** A read state from the server (a MarkRead reply, a ReadState push). */
export function readState(state: ChatState, s: ReadState): ChatState {
  if (!state.channels[s.c]) return state;
  const mark = state.reads[s.c];
  const next = fromServer(mark, s);
  return next === mark ? state : { ...state, reads: { ...state.reads, [s.c]: next } };
}

/** A channel added (a join here or in another tab) or its summary sent again. */
export function channelAdded(state: ChatState, summary: ChannelSummary): ChatState {
  const existing = state.channels[summary.i];
  const view = existing
    ? reduceChannel(existing, { type: "summary", summary })
    : newChannelView(summary);
  return {
    ...state,
    channels: { ...state.channels, [summary.i]: view },
    reads: { ...state.reads, [summary.i]: markOf(state.reads[summary.i], summary) },
    people: learned(state.people, summary.dm ?? []),
  };
}

/** A join or create reply: the channel held (its view kept if it was), with the latest page. */
export function channelJoined(state: ChatState, reply: JoinReply, now: number): ChatState {
  const base = state.channels[reply.ch.i] ?? newChannelView(reply.ch);
  const view = reduceChannel(base, {
    type: "joined",
    summary: reply.ch,
    page: reply.h,
    me: state.me?.i,
    now,
  });
  return {
    ...state,
    channels: { ...state.channels, [reply.ch.i]: view },
    reads: { ...state.reads, [reply.ch.i]: markOf(state.reads[reply.ch.i], reply.ch) },
    people: learned(state.people, [...(reply.ch.dm ?? []), ...reply.m]),
  };
}

/** Stored events of a held channel: its view, its read mark, the announcement. */
export function channelEvents(
  state: ChatState,
  channelId: number,
  events: readonly ChannelEvent[],
  now: number,
): ChatState {
  const me = state.me;
  if (!state.channels[channelId] || !me) return state;
  const view = state.channels[channelId]!;
  const mark = state.reads[channelId];
  // Deletions are looked up in the view before the events apply (a tombstone keeps its seq).
  const reads = mark
    ? withEvents(mark, events, me.i, (m) => {
        const held = findMessage(view, m);
        return held && { s: held.s, mentioned: mentionsMe(held, me.i) };
      })
    : undefined;
  const next = withChannel(state, channelId, { type: "events", events, me: me.i, now });
  const active = channelId === state.activeId;
  const last = [...events].reverse().find((e): e is MessageEvent => isMessage(e) && !e.dl);
  // A deletion takes the announced text away too: it may be the deleted message's content.
  const deletion = events.some((e) => e.t === EventType.MessageDeleted);
  // Read out once, by the name its author is shown by now.
  const author = (m: MessageEvent) =>
    displayName(personOf(state.members[channelId] ?? [], state.renamed, state.people)(m.a, m.an));
  const announcement =
    active && last && last.a !== me.i
      ? `${author(last)}: ${last.x}`
      : active && deletion && state.announcement
        ? ""
        : state.announcement;
  return {
    ...next,
    ...(reads && reads !== mark ? { reads: { ...state.reads, [channelId]: reads } } : {}),
    ...(announcement !== undefined ? { announcement } : {}),
  };
}

/**
 * A channel left or removed: its view, members and read state go; when it was open, the
 * first remaining channel by name opens.
 */
export function channelRemoved(state: ChatState, channelId: number): ChatState {
  if (!state.channels[channelId]) return state;
  const { [channelId]: _, ...channels } = state.channels;
  const { [channelId]: __, ...members } = state.members;
  const { [channelId]: ___, ...pins } = state.pins;
  const { [channelId]: ____, ...reads } = state.reads;
  const { [channelId]: _____, ...memberPages } = state.memberPages;
  const activeId =
    state.activeId === channelId
      ? firstByName(Object.values(channels).map((v) => v.summary))
      : state.activeId;
  return {
    ...state,
    channels,
    members,
    memberPages,
    pins,
    reads,
    activeId,
  };
}

/**
 * A user changed (registered, renamed, deleted, a new profile): their name and profile follow
 * in the member lists and DMs held, and for you your guest flag.
 */
export function userUpdated(state: ChatState, user: UserRef): ChatState {
  const me = state.me;
  const renamed =
    state.renamed[user.i] === user.n ? state.renamed : { ...state.renamed, [user.i]: user.n };
  const people = learned(state.people, [user]);
  let members = state.members;
  for (const [id, list] of Object.entries(state.members)) {
    if (!list.some((m) => m.i === user.i)) continue;
    const shown = shownMembers(list, people);
    if (shown !== list) members = { ...members, [id]: shown };
  }
  let channels = state.channels;
  for (const view of Object.values(state.channels)) {
    const dm = view.summary.dm;
    if (!dm?.some((u) => u.i === user.i)) continue;
    const next = dm.map((u) => withProfile(u, user));
    channels = {
      ...channels,
      [view.id]: reduceChannel(view, { type: "summary", summary: { ...view.summary, dm: next } }),
    };
  }
  const changed =
    renamed !== state.renamed ||
    people !== state.people ||
    members !== state.members ||
    channels !== state.channels;
  const base = changed ? { ...state, renamed, people, members, channels } : state;
  if (!me || user.i !== me.i) return base;
  const { ad } = me;
  return { ...base, me: { ...user, ...(ad ? { ad } : {}) } };
}

/** People learned from a member list just read (before it is shown). */
export function peopleLearned(state: ChatState, refs: Iterable<UserRef>): ChatState {
  const people = learned(state.people, refs);
  return people === state.people ? state : { ...state, people };
}

export function withNotice(state: ChatState, notice: Notice): ChatState {
  return { ...state, notices: [...state.notices, notice].slice(-MAX_NOTICES) };
}
