import {
  type ChannelEvent,
  type DeleteAck,
  type EditAck,
  type HistoryPage,
  LIMITS,
  type LinkPreviewsEvent,
  type MessageEditedEvent,
  type MessageEvent,
  type MessageKind,
  type MessageVersionsReply,
  may,
  rankOf,
} from "@parley/protocol";
import { ParleyError, restrictionError } from "../errors";
import type { ChannelStore } from "../storage/channel-store";
import type { EventLog, HistoryQuery } from "../storage/event-log";
import type { LinkPreviewAttachment, MessageStore } from "../storage/message-store";
import type { AppendResult, AuthorRights, NewMessage, SendPath } from "../storage/send-path";
import type { Actor } from "../storage/storage";
import type { ChannelService } from "./channel-service";
import { MAX_QUEUED_SENDS, SendQueue } from "./send-queue";
import type { TypingService } from "./typing-service";

/** Who changes a message: the rules need whether it is a guest and whether a server admin. */
export type ChangeActor = Actor & {
  isGuest: boolean;
  isAdmin: boolean;
  /** The account's creation, epoch ms (for auto-moderation's new-account rules). */
  createdAt?: number;
};

/** A writer as the storage takes it: the actor, and the flags that count for group mentions. */
function writer(actor: ChangeActor): { author: Actor; authorRights: AuthorRights } {
  return {
    author: { id: actor.id, name: actor.name },
    authorRights: { isGuest: actor.isGuest, isAdmin: actor.isAdmin },
  };
}

/** A message this node stored and published (not a retry's original found again). */
export interface PostedMessage {
  channelId: number;
  event: MessageEvent;
}

/** A send held for review: what posting it on approval takes, and the entry that held it. */
export interface HeldSend {
  channelId: number;
  nonce: string;
  content: string;
  kind: MessageKind;
  replyTo?: number;
  files?: readonly string[];
  entry: string;
}

/** Settings of the message rules. */
export interface MessageOptions {
  /** How long after its send a message may be edited (ms); 0 = always. Default 0. */
  editWindowMs: number;
  /**
   * Refuses what auto-moderation does not allow (a send's or an edit's content), before
   * anything is stored; `exempt` for the channel's moderators, owner and admins. Resolves to
   * `{ held }` for a send to hold for review (an `edit` is refused instead).
   */
  automod?: (
    author: ChangeActor,
    channelId: number,
    content: string,
    exempt: boolean,
    edit: boolean,
  ) => Promise<{ held: string } | undefined>;
  /**
   * Stores a send auto-moderation held, for the moderators' review (the same send retried is
   * held once), resolving to its report's id; the send then fails with MESSAGE_HELD naming
   * it. Without it a held send is posted.
   */
  hold?: (author: ChangeActor, send: HeldSend) => Promise<number>;
  /**
   * Told of each batch's new messages after their publish, before the sends settle; must return
   * at once (Web Push queues its work). Runs only on the node that stored the batch.
   */
  posted?: (messages: readonly PostedMessage[]) => void;
  /**
   * Told after a deletion committed: its files are doomed and their bytes are to go (the file
   * sweep deletes them). Must return at once.
   */
  deleted?: () => void;
  /**
   * Told after an edit committed and was published, on the node that stored it (link previews
   * of the new content). Must return at once.
   */
  edited?: (channelId: number, event: MessageEditedEvent) => void;
}

/**
 * Messages, history, reactions, edits and deletions. Sends go through the node's {@link SendQueue}: those that
 * arrive while a batch is stored are stored together in the next one, and every send resolves
 * only after its commit and the publish of its batch, so an ack always means durable.
 */
export class MessageService {
  private readonly sends: SendQueue;

  constructor(
    private readonly storage: SendPath & EventLog & MessageStore & Pick<ChannelStore, "memberRole">,
    private readonly channels: ChannelService,
    private readonly typing: TypingService,
    private readonly onStored: (count: number) => void = () => {},
    private readonly options: MessageOptions = { editWindowMs: 0 },
  ) {
    this.sends = new SendQueue(
      storage,
      (batch, results) => this.committed(batch, results),
      MAX_QUEUED_SENDS,
      storage.lanes ?? 1,
    );
  }

  /**
   * Stores a message (or finds the one with the same nonce) and resolves after the commit. Its
   * `@names` resolve inside the write (see {@link SendPath}); the author's guest and admin flags
   * count for group mentions.
   */
  send(
    author: ChangeActor,
    channelId: number,
    nonce: string,
    content: string,
    kind: MessageKind,
    slowModeExempt = false,
    replyTo?: number,
    files?: readonly string[],
  ): Promise<MessageEvent> {
    const queue = () =>
      this.sends.send({
        channelId,
        ...writer(author),
        nonce,
        content,
        kind,
        slowModeExempt,
        replyTo,
        ...(files ? { files } : {}),
      });
    const { automod, hold } = this.options;
    if (!automod) return queue();
    return automod(author, channelId, content, slowModeExempt, false).then(async (verdict) => {
      if (!verdict || !hold) return queue();
      const report = await hold(author, {
        channelId,
        nonce,
        content,
        kind,
        ...(replyTo !== undefined ? { replyTo } : {}),
        ...(files ? { files } : {}),
        entry: verdict.held,
      });
      throw new ParleyError("MESSAGE_HELD", undefined, { report });
    });
  }

  /**
   * A message stored outside the send queue (a held message a moderator approved), after its
   * commit: published, counted and told to the `posted` hook as a send's is.
   */
  storedElsewhere(channelId: number, event: MessageEvent): void {
    this.channels.publish(channelId, [event]);
    this.onStored(1);
    this.options.posted?.([{ channelId, event }]);
  }

  /**
   * A page of history for a reader, who must be a member as storage says (NOT_A_MEMBER), so a
   * kick or ban on another node ends reading at once too.
   */
  async history(
    readerId: number,
    channelId: number,
    query: Partial<HistoryQuery>,
  ): Promise<HistoryPage> {
    if ((await this.storage.memberRole(channelId, readerId)) === undefined)
      throw new ParleyError("NOT_A_MEMBER");
    return this.storage.history(channelId, {
      ...query,
      limit: query.limit ?? LIMITS.historyDefault,
    });
  }

  /** The latest page of a channel and its last seq, in one view (a join's snapshot). */
  snapshot(channelId: number, limit: number): Promise<{ page: HistoryPage; lastSeq: number }> {
    return this.storage.snapshot(channelId, limit);
  }

  /** Every stored event after `afterSeq`, up to `count`, for resume. */
  replay(channelId: number, afterSeq: number, count: number): Promise<ChannelEvent[]> {
    return this.storage.eventsAfter(channelId, afterSeq, count);
  }

  /**
   * Edits the author's own message: the full new content against the version the author saw.
   * Refused for someone else's message (FORBIDDEN, moderators included), a muted author
   * (MUTED), past the edit window (EDIT_WINDOW_CLOSED) and at a stale version
   * (VERSION_CONFLICT), each as read inside the write. Resolves after the commit; the event is
   * published after it. A retry with the same nonce returns the first result.
   */
  async edit(
    actor: ChangeActor,
    channelId: number,
    messageId: number,
    version: number,
    content: string,
    nonce: string,
    exempt = false,
  ): Promise<EditAck> {
    await this.options.automod?.(actor, channelId, content, exempt, true);
    const now = Date.now();
    const { author, authorRights } = writer(actor);
    const result = await this.storage.editMessage(
      {
        channelId,
        messageId,
        actor: author,
        authorRights,
        version,
        content,
        nonce,
      },
      ({ standing, message }) => {
        if (message.authorId !== actor.id)
          throw new ParleyError("FORBIDDEN", "You can only edit your own messages");
        if (standing.mute) throw restrictionError("MUTED", standing.mute.until, now);
        if (this.options.editWindowMs > 0 && now - message.createdAt > this.options.editWindowMs)
          throw new ParleyError("EDIT_WINDOW_CLOSED");
      },
    );
    if (result.event) {
      this.channels.publish(channelId, [result.event]);
      this.options.edited?.(channelId, result.event);
    }
    return { s: result.seq, v: result.version };
  }

  /**
   * Deletes a message: the author's own (muted or not, guests too), or anyone's for the
   * channel's moderators, owner and server admins (`deleteAnyMessage`), then audited with the
   * reason. Others: FORBIDDEN. The rank is the role read inside the write. Resolves after the
   * commit; the event is published after it. A retry with the same nonce returns the first
   * result.
   */
  async delete(
    actor: ChangeActor,
    channelId: number,
    messageId: number,
    nonce: string,
    reason?: string,
  ): Promise<DeleteAck> {
    const result = await this.storage.deleteMessage(
      { channelId, messageId, actor: { id: actor.id, name: actor.name }, nonce },
      ({ standing, message }) => {
        if (message.authorId === actor.id) return { moderator: false };
        if (!may("deleteAnyMessage", rankOf(standing.role, actor)))
          throw new ParleyError("FORBIDDEN", "You can only delete your own messages");
        return { moderator: true, ...(reason ? { reason } : {}) };
      },
    );
    if (result.event) {
      this.channels.publish(channelId, [result.event]);
      this.options.deleted?.();
    }
    return { s: result.seq };
  }

  /**
   * Every version of a message, oldest first: for its author, and for the channel's
   * moderators, owner and server admins (`readAnyVersions`); others FORBIDDEN. The reader must
   * be a member as storage says (NOT_A_MEMBER).
   */
  async versions(
    actor: ChangeActor,
    channelId: number,
    messageId: number,
  ): Promise<MessageVersionsReply> {
    const role = await this.storage.memberRole(channelId, actor.id);
    if (role === undefined) throw new ParleyError("NOT_A_MEMBER");
    const history = await this.storage.messageVersions(channelId, messageId);
    if (!history) throw new ParleyError("NO_SUCH_MESSAGE");
    if (history.authorId !== actor.id && !may("readAnyVersions", rankOf(role, actor)))
      throw new ParleyError(
        "FORBIDDEN",
        "Only the author and moderators can read earlier versions",
      );
    return { vs: history.versions };
  }

  /**
   * Pins a message to its channel (`on`) or unpins it: for the channel's moderators, owner and
   * server admins (`pinMessage`), the role read inside the write; members FORBIDDEN, others
   * NOT_A_MEMBER. Pinning a pinned message (or unpinning one that is not) changes nothing.
   * The event is published after the commit.
   */
  async pin(actor: ChangeActor, channelId: number, messageId: number, on: boolean): Promise<void> {
    const event = await this.storage.pinMessage(
      { channelId, messageId, actor: { id: actor.id, name: actor.name }, on },
      (role) => {
        if (role === undefined && !actor.isAdmin) throw new ParleyError("NOT_A_MEMBER");
        if (!may("pinMessage", rankOf(role, actor)))
          throw new ParleyError("FORBIDDEN", "Only moderators can pin messages");
      },
    );
    if (event) this.channels.publish(channelId, [event]);
  }

  /** The channel's pinned messages for a reader who is a member as storage says. */
  async pinned(readerId: number, channelId: number): Promise<MessageEvent[]> {
    if ((await this.storage.memberRole(channelId, readerId)) === undefined)
      throw new ParleyError("NOT_A_MEMBER");
    return this.storage.pinned(channelId);
  }

  /**
   * Attaches the previews made of a message's links (the link preview service calls it after
   * its fetches), unless the message was deleted or edited since; the event is published after
   * the commit.
   */
  async attachLinkPreviews(
    attachment: LinkPreviewAttachment,
  ): Promise<LinkPreviewsEvent | undefined> {
    const event = await this.storage.attachLinkPreviews(attachment);
    if (event) this.channels.publish(attachment.channelId, [event]);
    return event;
  }

  /**
   * Removes one preview of a message (by its URL), or all of them: for its author, and for the
   * channel's moderators, owner and server admins (`deleteAnyMessage`: who may delete the
   * message may remove its preview); others FORBIDDEN, non-members NOT_A_MEMBER, an unknown or
   * deleted message NO_SUCH_MESSAGE. Removing a preview that is not there changes nothing.
   */
  async removeLinkPreview(
    actor: ChangeActor,
    channelId: number,
    messageId: number,
    url?: string,
  ): Promise<void> {
    const event = await this.storage.removeLinkPreview(
      { channelId, messageId, actor: { id: actor.id, name: actor.name }, ...(url ? { url } : {}) },
      ({ role, authorId }) => {
        if (role === undefined && !actor.isAdmin) throw new ParleyError("NOT_A_MEMBER");
        if (authorId !== actor.id && !may("deleteAnyMessage", rankOf(role, actor)))
          throw new ParleyError("FORBIDDEN", "Only the author and moderators can remove a preview");
      },
    );
    if (event) this.channels.publish(channelId, [event]);
  }

  async react(actor: Actor, channelId: number, messageId: number, emoji: string): Promise<void> {
    const event = await this.storage.addReaction(
      channelId,
      messageId,
      emoji,
      actor,
      LIMITS.reactionsPerMessage,
    );
    if (event) this.channels.publish(channelId, [event]);
  }

  async unreact(actor: Actor, channelId: number, messageId: number, emoji: string): Promise<void> {
    const event = await this.storage.removeReaction(channelId, messageId, emoji, actor);
    this.channels.publish(channelId, [event]);
  }

  /** Resolves when every queued send has been committed. */
  drain(): Promise<void> {
    return this.sends.drain();
  }

  /**
   * A batch's results after its commit, before its sends settle: the new events published per
   * channel in seq order, the count of new messages, each sender's typing stopped.
   */
  private committed(batch: readonly NewMessage[], results: readonly AppendResult[]): void {
    const byChannel = new Map<number, ChannelEvent[]>();
    let stored = 0;
    results.forEach((result, i) => {
      // A retry (duplicate) publishes the original again: hubs drop it by seq, and when the
      // original's publish died with a crashed node, this is what delivers it.
      if (!result.ok) return;
      if (!result.duplicate) stored++;
      const channelId = batch[i]!.channelId;
      const list = byChannel.get(channelId);
      if (list) list.push(result.event);
      else byChannel.set(channelId, [result.event]);
    });
    for (const [channelId, events] of byChannel) {
      events.sort((a, b) => a.s - b.s);
      this.channels.publish(channelId, events);
    }
    if (stored > 0) this.onStored(stored);
    if (stored > 0 && this.options.posted) {
      const posted = results.flatMap((result, i) =>
        result.ok && !result.duplicate
          ? [{ channelId: batch[i]!.channelId, event: result.event }]
          : [],
      );
      this.options.posted(posted);
    }
    results.forEach((result, i) => {
      if (result.ok) this.typing.stop(batch[i]!.author, batch[i]!.channelId);
    });
  }
}
