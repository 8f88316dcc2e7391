import type { Generated } from "kysely";

/** Table types shared by the SQLite and PostgreSQL schemas. Times are epoch milliseconds. */
export interface Database {
  users: {
    id: Generated<number>;
    username: string;
    /** `nameKey(username)`, unique (the column is named for what it held first). */
    username_lower: string;
    password_hash: string | null;
    is_guest: number;
    created_at: number;
    /** Set while the account is banned from the whole server. */
    banned_at: number | null;
    /** When that ban ends by itself; null: when an admin lifts it. */
    banned_until: Generated<number | null>;
    ban_reason: Generated<string | null>;
    /** 1 for a server admin. */
    is_admin: Generated<number>;
    /** A guest's creation, or its last connect or disconnect since; unused for an account. */
    last_active_at: Generated<number | null>;
    /** Set while an admin has the account deactivated. */
    deactivated_at: Generated<number | null>;
    /** Set once an admin deleted the account. */
    deleted_at: Generated<number | null>;
    /** The account's display name, status text and avatar id; null for none (migration 0027). */
    display_name: Generated<string | null>;
    status_text: Generated<string | null>;
    avatar: Generated<string | null>;
  };
  sessions: {
    id: Generated<number>;
    user_id: number;
    token_hash: string;
    created_at: number;
    revoked_at: number | null;
  };
  channels: {
    id: Generated<number>;
    name: string;
    /** `nameKey(name)`, unique; a name that shared its key when keys began has `\n<id>` appended. */
    name_lower: string;
    topic: string;
    created_by: number;
    created_at: number;
    last_seq: number;
    slow_mode: number;
    /** The channel's own retention in days; 0: none (migration 0024). */
    retention_days: Generated<number>;
    /** Set while an admin has the channel archived, read-only (migration 0025). */
    archived_at: Generated<number | null>;
    /** The channel's own blocked words, a JSON array (migration 0028). */
    blocked_words: Generated<string>;
    held_words: Generated<string>;
    /** Set once an admin deleted the channel: hidden, its rows being purged (migration 0025). */
    deleted_at: Generated<number | null>;
    /** 1 for a private channel (listed to members only, joined by invitation). */
    private: Generated<number>;
    /** A `ChannelKind`: 0 a channel, 1 a direct message (named `\ndm:<sorted member ids>`). */
    kind: Generated<number>;
  };
  /** `user_id` blocked `blocked_id`. */
  blocks: {
    user_id: number;
    blocked_id: number;
    created_at: number;
  };
  invites: {
    id: Generated<number>;
    channel_id: number;
    /** sha-256 of the code, hex; the code itself is never stored. */
    code_hash: string;
    created_by: number;
    created_by_name: string;
    created_at: number;
    /** null: never expires. */
    expires_at: number | null;
    /** null: unlimited. */
    max_uses: number | null;
    uses: Generated<number>;
  };
  memberships: {
    channel_id: number;
    user_id: number;
    role: number;
    joined_at: number;
    /** The member has read everything up to this seq. */
    read_seq: number;
    /** NotifyLevel: 1 every message, 2 mentions, 3 never. */
    notify_level: Generated<number>;
    /** The member's `users.username_lower`, for pages of members in name order. */
    name_key: string;
  };
  events: {
    channel_id: number;
    seq: number;
    type: number;
    actor_id: number;
    actor_name: string;
    created_at: number;
    message_id: number | null;
    /** Type-specific fields as JSON (target, reason, until, emoji…); "{}" when none. */
    data: string;
  };
  messages: {
    id: Generated<number>;
    channel_id: number;
    seq: number;
    author_id: number;
    nonce: string;
    content: string;
    kind: number;
    created_at: number;
    /** 1 as posted, one more per edit. */
    version: Generated<number>;
    /** When the current version was written; null while never edited. */
    edited_at: Generated<number | null>;
    /** The seq of the edit that wrote the current version; null while never edited. */
    edit_seq: Generated<number | null>;
    /** The tombstone: when, by whom, and 1 when a moderator deleted another's message. */
    deleted_at: Generated<number | null>;
    deleted_by: Generated<number | null>;
    deleted_by_name: Generated<string | null>;
    deleted_by_mod: Generated<number | null>;
    pinned_at: Generated<number | null>;
    pinned_by: Generated<number | null>;
    pinned_by_name: Generated<string | null>;
    /** The message this one replies to (same channel); null when not a reply. */
    reply_to: Generated<number | null>;
    /** The resolved mentions of the current content, JSON `{mn?, mg?}`; null when none. */
    mentions: Generated<string | null>;
    /** The attached files' descriptions, JSON `FileRef[]`; null when none and once deleted. */
    files: Generated<string | null>;
    /** The link previews, JSON `LinkPreview[]`; null when none and once deleted (0018). */
    link_previews: Generated<string | null>;
  };
  /** Uploads (see migration 0016). */
  files: {
    /** 22 characters of base64url, random. */
    id: string;
    uploader_id: number;
    /** Null until a send attaches it. */
    channel_id: number | null;
    message_id: number | null;
    name: string;
    size: number;
    type: string;
    width: number | null;
    height: number | null;
    /** 1 when a thumbnail is stored. */
    thumb: Generated<number>;
    created_at: number;
    /** Set when the bytes are to go: nobody reads or attaches the file from then on. */
    deleted_at: Generated<number | null>;
  };
  /** The PostgreSQL file store's bytes: each stored object as numbered chunks. */
  file_chunks: {
    key: string;
    n: number;
    data: Uint8Array;
  };
  /**
   * One row per user a live message mentions (`user_id` 0 for a group mention), at the
   * message's seq, with its author: what a user's mention count reads.
   */
  mentions: {
    channel_id: number;
    seq: number;
    user_id: number;
    author_id: number;
  };
  /** The earlier versions of edited messages (the current one is in `messages`). */
  message_versions: {
    message_id: number;
    version: number;
    content: string;
    /** When this version was written (the send's time for version 1). */
    created_at: number;
    /** The seq of the event that wrote it: the post for version 1, else its edit. */
    seq: number;
  };
  /** Edits and deletes by nonce, so a retry returns the first result. */
  message_changes: {
    channel_id: number;
    actor_id: number;
    /** The op: MessageEdit or MessageDelete. */
    op: number;
    nonce: string;
    message_id: number;
    /** The seq the change was acked with, and the version it left. */
    seq: number;
    version: number;
  };
  reactions: {
    message_id: number;
    user_id: number;
    emoji: string;
    created_at: number;
  };
  mutes: RestrictionTable;
  bans: RestrictionTable;
  audit_log: {
    id: Generated<number>;
    channel_id: number;
    actor_id: number;
    actor_name: string;
    target_id: number | null;
    target_name: string | null;
    action: string;
    reason: string | null;
    until: number | null;
    created_at: number;
  };
  /** Every change made through the admin API, newest last. */
  /** Invites to register while registration is invite-only (migration 0026). */
  server_invites: {
    id: Generated<number>;
    /** sha-256 of the code, hex; the code itself is never stored. */
    code_hash: string;
    created_by: number;
    created_by_name: string;
    created_at: number;
    /** null: never expires. */
    expires_at: number | null;
    /** null: unlimited. */
    max_uses: number | null;
    uses: Generated<number>;
    revoked_at: number | null;
    note: string | null;
  };
  admin_audit: {
    id: Generated<number>;
    actor_id: number;
    actor_name: string;
    action: string;
    target_kind: string;
    target_id: number;
    target_name: string;
    /** JSON of what the action changed, before and after. */
    before: string | null;
    after: string | null;
    created_at: number;
  };
  /** Reports of messages, with the message as it was when reported. */
  reports: {
    id: Generated<number>;
    channel_id: number;
    message_id: number;
    seq: number;
    author_id: number;
    author_name: string;
    content: string;
    reporter_id: number;
    reporter_name: string;
    reason: string;
    created_at: number;
    /** `ReportStatus`. */
    status: number;
    closed_by: number | null;
    closed_by_name: string | null;
    closed_at: number | null;
    /** 1: a message auto-moderation held for review (`nonce` and `draft` set). */
    held: Generated<number>;
    nonce: string | null;
    /** A held message's JSON `HeldDraft`. */
    draft: string | null;
  };
  /** Each node's figures over the last hour (`NodeStats`), pruned as they are written. */
  node_stats: {
    node: string;
    at: number;
    connections: number;
    /** Messages the node has stored since it started. */
    messages: number;
    /** p99 event-loop delay since the node's previous sample, ms. */
    lag_ms: number;
  };
  /** The server's own settings, by key (the VAPID key pair). */
  server_settings: {
    key: string;
    value: string;
  };
  /** A device's Web Push subscription; one user per endpoint. */
  push_subscriptions: {
    id: Generated<number>;
    user_id: number;
    endpoint: string;
    /** The browser's P-256 public key, base64url. */
    p256dh: string;
    /** The browser's auth secret, base64url. */
    auth: string;
    user_agent: string | null;
    created_at: number;
  };
}

/** A mute or a ban: one row per (channel, user); `until` null = indefinite. */
interface RestrictionTable {
  channel_id: number;
  user_id: number;
  until: number | null;
  reason: string | null;
  actor_id: number;
  created_at: number;
}
