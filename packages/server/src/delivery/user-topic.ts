import { type ChannelSummary, CloseCode, Op, Role } from "@parley/protocol";
import type { Logger } from "pino";
import type { BrokerMessage, MessageBroker, UserMessage } from "../broker/message-broker";
import type { Connection } from "../gateway/connection";
import { OneOrSetMap } from "../one-or-set";
import { userRef } from "../services/user-ref";
import type { ChannelHub } from "./channel-hub";

/** Longest wait for a kick or ban event to reach a removed member's socket before detaching it. */
const REMOVAL_GRACE_MS = 2000;

export interface UserTopicOptions {
  broker: MessageBroker;
  hub: ChannelHub;
  /** The listing of a channel a user was just added to, for its ChannelAdded push. */
  summary: (channelId: number, userId: number) => Promise<ChannelSummary>;
  logger: Logger;
  /**
   * Longest wait for a kick or ban event to reach a removed member's socket before it is
   * detached anyway (default 2 s).
   */
  removalGraceMs?: number;
}

/**
 * Each user's own topic on this node: the user's connections here, subscribed to the broker's
 * user topic while there is one, and what its messages do to them. Membership changes decided
 * elsewhere (added to a channel, removed from one, a new role), revoked sessions and a guest's
 * registration reach every connection of the user, on every node, through it.
 */
export class UserTopic {
  /** Each user's connections on this node. */
  private readonly users = new OneOrSetMap<number, Connection>();

  constructor(private readonly options: UserTopicOptions) {}

  /** Registers a welcomed connection for its user's topic. */
  async add(conn: Connection): Promise<void> {
    const userId = conn.user!.id;
    if (!this.users.add(userId, conn)) return;
    await this.options.broker.subscribe([
      { topic: { kind: "user", id: userId }, handler: (m) => this.onMessage(userId, m) },
    ]);
  }

  async remove(conn: Connection): Promise<void> {
    const userId = conn.user?.id;
    if (userId === undefined || !this.users.delete(userId, conn)) return;
    await this.options.broker.unsubscribe({ kind: "user", id: userId });
  }

  /** Connections of a user on this node. */
  connectionsOf(userId: number): Connection[] {
    return [...this.users.values(userId)];
  }

  close(): void {
    this.users.clear();
  }

  private onMessage(userId: number, message: BrokerMessage): void {
    for (const conn of this.users.values(userId)) this.apply(conn, message as UserMessage);
  }

  /** Applies a user-topic message to one of the user's connections. */
  private apply(conn: Connection, message: UserMessage): void {
    if (conn.closed) return;
    const hub = this.options.hub;
    switch (message.k) {
      case "channel-added":
        void this.added(conn, message.ch.i, message.ch.rl ?? Role.Member, message.s).catch((err) =>
          this.options.logger.error({ err }, "attach failed"),
        );
        return;
      case "channel-removed": {
        // Rights go at once; the socket keeps the channel's stream until the event that removed
        // it (who, why) was delivered, so the user learns the reason (the hub ends the
        // membership when it delivers that event), then it is detached anyway. A leave and a
        // deleted channel (which has no such event) end at once.
        const { c, reason, s } = message;
        const since = conn.channels.since(c);
        if (since !== undefined && s !== undefined && since >= s) return;
        if (reason !== "left" && reason !== "deleted" && hub.isAttached(conn, c)) {
          conn.channels.delete(c);
          setTimeout(() => {
            // A socket closed meanwhile is detached here: it no longer lists the channel.
            if (conn.closed) hub.detach(conn, c);
            else hub.removed(conn, c, reason, s);
          }, this.options.removalGraceMs ?? REMOVAL_GRACE_MS).unref();
          return;
        }
        hub.removed(conn, c, reason, s);
        return;
      }
      case "role":
        if (conn.channels.has(message.c)) conn.channels.set(message.c, message.rl);
        return;
      case "registered":
        if (!conn.user) return;
        // An account starts as no admin: only the command line or an admin grants it.
        conn.user = { ...conn.user, isGuest: false, username: message.n };
        // Also for a user in no channel: its other tabs learn their new name.
        hub.tellUser(conn, userRef(conn.user));
        return;
      case "renamed":
        if (!conn.user) return;
        conn.user = { ...conn.user, username: message.n };
        hub.tellUser(conn, userRef(conn.user));
        return;
      case "profile":
        if (!conn.user) return;
        conn.user = {
          ...conn.user,
          displayName: message.dn,
          statusText: message.sx,
          avatar: message.av,
        };
        hub.tellUser(conn, userRef(conn.user));
        return;
      case "read":
        if (conn.channels.has(message.st.c)) conn.sendFrame({ o: Op.ReadState, d: message.st });
        return;
      case "notify":
        if (conn.channels.has(message.st.c)) conn.sendFrame({ o: Op.NotifyChanged, d: message.st });
        return;
      case "block":
        conn.sendFrame({ o: Op.BlockChanged, d: { u: message.u, on: message.on } });
        return;
      case "report":
        conn.sendFrame({ o: Op.ReportChanged, d: { rp: message.rp } });
        return;
      case "revoked":
        if (message.session === undefined || message.session === conn.session?.id) {
          if (message.banned) conn.close(CloseCode.ServerBanned, "banned from the server");
          else if (message.closed) conn.close(CloseCode.AccountClosed, `account ${message.closed}`);
          else conn.close(CloseCode.AuthRevoked, "session revoked");
        }
        return;
    }
  }

  /** Starts the channel a user was added to on this connection (its own join excepted). */
  private async added(
    conn: Connection,
    channelId: number,
    role: Role,
    since?: number,
  ): Promise<void> {
    if (conn.channels.has(channelId) || conn.isJoining(channelId)) return;
    conn.channels.set(channelId, role, since);
    const { snapshot: ch, ready } = await this.options.hub.attachThenRead(
      conn,
      [channelId],
      () => this.options.summary(channelId, conn.user!.id),
      (ch) => ch.ls,
    );
    conn.sendFrame({ o: Op.ChannelAdded, d: { ch } });
    ready();
  }
}
