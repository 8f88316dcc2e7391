import type { MessageBroker } from "../broker/message-broker";
import type { PresenceStore } from "../presence/presence-store";

/**
 * Presence: a user is online while any of its connections is; changes go to its channels.
 * Changes the store finds by itself (a crashed node's users expiring) are announced too, on the
 * channels `channelsOf` reads.
 */
export class PresenceService {
  constructor(
    private readonly store: PresenceStore,
    private readonly broker: MessageBroker,
    channelsOf?: (userId: number) => Promise<number[]>,
    onError: (err: unknown) => void = () => {},
  ) {
    if (channelsOf) {
      store.onChange?.((changes) => {
        for (const { userId, online } of changes) {
          channelsOf(userId).then((ids) => this.announce(userId, ids, online), onError);
        }
      });
    }
  }

  async connect(userId: number, connectionId: string, channelIds: Iterable<number>): Promise<void> {
    if (await this.store.connect(userId, connectionId)) this.announce(userId, channelIds, true);
  }

  async disconnect(
    userId: number,
    connectionId: string,
    channelIds: Iterable<number>,
  ): Promise<void> {
    if (await this.store.disconnect(userId, connectionId)) this.announce(userId, channelIds, false);
  }

  private announce(userId: number, channelIds: Iterable<number>, on: boolean): void {
    for (const c of channelIds)
      this.broker.publish({ kind: "channel", id: c }, { k: "presence", c, u: userId, on });
  }
}
