/** Protocol limits. The server announces its effective values in the welcome reply. */
export const LIMITS = {
  /** Largest frame the server accepts, in bytes; a larger one closes the socket with 1009. */
  maxFrameBytes: 64 * 1024,
  usernameMin: 3,
  usernameMax: 32,
  passwordMin: 8,
  passwordMax: 256,
  channelNameMax: 64,
  topicMax: 250,
  /** Message content, counted in UTF-16 code units after trimming. */
  contentMax: 4000,
  nonceMax: 64,
  emojiMax: 32,
  /** Distinct emoji on one message. */
  reactionsPerMessage: 20,
  /** Pinned messages one channel may hold. */
  pinsPerChannel: 50,
  /** Links of a message the server previews: the first ones, in order. */
  linkPreviewsPerMessage: 3,
  /** Longest URL the server previews (characters). */
  linkPreviewUrlMax: 2048,
  /** Distinct `@names` of one message that are resolved; further ones stay plain text. */
  mentionsPerMessage: 20,
  historyDefault: 50,
  historyMax: 100,
  channelListMax: 100,
  searchMax: 64,
  commandMax: 4000,
  /** An invite link's lifetime when none is given: 7 days, in seconds. */
  inviteExpiryDefault: 7 * 24 * 3600,
  /** The longest lifetime an invite link may have (30 days, in seconds); 0 asks for none. */
  inviteExpiryMax: 30 * 24 * 3600,
  /** The most uses one invite link may allow. */
  inviteUsesMax: 1000,
  /**
   * The most names one DmOpen may carry: a bound on the request only. The server's own cap on
   * a DM's members (`PARLEY_DM_MAX_MEMBERS`) is lower, and answered with LIMIT_REACHED.
   */
  dmNamesMax: 100,
  /** Files one message may carry (MessageSend `f`). */
  filesPerMessage: 10,
  /** A file's display name, in UTF-16 code units after sanitising. */
  fileNameMax: 255,
  /** Longest search query (op 42), in UTF-16 code units. */
  searchQueryMax: 500,
  /** Search results per page when none is asked for, and the most one page holds. */
  searchPageDefault: 25,
  searchPageMax: 50,
  /**
   * Members a join's (and ChannelInfo's) reply lists at most, the first in name order (`mm`
   * when there are more), and the most one MemberList page holds.
   */
  memberPage: 100,
} as const;

export type Limits = typeof LIMITS;

/** Web Push subscriptions (PushSubscribe, op 38). */
export const PUSH_LIMITS = {
  /** Longest endpoint URL, in UTF-16 code units. */
  endpointMax: 1024,
  /** A subscription's `p256dh`: an uncompressed P-256 public key. */
  p256dhBytes: 65,
  /** A subscription's `auth` secret. */
  authBytes: 16,
  /** Subscriptions one user may hold; a new one past it replaces the oldest. */
  perUser: 10,
} as const;

/** Usernames: 3–32 of `[A-Za-z0-9_-]`, unique case-insensitively. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,32}$/;
