import type { MessageEvent } from "@parley/protocol";
import { ParleyError } from "../errors";
import type { AppendResult, NewMessage, SendPath } from "../storage/send-path";

interface Pending {
  message: NewMessage;
  resolve: (event: MessageEvent) => void;
  reject: (err: Error) => void;
}

/** Most messages in one batch. Bounds one transaction's time so readers are not starved. */
const MAX_BATCH = 512;
/**
 * Most sends waiting for a commit. Past it the server is storing less than it is offered, and a
 * longer queue only adds memory and latency: new sends are refused with RATE_LIMITED and a
 * short wait, and the client's retry (same nonce) stores the message once.
 */
export const MAX_QUEUED_SENDS = 8 * MAX_BATCH;
/** The wait suggested with a send refused for a full queue. */
const BUSY_RETRY_MS = 500;

/** One lane of the queue: its waiting sends, and whether a batch of them is being stored. */
interface Lane {
  queue: Pending[];
  scheduled: boolean;
  flushing: boolean;
}

/**
 * The node's queue of sends: the sends that arrive while a batch is being stored wait here and
 * go to the send path together, as the next batch (at most {@link MAX_BATCH}). `onCommitted`
 * sees each batch's results after its commit and before any of its sends settles, so an ack (a
 * resolved send) always means durable and published.
 *
 * The queue has `lanes`, each storing one batch at a time; a channel's sends always take the
 * same lane (by its id), so they are stored, published and acknowledged in the order they were
 * sent. One lane where writes share one writer (SQLite). On PostgreSQL each lane's transaction
 * runs on a connection of its own, and lanes hold different channels, so their batches neither
 * wait for each other's channel locks nor for each other's round trips: the database works on
 * several batches at once.
 */
export class SendQueue {
  private readonly lanes: Lane[];

  constructor(
    private readonly store: SendPath,
    private readonly onCommitted: (
      batch: readonly NewMessage[],
      results: readonly AppendResult[],
    ) => void,
    private readonly maxQueued = MAX_QUEUED_SENDS,
    lanes = 1,
  ) {
    this.lanes = Array.from({ length: Math.max(1, lanes) }, () => ({
      queue: [],
      scheduled: false,
      flushing: false,
    }));
  }

  /**
   * Queues a message; resolves with its stored event (or the original of its nonce) after the
   * commit, or rejects with its refusal. A full queue refuses at once (RATE_LIMITED).
   */
  send(message: NewMessage): Promise<MessageEvent> {
    if (this.lanes.reduce((n, lane) => n + lane.queue.length, 0) >= this.maxQueued) {
      return Promise.reject(
        new ParleyError("RATE_LIMITED", "The server is busy: retry shortly", {
          retryAfterMs: BUSY_RETRY_MS,
        }),
      );
    }
    const lane = this.lanes[message.channelId % this.lanes.length]!;
    return new Promise((resolve, reject) => {
      lane.queue.push({ message, resolve, reject });
      this.schedule(lane);
    });
  }

  /** Resolves when every queued send has been committed. */
  async drain(): Promise<void> {
    while (this.lanes.some((l) => l.queue.length > 0 || l.flushing || l.scheduled))
      await new Promise((r) => setImmediate(r));
  }

  private schedule(lane: Lane): void {
    if (lane.scheduled || lane.flushing) return;
    lane.scheduled = true;
    setImmediate(() => void this.flush(lane));
  }

  private async flush(lane: Lane): Promise<void> {
    lane.scheduled = false;
    lane.flushing = true;
    const batch = lane.queue.splice(0, MAX_BATCH);
    try {
      const messages = batch.map((p) => p.message);
      const results = await this.store.appendMessages(messages);
      this.onCommitted(messages, results);
      results.forEach((result, i) => {
        const pending = batch[i]!;
        if (result.ok) pending.resolve(result.event);
        else pending.reject(result.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    } finally {
      lane.flushing = false;
      if (lane.queue.length > 0) this.schedule(lane);
    }
  }
}
