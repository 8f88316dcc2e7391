import {
  type ChannelEvent,
  type HistoryPage,
  LIMITS,
  type MessageEvent,
  type MessageKind,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import type { ChannelStore } from "../storage/channel-store";
import type { EventLog, HistoryQuery } from "../storage/event-log";
import type { NewMessage, SendPath } from "../storage/send-path";
import type { Actor } from "../storage/storage";
import type { ChannelService } from "./channel-service";
import type { TypingService } from "./typing-service";

interface Pending {
  message: NewMessage;
  resolve: (event: MessageEvent) => void;
  reject: (err: Error) => void;
}

/** Largest group commit. Bounds one transaction's time so readers are not starved. */
const MAX_BATCH = 512;
/**
 * Most sends waiting for a commit. Past it the server is storing less than it is offered, and a
 * longer queue only adds memory and latency: new sends are refused with RATE_LIMITED and a
 * short wait, and the client's retry (same nonce) stores the message once.
 */
export const MAX_QUEUED_SENDS = 8 * MAX_BATCH;
/** The wait suggested with a send refused for a full queue. */
const BUSY_RETRY_MS = 500;

/**
 * Messages, history and reactions. Sends are group-committed: those that arrive while a
 * transaction runs are stored together in the next one, and every promise resolves only after
 * its commit, so an ack always means durable.
 */
export class MessageService {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(
    private readonly storage: SendPath & EventLog & Pick<ChannelStore, "memberRole">,
    private readonly channels: ChannelService,
    private readonly typing: TypingService,
    private readonly onStored: (count: number) => void = () => {},
    private readonly maxQueued = MAX_QUEUED_SENDS,
  ) {}

  /** Stores a message (or finds the one with the same nonce) and resolves after the commit. */
  send(
    author: Actor,
    channelId: number,
    nonce: string,
    content: string,
    kind: MessageKind,
    slowModeExempt = false,
  ): Promise<MessageEvent> {
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new ParleyError("RATE_LIMITED", "The server is busy: retry shortly", {
          retryAfterMs: BUSY_RETRY_MS,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({
        message: { channelId, author, nonce, content, kind, slowModeExempt },
        resolve,
        reject,
      });
      this.schedule();
    });
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

  /** Every stored event after `afterSeq`, up to `count`, for resume. */
  replay(channelId: number, afterSeq: number, count: number): Promise<ChannelEvent[]> {
    return this.storage.eventsAfter(channelId, afterSeq, count);
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
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing || this.scheduled)
      await new Promise((r) => setImmediate(r));
  }

  private schedule(): void {
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    const batch = this.queue.splice(0, MAX_BATCH);
    try {
      const results = await this.storage.appendMessages(batch.map((p) => p.message));
      const byChannel = new Map<number, ChannelEvent[]>();
      let stored = 0;
      results.forEach((result, i) => {
        // A retry (duplicate) publishes the original again: hubs drop it by seq, and when the
        // original's publish died with a crashed node, this is what delivers it.
        if (!result.ok) return;
        if (!result.duplicate) stored++;
        const channelId = batch[i]!.message.channelId;
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
        const pending = batch[i]!;
        if (result.ok) {
          this.typing.stop(pending.message.author, pending.message.channelId);
          pending.resolve(result.event);
        } else pending.reject(result.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    } finally {
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
