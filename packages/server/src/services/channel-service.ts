import {
  type ChannelEvent,
  type ChannelSummary,
  EventType,
  LIMITS,
  type Member,
  nameKey,
  type RemovalReason,
  Role,
  type UserRef,
} from "@parley/protocol";
import type { MessageBroker } from "../broker/message-broker";
import { ParleyError, restrictionError } from "../errors";
import type { PresenceStore } from "../presence/presence-store";
import type { AccountStore } from "../storage/account-store";
import type { ChannelListing, ChannelStore } from "../storage/channel-store";
import type { Actor, ChannelRow, UserRow } from "../storage/storage";
import { memberOf, userRef } from "./user-ref";

/** The outcome of a join: the role, and, when it added the member, the summary and join seq. */
export interface Joined {
  role: Role;
  summary?: ChannelSummary;
  since?: number;
}

/**
 * Whether a channel exists for `viewer` only as a member: a private channel, unless the viewer
 * is an admin, and a DM, which is its members' alone (hidden from admins too).
 */
function seenOnlyByMembers(channel: ChannelRow, viewer: { isAdmin?: boolean }): boolean {
  return channel.isPrivate && (!viewer.isAdmin || channel.isDirect);
}

/** How long a big channel's online count is reused in summaries (ms). */
const ONLINE_COUNT_MS = 2000;

/** Channels and memberships: the rules, the stored events, and their announcements. */
export class ChannelService {
  /** The default channels' ids, in the configured order (see {@link createDefaults}). */
  private defaults: number[] = [];
  /** Online counts of big channels, as last counted here (see {@link summarize}). */
  private readonly onlineCounts = new Map<number, { n: number; at: number }>();
  /** Big channels whose online count is being counted again, in the background. */
  private readonly recounting = new Set<number>();

  constructor(
    private readonly storage: ChannelStore &
      Pick<AccountStore, "markGuestActive" | "staleGuestMemberships">,
    private readonly broker: MessageBroker,
    private readonly presence: PresenceStore,
    private readonly limits: { maxChannelsPerUser: number; maxMembersPerChannel: number } = {
      maxChannelsPerUser: Number.POSITIVE_INFINITY,
      maxMembersPerChannel: Number.POSITIVE_INFINITY,
    },
  ) {}

  /** Refuses a user already in as many channels as allowed (LIMIT_REACHED). */
  private async checkChannelsPerUser(userId: number): Promise<void> {
    this.checkCaps(await this.storage.membershipCount(userId), 0);
  }

  /**
   * Announces stored events to the channel, after their commit. A role change is also told to
   * the member's own connections, which keep their role for permission checks.
   */
  publish(channelId: number, events: ChannelEvent[]): void {
    if (events.length === 0) return;
    this.broker.publish({ kind: "channel", id: channelId }, { k: "events", c: channelId, events });
    for (const e of events) {
      if (e.t === EventType.RoleChanged && e.rl !== undefined) {
        this.broker.publish({ kind: "user", id: e.u }, { k: "role", c: channelId, rl: e.rl });
      }
    }
  }

  /**
   * Tells every connection of a user that it is no longer in a channel, as of the event with
   * seq `s` (a membership that began after it, a quick rejoin, is not touched; a deleted
   * channel has no such event).
   */
  removed(userId: number, channelId: number, reason: RemovalReason, s?: number): void {
    this.broker.publish(
      { kind: "user", id: userId },
      { k: "channel-removed", c: channelId, reason, ...(s !== undefined ? { s } : {}) },
    );
  }

  /**
   * Creates a channel owned by `owner`. `onCreated` runs before the user's connections are
   * told, so the creating connection can claim the announcement as its own.
   */
  async create(
    owner: Actor & { isGuest: boolean },
    name: string,
    topic: string,
    onCreated: (channelId: number) => void = () => {},
    isPrivate = false,
  ): Promise<ChannelSummary> {
    // A guest may not invite, so a private channel it made could never have a second member.
    if (isPrivate && owner.isGuest)
      throw new ParleyError("FORBIDDEN", "Guests cannot create private channels; register first");
    await this.checkChannelsPerUser(owner.id);
    const { channel, event } = await this.storage.createChannel({
      name,
      topic,
      owner,
      ownerIsGuest: owner.isGuest,
      isPrivate,
    });
    onCreated(channel.id);
    this.publish(channel.id, [event]);
    const summary = await this.summarize([{ ...channel, role: Role.Owner }], owner.id);
    this.broker.publish(
      { kind: "user", id: owner.id },
      { k: "channel-added", ch: summary[0]!, s: event.s },
    );
    return summary[0]!;
  }

  /**
   * Creates the default channels that do not exist yet (idempotent, also on nodes starting
   * together), and remembers them for {@link joinDefaults}.
   */
  async createDefaults(names: readonly string[]): Promise<void> {
    this.defaults = (await this.storage.ensureChannels(names)).map((c) => c.id);
  }

  /**
   * Joins a new user to every default channel. A channel it may not join (full, the user's
   * channel cap) is skipped: the user exists either way.
   */
  async joinDefaults(user: UserRow): Promise<void> {
    for (const channelId of this.defaults) {
      try {
        await this.join({ id: user.id, name: user.username, isGuest: user.isGuest }, channelId);
      } catch (err) {
        if (!(err instanceof ParleyError)) throw err;
      }
    }
  }

  /**
   * Tells every channel the user is in (or those of `channelIds`) its current name, guest
   * flag and profile (after a registration, a rename or a profile change): each member's
   * connections get UserUpdated. Ephemeral, like presence: not replayed.
   */
  async announceUser(user: UserRow, channelIds?: readonly number[]): Promise<void> {
    const ref = userRef(user);
    for (const c of channelIds ?? (await this.storage.memberLastSeqs(user.id)).keys())
      this.broker.publish({ kind: "channel", id: c }, { k: "user", c, user: ref });
  }

  /** Records that a guest was seen now (connected or disconnected), for {@link removeStaleGuests}. */
  markGuestActive(userId: number): Promise<void> {
    return this.storage.markGuestActive(userId);
  }

  /**
   * Removes memberships of guests not seen since `before` (and not online now), at most
   * `limit`, each with a MemberLeft event marked `ex` so member lists stay right. Each removal
   * happens once however many nodes sweep at once (the membership row is deleted once).
   * Resolves to how many it removed and whether more may be waiting.
   */
  async removeStaleGuests(
    before: number,
    limit: number,
  ): Promise<{ removed: number; more: boolean }> {
    const stale = await this.storage.staleGuestMemberships(before, limit);
    const online = await this.presence.online([...new Set(stale.map((m) => m.user.id))]);
    let removed = 0;
    for (const { channelId, user } of stale) {
      if (online.has(user.id)) continue;
      const events = await this.storage.removeMember(channelId, user.id, {
        type: EventType.MemberLeft,
        actor: user,
        data: { g: true, ex: true },
      });
      if (events.length === 0) continue;
      removed++;
      this.publish(channelId, events);
      this.removed(user.id, channelId, "left", events[0]!.s);
    }
    return { removed, more: stale.length === limit && removed > 0 };
  }

  /**
   * The channel, or NO_SUCH_CHANNEL. With a `viewer`, a private channel the viewer is not a
   * member of (and not an admin) is refused the same way, word for word: a non-member learns
   * nothing from a private channel's id.
   */
  async require(
    channelId: number,
    viewer?: { id: number; isAdmin?: boolean },
  ): Promise<ChannelRow> {
    const channel = await this.storage.getChannel(channelId);
    if (!channel) throw new ParleyError("NO_SUCH_CHANNEL");
    if (viewer && seenOnlyByMembers(channel, viewer)) {
      if ((await this.storage.memberRole(channelId, viewer.id)) === undefined)
        throw new ParleyError("NO_SUCH_CHANNEL");
    }
    return channel;
  }

  async list(
    userId: number,
    query: { search?: string; afterId?: number; limit: number },
  ): Promise<ChannelSummary[]> {
    return this.summarize(await this.storage.listChannels({ ...query, userId }), userId);
  }

  /** The user's role in one channel, or undefined when not a member. */
  role(channelId: number, userId: number): Promise<Role | undefined> {
    return this.storage.memberRole(channelId, userId);
  }

  /** The last seq of each channel the user is a member of (a cheap read, for resume). */
  memberLastSeqs(userId: number): Promise<Map<number, number>> {
    return this.storage.memberLastSeqs(userId);
  }

  async userChannels(userId: number): Promise<ChannelSummary[]> {
    return this.summarize(await this.storage.userChannels(userId), userId);
  }

  async summary(channelId: number, userId: number): Promise<ChannelSummary> {
    const [listing] = await this.storage.listChannels({
      afterId: channelId - 1,
      limit: 1,
      userId,
      direct: true,
    });
    if (!listing || listing.id !== channelId) throw new ParleyError("NO_SUCH_CHANNEL");
    return (await this.summarize([listing], userId))[0]!;
  }

  /**
   * Joins a user to a channel. Joining a channel you are in is not an error. Resolves to the
   * user's role there, and, when this call added the member, the channel's summary as of then
   * and the seq of the join event.
   */
  async join(
    user: Actor & { isGuest: boolean; isAdmin?: boolean },
    channelId: number,
  ): Promise<Joined> {
    // Everything checked here is one read. A private channel is joined by invitation only
    // (admins excepted, never a DM); a non-member is told it does not exist, as `require`
    // tells it.
    const check = await this.storage.joinCheck(channelId, user.id);
    if (!check) throw new ParleyError("NO_SUCH_CHANNEL");
    const { channel, role } = check;
    if (role === undefined && seenOnlyByMembers(channel, user))
      throw new ParleyError("NO_SUCH_CHANNEL");
    if (check.ban) throw restrictionError("BANNED", check.ban.until);
    if (role !== undefined) return { role };
    this.checkCaps(check.userChannels, check.members);
    const event = await this.storage.addMember(channelId, user.id, Role.Member, {
      type: EventType.MemberJoined,
      actor: user,
      data: user.isGuest ? { g: true } : {},
    });
    // Added by a concurrent join of the same user meanwhile: that one announces it.
    if (!event) return { role: (await this.storage.memberRole(channelId, user.id)) ?? Role.Member };
    return this.announceJoin(channelId, user.id, event);
  }

  /** Refuses a join that would pass the user's channel cap or the channel's member cap. */
  async checkRoom(userId: number, channelId: number): Promise<void> {
    await this.checkChannelsPerUser(userId);
    this.checkCaps(0, await this.storage.memberCount(channelId));
  }

  /** Refuses a join by a user in `userChannels` channels into one of `members` past a cap. */
  private checkCaps(userChannels: number, members: number): void {
    if (userChannels >= this.limits.maxChannelsPerUser)
      throw new ParleyError(
        "LIMIT_REACHED",
        `You are in ${this.limits.maxChannelsPerUser} channels, the most allowed`,
      );
    if (members >= this.limits.maxMembersPerChannel)
      throw new ParleyError("LIMIT_REACHED", "This channel has the most members allowed");
  }

  /**
   * Announces a stored join: the event to the channel, then ChannelAdded (with the summary as
   * of the join) to every connection of the new member. Shared by joins and invitations.
   */
  async announceJoin(channelId: number, userId: number, event: ChannelEvent): Promise<Joined> {
    this.publish(channelId, [event]);
    const summary = await this.summary(channelId, userId);
    this.broker.publish(
      { kind: "user", id: userId },
      { k: "channel-added", ch: summary, s: event.s },
    );
    return { role: Role.Member, summary, since: event.s };
  }

  /** Leaves a channel; a direct message cannot be left (FORBIDDEN): its members are fixed. */
  async leave(user: Actor, channelId: number): Promise<void> {
    if ((await this.storage.getChannel(channelId))?.isDirect)
      throw new ParleyError("FORBIDDEN", "A direct message cannot be left");
    const events = await this.storage.removeMember(channelId, user.id, {
      type: EventType.MemberLeft,
      actor: user,
    });
    if (events.length === 0) throw new ParleyError("NOT_A_MEMBER");
    this.publish(channelId, events);
    this.removed(user.id, channelId, "left", events[0]!.s);
  }

  /**
   * A channel's members in name order, with their presence: a page of at most `limit`
   * (after the member named `after`, or of names starting with `prefix`), `more` when others
   * follow. Reads one index range of the page's size (and one presence read of it), however
   * big the channel.
   */
  async members(
    channelId: number,
    page: { after?: string; prefix?: string; limit?: number } = {},
  ): Promise<{ members: Member[]; more: boolean }> {
    const limit = page.limit ?? LIMITS.memberPage;
    const rows = await this.storage.members(channelId, {
      ...(page.after !== undefined ? { after: nameKey(page.after) } : {}),
      ...(page.prefix ? { prefix: nameKey(page.prefix) } : {}),
      limit: limit + 1,
    });
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const online = await this.presence.online(rows.map((r) => r.user.id));
    return {
      members: rows.map(({ user, role }) => memberOf(user, role, online.has(user.id))),
      more,
    };
  }

  /**
   * The online count of each channel of `ids` (its member ids), from one presence read of them
   * all; a big channel's is kept as this node's copy, counted at `at`.
   */
  private async countOnline(
    ids: ReadonlyMap<number, readonly number[]>,
    at: number,
  ): Promise<Map<number, number>> {
    const everyone = new Set<number>();
    for (const members of ids.values()) for (const id of members) everyone.add(id);
    const online = await this.presence.online([...everyone]);
    const counts = new Map<number, number>();
    for (const [channelId, members] of ids) {
      let n = 0;
      for (const id of members) if (online.has(id)) n++;
      counts.set(channelId, n);
      if (members.length > LIMITS.memberPage) this.onlineCounts.set(channelId, { n, at });
      else this.onlineCounts.delete(channelId);
    }
    return counts;
  }

  /** Counts a big channel's online members again, in the background, unless it is already. */
  private recount(channelId: number): void {
    if (this.recounting.has(channelId)) return;
    this.recounting.add(channelId);
    const at = Date.now();
    void this.storage
      .memberIds([channelId])
      .then((ids) => this.countOnline(ids, at))
      // A failed count keeps the old copy; the next summary that finds it old tries again.
      .catch(() => {})
      .finally(() => this.recounting.delete(channelId));
  }

  /**
   * Summaries as `viewer` sees them: the member and online counts from one read of the
   * channels' member ids and one presence read of them all; a direct message names its other
   * members (`dm`), read per DM (a viewer has few; channels read nothing more). Each summary is
   * built once, in one shape, for its callers to complete in place (the welcome adds the read
   * state): spreading 500 summaries of varying shapes cost the welcome milliseconds.
   */
  private async summarize(listings: ChannelListing[], viewer: number): Promise<ChannelSummary[]> {
    // Online counts: a big channel's from this node's copy (reading every member's id and
    // presence for every join and hello made filling a big channel quadratic); its member count
    // is then one counting read. A copy older than ONLINE_COUNT_MS is still used, and counted
    // again in the background, once however many hellos and joins find it old: a storm of them
    // would otherwise all count it at once. Other channels: their member ids.
    const now = Date.now();
    const onlineCount = new Map<number, number>();
    const toCount: number[] = [];
    const cached: number[] = [];
    for (const l of listings) {
      const copy = this.onlineCounts.get(l.id);
      if (copy) {
        onlineCount.set(l.id, copy.n);
        cached.push(l.id);
        if (now - copy.at >= ONLINE_COUNT_MS) this.recount(l.id);
      } else toCount.push(l.id);
    }
    const [ids, counts] = await Promise.all([
      toCount.length > 0 ? this.storage.memberIds(toCount) : new Map<number, number[]>(),
      cached.length > 0 ? this.storage.memberCounts(cached) : new Map<number, number>(),
    ]);
    for (const [channelId, n] of await this.countOnline(ids, now)) onlineCount.set(channelId, n);
    const peers = new Map<number, UserRef[]>();
    for (const l of listings) {
      if (!l.isDirect) continue;
      const rows = await this.storage.members(l.id);
      peers.set(
        l.id,
        rows.filter((r) => r.user.id !== viewer).map(({ user }) => userRef(user)),
      );
    }
    return listings.map((l) => {
      const summary: ChannelSummary = {
        i: l.id,
        n: l.name,
        tp: l.topic,
        mc: ids.get(l.id)?.length ?? counts.get(l.id) ?? 0,
        oc: onlineCount.get(l.id) ?? 0,
        ls: l.lastSeq,
        sl: l.slowMode,
      };
      if (l.retentionDays > 0) summary.rd = l.retentionDays;
      if (l.role) summary.rl = l.role;
      if (l.isPrivate) summary.pv = true;
      if (l.archivedAt !== null) summary.ar = true;
      if (l.isDirect) summary.dm = peers.get(l.id) ?? [];
      return summary;
    });
  }
}
