import { z } from "zod";
import { LIMITS, PUSH_LIMITS, USERNAME_PATTERN } from "./limits";
import { type ClientOp, NotifyLevel, Op, ReportStatus } from "./ops";
import { hasInvisible, isBidiBalanced, isBlank, isWellFormedText } from "./text";

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
const CONTROL_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to reject them
const CONTROL_OR_NEWLINE = /[\u0000-\u001F\u007F]/;

/**
 * The base of every string field of every client op and HTTP body: well-formed UTF-16 only. A
 * lone surrogate aborts the field's other checks, so it is the one issue reported.
 */
const text = () =>
  z.string().refine(isWellFormedText, {
    error: "not well-formed Unicode (it contains a lone surrogate)",
    abort: true,
  });
const noControls = { error: "control characters are not allowed" };
const bidiBalanced = {
  error: "every bidi embedding, override or isolate it opens must be closed in it",
};

const id = z.int().positive();

/** A Web Push endpoint: a URL (whether the server will send to it is the server's policy). */
const pushEndpointSchema = text()
  .max(PUSH_LIMITS.endpointMax)
  .refine((s) => URL.canParse(s), { error: "expected a URL" });

/** Unpadded base64url that decodes to exactly `bytes` bytes. */
function base64url(bytes: number, what: string) {
  const length = Math.ceil((bytes * 4) / 3);
  return text().regex(new RegExp(`^[A-Za-z0-9_-]{${length}}$`), {
    error: `expected ${what}: ${bytes} bytes as unpadded base64url`,
  });
}
const seq = z.int().nonnegative();
/** A client request id, echoed in the reply. */
const requestId = z.int().nonnegative().max(0xffffffff);

export const usernameSchema = text().regex(USERNAME_PATTERN, {
  error: `3–32 characters of A–Z, a–z, 0–9, _ and -`,
});
export const passwordSchema = text().min(LIMITS.passwordMin).max(LIMITS.passwordMax);
/** A password as typed to prove who one is (an old one may predate the length rule). */
export const currentPasswordSchema = text().min(1).max(LIMITS.passwordMax);
/** A channel name: one line, no invisible or format characters; unique by its `nameKey`. */
export const channelNameSchema = text()
  .trim()
  .min(1)
  .max(LIMITS.channelNameMax)
  .refine((s) => !CONTROL_OR_NEWLINE.test(s), noControls)
  .refine((s) => !hasInvisible(s), {
    error: "invisible and format characters (zero-width, bidi controls) are not allowed",
  })
  .refine((s) => !isBlank(s), { error: "a name needs a visible character" });
/** A topic, and a moderation reason: one line, bidi controls balanced. */
export const topicSchema = text()
  .trim()
  .max(LIMITS.topicMax)
  .refine((s) => !CONTROL_OR_NEWLINE.test(s), noControls)
  .refine(isBidiBalanced, bidiBalanced);
/**
 * Message content (MessageSend, `/me`): lines of text with something visible, bidi controls
 * balanced. `/me` text is checked against it too.
 */
export const contentSchema = messageText(false);
/** MessageSend's `x`: content, or "" (after trimming) for a message of files alone. */
const sendContentSchema = messageText(true);

function messageText(emptyAllowed: boolean) {
  const trimmed = text().trim();
  return (emptyAllowed ? trimmed : trimmed.min(1))
    .max(LIMITS.contentMax)
    .refine((s) => !CONTROL_CHARS.test(s), noControls)
    .refine((s) => (emptyAllowed && s === "") || !isBlank(s), {
      error: "a message needs a visible character (not only spaces or invisible characters)",
    })
    .refine(isBidiBalanced, bidiBalanced);
}
/**
 * A file id as the upload reply gives it: 22 characters of base64url (128 random bits). Ids are
 * unguessable, but access is checked on every read all the same.
 */
export const fileIdSchema = text().regex(/^[A-Za-z0-9_-]{22}$/, {
  error: "a file id is 22 characters of A–Z, a–z, 0–9, _ and -",
});
/** A display name: one line, trimmed, 1 to 64 characters, bidi controls balanced. */
export const displayNameSchema = text()
  .trim()
  .min(1)
  .max(64)
  .refine((v) => !isBlank(v), { error: "a display name needs a visible character" })
  .refine((v) => !CONTROL_OR_NEWLINE.test(v), noControls)
  .refine(isBidiBalanced, bidiBalanced);
/** A status text: one line, trimmed, at most 100 characters (empty: none). */
export const statusTextSchema = text()
  .trim()
  .max(100)
  .refine((v) => !CONTROL_OR_NEWLINE.test(v), noControls)
  .refine(isBidiBalanced, bidiBalanced);
/**
 * `POST /api/v1/profile`: the fields to change (the others stay); `null` clears one. `avatar`
 * names an image you uploaded (`POST /api/v1/files`), made into your avatar.
 */
export const profileChangeSchema = z
  .strictObject({
    displayName: displayNameSchema.nullable().optional(),
    status: statusTextSchema.nullable().optional(),
    avatar: fileIdSchema.nullable().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, { error: "name a field to change" });
export type ProfileChange = z.infer<typeof profileChangeSchema>;
export const nonceSchema = text().min(1).max(LIMITS.nonceMax);
export const emojiSchema = text()
  .min(1)
  .max(LIMITS.emojiMax)
  .refine((s) => !/\s/.test(s) && !CONTROL_OR_NEWLINE.test(s), {
    error: "no spaces or control characters",
  });

/** An invite code: base64url, as the server makes them (22 characters for 128 bits). */
export const inviteCodeSchema = text().regex(/^[A-Za-z0-9_-]{16,64}$/, {
  error: "an invite code is 16–64 characters of A–Z, a–z, 0–9, _ and -",
});

/** A username as typed in a request: an `@` in front is allowed. */
const atUsername = text().regex(/^@?[A-Za-z0-9_-]{3,32}$/, {
  error: "a username: 3–32 characters of A–Z, a–z, 0–9, _ and -, an @ in front allowed",
});

/** A search page's cursor, as a reply's `nx` gave it (opaque to clients). */
export const searchCursorSchema = text().regex(/^[0-9a-z]{1,10}$/, {
  error: "a search cursor, as a reply's nx gave it",
});

/** The envelope of every client frame: op, optional request id, optional payload. */
export const envelopeSchema = z.object({
  o: z.int(),
  r: requestId.optional(),
  d: z.unknown().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const historyQuery = {
  /** Items with seq below this one. */
  b: seq.optional(),
  /** Items with seq above this one. */
  a: seq.optional(),
  /** Items around this seq (half before, half after, the item itself included). */
  ar: seq.optional(),
  l: z.int().min(1).max(LIMITS.historyMax).optional(),
};

/** Payload schemas of every client op. Unknown keys are rejected. */
export const REQUEST_SCHEMAS = {
  [Op.Hello]: z.strictObject({
    /** Session token; absent for a new guest. */
    tk: text().min(1).max(256).optional(),
    /**
     * Accepted and ignored: older clients echo a resume token that welcomes no longer carry
     * (resume works through `ls` and the session token).
     */
    rt: text().min(1).max(256).optional(),
    /** Last seq seen per channel id (as object keys), for resume. */
    ls: z.record(text().regex(/^[1-9]\d{0,15}$/), seq).optional(),
  }),
  [Op.Ping]: z.strictObject({}),
  [Op.ChannelList]: z.strictObject({
    q: text().max(LIMITS.searchMax).optional(),
    /** Return channels with id above this one (cursor). */
    af: id.optional(),
    l: z.int().min(1).max(LIMITS.channelListMax).optional(),
  }),
  [Op.ChannelCreate]: z.strictObject({
    n: channelNameSchema,
    tp: topicSchema.optional(),
    /** Private: listed to members only, joined by invitation. */
    pv: z.boolean().optional(),
  }),
  [Op.ChannelJoin]: z.strictObject({ c: id, l: z.int().min(0).max(LIMITS.historyMax).optional() }),
  [Op.ChannelLeave]: z.strictObject({ c: id }),
  [Op.ChannelInfo]: z.strictObject({ c: id }),
  [Op.MessageSend]: z
    .strictObject({
      c: id,
      n: nonceSchema,
      /** The text; may be "" when the message carries files. */
      x: sendContentSchema,
      /** The message this one replies to: a live message of the same channel. */
      rp: id.optional(),
      /** Files to attach: your own uploads, not yet attached (distinct, at most `filesPerMessage`). */
      f: z
        .array(fileIdSchema)
        .min(1)
        .max(LIMITS.filesPerMessage)
        .refine((ids) => new Set(ids).size === ids.length, { error: "a file is named twice" })
        .optional(),
    })
    .refine((m) => m.x !== "" || m.f !== undefined, {
      error: "a message needs text or files",
      path: ["x"],
    }),
  [Op.History]: z
    .strictObject({ c: id, ...historyQuery })
    .refine((q) => [q.a, q.b, q.ar].filter((v) => v !== undefined).length <= 1, {
      error: "at most one of a, b, ar",
    }),
  [Op.Typing]: z.strictObject({ c: id, on: z.boolean() }),
  [Op.ReactionAdd]: z.strictObject({ c: id, m: id, e: emojiSchema }),
  [Op.ReactionRemove]: z.strictObject({ c: id, m: id, e: emojiSchema }),
  [Op.MessageEdit]: z.strictObject({
    c: id,
    m: id,
    /** The version being edited (the message's `v`, 1 when absent): a stale one is refused. */
    v: z.int().positive(),
    x: contentSchema,
    n: nonceSchema,
  }),
  [Op.MessageDelete]: z.strictObject({
    c: id,
    m: id,
    n: nonceSchema,
    /** A moderator's reason (kept in the audit log and shown in the tombstone's event). */
    rs: topicSchema.optional(),
  }),
  [Op.MessageVersions]: z.strictObject({ c: id, m: id }),
  /** `on`: pin (true) or unpin (false). */
  [Op.MessagePin]: z.strictObject({ c: id, m: id, on: z.boolean() }),
  [Op.PinList]: z.strictObject({ c: id }),
  /** `u`: the previewed URL to remove, as in the preview's `u`; absent: remove every preview. */
  [Op.LinkPreviewRemove]: z.strictObject({
    c: id,
    m: id,
    u: z.string().min(1).max(LIMITS.linkPreviewUrlMax).optional(),
  }),
  /** `rs`: why (optional, shown to the moderators). */
  [Op.MessageReport]: z.strictObject({ c: id, m: id, rs: topicSchema.optional() }),
  /**
   * `c`: one channel's reports only; `st`: of one status only (absent: every status); `b`:
   * reports older than this id (cursor); `l`: at most this many (default 50).
   */
  [Op.ReportList]: z.strictObject({
    c: id.optional(),
    st: z
      .union([
        z.literal(ReportStatus.Open),
        z.literal(ReportStatus.Resolved),
        z.literal(ReportStatus.Dismissed),
      ])
      .optional(),
    b: id.optional(),
    l: z.int().min(1).max(LIMITS.historyMax).optional(),
  }),
  /** `st`: Resolved (acted on) or Dismissed (nothing wrong). */
  [Op.ReportResolve]: z.strictObject({
    id,
    st: z.union([z.literal(ReportStatus.Resolved), z.literal(ReportStatus.Dismissed)]),
  }),
  /**
   * `a`: members after this name (the last of the previous page); `q`: members whose name
   * starts with this (compared as names are, case-insensitively); `l`: at most this many
   * (default and most: `memberPage`).
   */
  [Op.MemberList]: z.strictObject({
    c: id,
    a: z
      .string()
      .min(1)
      .max(LIMITS.usernameMax * 4)
      .optional(),
    q: z.string().min(1).max(LIMITS.usernameMax).optional(),
    l: z.int().min(1).max(LIMITS.memberPage).optional(),
  }),
  /** `s`: read up to this seq (clamped to the channel's last seq; never moves back). */
  [Op.MarkRead]: z.strictObject({ c: id, s: seq }),
  [Op.SetNotify]: z.strictObject({
    c: id,
    nl: z.union([
      z.literal(NotifyLevel.All),
      z.literal(NotifyLevel.Mentions),
      z.literal(NotifyLevel.None),
    ]),
  }),
  /**
   * A browser's PushSubscription: `ep` its endpoint (an https URL), `p256dh` and `auth` its
   * keys, base64url as `PushSubscription.toJSON()` gives them.
   */
  [Op.PushSubscribe]: z.strictObject({
    ep: pushEndpointSchema,
    p256dh: base64url(PUSH_LIMITS.p256dhBytes, "a P-256 public key"),
    auth: base64url(PUSH_LIMITS.authBytes, "an auth secret"),
  }),
  [Op.PushUnsubscribe]: z.strictObject({ ep: pushEndpointSchema }),
  [Op.Command]: z.strictObject({
    c: id,
    x: text().trim().min(1).max(LIMITS.commandMax),
    /** Nonce for commands that post a message (`/me`), as for a send. */
    n: nonceSchema.optional(),
  }),
  /** `u`: the username to add (an `@` in front is allowed). */
  [Op.InviteUser]: z.strictObject({ c: id, u: atUsername }),
  /** `u`: the others (1 to `dmMembersMax` − 1 usernames; `@` allowed, yourself ignored). */
  [Op.DmOpen]: z.strictObject({ u: z.array(atUsername).min(1).max(LIMITS.dmNamesMax) }),
  /**
   * `q`: the query (`search-query.ts`); `b`: the `nx` of the previous page; `n`: results per
   * page (default 25).
   */
  [Op.Search]: z.strictObject({
    q: text()
      .trim()
      .min(1)
      .max(LIMITS.searchQueryMax)
      .refine((s) => !CONTROL_OR_NEWLINE.test(s), noControls),
    b: searchCursorSchema.optional(),
    n: z.int().min(1).max(LIMITS.searchPageMax).optional(),
  }),
  /** `u`: the user to block or unblock; `on`: block (true) or unblock (false). */
  [Op.UserBlock]: z.strictObject({ u: atUsername, on: z.boolean() }),
  [Op.InviteCreate]: z.strictObject({
    c: id,
    /** Seconds until the link expires (default 7 days, at most 30 days); 0 = never. */
    ex: z.int().min(0).max(LIMITS.inviteExpiryMax).optional(),
    /** Most uses (default unlimited). */
    mu: z.int().min(1).max(LIMITS.inviteUsesMax).optional(),
  }),
  [Op.InviteList]: z.strictObject({ c: id }),
  /** `i`: the invite's id, as listed. */
  [Op.InviteRevoke]: z.strictObject({ c: id, i: id }),
  [Op.InviteRedeem]: z.strictObject({
    code: inviteCodeSchema,
    l: z.int().min(0).max(LIMITS.historyMax).optional(),
  }),
} as const satisfies Record<ClientOp, z.ZodType>;

export type RequestSchemas = typeof REQUEST_SCHEMAS;
/** The validated payload type of a client op. */
export type RequestOf<O extends ClientOp> = z.output<RequestSchemas[O]>;
/** The payload a client sends for an op (before trimming and defaults). */
export type RequestInputOf<O extends ClientOp> = z.input<RequestSchemas[O]>;

/** HTTP bodies. */
export const credentialsSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
});
/** A server invite's code, as an admin hands it on (22 characters of base64url when made). */
export const serverInviteCodeSchema = z
  .string()
  .min(16)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "an invite code is letters, digits, - and _");
/** `POST /api/v1/auth/register` without a token: a new account, with an invite when required. */
export const registerSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  invite: serverInviteCodeSchema.optional(),
});
/** `POST /api/v1/auth/register` with a guest's token: the guest keeps its name or takes one. */
export const upgradeSchema = z.strictObject({
  username: usernameSchema.optional(),
  password: passwordSchema,
  invite: serverInviteCodeSchema.optional(),
});
export const historyHttpQuerySchema = z.strictObject({
  before: z.coerce.number().pipe(seq).optional(),
  after: z.coerce.number().pipe(seq).optional(),
  around: z.coerce.number().pipe(seq).optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(LIMITS.historyMax)).optional(),
});
/** `GET /api/v1/search`: Search's request as a query string. */
export const searchHttpQuerySchema = z.strictObject({
  q: REQUEST_SCHEMAS[Op.Search].shape.q,
  cursor: searchCursorSchema.optional(),
  limit: z.coerce.number().pipe(z.int().min(1).max(LIMITS.searchPageMax)).optional(),
});
