/**
 * Numeric op codes. A client request and the server's reply to it share the op;
 * ops at 100 and above are pushed by the server without a request.
 */
export const Op = {
  /** Server → client: an error reply (or an unsolicited error when `r` is absent). */
  Error: 0,
  Hello: 1,
  Ping: 2,
  ChannelList: 10,
  ChannelCreate: 11,
  ChannelJoin: 12,
  ChannelLeave: 13,
  ChannelInfo: 14,
  MessageSend: 20,
  History: 21,
  Typing: 22,
  ReactionAdd: 23,
  ReactionRemove: 24,
  /** Edits one of your messages (the full new content, against the version you saw). */
  MessageEdit: 25,
  /** Deletes a message: your own, or any as a moderator. */
  MessageDelete: 26,
  /** The versions of a message, oldest first (its author and moderators). */
  MessageVersions: 27,
  /** Pins a message to its channel, or unpins it (moderators). */
  MessagePin: 28,
  /** The channel's pinned messages, most recently pinned first. */
  PinList: 29,
  Command: 30,
  /** Adds a user to a channel directly (see the role table for who may). */
  InviteUser: 31,
  /** Creates an invite link to a channel: a random code, with an expiry and a use limit. */
  InviteCreate: 32,
  /** The channel's live invite links (owners: all; others: their own). */
  InviteList: 33,
  /** Revokes an invite link (owners: any; the creator: its own). */
  InviteRevoke: 34,
  /** Joins the channel of an invite link; the reply is ChannelJoin's. */
  InviteRedeem: 35,
  /** Marks a channel read up to a seq (the read marker only moves forward). */
  MarkRead: 36,
  /** Sets when a channel notifies you: every message, mentions only, or never. */
  SetNotify: 37,
  /** Registers this device's Web Push subscription for your account (accounts only). */
  PushSubscribe: 38,
  /** Removes a Web Push subscription by its endpoint. */
  PushUnsubscribe: 39,
  /**
   * Opens the direct message (2 people) or group DM (3 or more) with the users named: the same
   * conversation for the same people, created on first open.
   */
  DmOpen: 40,
  /** Blocks a user (`on` true) or unblocks it: a blocked user cannot DM you. */
  UserBlock: 41,
  /**
   * Searches the messages of the channels you are a member of (DMs included), newest first, by
   * the query language of `search-query.ts`.
   */
  Search: 42,
  /** Removes one link preview (or all) from a message (its author, or a moderator). */
  LinkPreviewRemove: 43,
  /** Reports a message of a channel you are in to its moderators and the server's admins. */
  MessageReport: 44,
  /** The reports you may handle (of channels you moderate; admins: all), newest first. */
  ReportList: 45,
  /** Resolves or dismisses an open report (the channel's moderators and owner, admins). */
  ReportResolve: 46,
  /** A page of a channel's members in name order, or those whose name starts with a prefix. */
  MemberList: 47,
  /** Server → client: a batch of stored events of one channel, in seq order. */
  Events: 100,
  /** Server → client: someone started or stopped typing (ephemeral). */
  TypingEvent: 101,
  /** Server → client: a member came online or went offline (ephemeral). */
  PresenceEvent: 102,
  /** Server → client: this user was added to a channel (another tab joined or created it, or an invitation). */
  ChannelAdded: 103,
  /** Server → client: this user is no longer in a channel (left elsewhere, kicked, banned). */
  ChannelRemoved: 104,
  /**
   * Server → client: a user who shares a channel with you (or you) changed: a guest became an
   * account, or took a new name (ephemeral).
   */
  UserUpdated: 105,
  /**
   * Server → client, once after every welcome: the resume replay is complete. Every Events
   * frame before it is replay (each channel up to its welcome `ls`); everything after is live.
   */
  ReplayDone: 106,
  /**
   * Server → client: your read marker of a channel moved (a MarkRead on any of your
   * connections, on any node), with the unread count it leaves.
   */
  ReadState: 107,
  /** Server → client: your notification level of a channel changed (on any connection). */
  NotifyChanged: 108,
  /** Server → client: you blocked or unblocked a user (on any connection). */
  BlockChanged: 109,
  /**
   * Server → client, to the channel's moderators and owner and to admins: a report was filed,
   * resolved or dismissed (on any node).
   */
  ReportChanged: 110,
  /**
   * Server → client: several members of one channel came online or went offline (ephemeral):
   * the changes of one window in a channel with many members connected.
   */
  PresenceBatch: 111,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

/** Ops a client may send. The server's router is exhaustive over this list. */
export const CLIENT_OPS = [
  Op.Hello,
  Op.Ping,
  Op.ChannelList,
  Op.ChannelCreate,
  Op.ChannelJoin,
  Op.ChannelLeave,
  Op.ChannelInfo,
  Op.MessageSend,
  Op.History,
  Op.Typing,
  Op.ReactionAdd,
  Op.ReactionRemove,
  Op.MessageEdit,
  Op.MessageDelete,
  Op.MessageVersions,
  Op.MessagePin,
  Op.PinList,
  Op.Command,
  Op.InviteUser,
  Op.InviteCreate,
  Op.InviteList,
  Op.InviteRevoke,
  Op.InviteRedeem,
  Op.MarkRead,
  Op.SetNotify,
  Op.PushSubscribe,
  Op.PushUnsubscribe,
  Op.DmOpen,
  Op.UserBlock,
  Op.Search,
  Op.LinkPreviewRemove,
  Op.MessageReport,
  Op.ReportList,
  Op.ReportResolve,
  Op.MemberList,
] as const;
export type ClientOp = (typeof CLIENT_OPS)[number];

/** Types of stored channel events; each carries a per-channel `seq`. */
export const EventType = {
  MessagePosted: 1,
  /** A message's new state after an edit (content, version, edit time). */
  MessageEdited: 2,
  /** A message was deleted: its content is gone, a tombstone stays at its position. */
  MessageDeleted: 3,
  ReactionAdded: 4,
  ReactionRemoved: 5,
  /** A message was pinned to the channel. */
  MessagePinned: 6,
  /** A message was unpinned. */
  MessageUnpinned: 7,
  MemberJoined: 10,
  MemberLeft: 11,
  MemberKicked: 12,
  MemberBanned: 13,
  MemberUnbanned: 14,
  MemberMuted: 15,
  MemberUnmuted: 16,
  RoleChanged: 17,
  TopicChanged: 18,
  SlowModeChanged: 19,
  /** The channel became private (`pv` true) or public (`pv` false). */
  ChannelVisibilityChanged: 20,
  /**
   * A message's link previews changed: the server attached the previews it made of the
   * message's links (after the send or an edit), or one was removed (`lp` is the new list).
   */
  LinkPreviewsChanged: 8,
  /**
   * The channel's own retention changed (`rd` days; 0: none of its own). The server deletes
   * messages older than the retention in force (MessageDeleted with `ex`).
   */
  RetentionChanged: 21,
  /**
   * A server admin archived the channel (`ar` true: read-only from this event on) or
   * unarchived it (`ar` false).
   */
  ChannelArchived: 22,
  /**
   * The channel's own blocked words changed (`bw`: how many it has now; the words themselves
   * are for its moderators, `/automod list`).
   */
  BlockedWordsChanged: 23,
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/**
 * Event types that only change an earlier item (its reactions, content, deletion). History
 * pages leave them out, because the messages they touch already carry their current state;
 * resume replays them.
 */
export const MUTATION_EVENT_TYPES: readonly EventType[] = [
  EventType.MessageEdited,
  EventType.MessageDeleted,
  EventType.ReactionAdded,
  EventType.ReactionRemoved,
  EventType.MessagePinned,
  EventType.MessageUnpinned,
  EventType.LinkPreviewsChanged,
];

/**
 * When a channel notifies a member: every message, only messages that mention them (the
 * default), or never. Kept per member on the server, the same on every device.
 */
export const NotifyLevel = { All: 1, Mentions: 2, None: 3 } as const;
export type NotifyLevel = (typeof NotifyLevel)[keyof typeof NotifyLevel];

/**
 * What a channel is: a channel people join by name, or a direct message (2 or more people,
 * fixed at its opening; never listed, never joined).
 */
export const ChannelKind = { Channel: 0, Direct: 1 } as const;
export type ChannelKind = (typeof ChannelKind)[keyof typeof ChannelKind];

/** Channel roles, ordered by rank. */
export const Role = { Member: 1, Moderator: 2, Owner: 3 } as const;
export type Role = (typeof Role)[keyof typeof Role];

/** A role's name in words: `owner`, `moderator` or `member`. */
export function roleName(role: number): "owner" | "moderator" | "member" {
  switch (role) {
    case Role.Owner:
      return "owner";
    case Role.Moderator:
      return "moderator";
    default:
      return "member";
  }
}

/** Where a report stands: waiting for a moderator, or closed either way. */
export const ReportStatus = { Open: 1, Resolved: 2, Dismissed: 3 } as const;
export type ReportStatus = (typeof ReportStatus)[keyof typeof ReportStatus];

/** Message kinds. */
export const MessageKind = { Text: 0, Action: 1 } as const;
export type MessageKind = (typeof MessageKind)[keyof typeof MessageKind];
