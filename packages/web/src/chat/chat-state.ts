import {
  type ChannelEvent,
  type ChannelSummary,
  type CommandInfo,
  EventType,
  type JoinReply,
  type Member,
  type MessageEvent,
  type NotifyLevel,
  type Self,
  type UserRef,
  type WelcomeReply,
} from "@parley/protocol";
import { isMessage } from "./channel-log";
import { type ChannelInput, type ChannelView, newChannelView, reduceChannel } from "./channel-view";
import { countUnread, markRead } from "./unread";

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
  unread: Readonly<Record<number, number>>;
  commands: readonly CommandInfo[];
  /** Mirrored from the SDK's TypingState. */
  typing: Readonly<Record<number, readonly string[]>>;
  /** Mirrored from the SDK's MemberState. */
  members: Readonly<Record<number, readonly Member[]>>;
  /**
   * Each channel's pinned messages as last read (most recently pinned first), once read on
   * the current connection; read again when a pin changes.
   */
  pins: Readonly<Record<number, readonly MessageEvent[]>>;
  notices: readonly Notice[];
  /** Your notification level per channel (the welcome's `nl`, then NotifyChanged); absent: Mentions. */
  notify: Readonly<Record<number, NotifyLevel>>;
  /** The latest message by someone else in the open channel, for a screen-reader live region. */
  announcement?: string;
}

/** At most this many notices are shown; a new one pushes out the oldest. */
const MAX_NOTICES = 3;

export const initialChatState: ChatState = {
  status: "connecting",
  channels: {},
  unread: {},
  commands: [],
  typing: {},
  members: {},
  pins: {},
  notices: [],
  notify: {},
};

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

/**
 * After a welcome: its channels (views kept for those already held, with the new summary), the
 * unread counts of those still joined, and the open channel kept, else `lastChannel`, else the
 * first by name.
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
  const unread: Record<number, number> = {};
  for (const [c, n] of Object.entries(state.unread)) if (channels[Number(c)]) unread[Number(c)] = n;
  let activeId = state.activeId;
  if (activeId === undefined || !channels[activeId])
    activeId = lastChannel !== undefined && channels[lastChannel] ? lastChannel : firstByName(w.ch);
  return { ...state, status: "online", me: w.u, commands: w.cmd, channels, unread, activeId };
}

/** A channel opened: it is active and read. */
export function selected(state: ChatState, channelId: number): ChatState {
  return { ...state, activeId: channelId, unread: markRead(state.unread, channelId) };
}

/** A channel added (a join here or in another tab) or its summary sent again. */
export function channelAdded(state: ChatState, summary: ChannelSummary): ChatState {
  const existing = state.channels[summary.i];
  const view = existing
    ? reduceChannel(existing, { type: "summary", summary })
    : newChannelView(summary);
  return { ...state, channels: { ...state.channels, [summary.i]: view } };
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
  return { ...state, channels: { ...state.channels, [reply.ch.i]: view } };
}

/** Stored events of a held channel: its view, the unread counts, the announcement. */
export function channelEvents(
  state: ChatState,
  channelId: number,
  events: readonly ChannelEvent[],
  now: number,
): ChatState {
  const me = state.me;
  if (!state.channels[channelId] || !me) return state;
  const next = withChannel(state, channelId, { type: "events", events, me: me.i, now });
  const active = channelId === state.activeId;
  const last = [...events].reverse().find((e): e is MessageEvent => isMessage(e) && !e.dl);
  // A deletion takes the announced text away too: it may be the deleted message's content.
  const deletion = events.some((e) => e.t === EventType.MessageDeleted);
  const announcement =
    active && last && last.a !== me.i
      ? `${last.an}: ${last.x}`
      : active && deletion && state.announcement
        ? ""
        : state.announcement;
  return {
    ...next,
    unread: countUnread(state.unread, channelId, events, { active: state.activeId, me: me.i }),
    ...(announcement !== undefined ? { announcement } : {}),
  };
}

/**
 * A channel left or removed: its view, members and unread count go; when it was open, the
 * first remaining channel by name opens.
 */
export function channelRemoved(state: ChatState, channelId: number): ChatState {
  if (!state.channels[channelId]) return state;
  const { [channelId]: _, ...channels } = state.channels;
  const { [channelId]: __, ...members } = state.members;
  const { [channelId]: ___, ...pins } = state.pins;
  const activeId =
    state.activeId === channelId
      ? firstByName(Object.values(channels).map((v) => v.summary))
      : state.activeId;
  return {
    ...state,
    channels,
    members,
    pins,
    unread: markRead(state.unread, channelId),
    activeId,
  };
}

/** A user changed (registered, renamed): this user's name and guest flag follow. */
export function userUpdated(state: ChatState, user: UserRef): ChatState {
  const me = state.me;
  if (!me || user.i !== me.i) return state;
  return {
    ...state,
    me: { i: me.i, n: user.n, ...(user.g ? { g: true } : {}), ...(me.ad ? { ad: me.ad } : {}) },
  };
}

export function withNotice(state: ChatState, notice: Notice): ChatState {
  return { ...state, notices: [...state.notices, notice].slice(-MAX_NOTICES) };
}
