import type { ChannelService } from "./channel-service";
import { PeriodicSweep } from "./periodic-sweep";

const DAY_MS = 86_400_000;
/**
 * How often each node sweeps. Guests are removed on a scale of days, so an hour late is nothing,
 * and one indexed read per node per hour costs nothing either.
 */
export const GUEST_SWEEP_INTERVAL_MS = 3_600_000;
/** Memberships removed per read; a sweep reads again while a full page was removed. */
const BATCH = 500;

export interface GuestSweepOptions {
  /** Days without activity after which a guest's memberships go; 0 = never. */
  days: number;
  /** Overrides {@link GUEST_SWEEP_INTERVAL_MS} (tests). */
  intervalMs?: number;
  /** Clock (tests). */
  now?: () => number;
  onError?: (err: unknown) => void;
  /** Called after each sweep (tests). */
  onSwept?: () => void;
}

/**
 * The guest membership policy: a guest not seen (connected or disconnected) for `days` leaves
 * its channels, by the server. Runs on every node at start and then every interval; a removal
 * is made once whichever nodes sweep together (see {@link ChannelService.removeStaleGuests}).
 */
export class GuestSweep {
  private readonly periodic: PeriodicSweep;

  constructor(
    private readonly channels: ChannelService,
    private readonly options: GuestSweepOptions,
  ) {
    this.periodic = new PeriodicSweep(
      () => this.run(),
      options.intervalMs ?? GUEST_SWEEP_INTERVAL_MS,
    );
  }

  start(): void {
    if (this.options.days === 0) return;
    this.periodic.start();
  }

  /** One sweep; a sweep asked for while one runs joins it. */
  sweep(): Promise<void> {
    return this.periodic.sweep();
  }

  close(): Promise<void> {
    return this.periodic.close();
  }

  private async run(): Promise<void> {
    const before = (this.options.now ?? Date.now)() - this.options.days * DAY_MS;
    try {
      for (;;) {
        if (this.periodic.isClosed) return;
        const { more } = await this.channels.removeStaleGuests(before, BATCH);
        if (!more) return;
      }
    } catch (err) {
      // Storage unavailable: the next interval tries again.
      this.options.onError?.(err);
    } finally {
      this.options.onSwept?.();
    }
  }
}
