import type { MessageStore } from "../storage/message-store";
import type { ChannelService } from "./channel-service";
import { PeriodicSweep, type SweepOptions } from "./periodic-sweep";

const DAY_MS = 86_400_000;
/**
 * How often each node sweeps. Retention counts in days: ten minutes late is nothing, and a
 * channel costs one indexed read of its oldest live messages per run.
 */
export const RETENTION_SWEEP_INTERVAL_MS = 600_000;
/** Channels read per page, and messages deleted per transaction. */
const CHANNELS = 500;
const BATCH = 200;

/** The retention in force: the shorter of the server's and the channel's own (0: none). */
export function retentionInForce(serverDays: number, channelDays: number): number {
  if (serverDays === 0) return channelDays;
  if (channelDays === 0) return serverDays;
  return Math.min(serverDays, channelDays);
}

/**
 * The retention policy: messages older than the retention in force (the server's setting, or a
 * channel's own when shorter) are deleted, by the server, with their files, mentions and search
 * entries, each leaving its tombstone and MessageDeleted event (`ex`) in the channel's stream
 * (so resume and history stay gap-free). Runs on every node at start and then every interval;
 * nodes sweeping at once delete each message once (see `MessageStore.expireMessages`). It
 * also finishes purging channels whose deletion a stop cut short.
 */
export class RetentionSweep extends PeriodicSweep {
  constructor(
    private readonly store: Pick<MessageStore, "channelRetentions" | "expireMessages">,
    private readonly channels: Pick<ChannelService, "publish">,
    /** The server's retention in days, as the settings say now (0: none). */
    private readonly serverDays: () => number,
    /** Called after messages were deleted (their files are doomed: the file sweep runs). */
    private readonly expired: () => void,
    options: SweepOptions,
    /**
     * Finishes the purge of channels an admin deleted that a stop cut short (see
     * `ChannelAdmin.delete`); resolves to the messages it deleted.
     */
    private readonly purgeDeleted: (stop: () => boolean) => Promise<number> = async () => 0,
  ) {
    super(options, RETENTION_SWEEP_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    const server = this.serverDays();
    let after = 0;
    let deleted = await this.purgeDeleted(() => this.isClosed);
    while (!this.isClosed) {
      const page = await this.store.channelRetentions(after, CHANNELS);
      for (const channel of page) {
        const days = retentionInForce(server, channel.retentionDays);
        if (days === 0) continue;
        const before = this.now() - days * DAY_MS;
        for (;;) {
          const events = await this.store.expireMessages(channel.id, before, BATCH);
          if (events.length > 0) this.channels.publish(channel.id, events);
          deleted += events.length;
          if (events.length < BATCH || this.isClosed) break;
        }
      }
      if (page.length < CHANNELS) break;
      after = page.at(-1)!.id;
    }
    if (deleted > 0) this.expired();
  }
}
