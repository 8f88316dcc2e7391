import { z } from "zod";
import { LIMITS } from "./limits";
import { channelNameSchema, topicSchema, usernameSchema } from "./schemas";
import type { AuthOptions, Report } from "./types";

/**
 * The admin HTTP API (`/api/v1/admin/…`, server admins only): its requests as schemas and its
 * answers as types. Unlike the WebSocket frames, its JSON keys are whole words: it is read by
 * one console, not sent per message.
 */

/**
 * Users a list shows: every one (deleted accounts excepted), accounts only, guests only, banned
 * ones, admins, deactivated accounts, or deleted ones.
 */
export const ADMIN_USER_KINDS = [
  "all",
  "registered",
  "guests",
  "banned",
  "admins",
  "deactivated",
  "deleted",
] as const;
export type AdminUserKind = (typeof ADMIN_USER_KINDS)[number];

/** Most users, entries or messages in one page of the admin API; the default page. */
export const ADMIN_PAGE_MAX = 100;
export const ADMIN_PAGE_DEFAULT = 50;

/** Longest server ban: ten years, in minutes (longer is "until lifted": omit `minutes`). */
export const SERVER_BAN_MINUTES_MAX = 10 * 366 * 24 * 60;

const pageLimit = z.coerce.number().pipe(z.int().min(1).max(ADMIN_PAGE_MAX)).optional();
const cursor = z.coerce.number().pipe(z.int().positive()).optional();

/** `GET /api/v1/admin/users`: a page of users, newest first; `before` is the last page's `next`. */
export const adminUsersQuerySchema = z.strictObject({
  /** Part of the username, in any case. */
  q: z.string().max(64).optional(),
  kind: z.enum(ADMIN_USER_KINDS).optional(),
  before: cursor,
  limit: pageLimit,
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuerySchema>;

/** `POST /api/v1/admin/users/:id/ban`: the reason, and the length (absent: until lifted). */
export const adminBanSchema = z.strictObject({
  reason: topicSchema.optional(),
  minutes: z.int().min(1).max(SERVER_BAN_MINUTES_MAX).optional(),
});
export type AdminBan = z.infer<typeof adminBanSchema>;

/** `POST /api/v1/admin/users/:id/rename`: the new username (the account name rules apply). */
export const adminRenameSchema = z.strictObject({ username: usernameSchema });
export type AdminRename = z.infer<typeof adminRenameSchema>;

/**
 * What a deletion does with the user's messages: `keep` them, shown under the deleted user's
 * name, or `remove` them (their content, versions, files, mentions and search entries).
 */
export const DELETED_MESSAGES = ["keep", "remove"] as const;
export type DeletedMessages = (typeof DELETED_MESSAGES)[number];

/** `POST /api/v1/admin/users/:id/delete`. */
export const adminDeleteUserSchema = z.strictObject({ messages: z.enum(DELETED_MESSAGES) });
export type AdminDeleteUser = z.infer<typeof adminDeleteUserSchema>;

/** The reply of a deletion: the user as it is now, and how many messages were removed. */
export interface AdminDeleteUserReply {
  user: AdminUser;
  removedMessages: number;
}

/** Most guests one `POST /api/v1/admin/guests/remove` deletes; repeat while `more`. */
export const GUEST_REMOVAL_BATCH = 100;

/**
 * `POST /api/v1/admin/guests/remove`: deletes guests not seen for `idleDays` (and not online),
 * oldest first, at most {@link GUEST_REMOVAL_BATCH} per request, as a deletion does.
 */
export const adminRemoveGuestsSchema = z.strictObject({
  idleDays: z.int().min(1).max(3660),
  messages: z.enum(DELETED_MESSAGES),
});
export type AdminRemoveGuests = z.infer<typeof adminRemoveGuestsSchema>;

export interface AdminRemoveGuestsReply {
  /** Guests deleted by this request. */
  removed: number;
  /** Their messages removed (with `messages: "remove"`). */
  removedMessages: number;
  /** True when more idle guests may be waiting: send the request again. */
  more: boolean;
}

/** `GET /api/v1/admin/audit`: a page of the admin audit log, newest first, with filters. */
export const adminAuditQuerySchema = z.strictObject({
  /** Only actions by this user id. */
  actor: cursor,
  /** Only actions on this user id. */
  target: cursor,
  action: z.string().max(32).optional(),
  before: cursor,
  limit: pageLimit,
});
export type AdminAuditQuery = z.infer<typeof adminAuditQuerySchema>;

/**
 * `GET /api/v1/admin/moderation`: the moderation audit log of every channel, newest first.
 * Channel and users by name (as typed; a name that names nothing matches nothing), times in
 * epoch ms.
 */
export const adminModerationQuerySchema = z.strictObject({
  channel: z.string().max(64).optional(),
  actor: z.string().max(64).optional(),
  target: z.string().max(64).optional(),
  action: z.string().max(32).optional(),
  since: z.coerce.number().pipe(z.int().nonnegative()).optional(),
  until: z.coerce.number().pipe(z.int().nonnegative()).optional(),
  before: cursor,
  limit: pageLimit,
});
export type AdminModerationQuery = z.infer<typeof adminModerationQuerySchema>;

/** Which reports the admin API lists: by status (default open), page by page. */
export const ADMIN_REPORT_STATUSES = ["open", "resolved", "dismissed", "all"] as const;
export type AdminReportStatus = (typeof ADMIN_REPORT_STATUSES)[number];
export const adminReportsQuerySchema = z.strictObject({
  status: z.enum(ADMIN_REPORT_STATUSES).optional(),
  before: cursor,
  limit: pageLimit,
});
export type AdminReportsQuery = z.infer<typeof adminReportsQuerySchema>;

/** `GET /api/v1/admin/reports`: reports of every channel, newest first (as ReportList's). */
export interface AdminReportsReply {
  reports: Report[];
  /** The `before` of the next page, when there may be one. */
  next?: number;
}

/** `POST /api/v1/admin/reports/:id/resolve`: resolved (acted on) or dismissed. */
export const adminResolveReportSchema = z.strictObject({
  status: z.enum(["resolved", "dismissed"]),
});
export type AdminResolveReport = z.infer<typeof adminResolveReportSchema>;

/** The reply of a resolve: the report now, and whether this request closed it. */
export interface AdminResolveReportReply {
  report: Report;
  changed: boolean;
}

/** One moderation action in a channel, as `/modlog` keeps it. */
export interface AdminModerationEntry {
  id: number;
  /** Epoch ms. */
  at: number;
  channel: { id: number; name: string };
  /** Id 0 and name "" for the server itself (a mute or ban that ran out). */
  actor: { id: number; username: string };
  target?: { id: number; username: string };
  /** As `AuditLine.ac`: `kick`, `mute`, `ban`, `topic`, `serverban`… */
  action: string;
  reason?: string;
  /** End of a mute or ban, epoch ms. */
  until?: number;
}

export interface AdminModerationReply {
  entries: AdminModerationEntry[];
  next?: number;
}

/** The most entries of the blocked words list. */
export const BLOCKED_WORDS_MAX = 500;

/**
 * An entry of the blocked words list: letters and digits, words separated by single spaces (a
 * phrase), at most 64 characters, optionally ending in `*` (words beginning with it).
 */
export const blockedWordSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[\p{L}\p{N}]+(?: [\p{L}\p{N}]+)*\*?$/u, "letters and digits, words apart by one space")
  .max(64);

/** The longest retention, server-wide or a channel's: a hundred years, in days. */
export const RETENTION_DAYS_MAX = 36_500;

/**
 * Whether anyone may create an account, only who holds a server invite, or nobody (`npm run
 * admin -- create` still may).
 */
export const REGISTRATION_MODES = [
  "open",
  "invite",
  "closed",
] as const satisfies readonly AuthOptions["registration"][];
export type RegistrationMode = (typeof REGISTRATION_MODES)[number];

/**
 * The server's settings an admin changes live (`/api/v1/admin/settings`): stored in the
 * database, applied on every node. Each starts as its `PARLEY_*` variable says; a value an
 * admin sets wins over the variable until the admin resets it.
 */
export interface ServerSettings {
  registration: RegistrationMode;
  /** Whether a hello without a token makes a guest. */
  guests: boolean;
  /** Whether new messages' links get previews (`PARLEY_LINK_PREVIEWS`). */
  linkPreviews: boolean;
  /** How long a message stays editable, in seconds; 0 = always (`PARLEY_EDIT_WINDOW_SECONDS`). */
  editWindowSeconds: number;
  /** The largest upload, in bytes (`PARLEY_UPLOAD_MAX_BYTES`). */
  uploadMaxBytes: number;
  /** Channels every new user joins, created if missing (`PARLEY_DEFAULT_CHANNELS`). */
  defaultChannels: string[];
  /**
   * Messages older than this many days are deleted, in every channel and DM; 0 = kept for
   * ever (`PARLEY_RETENTION_DAYS`). A channel may keep its messages for less.
   */
  retentionDays: number;
  /**
   * Words and phrases no message may hold (auto-moderation): matched as whole words, in any
   * case, through look-alike characters, leetspeak, repeated letters and letters spaced out;
   * one ending in `*` matches words beginning with it. Refused with MESSAGE_BLOCKED.
   */
  blockedWords: string[];
  /**
   * Words and phrases, matched as `blockedWords` are, that hold a message for review: it is
   * not posted but waits in the reports queue until a moderator approves it (it is posted
   * then) or drops it; the sender is told MESSAGE_HELD. A blocked word wins over a held one.
   */
  heldWords: string[];
  /**
   * Accounts younger than this many hours, and guests, may not post links (LINKS_NOT_ALLOWED);
   * 0 = anyone may.
   */
  linkMinAccountHours: number;
  /** The most distinct `@names` one message may hold (TOO_MANY_MENTIONS); 0 = no limit. */
  maxMentions: number;
}

/** The names of the {@link ServerSettings}. */
export const SERVER_SETTING_KEYS = [
  "registration",
  "guests",
  "linkPreviews",
  "editWindowSeconds",
  "uploadMaxBytes",
  "defaultChannels",
  "retentionDays",
  "blockedWords",
  "heldWords",
  "linkMinAccountHours",
  "maxMentions",
] as const satisfies readonly (keyof ServerSettings)[];

/**
 * `POST /api/v1/admin/settings`: the settings to change (the others stay); `reset` names
 * settings to return to their variable's value.
 */
export const adminSettingsSchema = z.strictObject({
  registration: z.enum(REGISTRATION_MODES).optional(),
  guests: z.boolean().optional(),
  linkPreviews: z.boolean().optional(),
  editWindowSeconds: z.int().min(0).max(315_360_000).optional(),
  uploadMaxBytes: z
    .int()
    .min(1)
    .max(2 ** 40)
    .optional(),
  defaultChannels: z.array(channelNameSchema).max(20).optional(),
  retentionDays: z.int().min(0).max(RETENTION_DAYS_MAX).optional(),
  blockedWords: z.array(blockedWordSchema).max(BLOCKED_WORDS_MAX).optional(),
  heldWords: z.array(blockedWordSchema).max(BLOCKED_WORDS_MAX).optional(),
  linkMinAccountHours: z.int().min(0).max(8760).optional(),
  maxMentions: z
    .int()
    .min(0)
    .max(LIMITS.mentionsPerMessage - 1)
    .optional(),
  reset: z.array(z.enum(SERVER_SETTING_KEYS)).max(SERVER_SETTING_KEYS.length).optional(),
});
export type AdminSettingsChange = z.infer<typeof adminSettingsSchema>;

/** The settings in force, and the ones an admin set (the rest follow their variables). */
export interface AdminSettingsReply {
  settings: ServerSettings;
  /** The names of the settings an admin set. */
  stored: (keyof ServerSettings)[];
}

/** A node's latest figures, in `GET /api/v1/admin/stats`. */
export interface AdminNodeFigures {
  /** The node's name: host, process id and a suffix new at each start. */
  node: string;
  /** When sampled, epoch ms. */
  at: number;
  connections: number;
  /** Messages stored per second, over the node's last two samples. */
  messagesPerSecond: number;
  /** The event loop's p99 delay over the last sample's span, ms. */
  lagMs: number;
}

/** One minute of the last hour, every node summed. */
export interface AdminStatsPoint {
  /** The minute's start, epoch ms. */
  at: number;
  connections: number;
  messagesPerSecond: number;
}

/** `GET /api/v1/admin/stats`: the live figures of every node and of the database. */
export interface AdminStatsReply {
  /** Nodes sampled in the last minute, by name. */
  nodes: AdminNodeFigures[];
  /** About how many messages are stored (the highest message id). */
  storedMessages: number;
  /** The database's size on disk, bytes. */
  databaseBytes: number;
  /** The last hour by minute, oldest first (minutes without a sample left out). */
  history: AdminStatsPoint[];
}

/** A server ban in force. */
export interface ServerBanInfo {
  /** When it began, epoch ms. */
  since: number;
  /** When it ends, epoch ms; absent: until an admin lifts it. */
  until?: number;
  reason?: string;
}

/** A user as the console lists it. */
export interface AdminUser {
  id: number;
  username: string;
  guest: boolean;
  admin: boolean;
  /** Epoch ms. */
  createdAt: number;
  /** A guest's last activity, epoch ms (accounts are not tracked). */
  lastActiveAt?: number;
  /** Present while a server ban is in force. */
  ban?: ServerBanInfo;
  /** When an admin deactivated the account (it cannot sign in until reactivated), epoch ms. */
  deactivatedAt?: number;
  /** When an admin deleted the account (for good; its name is then `deleted-<id>`), epoch ms. */
  deletedAt?: number;
  /** Sessions not signed out. */
  sessions: number;
}

export interface AdminUsersReply {
  users: AdminUser[];
  /** Present when there may be more: send it as `before`. */
  next?: number;
}

/** A channel a user is a member of, with the user's role in it (`Role`). */
export interface AdminUserChannel {
  id: number;
  name: string;
  /** `ChannelKind`. */
  kind: number;
  role: number;
}

/** One of a user's messages, as it is now. */
export interface AdminUserMessage {
  id: number;
  channelId: number;
  channelName: string;
  seq: number;
  content: string;
  createdAt: number;
}

/** `GET /api/v1/admin/users/:id`: the user, its channels, and its latest messages. */
export interface AdminUserReply {
  user: AdminUser;
  channels: AdminUserChannel[];
  /** Newest first, at most {@link ADMIN_PAGE_DEFAULT}; `messagesNext` pages on. */
  messages: AdminUserMessage[];
  messagesNext?: number;
}

/** One change made through the admin API. */
export interface AdminAuditEntry {
  id: number;
  /** Epoch ms. */
  at: number;
  actor: { id: number; username: string };
  /**
   * `signout`, `ban`, `unban`, `resetpassword`, `rename`, `deactivate`, `reactivate`,
   * `delete`, `settings`; on a channel `channelowner`, `archive`, `unarchive`,
   * `channeldelete`, `channelexport`; on a server invite `invitecreate`, `inviterevoke`.
   */
  action: string;
  /**
   * A user, a channel (`username` holds its name as it was), a server invite (`username`
   * holds its note, or ""), or the server itself (id 0, username "server") for a change of
   * settings.
   */
  target: { kind: "user" | "channel" | "invite" | "server"; id: number; username: string };
  /** The part of the target the action changed, before and after (JSON values). */
  before: unknown;
  after: unknown;
}

export interface AdminAuditReply {
  entries: AdminAuditEntry[];
  next?: number;
}

/**
 * Channels a list shows: every public and private one (direct messages are their members'
 * alone and never listed), public ones, private ones, or archived ones.
 */
export const ADMIN_CHANNEL_KINDS = ["all", "public", "private", "archived"] as const;
export type AdminChannelKind = (typeof ADMIN_CHANNEL_KINDS)[number];

/** `GET /api/v1/admin/channels`: a page of channels, newest first; `before` pages on. */
export const adminChannelsQuerySchema = z.strictObject({
  /** Part of the channel's name, in any case. */
  q: z.string().max(64).optional(),
  kind: z.enum(ADMIN_CHANNEL_KINDS).optional(),
  before: cursor,
  limit: pageLimit,
});
export type AdminChannelsQuery = z.infer<typeof adminChannelsQuerySchema>;

/** A channel as the console lists it. */
export interface AdminChannel {
  id: number;
  name: string;
  topic: string;
  private: boolean;
  /** Epoch ms. */
  createdAt: number;
  /** When an admin archived it (read-only until unarchived), epoch ms. */
  archivedAt?: number;
  members: number;
  /** Members online now. */
  online: number;
  /** The time of its latest event (message, join, change), epoch ms; absent when it has none. */
  lastActivityAt?: number;
  /** Its last seq: how many events it has stored. */
  lastSeq: number;
  /** Absent for a channel without an owner (a default channel nobody joined yet). */
  owner?: { id: number; username: string };
}

export interface AdminChannelsReply {
  channels: AdminChannel[];
  /** Present when there may be more: send it as `before`. */
  next?: number;
}

/** A member of a channel, in `GET /api/v1/admin/channels/:id`. */
export interface AdminChannelMember {
  id: number;
  username: string;
  guest: boolean;
  /** `Role`. */
  role: number;
  /** Epoch ms. */
  joinedAt: number;
  online: boolean;
}

/** `GET /api/v1/admin/channels/:id`: `membersAfter` pages the members on, by user id. */
export const adminChannelQuerySchema = z.strictObject({
  membersAfter: z.coerce.number().pipe(z.int().positive()).optional(),
});

/** The channel and a page of its members (by user id, {@link ADMIN_PAGE_MAX} at most). */
export interface AdminChannelReply {
  channel: AdminChannel;
  members: AdminChannelMember[];
  /** Present when there are more members: send it as `membersAfter`. */
  membersNext?: number;
}

/** `POST /api/v1/admin/channels/:id/owner`: the member who becomes its owner. */
export const adminChannelOwnerSchema = z.strictObject({ username: usernameSchema });
export type AdminChannelOwner = z.infer<typeof adminChannelOwnerSchema>;

/** Reply of `POST /api/v1/admin/channels/:id/delete`. */
export interface AdminDeleteChannelReply {
  /** The messages deleted with it. */
  removedMessages: number;
}

/** The longest a server invite lasts, in days, and the most uses it may allow. */
export const SERVER_INVITE_DAYS_MAX = 365;
export const SERVER_INVITE_USES_MAX = 1000;

/**
 * `POST /api/v1/admin/invites`: a server invite, which lets its holder register while
 * registration is invite-only. `days` absent: it never expires; `maxUses` absent: unlimited.
 */
export const adminCreateInviteSchema = z.strictObject({
  maxUses: z.int().min(1).max(SERVER_INVITE_USES_MAX).optional(),
  days: z.int().min(1).max(SERVER_INVITE_DAYS_MAX).optional(),
  /** Who it is for, as the admin notes it (one line). */
  note: z
    .string()
    .max(100)
    .regex(/^[^\p{Cc}\p{Zl}\p{Zp}]*$/u, "a note is one line")
    .optional(),
});
export type AdminCreateInvite = z.infer<typeof adminCreateInviteSchema>;

/** Server invites a list shows: those still usable, or every one ever made. */
export const ADMIN_INVITE_STATUSES = ["live", "all"] as const;
export type AdminInviteStatus = (typeof ADMIN_INVITE_STATUSES)[number];

/** `GET /api/v1/admin/invites`: newest first; `before` pages on. */
export const adminInvitesQuerySchema = z.strictObject({
  status: z.enum(ADMIN_INVITE_STATUSES).optional(),
  before: cursor,
  limit: pageLimit,
});
export type AdminInvitesQuery = z.infer<typeof adminInvitesQuerySchema>;

/** A server invite as the console lists it (its code is shown once, when made). */
export interface ServerInvite {
  id: number;
  createdBy: { id: number; username: string };
  /** Epoch ms. */
  createdAt: number;
  /** Absent: never expires. */
  expiresAt?: number;
  /** Absent: unlimited. */
  maxUses?: number;
  uses: number;
  /** Present once an admin revoked it. */
  revokedAt?: number;
  note?: string;
  /** Whether it would let someone register now (not expired, used up or revoked). */
  live: boolean;
}

export interface AdminInvitesReply {
  invites: ServerInvite[];
  next?: number;
}

/** Reply of `POST /api/v1/admin/invites`: the invite and its code, which is in this reply only. */
export interface AdminCreateInviteReply {
  invite: ServerInvite;
  code: string;
}
