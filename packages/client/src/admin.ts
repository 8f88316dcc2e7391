import type {
  AdminAuditQuery,
  AdminAuditReply,
  AdminBan,
  AdminChannel,
  AdminChannelReply,
  AdminChannelsQuery,
  AdminChannelsReply,
  AdminCreateInvite,
  AdminCreateInviteReply,
  AdminDeleteChannelReply,
  AdminDeleteUserReply,
  AdminInvitesQuery,
  AdminInvitesReply,
  AdminModerationQuery,
  AdminModerationReply,
  AdminRemoveGuests,
  AdminRemoveGuestsReply,
  AdminReportsQuery,
  AdminReportsReply,
  AdminResolveReport,
  AdminResolveReportReply,
  AdminSettingsChange,
  AdminSettingsReply,
  AdminStatsReply,
  AdminUser,
  AdminUserReply,
  AdminUsersQuery,
  AdminUsersReply,
  DeletedMessages,
  HttpErrorBody,
  ServerInvite,
} from "@parley/protocol";
import { ParleyRequestError } from "./client";

/** A query string of the defined values, with its `?` (empty when none). */
function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== "") params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : "";
}

/**
 * The admin API (`/api/v1/admin/…`) for a server admin's session: users and what admins do to
 * them, channels and what admins do to them, reports, figures, settings, and the audit logs. Every call rejects with a {@link ParleyRequestError}
 * carrying the server's code (FORBIDDEN for a session that is not an admin's).
 */
export class AdminApi {
  /** `base` is the server's HTTP origin (`httpBase` of its WebSocket URL); "" for the page's own. */
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}/api/v1/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const answer = (await res.json().catch(() => undefined)) as T | HttpErrorBody | undefined;
    if (!res.ok) {
      const error = (answer as HttpErrorBody | undefined)?.error;
      throw new ParleyRequestError({ c: error?.c ?? 1500, m: error?.m ?? `HTTP ${res.status}` });
    }
    return answer as T;
  }

  /** A page of users, newest first; pass the reply's `next` as `before` for the next one. */
  users(query: AdminUsersQuery = {}): Promise<AdminUsersReply> {
    return this.call("GET", `/users${queryString({ ...query })}`);
  }

  /** A user, its channels and its latest messages (older ones below `messagesBefore`). */
  user(id: number, messagesBefore?: number): Promise<AdminUserReply> {
    return this.call("GET", `/users/${id}${queryString({ messagesBefore })}`);
  }

  /** Signs the user out of every session; its open connections close. */
  async signOut(id: number): Promise<AdminUser> {
    return (await this.call<{ user: AdminUser }>("POST", `/users/${id}/sign-out`, {})).user;
  }

  /** Bans the user from the server, for `minutes` or until lifted, with a reason. */
  async ban(id: number, ban: AdminBan = {}): Promise<AdminUser> {
    return (await this.call<{ user: AdminUser }>("POST", `/users/${id}/ban`, ban)).user;
  }

  /**
   * Gives an account a new temporary password (returned once: hand it on) and signs it out
   * everywhere.
   */
  resetPassword(id: number): Promise<{ user: AdminUser; password: string }> {
    return this.call("POST", `/users/${id}/reset-password`, {});
  }

  async unban(id: number): Promise<AdminUser> {
    return (await this.call<{ user: AdminUser }>("POST", `/users/${id}/unban`, {})).user;
  }

  /** Renames the user (the account name rules apply; USERNAME_TAKEN when another has it). */
  async rename(id: number, username: string): Promise<AdminUser> {
    return (await this.call<{ user: AdminUser }>("POST", `/users/${id}/rename`, { username })).user;
  }

  /** Deactivates the account: signed out everywhere, refused sign-in until reactivated. */
  async deactivate(id: number): Promise<AdminUser> {
    return (await this.call<{ user: AdminUser }>("POST", `/users/${id}/deactivate`, {})).user;
  }

  async reactivate(id: number): Promise<AdminUser> {
    return (await this.call<{ user: AdminUser }>("POST", `/users/${id}/reactivate`, {})).user;
  }

  /**
   * Deletes the account for good: signed out, out of its channels, named `deleted-<id>`; its
   * messages kept under that name or removed.
   */
  deleteUser(id: number, messages: DeletedMessages): Promise<AdminDeleteUserReply> {
    return this.call("POST", `/users/${id}/delete`, { messages });
  }

  /** Deletes up to a batch of guests idle for `idleDays`; call again while `more`. */
  removeGuests(request: AdminRemoveGuests): Promise<AdminRemoveGuestsReply> {
    return this.call("POST", "/guests/remove", request);
  }

  /** A page of channels (never direct messages), newest first; `before` pages on. */
  channels(query: AdminChannelsQuery = {}): Promise<AdminChannelsReply> {
    return this.call("GET", `/channels${queryString({ ...query })}`);
  }

  /** A channel and a page of its members by user id (`membersAfter` pages on). */
  channel(id: number, membersAfter?: number): Promise<AdminChannelReply> {
    return this.call("GET", `/channels/${id}${queryString({ membersAfter })}`);
  }

  /** Gives the channel to one of its members (an account); its owner until now moderates. */
  async setChannelOwner(id: number, username: string): Promise<AdminChannel> {
    const reply = await this.call<{ channel: AdminChannel }>("POST", `/channels/${id}/owner`, {
      username,
    });
    return reply.channel;
  }

  /** Archives the channel (read-only) or unarchives it. */
  async setChannelArchived(id: number, archived: boolean): Promise<AdminChannel> {
    const path = `/channels/${id}/${archived ? "archive" : "unarchive"}`;
    return (await this.call<{ channel: AdminChannel }>("POST", path, {})).channel;
  }

  /** Deletes the channel for good, with its messages, files and search entries. */
  deleteChannel(id: number): Promise<AdminDeleteChannelReply> {
    return this.call("POST", `/channels/${id}/delete`, {});
  }

  /** Server invites, newest first: the usable ones (default) or all. */
  invites(query: AdminInvitesQuery = {}): Promise<AdminInvitesReply> {
    return this.call("GET", `/invites${queryString({ ...query })}`);
  }

  /** Makes a server invite; its code is in this answer only. */
  createInvite(request: AdminCreateInvite = {}): Promise<AdminCreateInviteReply> {
    return this.call("POST", "/invites", request);
  }

  /** Revokes a server invite: nobody registers with it any more. */
  async revokeInvite(id: number): Promise<ServerInvite> {
    return (await this.call<{ invite: ServerInvite }>("POST", `/invites/${id}/revoke`, {})).invite;
  }

  /** A page of every channel's moderation log, newest first, with filters. */
  moderation(query: AdminModerationQuery = {}): Promise<AdminModerationReply> {
    return this.call("GET", `/moderation${queryString({ ...query })}`);
  }

  /** A page of every channel's reports, newest first: the open ones unless `status` says. */
  reports(query: AdminReportsQuery = {}): Promise<AdminReportsReply> {
    return this.call("GET", `/reports${queryString({ ...query })}`);
  }

  /** Resolves (acted on) or dismisses (nothing wrong) a report, audited in its channel's log. */
  resolveReport(
    id: number,
    status: AdminResolveReport["status"],
  ): Promise<AdminResolveReportReply> {
    return this.call("POST", `/reports/${id}/resolve`, { status });
  }

  /** Every node's live figures, the database's, and the last hour by minute. */
  stats(): Promise<AdminStatsReply> {
    return this.call("GET", "/stats");
  }

  /** The server settings in force, and which ones an admin set. */
  settings(): Promise<AdminSettingsReply> {
    return this.call("GET", "/settings");
  }

  /** Changes server settings (the others stay); `reset` returns some to their variables. */
  changeSettings(change: AdminSettingsChange): Promise<AdminSettingsReply> {
    return this.call("POST", "/settings", change);
  }

  /** A page of the admin audit log, newest first, with filters. */
  audit(query: AdminAuditQuery = {}): Promise<AdminAuditReply> {
    return this.call("GET", `/audit${queryString({ ...query })}`);
  }
}
