import { type Action, type ChannelEvent, may, Role, rankOf } from "@parley/protocol";
import { ParleyError, restrictionError } from "../errors";
import type { AccountStore } from "../storage/account-store";
import type { ServerBan } from "../storage/admin-store";
import type { ChannelStore } from "../storage/channel-store";
import type { AuditEntry, ChannelWords, ModerationStore } from "../storage/moderation-store";
import type { Actor, UserRow } from "../storage/storage";
import { CHANNEL_BLOCKED_WORDS_MAX } from "./auto-moderation";
import type { ChannelService } from "./channel-service";

/** Who acts, and with which standing in the channel. */
export interface Moderator {
  actor: Actor & { isGuest: boolean; isAdmin: boolean };
  channelId: number;
  /** The actor's role in the channel (undefined for an admin who is not a member). */
  role: Role | undefined;
}

/** Longest wait between expiry sweeps; mutes made on other nodes are lifted within it. */
const SWEEP_MAX_MS = 1000;

/**
 * Moderation: every action checked on the server against the one permission table and the
 * rank rule (nobody acts on an equal or higher rank, nor on themselves; guests never moderate),
 * stored with its event and audit row, and announced. Mutes and bans are enforced from their
 * `until` alone; a sweep announces expiries, including those that passed while the server was
 * down.
 */
export class ModerationService {
  private sweepTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly storage: ModerationStore &
      Pick<AccountStore, "findUserByName"> &
      Pick<ChannelStore, "memberRole">,
    private readonly channels: ChannelService,
    /** Sets or lifts a server ban, checked and audited (`AdminService.setBan`). */
    private readonly banAccount: (
      by: Moderator["actor"],
      target: UserRow,
      ban: ServerBan | null,
    ) => Promise<unknown>,
    /** Told after a channel's own blocked words changed (auto-moderation reads them again). */
    private readonly blockedWordsChanged: (channelId: number) => void = () => {},
  ) {}

  /**
   * Blocks an entry in the channel (moderators), holds it for review (`hold`), or unblocks
   * one; resolves to the channel's lists now and whether they changed.
   */
  async changeChannelWords(
    by: Moderator,
    change: { add: string; hold?: boolean } | { remove: string },
  ): Promise<{ words: ChannelWords; changed: boolean }> {
    this.authorize(by, "setBlockedWords");
    const { words, event } = await this.storage.changeChannelWords(
      by.channelId,
      change,
      by.actor,
      CHANNEL_BLOCKED_WORDS_MAX,
    );
    if (event) {
      this.blockedWordsChanged(by.channelId);
      this.channels.publish(by.channelId, [event]);
    }
    return { words, changed: event !== undefined };
  }

  /** The channel's own blocked and held words, for its moderators. */
  async channelWords(by: Moderator): Promise<ChannelWords> {
    this.authorize(by, "setBlockedWords");
    return this.storage.channelWords(by.channelId);
  }

  /** Bans an account from the whole server (admins only): its sessions end, its sockets close. */
  async serverBan(
    by: Moderator,
    username: string,
    banned: boolean,
    reason: string | null,
  ): Promise<void> {
    if (!by.actor.isAdmin) throw new ParleyError("FORBIDDEN", "Only server admins can do that");
    const user = await this.storage.findUserByName(username);
    if (!user) throw new ParleyError("NO_SUCH_USER", `No user named ${username}`);
    await this.banAccount(by.actor, user, banned ? { until: null, reason } : null);
    await this.storage.recordAudit({
      channelId: by.channelId,
      actor: by.actor,
      target: { id: user.id, name: user.username },
      reason,
      action: banned ? "serverban" : "serverunban",
    });
  }

  /** Starts the expiry sweep (runs once at once, for expiries that passed while down). */
  start(): void {
    void this.sweep();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.sweepTimer);
  }

  /**
   * Throws NOT_A_MEMBER when the user is not a member of the channel (as storage says, not a
   * node's view), MUTED with the time left when muted; resolves to the role otherwise.
   */
  async assertStanding(channelId: number, userId: number): Promise<Role> {
    const standing = await this.storage.standing(channelId, userId);
    if (!standing) throw new ParleyError("NOT_A_MEMBER");
    if (standing.mute) throw restrictionError("MUTED", standing.mute.until);
    return standing.role;
  }

  async kick(by: Moderator, username: string, reason: string | null): Promise<void> {
    const target = await this.target(by, "kick", username);
    const events = await this.storage.kick({
      channelId: by.channelId,
      actor: by.actor,
      target,
      reason,
    });
    // Gone meanwhile (left, or kicked by someone else): nothing was stored.
    const removal = events[0];
    if (!removal)
      throw new ParleyError("TARGET_NOT_MEMBER", `${target.name} is not a member of this channel`);
    this.channels.publish(by.channelId, events);
    this.channels.removed(target.id, by.channelId, "kicked", removal.s);
  }

  async mute(
    by: Moderator,
    username: string,
    until: number | null,
    reason: string | null,
  ): Promise<void> {
    const target = await this.target(by, "mute", username);
    const event = await this.storage.mute({
      channelId: by.channelId,
      actor: by.actor,
      target,
      reason,
      until,
    });
    this.channels.publish(by.channelId, [event]);
    if (until !== null) this.scheduleSweep(until);
  }

  async unmute(by: Moderator, username: string): Promise<void> {
    const target = await this.target(by, "mute", username, { memberOnly: false });
    const event = await this.storage.unmute({ channelId: by.channelId, actor: by.actor, target });
    if (!event) throw new ParleyError("BAD_COMMAND", `${target.name} is not muted here`);
    this.channels.publish(by.channelId, [event]);
  }

  async ban(
    by: Moderator,
    username: string,
    until: number | null,
    reason: string | null,
  ): Promise<void> {
    const target = await this.target(by, "ban", username, { memberOnly: false });
    const events = await this.storage.ban({
      channelId: by.channelId,
      actor: by.actor,
      target,
      reason,
      until,
    });
    this.channels.publish(by.channelId, events);
    this.channels.removed(target.id, by.channelId, "banned", events[0]!.s);
    if (until !== null) this.scheduleSweep(until);
  }

  async unban(by: Moderator, username: string): Promise<void> {
    const target = await this.target(by, "ban", username, { memberOnly: false });
    const event = await this.storage.unban({ channelId: by.channelId, actor: by.actor, target });
    if (!event) throw new ParleyError("BAD_COMMAND", `${target.name} is not banned here`);
    this.channels.publish(by.channelId, [event]);
  }

  async setModerator(by: Moderator, username: string, grant: boolean): Promise<void> {
    const target = await this.target(by, grant ? "grantModerator" : "revokeModerator", username);
    // Only members become moderators and only moderators stop being one (never the owner).
    if (target.role !== (grant ? Role.Member : Role.Moderator)) {
      throw new ParleyError(
        "BAD_COMMAND",
        `${target.name} is ${grant ? "not a plain member" : "not a moderator"}`,
      );
    }
    const event = await this.storage.setRole(
      { channelId: by.channelId, actor: by.actor, target },
      grant ? Role.Moderator : Role.Member,
    );
    if (!event) {
      throw new ParleyError(
        "BAD_COMMAND",
        `${target.name} is ${grant ? "already" : "not"} a moderator`,
      );
    }
    this.channels.publish(by.channelId, [event]);
  }

  async setTopic(by: Moderator, topic: string): Promise<void> {
    this.authorize(by, "setTopic");
    this.channels.publish(by.channelId, [
      await this.storage.setTopic(by.channelId, topic, by.actor),
    ]);
  }

  async setSlowMode(by: Moderator, seconds: number): Promise<void> {
    this.authorize(by, "setSlowMode");
    this.channels.publish(by.channelId, [
      await this.storage.setSlowMode(by.channelId, seconds, by.actor),
    ]);
  }

  /** Sets the channel's own retention in days, 0 for none (owners). */
  async setRetention(by: Moderator, days: number): Promise<void> {
    this.authorize(by, "setRetention");
    this.channels.publish(by.channelId, [
      await this.storage.setRetention(by.channelId, days, by.actor),
    ]);
  }

  /** Makes the channel private or public (owners); false when it already was. */
  async setVisibility(by: Moderator, isPrivate: boolean): Promise<boolean> {
    this.authorize(by, "setVisibility");
    const event = await this.storage.setVisibility(by.channelId, isPrivate, by.actor);
    if (event) this.channels.publish(by.channelId, [event]);
    return event !== undefined;
  }

  async auditLog(by: Moderator, limit: number): Promise<AuditEntry[]> {
    this.authorize(by, "readAuditLog");
    return this.storage.auditLog({ channelId: by.channelId }, limit);
  }

  /** The rank of a moderator: admin, or channel role (guests rank as members). */
  rank(by: Moderator): number {
    return rankOf(by.role, by.actor);
  }

  private authorize(by: Moderator, action: Action): void {
    if (by.actor.isGuest && !by.actor.isAdmin)
      throw new ParleyError("FORBIDDEN", "Guests cannot moderate; register first");
    if (!may(action, this.rank(by)))
      throw new ParleyError("FORBIDDEN", "Your role does not allow that here");
  }

  /** Resolves and checks a target: exists, is not the actor, ranks below the actor, is a member. */
  private async target(
    by: Moderator,
    action: Action,
    username: string,
    { memberOnly = true } = {},
  ): Promise<Actor & { role: Role | undefined }> {
    this.authorize(by, action);
    const user: UserRow | undefined = await this.storage.findUserByName(username);
    if (!user) throw new ParleyError("NO_SUCH_USER", `No user named ${username}`);
    if (user.id === by.actor.id)
      throw new ParleyError("FORBIDDEN", "You cannot do that to yourself");
    const role = await this.storage.memberRole(by.channelId, user.id);
    if (memberOnly && role === undefined) {
      throw new ParleyError(
        "TARGET_NOT_MEMBER",
        `${user.username} is not a member of this channel`,
      );
    }
    const targetRank = rankOf(role, {
      isGuest: user.isGuest,
      isAdmin: user.isAdmin,
    });
    if (targetRank >= this.rank(by)) {
      throw new ParleyError("FORBIDDEN", `${user.username} ranks as high as you or higher`);
    }
    return { id: user.id, name: user.username, role };
  }

  private scheduleSweep(at: number): void {
    if (this.closed) return;
    clearTimeout(this.sweepTimer);
    this.sweepTimer = setTimeout(
      () => void this.sweep(),
      Math.min(Math.max(0, at - Date.now()), SWEEP_MAX_MS),
    );
    this.sweepTimer.unref();
  }

  /** Lifts what expired, announces it, and sleeps until the next expiry (at most a second). */
  private async sweep(): Promise<void> {
    if (this.closed) return;
    try {
      const lifted = await this.storage.expireRestrictions(Date.now());
      const byChannel = new Map<number, ChannelEvent[]>();
      for (const { channelId, event } of lifted)
        byChannel.set(channelId, [...(byChannel.get(channelId) ?? []), event]);
      for (const [channelId, events] of byChannel) this.channels.publish(channelId, events);
      const next = await this.storage.nextExpiry();
      this.scheduleSweep(next ?? Date.now() + SWEEP_MAX_MS);
    } catch {
      // Storage unavailable or closing: try again shortly.
      this.scheduleSweep(Date.now() + SWEEP_MAX_MS);
    }
  }
}
