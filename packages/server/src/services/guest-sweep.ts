import type { ChannelService } from "./channel-service";
import { PeriodicSweep, type SweepOptions } from "./periodic-sweep";

const DAY_MS = 86_400_000;
/**
 * How often each node sweeps. Guests are removed on a scale of days, so an hour late is nothing,
 * and one indexed read per node per hour costs nothing either.
 */
export const GUEST_SWEEP_INTERVAL_MS = 3_600_000;
/** Memberships removed per read; a sweep reads again while a full page was removed. */
const BATCH = 500;

export interface GuestSweepOptions extends SweepOptions {
  /** Days without activity after which a guest's memberships go; 0 = never. */
  days: number;
}

/**
 * The guest membership policy: a guest not seen (connected or disconnected) for `days` leaves
 * its channels, by the server. Runs on every node at start and then every interval; a removal
 * is made once whichever nodes sweep together (see {@link ChannelService.removeStaleGuests}).
 */
export class GuestSweep extends PeriodicSweep {
  constructor(
    private readonly channels: ChannelService,
    private readonly guests: GuestSweepOptions,
  ) {
    super(guests, GUEST_SWEEP_INTERVAL_MS);
  }

  override start(): void {
    if (this.guests.days === 0) return;
    super.start();
  }

  protected async runOnce(): Promise<void> {
    const before = this.now() - this.guests.days * DAY_MS;
    while (!this.isClosed) {
      const { more } = await this.channels.removeStaleGuests(before, BATCH);
      if (!more) return;
    }
  }
}
