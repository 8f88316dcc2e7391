import type { ReadState } from "@parley/protocol";
import type { MessageBroker } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { ReadStateStore } from "../storage/read-state";

/**
 * Read markers: stored per member, moved forward by MarkRead, and told to every connection of
 * the user on every node (its user topic), so each tab and device shows the same unread state.
 */
export class ReadStateService {
  constructor(
    private readonly storage: ReadStateStore,
    private readonly broker: MessageBroker,
  ) {}

  /** The read state of each of the user's channels (the welcome's snapshot read). */
  states(userId: number): Promise<Map<number, ReadState>> {
    return this.storage.readStates(userId);
  }

  /**
   * Moves the user's marker in a channel forward (NOT_A_MEMBER when the membership is gone)
   * and tells the user's connections the state it leaves.
   */
  async markRead(userId: number, channelId: number, seq: number): Promise<ReadState> {
    const state = await this.storage.markRead(userId, channelId, seq);
    if (!state) throw new ParleyError("NOT_A_MEMBER");
    this.broker.publish({ kind: "user", id: userId }, { k: "read", st: state });
    return state;
  }
}
