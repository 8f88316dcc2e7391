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

/**
 * The node's queue of sends: the sends that arrive while a batch is being stored wait here and
 * go to the send path together, as the next batch (at most {@link MAX_BATCH}), one batch at a
 * time. `onCommitted` sees each batch's results after its commit and before any of its sends
 * settles, so an ack (a resolved send) always means durable and published.
 */
export class SendQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(
    private readonly store: SendPath,
    private readonly onCommitted: (
      batch: readonly NewMessage[],
      results: readonly AppendResult[],
    ) => void,
    private readonly maxQueued = MAX_QUEUED_SENDS,
  ) {}

  /**
   * Queues a message; resolves with its stored event (or the original of its nonce) after the
   * commit, or rejects with its refusal. A full queue refuses at once (RATE_LIMITED).
   */
  send(message: NewMessage): Promise<MessageEvent> {
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(
        new ParleyError("RATE_LIMITED", "The server is busy: retry shortly", {
          retryAfterMs: BUSY_RETRY_MS,
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ message, resolve, reject });
      this.schedule();
    });
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
      this.flushing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
