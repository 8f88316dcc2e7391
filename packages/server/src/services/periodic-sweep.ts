/** What every sweep takes besides its own settings. */
export interface SweepOptions {
  /** Overrides the sweep's own interval (tests). */
  intervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
  /** A run that failed (storage unavailable, say); the next interval tries again. */
  onError?: (err: unknown) => void;
  /** Called after each run (tests). */
  onSwept?: () => void;
}

/**
 * A sweep run at start, then every interval (unref'd, so it never holds the process open), and
 * on request. A request while one runs joins it, or, with `rerun`, runs once more after it (for
 * work that a request has just made, such as a deletion's files). A run that throws is reported
 * to `onError` and tried again at the next interval. `close` stops the timer and waits for the
 * run in progress. Subclasses give `runOnce`.
 */
export abstract class PeriodicSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    protected readonly options: SweepOptions,
    private readonly defaultIntervalMs: number,
    private readonly rerun = false,
  ) {}

  /** One run: its work in pages, stopping early once {@link isClosed}. */
  protected abstract runOnce(): Promise<void>;

  protected get isClosed(): boolean {
    return this.closed;
  }

  protected now(): number {
    return (this.options.now ?? Date.now)();
  }

  start(): void {
    void this.sweep();
    this.timer = setInterval(
      () => void this.sweep(),
      this.options.intervalMs ?? this.defaultIntervalMs,
    );
    this.timer.unref();
  }

  sweep(): Promise<void> {
    if (this.running) {
      if (this.rerun) this.again = true;
      return this.running;
    }
    this.running = this.runOnce()
      .catch((err) => this.options.onError?.(err))
      .finally(() => {
        this.options.onSwept?.();
        this.running = undefined;
        if (this.again && !this.closed) {
          this.again = false;
          void this.sweep();
        }
      });
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.running;
  }
}
