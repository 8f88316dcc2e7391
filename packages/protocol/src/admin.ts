import { z } from "zod";
import { topicSchema } from "./schemas";

/**
 * The admin HTTP API (`/api/v1/admin/…`, server admins only): its requests as schemas and its
 * answers as types. Unlike the WebSocket frames, its JSON keys are whole words: it is read by
 * one console, not sent per message.
 */

/** Users a list shows: every one, accounts only, guests only, banned ones, or admins. */
export const ADMIN_USER_KINDS = ["all", "registered", "guests", "banned", "admins"] as const;
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
  /** `signout`, `ban`, `unban`, `resetpassword`. */
  action: string;
  target: { kind: "user"; id: number; username: string };
  /** The part of the target the action changed, before and after (JSON values). */
  before: unknown;
  after: unknown;
}

export interface AdminAuditReply {
  entries: AdminAuditEntry[];
  next?: number;
}
