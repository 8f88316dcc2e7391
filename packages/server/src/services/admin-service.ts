import {
  ADMIN_PAGE_DEFAULT,
  type AdminAuditQuery,
  type AdminAuditReply,
  type AdminBan,
  type AdminModerationQuery,
  type AdminModerationReply,
  type AdminStatsReply,
  type AdminUser,
  type AdminUserReply,
  type AdminUsersQuery,
  type AdminUsersReply,
  type ServerBanInfo,
} from "@parley/protocol";
import type { UserMessage } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { AccountStore } from "../storage/account-store";
import type { AdminStore, AdminUserRow, NodeStatsRow, ServerBan } from "../storage/admin-store";
import type { ModerationStore } from "../storage/moderation-store";
import { type Actor, serverBanInForce, type UserRow } from "../storage/storage";
import { NODE_STATS_KEPT_MS } from "./node-stats";
import { temporaryPassword } from "./password-hasher";

/** Two decimals. */
const round = (n: number) => Math.round(n * 100) / 100;

/** The ban in force, as the API shows it; undefined when there is none. */
function banInfo(user: UserRow, now: number): ServerBanInfo | undefined {
  if (!serverBanInForce(user, now) || user.bannedAt === null) return undefined;
  return {
    since: user.bannedAt,
    ...(user.bannedUntil !== null ? { until: user.bannedUntil } : {}),
    ...(user.banReason ? { reason: user.banReason } : {}),
  };
}

/** Who acts through the admin API. */
export type AdminActor = Actor & { isAdmin: boolean };

/** A user as the {@link AdminActor} it acts as. */
export function adminActor(user: UserRow): AdminActor {
  return { id: user.id, name: user.username, isAdmin: user.isAdmin };
}

/**
 * The first `limit` of `rows`, read as `limit + 1` (newest first by id): one more row than the
 * page means there is a next page, which starts below the page's last id.
 */
export function pageOf<T extends { id: number }>(
  rows: readonly T[],
  limit: number,
): { page: T[]; more: { next?: number } } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, more: rows.length > limit && last ? { next: last.id } : {} };
}

const actorOf = (user: UserRow): Actor => ({ id: user.id, name: user.username });

/** FORBIDDEN for a deleted account: nothing is done to it any more (but finishing its removal). */
export function refuseDeleted(user: UserRow): void {
  if (user.deletedAt !== null) throw new ParleyError("FORBIDDEN", "That account was deleted");
}

/**
 * What server admins do through the admin API (and `/serverban`): read users and the admin
 * audit log, sign users out, ban and unban them from the server. Every caller is checked here
 * ({@link AdminService.requireAdmin}); every change is written with its audit entry in one
 * transaction, then the user's sockets are closed on every node (the user topic).
 */
export class AdminService {
  constructor(
    private readonly store: AdminStore &
      Pick<ModerationStore, "auditLog"> &
      Pick<AccountStore, "findUserByName">,
    private readonly announce: (userId: number, message: UserMessage) => void,
    /** Hashes a password off the event loop (the server's `PasswordHasher`). */
    private readonly hash: (password: string) => Promise<string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** FORBIDDEN unless `user` is a server admin (as stored now). */
  requireAdmin(user: { isAdmin: boolean }): void {
    if (!user.isAdmin) throw new ParleyError("FORBIDDEN", "Only server admins can do that");
  }

  private json(row: AdminUserRow): AdminUser {
    const ban = banInfo(row, this.now());
    return {
      id: row.id,
      username: row.username,
      guest: row.isGuest,
      admin: row.isAdmin,
      createdAt: row.createdAt,
      ...(row.lastActiveAt !== null ? { lastActiveAt: row.lastActiveAt } : {}),
      ...(ban ? { ban } : {}),
      ...(row.deactivatedAt !== null ? { deactivatedAt: row.deactivatedAt } : {}),
      ...(row.deletedAt !== null ? { deletedAt: row.deletedAt } : {}),
      sessions: row.sessions,
    };
  }

  /** The user as the API shows it now; NO_SUCH_USER when there is none. */
  async view(userId: number): Promise<AdminUser> {
    return this.json(await this.target(userId));
  }

  private async target(userId: number): Promise<AdminUserRow> {
    const user = await this.store.adminUser(userId);
    if (!user) throw new ParleyError("NO_SUCH_USER");
    return user;
  }

  async users(query: AdminUsersQuery): Promise<AdminUsersReply> {
    const limit = query.limit ?? ADMIN_PAGE_DEFAULT;
    const rows = await this.store.adminUsers({
      ...(query.q ? { query: query.q } : {}),
      kind: query.kind ?? "all",
      ...(query.before !== undefined ? { beforeId: query.before } : {}),
      limit: limit + 1,
      now: this.now(),
    });
    const { page, more } = pageOf(rows, limit);
    return { users: page.map((r) => this.json(r)), ...more };
  }

  /** A user, its channels, and a page of its messages (below `messagesBefore`). */
  async user(userId: number, messagesBefore?: number): Promise<AdminUserReply> {
    const user = await this.target(userId);
    const [channels, messages] = await Promise.all([
      this.store.userMemberships(userId),
      this.store.userMessages(userId, messagesBefore, ADMIN_PAGE_DEFAULT + 1),
    ]);
    const { page, more } = pageOf(messages, ADMIN_PAGE_DEFAULT);
    return {
      user: this.json(user),
      channels: channels.map((c) => ({
        id: c.channelId,
        name: c.name,
        kind: c.kind,
        role: c.role,
      })),
      messages: page,
      ...(more.next !== undefined ? { messagesNext: more.next } : {}),
    };
  }

  /** Signs the user out of every session; its open tabs are told their session ended. */
  async signOut(by: AdminActor, userId: number): Promise<AdminUser> {
    this.requireAdmin(by);
    const user = await this.target(userId);
    refuseDeleted(user);
    await this.store.revokeSessionsAudited(userId, {
      actor: { id: by.id, name: by.name },
      action: "signout",
      target: actorOf(user),
      before: { sessions: user.sessions },
      after: { sessions: 0 },
    });
    this.announce(userId, { k: "revoked" });
    return this.view(userId);
  }

  /**
   * Gives an account a new temporary password, shown once to the admin (never stored but as
   * its hash, never audited), and signs it out everywhere. Refused for a guest (no password),
   * for oneself (the settings' password change is for that) and for another admin.
   */
  async resetPassword(
    by: AdminActor,
    userId: number,
  ): Promise<{ user: AdminUser; password: string }> {
    this.requireAdmin(by);
    const user = await this.target(userId);
    refuseDeleted(user);
    if (user.isGuest) throw new ParleyError("FORBIDDEN", "A guest has no password to reset");
    if (user.id === by.id)
      throw new ParleyError("FORBIDDEN", "Change your own password from your settings");
    if (user.isAdmin) throw new ParleyError("FORBIDDEN", `${user.username} is an admin`);
    const password = temporaryPassword();
    await this.store.setPasswordAudited(userId, await this.hash(password), {
      actor: { id: by.id, name: by.name },
      action: "resetpassword",
      target: actorOf(user),
      before: { sessions: user.sessions },
      after: { sessions: 0 },
    });
    this.announce(userId, { k: "revoked" });
    return { user: await this.view(userId), password };
  }

  /** Bans the user from the server for `minutes` (absent: until lifted), with a reason. */
  async ban(by: AdminActor, userId: number, request: AdminBan): Promise<AdminUser> {
    const until = request.minutes === undefined ? null : this.now() + request.minutes * 60_000;
    return this.setBan(by, await this.target(userId), {
      until,
      reason: request.reason || null,
    });
  }

  async unban(by: AdminActor, userId: number): Promise<AdminUser> {
    return this.setBan(by, await this.target(userId), null);
  }

  /**
   * Sets or lifts a server ban. An admin cannot ban itself or another admin. A ban revokes
   * every session of the user and closes its sockets with 4501 on every node.
   */
  async setBan(by: AdminActor, target: UserRow, ban: ServerBan | null): Promise<AdminUser> {
    this.requireAdmin(by);
    if (target.id === by.id) throw new ParleyError("FORBIDDEN", "You cannot do that to yourself");
    if (target.isAdmin) throw new ParleyError("FORBIDDEN", `${target.username} is an admin`);
    refuseDeleted(target);
    const now = this.now();
    await this.store.setServerBanAudited(target.id, ban, {
      actor: { id: by.id, name: by.name },
      action: ban ? "ban" : "unban",
      target: actorOf(target),
      before: { ban: banInfo(target, now) ?? null },
      after: {
        ban: ban
          ? {
              since: now,
              ...(ban.until !== null ? { until: ban.until } : {}),
              ...(ban.reason ? { reason: ban.reason } : {}),
            }
          : null,
      },
    });
    if (ban) this.announce(target.id, { k: "revoked", banned: true });
    return this.view(target.id);
  }

  /** The moderation log of every channel, with filters by name, action and time. */
  async moderationLog(query: AdminModerationQuery): Promise<AdminModerationReply> {
    const limit = query.limit ?? ADMIN_PAGE_DEFAULT;
    const idOf = async (kind: "channel" | "user", name: string | undefined) => {
      if (name === undefined || name === "") return null;
      const bare = name.replace(kind === "channel" ? /^#/ : /^@/, "");
      const id =
        kind === "channel"
          ? await this.store.channelIdByName(bare)
          : (await this.store.findUserByName(bare))?.id;
      return id ?? "none";
    };
    const [channelId, actorId, targetId] = await Promise.all([
      idOf("channel", query.channel),
      idOf("user", query.actor),
      idOf("user", query.target),
    ]);
    // A name that names nothing matches nothing.
    if (channelId === "none" || actorId === "none" || targetId === "none") return { entries: [] };
    const rows = await this.store.auditLog(
      {
        ...(channelId !== null ? { channelId } : {}),
        ...(actorId !== null ? { actorId } : {}),
        ...(targetId !== null ? { targetId } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.since !== undefined ? { since: query.since } : {}),
        ...(query.until !== undefined ? { until: query.until } : {}),
        ...(query.before !== undefined ? { beforeId: query.before } : {}),
      },
      limit + 1,
    );
    const { page, more } = pageOf(rows, limit);
    const names = await this.store.channelNames([...new Set(page.map((r) => r.channelId))]);
    return {
      entries: page.map((r) => ({
        id: r.id,
        at: r.at,
        channel: { id: r.channelId, name: names.get(r.channelId) ?? "" },
        actor: { id: r.actor.id, username: r.actor.name },
        ...(r.target ? { target: { id: r.target.id, username: r.target.name } } : {}),
        action: r.action,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.until !== null ? { until: r.until } : {}),
      })),
      ...more,
    };
  }

  /** Every node's latest figures, the database's, and the last hour by minute. */
  async stats(): Promise<AdminStatsReply> {
    const now = this.now();
    const [samples, storedMessages, databaseBytes] = await Promise.all([
      this.store.nodeStats(now - NODE_STATS_KEPT_MS),
      this.store.storedMessages(),
      this.store.databaseBytes(),
    ]);
    // Each sample with the node's rate since its previous one.
    const previous = new Map<string, NodeStatsRow>();
    const rated: (NodeStatsRow & { rate: number })[] = [];
    for (const s of samples) {
      const before = previous.get(s.node);
      const span = before ? s.at - before.at : 0;
      const rate =
        before && span > 0 ? Math.max(0, ((s.messages - before.messages) * 1000) / span) : 0;
      rated.push({ ...s, rate });
      previous.set(s.node, s);
    }
    const latest = new Map<string, NodeStatsRow & { rate: number }>();
    for (const s of rated) latest.set(s.node, s);
    const nodes = [...latest.values()]
      .filter((s) => now - s.at <= 60_000)
      .sort((a, b) => a.node.localeCompare(b.node))
      .map((s) => ({
        node: s.node,
        at: s.at,
        connections: s.connections,
        messagesPerSecond: round(s.rate),
        lagMs: round(s.lagMs),
      }));
    // By minute: each node's last connections and mean rate in the minute, summed over nodes.
    const minutes = new Map<number, Map<string, { connections: number; rates: number[] }>>();
    for (const s of rated) {
      const minute = s.at - (s.at % 60_000);
      const byNode =
        minutes.get(minute) ?? new Map<string, { connections: number; rates: number[] }>();
      const entry = byNode.get(s.node) ?? { connections: 0, rates: [] };
      entry.connections = s.connections;
      entry.rates.push(s.rate);
      byNode.set(s.node, entry);
      minutes.set(minute, byNode);
    }
    const history = [...minutes.entries()]
      .sort(([a], [b]) => a - b)
      .map(([at, byNode]) => {
        let connections = 0;
        let rate = 0;
        for (const e of byNode.values()) {
          connections += e.connections;
          rate += e.rates.reduce((x, y) => x + y, 0) / e.rates.length;
        }
        return { at, connections, messagesPerSecond: round(rate) };
      });
    return { nodes, storedMessages, databaseBytes, history };
  }

  async audit(query: AdminAuditQuery): Promise<AdminAuditReply> {
    const limit = query.limit ?? ADMIN_PAGE_DEFAULT;
    const rows = await this.store.adminAudit({
      ...(query.actor !== undefined ? { actorId: query.actor } : {}),
      ...(query.target !== undefined ? { targetId: query.target } : {}),
      ...(query.action !== undefined ? { action: query.action } : {}),
      ...(query.before !== undefined ? { beforeId: query.before } : {}),
      limit: limit + 1,
    });
    const { page, more } = pageOf(rows, limit);
    return {
      entries: page.map((r) => ({
        id: r.id,
        at: r.at,
        actor: { id: r.actorId, username: r.actorName },
        action: r.action,
        target: {
          kind:
            r.targetKind === "server" || r.targetKind === "channel" || r.targetKind === "invite"
              ? r.targetKind
              : "user",
          id: r.targetId,
          username: r.targetName,
        },
        before: r.before,
        after: r.after,
      })),
      ...more,
    };
  }
}
