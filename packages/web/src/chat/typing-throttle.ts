/** How often a typist's "still typing" is sent; the server relays at most one per 3 s. */
export const TYPING_RENEW_MS = 2000;

/**
 * Decides when to send typing start and stop for one composer: a start at the first keystroke
 * and then at most every {@link TYPING_RENEW_MS} while the text changes, a stop when the text
 * is emptied, sent, or the composer loses focus (only if a start went out).
 */
export class TypingThrottle {
  private lastStart = Number.NEGATIVE_INFINITY;
  private typing = false;

  constructor(
    private readonly send: (on: boolean) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** The text changed. */
  input(text: string): void {
    if (text.trim() === "") {
      this.stop();
      return;
    }
    const now = this.now();
    if (!this.typing || now - this.lastStart >= TYPING_RENEW_MS) {
      this.typing = true;
      this.lastStart = now;
      this.send(true);
    }
  }

  /** Sent, emptied, or blurred. */
  stop(): void {
    if (!this.typing) return;
    this.typing = false;
    this.lastStart = Number.NEGATIVE_INFINITY;
    this.send(false);
  }
}
