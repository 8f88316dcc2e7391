import { Role } from "./ops";

/**
 * Ranks for permission checks: a channel role, or a server-wide admin above every role.
 * Guests rank as members whatever their channel role, and may not moderate at all.
 */
export const ADMIN_RANK = 4;

/** Moderation actions. */
export type Action =
  | "kick"
  | "mute"
  | "ban"
  | "grantModerator"
  | "revokeModerator"
  | "setTopic"
  | "setSlowMode"
  | "readAuditLog"
  /** Delete another member's message. */
  | "deleteAnyMessage"
  /** Read the earlier versions of another member's message. */
  | "readAnyVersions"
  /** Pin and unpin messages. */
  | "pinMessage"
  /** Mention the whole channel: `@here`, `@channel`, `@everyone`. */
  | "mentionChannel"
  /** Invite users (directly or by link) to a public channel. */
  | "invitePublic"
  /** Invite users (directly or by link) to a private channel. */
  | "invitePrivate"
  /** See and revoke every invite link of the channel, not only one's own. */
  | "manageInvites"
  /** Make the channel private or public. */
  | "setVisibility"
  /** Set how long the channel keeps its messages. */
  | "setRetention"
  /** Set the channel's own blocked words (auto-moderation). */
  | "setBlockedWords"
  /** See the channel's reports of messages, and resolve or dismiss them. */
  | "handleReports";

/** The one permission table: the lowest rank allowed to take each action. */
export const PERMISSIONS: Readonly<Record<Action, number>> = {
  kick: Role.Moderator,
  mute: Role.Moderator,
  ban: Role.Moderator,
  grantModerator: Role.Owner,
  revokeModerator: Role.Owner,
  setTopic: Role.Moderator,
  setSlowMode: Role.Moderator,
  readAuditLog: Role.Moderator,
  deleteAnyMessage: Role.Moderator,
  readAnyVersions: Role.Moderator,
  pinMessage: Role.Moderator,
  mentionChannel: Role.Moderator,
  invitePublic: Role.Member,
  invitePrivate: Role.Moderator,
  manageInvites: Role.Owner,
  setVisibility: Role.Owner,
  setRetention: Role.Owner,
  setBlockedWords: Role.Moderator,
  handleReports: Role.Moderator,
};

/** A user's rank in a channel. */
export function rankOf(
  role: Role | undefined,
  user: { isGuest: boolean; isAdmin: boolean },
): number {
  if (user.isAdmin) return ADMIN_RANK;
  if (user.isGuest) return role === undefined ? 0 : Role.Member;
  return role ?? 0;
}

/** Whether a user of `rank` (not a guest) may take `action`. */
export function may(action: Action, rank: number): boolean {
  return rank >= PERMISSIONS[action];
}
