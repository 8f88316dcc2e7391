import { createHash, randomBytes } from "node:crypto";
import {
  type Action,
  EventType,
  type InviteCreateReply,
  type InviteInfo,
  LIMITS,
  may,
  Role,
  rankOf,
} from "@parley/protocol";
import { ParleyError } from "../errors";
import type { AccountStore } from "../storage/account-store";
import type { ChannelStore } from "../storage/channel-store";
import type { InviteRow, InviteStore } from "../storage/invite-store";
import type { ModerationStore } from "../storage/moderation-store";
import type { Actor } from "../storage/storage";
import type { ChannelService, Joined } from "./channel-service";
import type { Moderator } from "./moderation-service";

/** Bytes of randomness in an invite code: 128 bits, 22 characters of base64url. */
const CODE_BYTES = 16;

/** The sha-256 of an invite code, hex: the only form in which a code is stored or compared. */
export function inviteCodeHash(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

/** A new invite code (a channel's or the server's) and the hash it is stored as. */
export function newInviteCode(): { code: string; codeHash: string } {
  const code = randomBytes(CODE_BYTES).toString("base64url");
  return { code, codeHash: inviteCodeHash(code) };
}

function toInfo(row: InviteRow): InviteInfo {
  return {
    i: row.id,
    c: row.channelId,
    a: row.createdBy.id,
    an: row.createdBy.name,
    ts: row.createdAt,
    ...(row.expiresAt !== null ? { ex: row.expiresAt } : {}),
    ...(row.maxUses !== null ? { mu: row.maxUses } : {}),
    uc: row.uses,
  };
}

/**
 * Invitations: adding a user directly, and invite links (create, list, revoke, redeem). Who may
 * invite follows the permission table: any member of a public channel (`invitePublic`),
 * moderators and owners of a private one (`invitePrivate`); guests never invite. Owners see and
 * revoke every link (`manageInvites`), the others their own.
 */
export class InviteService {
  constructor(
    private readonly storage: InviteStore &
      Pick<ChannelStore, "getChannel" | "memberRole" | "addMember"> &
      Pick<ModerationStore, "activeBan"> &
      Pick<AccountStore, "findUserByName">,
    private readonly channels: ChannelService,
  ) {}

  /** Refuses a caller who may not invite to this channel. */
  private async authorizeInvite(by: Moderator): Promise<void> {
    const channel = await this.channels.require(by.channelId);
    if (by.actor.isGuest && !by.actor.isAdmin)
      throw new ParleyError("FORBIDDEN", "Guests cannot invite; register first");
    const action: Action = channel.isPrivate ? "invitePrivate" : "invitePublic";
    if (!may(action, rankOf(by.role, by.actor)))
      throw new ParleyError("FORBIDDEN", "Only moderators and owners invite to a private channel");
  }

  /**
   * Adds `username` to the channel; its MemberJoined event carries the inviter (`iv`, `ivn`),
   * and every connection of the invited user gets ChannelAdded. Resolves to the event's seq.
   */
  async inviteUser(by: Moderator, username: string): Promise<{ s: number }> {
    await this.authorizeInvite(by);
    const name = username.replace(/^@/, "");
    const user = await this.storage.findUserByName(name);
    if (!user) throw new ParleyError("NO_SUCH_USER", `No user named ${name}`);
    if ((await this.storage.activeBan(by.channelId, user.id)) !== undefined)
      throw new ParleyError("TARGET_BANNED", `${user.username} is banned from this channel`);
    if ((await this.storage.memberRole(by.channelId, user.id)) !== undefined)
      throw new ParleyError("ALREADY_MEMBER", `${user.username} is already a member`);
    await this.channels.checkRoom(user.id, by.channelId);
    const event = await this.storage.addMember(by.channelId, user.id, Role.Member, {
      type: EventType.MemberJoined,
      actor: { id: user.id, name: user.username },
      data: { ...(user.isGuest ? { g: true } : {}), iv: by.actor.id, ivn: by.actor.name },
    });
    if (!event) throw new ParleyError("ALREADY_MEMBER", `${user.username} is already a member`);
    await this.channels.announceJoin(by.channelId, user.id, event);
    return { s: event.s };
  }

  /**
   * Creates an invite link: `expiresIn` seconds (default 7 days; 0 = never), at most `maxUses`
   * uses (default unlimited). The code is returned this once and stored only as its hash.
   */
  async create(
    by: Moderator,
    expiresIn: number = LIMITS.inviteExpiryDefault,
    maxUses?: number,
  ): Promise<InviteCreateReply> {
    await this.authorizeInvite(by);
    const { code, codeHash } = newInviteCode();
    const row = await this.storage.createInvite({
      channelId: by.channelId,
      creator: by.actor,
      codeHash,
      expiresAt: expiresIn === 0 ? null : Date.now() + expiresIn * 1000,
      maxUses: maxUses ?? null,
    });
    return { code, ...toInfo(row) };
  }

  /** The channel's live links: all of them for an owner, one's own for anyone else. */
  async list(by: Moderator): Promise<InviteInfo[]> {
    const all = may("manageInvites", rankOf(by.role, by.actor)) && !by.actor.isGuest;
    const rows = await this.storage.listInvites(by.channelId, all ? undefined : by.actor.id);
    return rows.map(toInfo);
  }

  /**
   * Revokes link `id` (an owner any, anyone else its own). INVITE_INVALID when there is no
   * such live link that the caller may revoke, which says nothing about others' links.
   */
  async revoke(by: Moderator, id: number): Promise<void> {
    const all = may("manageInvites", rankOf(by.role, by.actor)) && !by.actor.isGuest;
    if (!(await this.storage.revokeInvite(by.channelId, id, all ? undefined : by.actor.id)))
      throw new ParleyError("INVITE_INVALID");
  }

  /**
   * Joins `user` to the channel of the link `code`: INVITE_INVALID for a code that is unknown,
   * expired, revoked or used up (one answer, so a code's state cannot be probed), BANNED for a
   * banned user (the ban, not a join). `onResolved` runs with the channel id before any
   * announcement, so the redeeming connection can claim the ChannelAdded as its own. A member
   * already in the channel uses nothing.
   */
  async redeem(
    user: Actor & { isGuest: boolean },
    code: string,
    onResolved: (channelId: number) => void = () => {},
  ): Promise<Joined & { channelId: number }> {
    const hash = inviteCodeHash(code);
    const found = await this.storage.findInvite(hash);
    if (!found) throw new ParleyError("INVITE_INVALID");
    const channelId = found.channelId;
    onResolved(channelId);
    const role = await this.storage.memberRole(channelId, user.id);
    if (role !== undefined) return { channelId, role };
    await this.channels.checkRoom(user.id, channelId);
    try {
      const { event } = await this.storage.redeemInvite(
        hash,
        user,
        user.isGuest ? { g: true } : {},
      );
      if (!event) return { channelId, role: (await this.storage.memberRole(channelId, user.id))! };
      return { channelId, ...(await this.channels.announceJoin(channelId, user.id, event)) };
    } catch (err) {
      // Joined by a concurrent request of the same user meanwhile: that one announced it.
      if (err instanceof ParleyError && err.errorName === "ALREADY_MEMBER")
        return {
          channelId,
          role: (await this.storage.memberRole(channelId, user.id)) ?? Role.Member,
        };
      throw err;
    }
  }
}
