import type { ChannelEvent, EventType, MessageKind } from "@parley/protocol";
import type { Actor } from "./storage";

/** Who writes a message, for the rank group mentions need (with the role read at commit). */
export interface AuthorRights {
  isGuest: boolean;
  isAdmin: boolean;
}

/** A new message for {@link SendPath.appendMessages}. */
export interface NewMessage {
  channelId: number;
  author: Actor;
  nonce: string;
  content: string;
  kind: MessageKind;
  /**
   * The message this one replies to: a live message of the same channel, else the send fails
   * alone with NO_SUCH_MESSAGE.
   */
  replyTo?: number;
  /**
   * Exempt from the channel's slow mode (moderators). Otherwise, with slow mode on, a message
   * sooner than the interval after the author's last one is refused with SLOW_MODE.
   */
  slowModeExempt?: boolean;
  /**
   * Whether the author is a guest or a server admin: with the role read at commit, the rank
   * that decides whether `@here`/`@channel` is a group mention. Absent: neither.
   */
  authorRights?: AuthorRights;
  /**
   * Files to attach, by id: each the author's own upload, live and not attached yet (else the
   * send fails alone with NO_SUCH_FILE, or FILE_ATTACHED for one attached already). They become
   * the message's in its transaction.
   */
  files?: readonly string[];
}

/** Outcome of one message of a batch. */
export type AppendResult =
  | { ok: true; event: ChannelEvent & { t: typeof EventType.MessagePosted }; duplicate: boolean }
  | { ok: false; error: Error };

/**
 * The send path: stores new messages, a whole batch in one transaction.
 *
 * Contract:
 * - **Idempotency.** A message whose (channel, author, nonce) is already stored is not stored
 *   again: the original is returned with `duplicate: true`, also when two nodes race on it.
 * - **Standing at commit.** A message by a non-member (NOT_A_MEMBER), a muted author (MUTED)
 *   or one sooner than the channel's slow mode allows (SLOW_MODE) is refused, as read inside
 *   the storing transaction.
 * - **Replies.** A reply's target is read inside the storing transaction (one read per 32
 *   messages, only when some of them reply); the event carries its quote as of the commit.
 * - **Mentions.** The `@names` of a message resolve against the channel's members as read
 *   inside the storing transaction (one read per 32 messages, only when some of them have a
 *   name); the author, non-members and unknown names are no mentions. A group mention needs
 *   `mentionChannel` at the role read there. The event carries `mn`/`mg`, and the `mentions`
 *   rows commit with the message.
 * - **Files.** A message's files are read inside the storing transaction (locked on
 *   PostgreSQL) and attached to it there, so a file acknowledged as attached stays so, and two
 *   sends of one file (on any nodes) attach it once: the other fails with FILE_ATTACHED. The
 *   event carries their descriptions (`f`), and so do history and replay.
 * - **Isolation of failures.** A message that fails fails alone; the others of its batch are
 *   stored. A channel's messages get consecutive seqs in the order of the batch.
 */
export interface SendPath {
  /** Stores a batch of messages in one transaction. Results are in input order. */
  appendMessages(batch: readonly NewMessage[]): Promise<AppendResult[]>;
  /**
   * How many batches over different channels are worth storing at once: 1 where writes share
   * one writer (SQLite), more where each transaction has a connection of its own. Absent: 1.
   */
  readonly lanes?: number;
}
