import type {
  ChannelEvent,
  ChannelSummary,
  NotifySetting,
  PresencePush,
  ReadState,
  RemovalReason,
  Report,
  Role,
  UserRef,
} from "@parley/protocol";

/** What travels on a channel topic. */
export type ChannelMessage =
  /** Stored events, ascending seq, published after their commit. */
  | { k: "events"; c: number; events: ChannelEvent[] }
  /** Someone started or stopped typing. */
  | { k: "typing"; c: number; u: number; un: string; on: boolean }
  /** A member came online or went offline: the PresenceEvent's payload. */
  | ({ k: "presence" } & PresencePush)
  /** A member changed (registered, renamed): its current name and guest flag. */
  | { k: "user"; c: number; user: UserRef };

/** What travels on a user topic: changes that concern every connection of one user. */
export type UserMessage =
  /** `s`: the seq of the event that added the user (its join or the channel's creation). */
  | { k: "channel-added"; ch: ChannelSummary; s?: number }
  /** `s`: the seq of the event that removed the user; it ends only memberships older than that. */
  | { k: "channel-removed"; c: number; reason: RemovalReason; s?: number }
  /**
   * Session revoked: close its sockets (all of the user's sessions when `session` is absent),
   * saying why when the server banned, deactivated or deleted the account.
   */
  | { k: "revoked"; session?: number; banned?: true; closed?: "deactivated" | "deleted" }
  /** The user's role in a channel changed. */
  | { k: "role"; c: number; rl: Role }
  /** The guest registered (as `n`, its name now): its connections now act as an account. */
  | { k: "registered"; n: string }
  /** An admin renamed the user (to `n`). */
  | { k: "renamed"; n: string }
  /** The user changed its profile (display name, status, avatar: null for none). */
  | { k: "profile"; dn: string | null; sx: string | null; av: string | null }
  /** The user's read marker of a channel moved (MarkRead on any connection). */
  | { k: "read"; st: ReadState }
  /** The user's notification level of a channel changed (SetNotify on any connection). */
  | { k: "notify"; st: NotifySetting }
  /** The user blocked (`on`) or unblocked user `u` (UserBlock on any connection). */
  | { k: "block"; u: number; on: boolean }
  /** A report this user handles was filed, resolved or dismissed (ReportChanged). */
  | { k: "report"; rp: Report };

/** A message to every node: the server's settings changed (re-read them from storage). */
export type ServerMessage =
  | { k: "settings" }
  /** A channel's own blocked words changed: drop what is cached of them. */
  | { k: "automod"; c: number };

/** A channel's, a user's, or the server's (id 0) topic. */
export type Topic =
  | { kind: "channel"; id: number }
  | { kind: "user"; id: number }
  | { kind: "server"; id: 0 };
export type BrokerMessage = ChannelMessage | UserMessage | ServerMessage;

/** Handler of messages on one topic. */
export type BrokerHandler = (message: BrokerMessage) => void;

/** A topic and the handler of its messages. */
export interface Subscription {
  topic: Topic;
  handler: BrokerHandler;
}

/**
 * Carries channel and user messages between the nodes of a deployment, and within one node.
 *
 * Contract:
 * - **At most once**, per subscriber: a message may be lost (a node or link fails) but is
 *   never delivered twice by the broker itself; stored events carry `seq` so receivers detect
 *   gaps and fill them from storage.
 * - **Order**: messages published by one node on one topic reach a subscriber in publish order;
 *   messages from different nodes have no order between them.
 * - **Subscription**: `subscribe` takes any number of topics at once (a welcome opens hundreds
 *   of channels; a remote broker sends them in one request) and resolves once messages
 *   published afterwards on every one of them will be delivered; a topic has at most one
 *   handler per broker instance (the node's hub), the one subscribed last.
 * - Handlers are called asynchronously, never inside `publish`.
 * - **Reconnect**: a broker whose link can break (Redis) loses what was published while its
 *   subscriptions were down. Once they are live again it calls the `onReconnect` listeners, so
 *   that subscribers catch up from storage. A broker that cannot lose its link (local) never calls
 *   them and may omit the method.
 */
export interface MessageBroker {
  publish(topic: Topic, message: BrokerMessage): void;
  subscribe(subscriptions: readonly Subscription[]): Promise<void>;
  unsubscribe(topic: Topic): Promise<void>;
  /** Registers a listener called each time the subscriptions are live again after a break. */
  onReconnect?(listener: () => void): void;
  close(): Promise<void>;
}

export function topicKey(topic: Topic): string {
  return `${topic.kind === "channel" ? "c" : topic.kind === "user" ? "u" : "s"}:${topic.id}`;
}
