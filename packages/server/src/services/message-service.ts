import {
  type ChannelEvent,
  type DeleteAck,
  type EditAck,
  type HistoryPage,
  LIMITS,
  type MessageEvent,
  type MessageKind,
  type MessageVersionsReply,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import type { ChannelStore } from "../storage/channel-store";
import type { EventLog, HistoryQuery } from "../storage/event-log";
import type { AppendResult, NewMessage, SendPath } from "../storage/send-path";
import type { Actor } from "../storage/storage";
import type { ChannelService } from "./channel-service";
import { SendQueue } from "./send-queue";
import type { TypingService } from "./typing-service";

/**
 * Messages, history and reactions. Sends go through the node's {@link SendQueue}: those that
 * arrive while a batch is stored are stored together in the next one, and every send resolves
 * only after its commit and the publish of its batch, so an ack always means durable.
 */
export class MessageService {
  private readonly sends: SendQueue;

  constructor(
    private readonly storage: SendPath & EventLog & Pick<ChannelStore, "memberRole">,
    private readonly channels: ChannelService,
    private readonly typing: TypingService,
    private readonly onStored: (count: number) => void = () => {},
  ) {
    this.sends = new SendQueue(storage, (batch, results) => this.committed(batch, results));
  }

  /** Stores a message (or finds the one with the same nonce) and resolves after the commit. */
  send(
    author: Actor,
    channelId: number,
    nonce: string,
    content: string,
    kind: MessageKind,
    slowModeExempt = false,
  ): Promise<MessageEvent> {
    return this.sends.send({ channelId, author, nonce, content, kind, slowModeExempt });
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

  /** Edits an author's own message (not yet built: refused). */
  async edit(
    _actor: Actor,
    _channelId: number,
    _messageId: number,
    _version: number,
    _content: string,
    _nonce: string,
  ): Promise<EditAck> {
    throw new ParleyError("FORBIDDEN", "Editing is not available yet");
  }

  /** Deletes a message (not yet built: refused). */
  async delete(
    _actor: Actor,
    _channelId: number,
    _messageId: number,
    _nonce: string,
    _reason?: string,
  ): Promise<DeleteAck> {
    throw new ParleyError("FORBIDDEN", "Deleting is not available yet");
  }

  /** A message's versions (not yet built: refused). */
  async versions(
    _actor: Actor,
    _channelId: number,
    _messageId: number,
  ): Promise<MessageVersionsReply> {
    throw new ParleyError("FORBIDDEN", "Versions are not available yet");
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
    results.forEach((result, i) => {
      if (result.ok) this.typing.stop(batch[i]!.author, batch[i]!.channelId);
    });
  }
}
