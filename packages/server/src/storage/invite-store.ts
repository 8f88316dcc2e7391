import type { ChannelEvent } from "@parley/protocol";
import type { Actor } from "./storage";

/** An invite link as stored: never its code, which only its creator saw once. */
export interface InviteRow {
  id: number;
  channelId: number;
  createdBy: Actor;
  createdAt: number;
  /** null: never expires. */
  expiresAt: number | null;
  /** null: unlimited. */
  maxUses: number | null;
  uses: number;
}

/**
 * Invite links of channels, looked up by the sha-256 of their code.
 *
 * Contract: a link is live while it is not revoked (revoking deletes it), not expired
 * (`expiresAt` later than now) and not used up (`uses` below `maxUses`). A redemption
 * re-checks all of that, the user's ban and membership, counts the use, adds the member and
 * stores its MemberJoined event in one transaction: of concurrent redemptions of a link's
 * last use, on any number of nodes, exactly one joins and the others are refused with
 * INVITE_INVALID. A user who is already a member uses nothing.
 */
export interface InviteStore {
  createInvite(input: {
    channelId: number;
    creator: Actor;
    codeHash: string;
    expiresAt: number | null;
    maxUses: number | null;
  }): Promise<InviteRow>;
  /** The live link with this code hash, or undefined. */
  findInvite(codeHash: string): Promise<InviteRow | undefined>;
  /** A channel's live links, newest first; only `createdBy`'s when given. */
  listInvites(channelId: number, createdBy?: number): Promise<InviteRow[]>;
  /**
   * Revokes (deletes) the channel's link `id`; when `createdBy` is given, only if that user
   * created it. Resolves to whether a link was revoked.
   */
  revokeInvite(channelId: number, id: number, createdBy?: number): Promise<boolean>;
  /**
   * Redeems the live link with this code hash for `user`: INVITE_INVALID when it is not live
   * (or not live any more, its last use taken meanwhile), BANNED (with `until`) when the user is
   * banned from its channel. Resolves to the channel, and the stored MemberJoined event (with
   * `data`) unless the user already was a member.
   */
  redeemInvite(
    codeHash: string,
    user: Actor,
    data: Record<string, unknown>,
  ): Promise<{ invite: InviteRow; event?: ChannelEvent }>;
}
