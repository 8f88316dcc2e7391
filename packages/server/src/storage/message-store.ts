import type {
  LinkPreview,
  LinkPreviewsEvent,
  MessageDeletedEvent,
  MessageEditedEvent,
  MessageVersion,
  PinEvent,
  Role,
} from "@parley/protocol";
import type { Standing } from "./moderation-store";
import type { AuthorRights } from "./send-path";
import type { Actor } from "./storage";

/**
 * What a change's rule is given, as read inside the change's transaction: the actor's
 * standing in the channel (a member's role and mute) and the message's author and post time.
 */
export interface ChangeFacts {
  standing: Standing;
  message: { authorId: number; authorName: string; createdAt: number };
}

/** An edit of a stored message: its full new content against the version the editor saw. */
export interface MessageEdit {
  channelId: number;
  messageId: number;
  actor: Actor;
  /** The version being edited; another current version is refused (VERSION_CONFLICT). */
  version: number;
  content: string;
  nonce: string;
  /** The editor's guest and admin flags, for group mentions (as on a send). Absent: neither. */
  authorRights?: AuthorRights;
}

/** The outcome of an edit: its seq and the version it left. */
export interface EditResult {
  seq: number;
  version: number;
  /** The stored event; absent for a retry (same nonce) and for an edit that changed nothing. */
  event?: MessageEditedEvent;
}

/** A deletion of a stored message. */
export interface MessageDeletion {
  channelId: number;
  messageId: number;
  actor: Actor;
  nonce: string;
}

/** What a deletion's rule decides: whether it is a moderator's, and with which reason. */
export interface DeletionRuling {
  /** True when the actor deletes someone else's message as a moderator (audited). */
  moderator: boolean;
  reason?: string;
}

/** The outcome of a deletion: its seq. */
export interface DeleteResult {
  seq: number;
  /** The stored event; absent for a retry (same nonce). */
  event?: MessageDeletedEvent;
}

/** A message's versions, with its author (for the rule of who may read them). */
export interface MessageHistory {
  authorId: number;
  /** Oldest first, the current one last. */
  versions: MessageVersion[];
}

/** Pinning a message to its channel (`on`), or unpinning it. */
export interface MessagePinning {
  channelId: number;
  messageId: number;
  actor: Actor;
  on: boolean;
}

/** The previews the server made of a message's links, for the version they were made of. */
export interface LinkPreviewAttachment {
  channelId: number;
  messageId: number;
  /** The message's version whose links were previewed. */
  version: number;
  previews: LinkPreview[];
}

/** Removing one preview of a message (by its URL), or all of them. */
export interface LinkPreviewRemoval {
  channelId: number;
  messageId: number;
  actor: Actor;
  url?: string;
}

/**
 * Changes to stored messages: edits, deletions, the versions edits leave, pins and link
 * previews.
 *
 * Contract:
 * - **Events.** An edit (MessageEdited) or a deletion (MessageDeleted) commits with its event,
 *   which takes the channel's next seq, in one transaction. The message keeps its position:
 *   history and replay show its MessagePosted event in its current state (`v`, `ed`; once
 *   deleted `x: ""`, `dl`, no reactions).
 * - **Standing and rules at commit.** The actor's membership (NOT_A_MEMBER) and the message
 *   (NO_SUCH_MESSAGE when unknown, of another channel, or deleted) are read inside the
 *   transaction, and the caller's rule is given the facts read there, so it decides on the
 *   state that commits. On PostgreSQL the message row is locked until commit.
 * - **Optimistic concurrency.** An edit names the version it saw; when another is current it
 *   is refused with VERSION_CONFLICT, so of concurrent edits at one version (on any number of
 *   nodes) exactly one is stored. An edit whose trimmed content equals the current content
 *   stores no event and returns the current version with the seq of the message's latest
 *   change (its post or last edit).
 * - **Idempotency.** A change whose (channel, actor, op, nonce) was used before is not made
 *   again: the first result is returned (its seq and version), even after later changes.
 * - **Deletion removes content.** The content becomes "", every earlier version and every
 *   reaction is deleted; a moderator's deletion writes its audit row (`delete`, the author as
 *   target, the reason) in the same transaction; it unpins the message too.
 * - **Pins.** Pinning or unpinning commits with its event (MessagePinned, MessageUnpinned) and
 *   the message's pin state (`pn` in history), after the rule, which is given the actor's role
 *   read in the transaction (undefined for a non-member). Pinning a pinned message, or
 *   unpinning one that is not, stores nothing and returns undefined. A channel holds at most
 *   `LIMITS.pinsPerChannel` pins (LIMIT_REACHED); a deleted message cannot be pinned
 *   (NO_SUCH_MESSAGE).
 * - **Link previews.** Attaching previews commits with its LinkPreviewsChanged event (the
 *   author as actor) and the message's `lp`, only while the message is live and still at the
 *   version previewed (an edit since makes its own); otherwise nothing is stored (undefined).
 *   Their images' file rows (uploaded by the author, unattached) become the message's files in
 *   the same transaction, so they are read like attachments and go with the message. Removing
 *   gives the rule the actor's role and the author (read in the transaction); it stores the
 *   event with the remaining list and dooms the removed previews' images, or stores nothing
 *   when no preview matched. A deletion clears the previews.
 * - **Mentions.** An edit resolves the new content's mentions as a send does (members read in
 *   its transaction, the group by the role read there) and its event carries them; the
 *   message's mention rows are replaced at its original seq. A deletion removes them. A
 *   user's mention count reads those rows.
 */
export interface MessageStore {
  /** Edits a message; `rule` throws to refuse (author only, mute, edit window). */
  editMessage(edit: MessageEdit, rule: (facts: ChangeFacts) => void): Promise<EditResult>;
  /** Deletes a message; `rule` throws to refuse, or says whether it is a moderator's. */
  deleteMessage(
    deletion: MessageDeletion,
    rule: (facts: ChangeFacts) => DeletionRuling,
  ): Promise<DeleteResult>;
  /**
   * Deletes up to `limit` of the author's live messages (oldest first, in any channel) as a
   * moderator's deletions by `actor` with `reason`, in one transaction: each as `deleteMessage`
   * deletes, with its MessageDeleted event, but with no channel audit row (the caller audits
   * the whole removal once). Resolves to the events with their channels, fewer than `limit`
   * when no more are left (or another removal holds the rest). Concurrent removals of one
   * author (on any node) delete each message once.
   */
  removeAuthorMessages(
    authorId: number,
    actor: Actor,
    reason: string,
    limit: number,
  ): Promise<{ channelId: number; event: MessageDeletedEvent }[]>;
  /** Channels by id after `afterId`, with their own retention (0: none), at most `limit`. */
  channelRetentions(
    afterId: number,
    limit: number,
  ): Promise<{ id: number; retentionDays: number }[]>;
  /**
   * Deletes the channel's live messages posted before `before`, oldest first, at most
   * `limit`, in one transaction: each as `deleteMessage` deletes, by the server
   * (`SYSTEM_ACTOR`, MessageDeleted with `ex`). Resolves to the events, fewer than `limit`
   * when no more are due (or another node's expiry holds them). Concurrent expiries (on any
   * node) delete each message once.
   */
  expireMessages(channelId: number, before: number, limit: number): Promise<MessageDeletedEvent[]>;
  /** Every version of a live message of the channel; undefined when unknown or deleted. */
  messageVersions(channelId: number, messageId: number): Promise<MessageHistory | undefined>;
  /** Pins or unpins a message; `rule` throws to refuse. Undefined when nothing changed. */
  pinMessage(
    pinning: MessagePinning,
    rule: (role: Role | undefined) => void,
  ): Promise<PinEvent | undefined>;
  /** Attaches link previews; undefined when the message is gone or was edited since. */
  attachLinkPreviews(attachment: LinkPreviewAttachment): Promise<LinkPreviewsEvent | undefined>;
  /** Removes a preview (or all); `rule` throws to refuse. Undefined when none matched. */
  removeLinkPreview(
    removal: LinkPreviewRemoval,
    rule: (facts: { role: Role | undefined; authorId: number }) => void,
  ): Promise<LinkPreviewsEvent | undefined>;
}
