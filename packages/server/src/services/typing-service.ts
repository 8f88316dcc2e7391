import type { MessageBroker } from "../broker/message-broker";
import type { Actor } from "../storage/storage";

export interface TypingOptions {
  /** At most one relayed start per user and channel in this window (ms). Default 3000. */
  throttleMs?: number;
  /** A start not renewed within this time (ms) is relayed as a stop. Default 6000. */
  expireMs?: number;
}

interface TypingState {
  lastRelay: number;
  timer: NodeJS.Timeout;
  actor: Actor;
}

/**
 * Typing indicators: ephemeral, never stored. Starts are throttled per user and channel; a
 * typist that goes quiet expires; a message from the typist clears it.
 */
export class TypingService {
  private readonly states = new Map<string, TypingState>();
  private readonly throttleMs: number;
  private readonly expireMs: number;

  constructor(
    private readonly broker: MessageBroker,
    options: TypingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.throttleMs = options.throttleMs ?? 3000;
    this.expireMs = options.expireMs ?? 6000;
  }

  start(actor: Actor, channelId: number): void {
    const key = `${channelId}:${actor.id}`;
    const state = this.states.get(key);
    const now = this.now();
    if (state) clearTimeout(state.timer);
    const timer = setTimeout(() => this.stop(actor, channelId), this.expireMs);
    timer.unref();
    if (state && now - state.lastRelay < this.throttleMs) {
      state.timer = timer;
      return;
    }
    this.states.set(key, { lastRelay: now, timer, actor });
    this.relay(actor, channelId, true);
  }

  /** Stops a typist (explicit stop, expiry, or its message arrived); no-op when not typing. */
  stop(actor: Actor, channelId: number): void {
    const key = `${channelId}:${actor.id}`;
    const state = this.states.get(key);
    if (!state) return;
    clearTimeout(state.timer);
    this.states.delete(key);
    this.relay(actor, channelId, false);
  }

  close(): void {
    for (const state of this.states.values()) clearTimeout(state.timer);
    this.states.clear();
  }

  private relay(actor: Actor, channelId: number, on: boolean): void {
    this.broker.publish(
      { kind: "channel", id: channelId },
      { k: "typing", c: channelId, u: actor.id, un: actor.name, on },
    );
  }
}
