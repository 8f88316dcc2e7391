import type { AuditLine } from "./audit";
import type { ErrorName } from "./errors";
import type { MentionGroup } from "./mentions";
import type { EventType, MessageKind, NotifyLevel, ReportStatus, Role } from "./ops";

/** A user as other users see it. */
export interface UserRef {
  /** User id. */
  i: number;
  /** Username. */
  n: string;
  /** Present and true for a guest. */
  g?: true;
  /**
   * The display name the account chose (shown instead of the username, which stays unique
   * and is shown beside it); absent when none.
   */
  dn?: string;
  /** A short status text the account chose; absent when none. */
  sx?: string;
  /** The avatar's id (`GET /api/v1/avatars/<av>`, a 256 px square WebP); absent when none. */
  av?: string;
}

/** The connected user, in the welcome reply. */
export interface Self extends UserRef {
  /** Present and true for a server-wide admin. */
  ad?: true;
}

/** A channel as listed. */
export interface ChannelSummary {
  i: number;
  n: string;
  /** Topic ("" when none). */
  tp: string;
  /** Member count. */
  mc: number;
  /** Members online now. */
  oc: number;
  /** Your role when you are a member; absent otherwise. */
  rl?: Role;
  /** Last seq of the channel's event stream (0 when empty). */
  ls: number;
  /** Slow mode interval in seconds (0 = off). */
  sl: number;
  /**
   * Present when the channel has a retention of its own: its messages are deleted after this
   * many days (sooner when the server's retention is shorter).
   */
  rd?: number;
  /** Your read marker (welcome only): you have read everything up to this seq. */
  rs?: number;
  /** Unread messages after `rs` up to `ls` (welcome only; others' messages, not deleted). */
  uc?: number;
  /** The seq of the first unread message (welcome only, when `uc` > 0). */
  fu?: number;
  /** Unread messages that mention you or the channel, of the `uc` (welcome only). */
  um?: number;
  /** Your notification level here (welcome only). */
  nl?: NotifyLevel;
  /** Present and true for a private channel (listed to members only, joined by invitation). */
  pv?: true;
  /**
   * Present and true while the channel is archived: read-only (no message, edit, reaction,
   * pin or setting is stored) until a server admin unarchives it.
   */
  ar?: true;
  /**
   * Present for a direct message (then `pv` is true too): its other members, by name, to title
   * it with. `n`, its stored name, is internal and never shown.
   */
  dm?: UserRef[];
}

/** A channel member with its presence. */
export interface Member extends UserRef {
  rl: Role;
  /** Online now. */
  on: boolean;
}

/** Who reacted with one emoji. */
export interface ReactionSummary {
  e: string;
  u: { i: number; n: string }[];
}

interface EventBase {
  /** Per-channel sequence number: 1, 2, 3… with no gaps. */
  s: number;
  t: EventType;
  /** Server time, milliseconds since the Unix epoch (UTC). */
  ts: number;
  /** Actor: the author, reactor, joiner or moderator. */
  a: number;
  /** Actor's username. */
  an: string;
}

/** Who deleted a message: its author, or a moderator (`mod`). */
export interface Deletion {
  /** The user who deleted it. */
  u: number;
  un: string;
  /** Present and true when a moderator (or an admin) deleted another member's message. */
  mod?: true;
  /** When, epoch ms. */
  ts: number;
}

/**
 * A message at its position in the channel: as posted live, and in its current state in
 * history pages and snapshots (edits applied, a deleted one as a tombstone).
 */
export interface MessageEvent extends EventBase {
  t: typeof EventType.MessagePosted;
  /** Message id. */
  i: number;
  /** Content (Markdown source); "" once deleted. */
  x: string;
  /** The sender's nonce. */
  n: string;
  /** Kind: absent for text, 1 for an action (`/me`). */
  k?: MessageKind;
  /** Current reactions (absent when none; a deleted message has none). */
  r?: ReactionSummary[];
  /** Version: absent for 1 (never edited), then 2, 3… one per edit. */
  v?: number;
  /** When the current version was written (epoch ms), when edited. */
  ed?: number;
  /** Present once deleted: the tombstone's who and when. */
  dl?: Deletion;
  /** Present while pinned: who pinned it and when. */
  pn?: Pin;
  /** Present on a reply: the quote of the message it answers, in that message's current state. */
  rp?: ReplyQuote;
  /**
   * The users the message mentions (`@name` of a member of the channel, resolved when it was
   * written), ascending; absent when none and once deleted. The author is never among them.
   */
  mn?: number[];
  /** A group mention by a moderator or owner (`@here`, `@channel`); absent when none. */
  mg?: MentionGroup;
  /**
   * The files attached at the send, in the order sent; absent when none and once deleted. The
   * bytes are fetched over HTTP (`/api/v1/files/:i`, or a signed link from `…/:i/url`).
   */
  f?: FileRef[];
  /**
   * The previews the server made of the message's first links, in the order of the links;
   * absent when none (and once deleted). They come later than the message, by a
   * {@link LinkPreviewsEvent}; history and snapshots carry the current list.
   */
  lp?: LinkPreview[];
}

/**
 * A preview of a link, read by the server from the page's Open Graph metadata (or its
 * `<title>` and meta description). Every field is plain text, never markup.
 */
export interface LinkPreview {
  /** The URL as it appears in the message. */
  u: string;
  /** Title. */
  t?: string;
  /** Description. */
  d?: string;
  /** Site name. */
  s?: string;
  /**
   * The page's preview image as a thumbnail made and stored by Parley (never the original's
   * URL): a file of the message's channel, served like attachments (`/api/v1/files/:i`).
   */
  im?: { i: string; w: number; h: number };
}

/**
 * LinkPreviewsChanged: message `m`'s link previews are now `lp` (empty: none). The actor is
 * the message's author when the server attached them, or whoever removed one.
 */
export interface LinkPreviewsEvent extends EventBase {
  t: typeof EventType.LinkPreviewsChanged;
  /** Message id. */
  m: number;
  /** The message's previews now. */
  lp: LinkPreview[];
}

/**
 * A file attached to a message, as events, history and acks describe it (short keys, like the
 * rest of the protocol). A later preview of a link will be a field of its own (`lp`), not a file.
 */
export interface FileRef {
  /** The file's id (22 characters of base64url). */
  i: string;
  /** The name the uploader gave, sanitised, for display only. */
  n: string;
  /** Size in bytes (of the stored file: an image as re-encoded without its metadata). */
  sz: number;
  /** MIME type, detected from the bytes (never from the name). */
  ty: string;
  /** An image's width and height in pixels; absent for other files. */
  w?: number;
  h?: number;
  /** Present and true when a thumbnail exists (`/api/v1/files/:i/thumb`). */
  th?: true;
}

/** The reply of `POST /api/v1/files`: the stored upload, not yet attached to a message. */
export interface UploadReply {
  id: string;
  name: string;
  size: number;
  type: string;
  w?: number;
  h?: number;
  /** True when a thumbnail was made (images). */
  thumb?: boolean;
}

/**
 * The reply of `GET /api/v1/files/:id/url`: links to the file and its thumbnail signed for the
 * caller, that work without the Authorization header (for `<img src>`) until `exp` (epoch ms),
 * and only while the caller is still a member of the file's channel.
 */
export interface FileUrlReply {
  url: string;
  thumb?: string;
  exp: number;
}

/**
 * The quote a reply carries of the message it answers (`m`, at seq `s`, by `a`/`an`): an
 * excerpt of its current content (`excerpt()`), or `dl: true` and `x: ""` once it is deleted.
 * History pages and replays compute it when read, so it follows edits and deletions; a client
 * updates the quotes it holds from the MessageEdited and MessageDeleted events of `m`.
 */
export interface ReplyQuote {
  m: number;
  s: number;
  a: number;
  an: string;
  x: string;
  dl?: true;
}

/** Who pinned a message, and when (epoch ms). */
export interface Pin {
  u: number;
  un: string;
  ts: number;
}

/**
 * MessagePinned / MessageUnpinned: message `m` was pinned to the channel or unpinned; the
 * actor is the moderator. A deleted message is unpinned by its deletion (no event of its own).
 */
export interface PinEvent extends EventBase {
  t: typeof EventType.MessagePinned | typeof EventType.MessageUnpinned;
  /** Message id. */
  m: number;
}

/**
 * MessageEdited: message `m`'s full new state. The actor is the author (only authors edit).
 * A client replaces what it holds of `m` when `v` is above the version it has.
 */
export interface MessageEditedEvent extends EventBase {
  t: typeof EventType.MessageEdited;
  /** Message id. */
  m: number;
  /** The new version (2 for the first edit). */
  v: number;
  /** The new content. */
  x: string;
  /** When it was written (epoch ms): the event's `ts`. */
  ed: number;
  /** The mentions of the new content, resolved at the edit (as on {@link MessageEvent}). */
  mn?: number[];
  mg?: MentionGroup;
}

/**
 * MessageDeleted: message `m` is gone (its content, versions and reactions removed from
 * storage); it stays a tombstone at its position. The actor is who deleted it.
 */
export interface MessageDeletedEvent extends EventBase {
  t: typeof EventType.MessageDeleted;
  /** Message id. */
  m: number;
  /** Present and true when a moderator deleted another member's message. */
  mod?: true;
  /** The moderator's reason, when given. */
  rs?: string;
  /** Present and true when the server deleted it: older than the retention in force. */
  ex?: true;
}

export interface ReactionEvent extends EventBase {
  t: typeof EventType.ReactionAdded | typeof EventType.ReactionRemoved;
  /** Message id. */
  m: number;
  e: string;
}

export interface MemberEvent extends EventBase {
  t: typeof EventType.MemberJoined | typeof EventType.MemberLeft;
  /** Present and true when the member is a guest. */
  g?: true;
  /**
   * MemberJoined only: who invited the member (directly, or by the invite link it redeemed);
   * absent for a join from the directory.
   */
  iv?: number;
  /** The inviter's username, with `iv`. */
  ivn?: string;
  /**
   * MemberLeft only: present and true when the server removed the membership (a guest inactive
   * longer than the server's guest membership period), not the member.
   */
  ex?: true;
}

/** A moderation event: the actor acted on the target `u`/`un`. */
export interface ModerationEvent extends EventBase {
  t:
    | typeof EventType.MemberKicked
    | typeof EventType.MemberBanned
    | typeof EventType.MemberUnbanned
    | typeof EventType.MemberMuted
    | typeof EventType.MemberUnmuted
    | typeof EventType.RoleChanged;
  u: number;
  un: string;
  /** Reason, when one was given. */
  rs?: string;
  /** Until when (epoch ms); absent = indefinite. */
  ut?: number;
  /** New role (role changes). */
  rl?: Role;
}

export interface ChannelSettingEvent extends EventBase {
  t:
    | typeof EventType.TopicChanged
    | typeof EventType.SlowModeChanged
    | typeof EventType.ChannelVisibilityChanged
    | typeof EventType.RetentionChanged
    | typeof EventType.ChannelArchived
    | typeof EventType.BlockedWordsChanged;
  tp?: string;
  sl?: number;
  /** RetentionChanged: the channel's own retention in days (0: none of its own). */
  rd?: number;
  /** ChannelVisibilityChanged: true when the channel became private, false when public. */
  pv?: boolean;
  /** ChannelArchived: true when the channel was archived, false when unarchived. */
  ar?: boolean;
  /** BlockedWordsChanged: how many words the channel blocks now, and how many it holds for review. */
  bw?: number;
  hw?: number;
}

/** A stored channel event. */
export type ChannelEvent =
  | MessageEvent
  | MessageEditedEvent
  | MessageDeletedEvent
  | PinEvent
  | LinkPreviewsEvent
  | ReactionEvent
  | MemberEvent
  | ModerationEvent
  | ChannelSettingEvent;

/** A page of channel history, oldest first. */
export interface HistoryPage {
  e: ChannelEvent[];
  /** More items exist before the first one. */
  mb: boolean;
  /** More items exist after the last one. */
  ma: boolean;
}

/** A slash command the server offers, for autocomplete. */
export interface CommandInfo {
  /** Name without the slash. */
  n: string;
  /** Usage line, e.g. `/mute @user [duration] [reason]`. */
  u: string;
  /** Description. */
  d: string;
  /** Lowest channel role that may use it (0 = anyone, guests included). */
  rl: number;
}

/** TypingEvent (op 101): user `u`, named `un`, started or stopped typing in channel `c`. */
export interface TypingPush {
  c: number;
  u: number;
  un: string;
  on: boolean;
}

/**
 * Why a user is no longer in a channel: left it, was kicked or banned, or the channel was
 * deleted by a server admin (`deleted`: no event says so, the channel is gone).
 */
export type RemovalReason = "left" | "kicked" | "banned" | "deleted";

/** ChannelRemoved (op 104): you are no longer in channel `c`. */
export interface ChannelRemovedPush {
  c: number;
  why: RemovalReason;
}

/** PresenceEvent (op 102): member `u` of channel `c` came online or went offline. */
export interface PresencePush {
  c: number;
  u: number;
  /** Username, now. */
  un: string;
  /** Present and true for a guest. */
  g?: true;
  on: boolean;
}

/**
 * PresenceBatch (op 111): the presence changes of members of channel `c` in one window, in
 * order, at most one per user (its final state). Each entry is a PresenceEvent without `c`.
 */
export interface PresenceBatchPush {
  c: number;
  p: Omit<PresencePush, "c">[];
}

/** A rate-limit token bucket: at most `burst` tokens, refilled continuously at `perSecond`. */
export interface RateBucket {
  burst: number;
  perSecond: number;
}
/**
 * UserUpdated (op 105): the user's current name and guest flag. It replaces what a client holds
 * for that user id wherever it shows it (member lists, author names, badges).
 */
export type UserUpdatedPush = UserRef;

/**
 * The payload of a frame that has nothing to say: a reply to ChannelLeave, Typing and the
 * reactions, and the ReplayDone push. On the wire it is `{}`.
 */
export type EmptyPayload = Record<string, never>;

/** Hello (op 1) reply: the welcome. */
export interface WelcomeReply {
  u: Self;
  /** New session token (only for a guest created by this hello). */
  st?: string;
  v: number;
  lim: Record<string, number>;
  /**
   * The rate-limit buckets in force on this server, by name (the defaults, or the operator's
   * `PARLEY_RATE_LIMITS`): pace requests to stay within them.
   */
  rate: Record<string, RateBucket>;
  ch: ChannelSummary[];
  cmd: CommandInfo[];
  /** Server heartbeat interval in ms. */
  hb: number;
  /** The ids of the users you blocked, ascending. */
  bl: number[];
  /**
   * Channels whose gap since the `ls` the client sent is too large to replay: the client
   * should drop what it holds of them and read a fresh snapshot (history latest page).
   */
  rs?: number[];
}

/** Ping (op 2) reply: the server's time. */
export interface PingReply {
  /** Server time, epoch ms. */
  t: number;
}

/** ChannelList (op 10) reply: channels ordered by id; fewer than asked for means the end. */
export interface ChannelListReply {
  ch: ChannelSummary[];
}

/** ChannelInfo (op 14) reply: the summary, and the members when you are one. */
export interface ChannelInfoReply {
  ch: ChannelSummary;
  /** The members (for a member of the channel), as a join's reply lists them: see {@link JoinReply}. */
  m?: Member[];
  mm?: true;
}

/** MemberList (op 47) reply: members in name order; `mm` when more follow (ask after the last). */
export interface MemberListReply {
  m: Member[];
  mm?: true;
}

/**
 * MessageSend (op 20) reply, the ack sent after the commit: seq, id and server time, and the
 * message's mentions as resolved (so the sender shows them before or without the push).
 */
export interface MessageAck {
  s: number;
  i: number;
  ts: number;
  mn?: number[];
  mg?: MentionGroup;
}

/** MessageEdit (op 25) reply, after the commit: the edit event's seq and the new version. */
export interface EditAck {
  s: number;
  v: number;
}

/** MessageDelete (op 26) reply, after the commit: the delete event's seq. */
export interface DeleteAck {
  s: number;
}

/** One version of a message. */
export interface MessageVersion {
  v: number;
  x: string;
  /** When this version was written (the send's time for version 1), epoch ms. */
  ts: number;
}

/** MessageVersions (op 27) reply: every version of the message, oldest first, the current last. */
export interface MessageVersionsReply {
  vs: MessageVersion[];
}

/** PinList (op 29) reply: the pinned messages in their current state, most recently pinned first. */
export interface PinListReply {
  e: MessageEvent[];
}

/**
 * A report of a message (MessageReport, op 44), as its channel's moderators and admins see it:
 * the message as it was when reported, who reported it and why, and what became of it. A
 * message auto-moderation held for review (`hd`) is a report too: its author is its reporter,
 * `rs` the entry it matched, `m`/`s` 0 until it is approved (resolved: the message is posted
 * then, and they are its id and seq) or dropped (dismissed).
 */
export interface Report {
  /** Report id. */
  id: number;
  /** The channel, and its name. */
  c: number;
  cn: string;
  /** The message reported: its id and seq in the channel. */
  m: number;
  s: number;
  /** Its author: id and name. */
  u: number;
  un: string;
  /** Its text when it was reported (an edit or a deletion since does not change it). */
  x: string;
  /** Who reported it: id and name. */
  by: number;
  byn: string;
  /** The reporter's reason; "" when none was given. */
  rs: string;
  /** When it was reported, epoch ms. */
  ts: number;
  st: ReportStatus;
  /** A closed report: who closed it (id, name) and when. */
  cl?: number;
  cln?: string;
  clt?: number;
  /** A message held for review, not a member's report. */
  hd?: true;
}

/** MessageReport (op 44) reply: the report's id (the first one when you had reported it already). */
export interface MessageReportReply {
  id: number;
}

/** ReportList (op 45) reply: reports, newest first. */
export interface ReportListReply {
  rp: Report[];
}

/**
 * ReportResolve (op 46) reply: the report as it now is, and whether this request closed it
 * (false when it was already closed, by anyone).
 */
export interface ReportResolveReply {
  rp: Report;
  ch: boolean;
}

/** ReportChanged (op 110) push: a report filed, resolved or dismissed. */
export interface ReportChangedPush {
  rp: Report;
}

/** Command (op 30) reply: text for the caller alone, the ack of a posted message, or audit lines. */
export interface CommandReply {
  x?: string;
  /** The ack of the message the command posted (`/me`). */
  m?: MessageAck;
  /** The audit log, newest first (`/modlog`). */
  log?: AuditLine[];
}

/** InviteUser (op 31) reply: the seq of the new member's MemberJoined event. */
export interface InviteUserReply {
  s: number;
}

/** An invite link as listed (its code is stored hashed, so only its creator ever sees it). */
export interface InviteInfo {
  /** Invite id (for InviteRevoke). */
  i: number;
  c: number;
  /** Creator's user id and name. */
  a: number;
  an: string;
  /** Created, epoch ms. */
  ts: number;
  /** Expires, epoch ms; absent = never. */
  ex?: number;
  /** Most uses; absent = unlimited. */
  mu?: number;
  /** Uses so far. */
  uc: number;
}

/** InviteCreate (op 32) reply: the code (shown this once) and the invite as listed. */
export interface InviteCreateReply extends InviteInfo {
  code: string;
}

/** InviteList (op 33) reply: the live invites you may see, newest first. */
export interface InviteListReply {
  iv: InviteInfo[];
}

/** ChannelJoin (op 12) and ChannelCreate (op 11) reply: the snapshot. */
export interface JoinReply {
  /** `ch.ls` is the snapshot point. */
  ch: ChannelSummary;
  /**
   * Ordered by name: every member, or, in a channel of more than `memberPage` (100) members,
   * the first 100 with `mm` (MemberList pages through the rest, or finds names by prefix).
   */
  m: Member[];
  /** Present when `m` is the first page only. */
  mm?: true;
  h: HistoryPage;
}

/** Events (op 100): stored events of channel `c`, 1 to 100, in ascending seq without gaps. */
export interface EventsPush {
  c: number;
  e: ChannelEvent[];
}

/** ChannelAdded (op 103): you are now in channel `ch` (joined or created on another connection). */
/**
 * MarkRead (op 36) reply and ReadState (op 107) push: a read marker and the unread state it
 * leaves, exact up to `ls`. Messages with a seq above `ls` were not counted: a client adds
 * those of them it receives (others' messages, not deleted).
 */
export interface ReadState {
  c: number;
  /** Read up to this seq. */
  rs: number;
  /** The channel's last seq when the state was read. */
  ls: number;
  /** Unread messages in (`rs`, `ls`]. */
  uc: number;
  /** Of those, the ones that mention you, or the channel (`@here`, `@channel`). */
  um: number;
  /** The first unread message's seq, when `uc` > 0. */
  fu?: number;
}

/** SetNotify (op 37) reply and NotifyChanged (op 108) push: a channel's notification level. */
export interface NotifySetting {
  c: number;
  nl: NotifyLevel;
}

/** UserBlock (op 41) reply is `{}`; BlockChanged (op 109): you blocked (`on`) or unblocked user `u`. */
export interface BlockChangedPush {
  u: number;
  on: boolean;
}

/**
 * One result of a Search (op 42): a message of a channel you are in, as it is now (edits
 * applied). To show it in place, open channel `c` and read History around `s`.
 */
export interface SearchHit {
  /** Channel id. */
  c: number;
  /** The message's seq in its channel. */
  s: number;
  /** Message id. */
  m: number;
  /** Author id and username. */
  a: number;
  an: string;
  /** When it was posted, epoch ms. */
  ts: number;
  /**
   * An excerpt of its current content (Markdown source on one line, at most 200 UTF-16 code
   * units around the first match, "…" where cut). Text to show as text, never as HTML.
   */
  x: string;
  /**
   * Where the query's words match within `x`: `[start, end)` pairs of UTF-16 offsets,
   * ascending and disjoint (empty for a query of filters only). Highlight by slicing `x`.
   */
  hl: [number, number][];
}

/** Search (op 42) reply: a page of results, newest first. */
export interface SearchReply {
  r: SearchHit[];
  /** Present when there may be more: send it as `b` (HTTP: `cursor`) for the next page. */
  nx?: string;
}

export interface ChannelAddedPush {
  ch: ChannelSummary;
}

export interface ErrorPayload {
  /** Numeric error code from the catalogue. */
  c: number;
  /** Human-readable message. */
  m: string;
  /** The op of the request this answers. */
  op?: number;
  /** Milliseconds to wait before retrying. */
  ra?: number;
  /** Usage line, for command errors. */
  us?: string;
  /** MESSAGE_HELD: the id of the report the held message waits in (its ReportChanged pushes). */
  rp?: number;
}

/** HTTP register and login (`POST /api/v1/auth/register`, `/login`): the session token and its user. */
export interface AuthReply {
  token: string;
  user: UserRef;
}

/** HTTP `GET /api/v1/auth/options`: how one may join this server now (no token needed). */
export interface AuthOptions {
  /** `open`, `invite` (registering needs a server invite's code) or `closed`. */
  registration: "open" | "invite" | "closed";
  /** Whether a hello without a token makes a guest. */
  guests: boolean;
}

/** HTTP `GET /api/v1/me`: the token's user and its channels, each with your role. */
export interface MeReply {
  user: UserRef;
  channels: ChannelSummary[];
}

/** `GET /api/v1/push/key`: the server's VAPID public key (base64url), for `applicationServerKey`. */
export interface PushKeyReply {
  key: string;
}

/** The body of every HTTP error answer (its status is the catalogue's for the code). */
export interface HttpErrorBody {
  error: { c: number; name: ErrorName; m: string };
}

/** A frame as the server sends it, before its op tells what it is (see `ServerPush`, `ReplyOf`). */
export interface ServerFrame {
  o: number;
  r?: number;
  d?: unknown;
}
