import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AdminStore } from "../storage/admin-store";

/** How long samples are kept: the console's chart spans the last hour. */
export const NODE_STATS_KEPT_MS = 3_600_000;

export interface NodeStatsOptions {
  /** Time between samples (10 s). */
  intervalMs?: number;
  now?: () => number;
  onError?: (err: unknown) => void;
}

/**
 * Samples this node's figures (open connections, messages stored since start, the event loop's
 * p99 delay since the last sample) every few seconds into `node_stats`, which every node of a
 * deployment writes, so the admin console on any node shows them all. Each write also drops
 * the samples older than an hour. The node's name is its host name, process id and a random
 * suffix, new at each start.
 */
export class NodeStatsSampler {
  readonly node = `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  private readonly delay = monitorEventLoopDelay({ resolution: 20 });
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<AdminStore, "recordNodeStats">,
    private readonly figures: { connections: () => number; messages: () => Promise<number> },
    private readonly options: NodeStatsOptions = {},
  ) {}

  start(): void {
    this.delay.enable();
    const every = this.options.intervalMs ?? 10_000;
    this.timer = setInterval(() => {
      this.writing = this.sample().catch((err) => this.options.onError?.(err));
    }, every);
    this.timer.unref();
    this.writing = this.sample().catch((err) => this.options.onError?.(err));
  }

  /** Writes one sample now. */
  async sample(): Promise<void> {
    const at = (this.options.now ?? Date.now)();
    const lagMs = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0;
    this.delay.reset();
    await this.store.recordNodeStats(
      {
        node: this.node,
        at,
        connections: this.figures.connections(),
        messages: await this.figures.messages(),
        lagMs,
      },
      at - NODE_STATS_KEPT_MS,
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.delay.disable();
    await this.writing;
  }
}
