/**
 * A sweep run at start, then every interval (unref'd, so it never holds the process open), and
 * on request. A request while one runs joins it, or, with `rerun`, runs once more after it (for
 * work that a request has just made, such as a deletion's files). `close` stops the timer and
 * waits for the run in progress.
 */
export class PeriodicSweep {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private closed = false;

  constructor(
    private readonly run: () => Promise<void>,
    private readonly intervalMs: number,
    private readonly rerun = false,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  sweep(): Promise<void> {
    if (this.running) {
      if (this.rerun) this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
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
