import type { NotifyLevel, NotifySetting, ReadState } from "@parley/protocol";
import type { MessageBroker } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { MemberState, MemberStateStore } from "../storage/member-state";

/**
 * A member's own state in each channel, stored on the server: the read marker (moved forward by
 * MarkRead) and the notification level (SetNotify). Each change is told to every connection of
 * the user on every node (its user topic), so each tab and device shows the same.
 */
export class MemberStateService {
  constructor(
    private readonly storage: MemberStateStore,
    private readonly broker: MessageBroker,
  ) {}

  /** The state of each of the user's channels (the welcome's snapshot read). */
  states(userId: number): Promise<Map<number, MemberState>> {
    return this.storage.memberStates(userId);
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

  /** Sets the user's notification level in a channel and tells the user's connections. */
  async setNotifyLevel(userId: number, channelId: number, nl: NotifyLevel): Promise<NotifySetting> {
    if (!(await this.storage.setNotifyLevel(userId, channelId, nl)))
      throw new ParleyError("NOT_A_MEMBER");
    const setting = { c: channelId, nl };
    this.broker.publish({ kind: "user", id: userId }, { k: "notify", st: setting });
    return setting;
  }
}
