import type { MessageBroker } from "../broker/message-broker";
import type { PresenceStore } from "../presence/presence-store";

/** The user a presence change is about, as its PresenceEvents name it. */
export interface PresenceUser {
  id: number;
  username: string;
  isGuest: boolean;
}

/** The user and channels of a user id, for changes the store finds by itself. */
export type PresenceLookup = (
  userId: number,
) => Promise<{ user: PresenceUser; channelIds: number[] } | undefined>;

/**
 * Presence: a user is online while any of its connections is; changes go to its channels.
 * Changes the store finds by itself (a crashed node's users expiring) are announced too, with
 * the user and channels `lookup` reads. Each announcement names the user (name, guest or not),
 * so a client needs no lookup to show who came or went.
 */
export class PresenceService {
  constructor(
    private readonly store: PresenceStore,
    private readonly broker: MessageBroker,
    lookup?: PresenceLookup,
    onError: (err: unknown) => void = () => {},
  ) {
    if (lookup) {
      store.onChange?.((changes) => {
        for (const { userId, online } of changes) {
          lookup(userId).then((found) => {
            if (found) this.announce(found.user, found.channelIds, online);
          }, onError);
        }
      });
    }
  }

  async connect(
    user: PresenceUser,
    connectionId: string,
    channelIds: Iterable<number>,
  ): Promise<void> {
    if (await this.store.connect(user.id, connectionId)) this.announce(user, channelIds, true);
  }

  async disconnect(
    user: PresenceUser,
    connectionId: string,
    channelIds: Iterable<number>,
  ): Promise<void> {
    if (await this.store.disconnect(user.id, connectionId)) this.announce(user, channelIds, false);
  }

  private announce(user: PresenceUser, channelIds: Iterable<number>, on: boolean): void {
    const g = user.isGuest ? { g: true as const } : {};
    for (const c of channelIds)
      this.broker.publish(
        { kind: "channel", id: c },
        { k: "presence", c, u: user.id, un: user.username, ...g, on },
      );
  }
}
