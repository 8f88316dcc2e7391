import { type ChannelEvent, EventType, Role } from "@parley/protocol";
import type { MessageBroker } from "../broker/message-broker";
import { ParleyError } from "../errors";
import type { AccountStore } from "../storage/account-store";
import type { BlockStore } from "../storage/block-store";
import type { ChannelStore } from "../storage/channel-store";
import type { Actor, ChannelRow, UserRow } from "../storage/storage";
import type { ChannelService, Joined } from "./channel-service";

/** The user opening a DM, as the connection knows it. */
export type Opener = Actor & { isGuest: boolean };

/**
 * Whether a channel is a direct message (2 people) or a group DM: the test a notifier uses for
 * "a direct message always notifies".
 */
export function isDirect(channel: Pick<ChannelRow, "isDirect">): boolean {
  return channel.isDirect;
}

/**
 * Direct messages and blocks. A DM is a private channel of kind Direct whose members are fixed
 * when it is first opened; opening it again with the same people (in any order) is the same
 * conversation. Who may DM whom: an account any account; a guest, or anyone DMing a guest,
 * only users it shares a channel with (FORBIDDEN otherwise). A block either way refuses the
 * open (BLOCKED, the same words either way), and a send in a DM (checked in the send path).
 */
export class DirectService {
  constructor(
    private readonly storage: Pick<ChannelStore, "openDirect" | "memberLastSeqs" | "getChannel"> &
      Pick<AccountStore, "findUserByName"> &
      BlockStore,
    private readonly channels: ChannelService,
    private readonly broker: MessageBroker,
    private readonly limits: { dmMaxMembers: number } = { dmMaxMembers: 10 },
  ) {}

  /** The users named (an `@` in front allowed), or NO_SUCH_USER naming every unknown one. */
  private async resolve(names: readonly string[]): Promise<UserRow[]> {
    const wanted = [
      ...new Map(names.map((n) => n.replace(/^@/, "")).map((n) => [n.toLowerCase(), n])).values(),
    ];
    const found = await Promise.all(wanted.map((n) => this.storage.findUserByName(n)));
    const unknown = wanted.filter((_, k) => found[k] === undefined);
    if (unknown.length > 0)
      throw new ParleyError("NO_SUCH_USER", `No user named ${unknown.join(", ")}`);
    return found as UserRow[];
  }

  /** Refuses a DM involving a guest between users who share no channel (DMs not counted). */
  private async checkGuests(opener: Opener, others: readonly UserRow[]): Promise<void> {
    const guests = others.filter((u) => u.isGuest);
    if (!opener.isGuest && guests.length === 0) return;
    const mine = await this.sharedChannels(opener.id);
    for (const other of opener.isGuest ? others : guests) {
      const theirs = await this.sharedChannels(other.id);
      if (![...theirs].some((c) => mine.has(c)))
        throw new ParleyError(
          "FORBIDDEN",
          `A guest may message only people it shares a channel with (${other.username})`,
        );
    }
  }

  /** The ids of the channels (not DMs) a user is a member of. */
  private async sharedChannels(userId: number): Promise<Set<number>> {
    const out = new Set<number>();
    for (const id of (await this.storage.memberLastSeqs(userId)).keys()) {
      if (!(await this.storage.getChannel(id))?.isDirect) out.add(id);
    }
    return out;
  }

  /**
   * Opens (creating it on first open) the DM between the opener and the users named (yourself
   * among them is ignored). When it is created, every member's connections get ChannelAdded;
   * `onOpened` runs before, so the opening connection can claim its own. Resolves to the
   * channel id and the opener's membership.
   */
  async open(
    opener: Opener,
    names: readonly string[],
    onOpened: (channelId: number) => void = () => {},
  ): Promise<{ channelId: number; joined: Joined }> {
    const others = (await this.resolve(names)).filter((u) => u.id !== opener.id);
    if (others.length === 0)
      throw new ParleyError("INVALID_PAYLOAD", "Name at least one user besides yourself");
    if (others.length + 1 > this.limits.dmMaxMembers)
      throw new ParleyError(
        "LIMIT_REACHED",
        `A direct message has at most ${this.limits.dmMaxMembers} members, you included`,
      );
    await this.checkGuests(opener, others);
    if (
      await this.storage.blockedEitherWay(
        opener.id,
        others.map((u) => u.id),
      )
    )
      throw new ParleyError("BLOCKED");
    const { channel, events } = await this.storage.openDirect({
      opener,
      members: [
        { id: opener.id, name: opener.name, isGuest: opener.isGuest },
        ...others.map((u) => ({ id: u.id, name: u.username, isGuest: u.isGuest })),
      ],
    });
    onOpened(channel.id);
    if (events.length === 0) return { channelId: channel.id, joined: { role: Role.Member } };
    return { channelId: channel.id, joined: await this.announce(channel.id, opener.id, events) };
  }

  /** Publishes a new DM's joins, and tells each member's connections it was added. */
  private async announce(
    channelId: number,
    openerId: number,
    events: ChannelEvent[],
  ): Promise<Joined> {
    this.channels.publish(channelId, events);
    let joined: Joined = { role: Role.Member };
    for (const e of events) {
      if (e.t !== EventType.MemberJoined) continue;
      const summary = await this.channels.summary(channelId, e.a);
      this.broker.publish({ kind: "user", id: e.a }, { k: "channel-added", ch: summary, s: e.s });
      if (e.a === openerId) joined = { role: Role.Member, summary, since: e.s };
    }
    return joined;
  }

  /**
   * Blocks (`on`) or unblocks the user named; every connection of the caller gets
   * BlockChanged. Blocking yourself is INVALID_PAYLOAD.
   */
  async block(user: Actor, name: string, on: boolean): Promise<void> {
    const [target] = await this.resolve([name]);
    if (target!.id === user.id)
      throw new ParleyError("INVALID_PAYLOAD", "You cannot block yourself");
    if (await this.storage.setBlock(user.id, target!.id, on))
      this.broker.publish({ kind: "user", id: user.id }, { k: "block", u: target!.id, on });
  }

  /** The ids the user blocked (the welcome's `bl`). */
  blocked(userId: number): Promise<number[]> {
    return this.storage.blockedBy(userId);
  }
}
