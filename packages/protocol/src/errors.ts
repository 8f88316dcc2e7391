/**
 * The one catalogue of error codes. Every error reply carries `c` (the number), and the
 * stable name and default message here are what `docs/protocol.md` lists. Each entry also
 * carries its meaning on HTTP (`status`) and whether it is `temporary`: the same request may
 * succeed later, unchanged (after `ra` when given), where every other refusal stands until the
 * client changes the request or its situation.
 */
export const ERRORS = {
  BAD_FRAME: {
    code: 1000,
    message: "The frame could not be decoded",
    status: 400,
    temporary: false,
  },
  UNKNOWN_OP: {
    code: 1001,
    message: "Unknown op",
    status: 400,
    temporary: false,
  },
  INVALID_PAYLOAD: {
    code: 1002,
    message: "The payload does not match the op's schema",
    status: 400,
    temporary: false,
  },
  HELLO_REQUIRED: {
    code: 1004,
    message: "The first frame must be a hello",
    status: 400,
    temporary: false,
  },
  ALREADY_HELLO: {
    code: 1005,
    message: "Hello was already received on this connection",
    status: 400,
    temporary: false,
  },
  UNSUPPORTED_VERSION: {
    code: 1006,
    message: "Unsupported protocol version",
    status: 400,
    temporary: false,
  },
  UNAUTHENTICATED: {
    code: 1100,
    message: "The session token is invalid or revoked",
    status: 401,
    temporary: false,
  },
  INVALID_CREDENTIALS: {
    code: 1101,
    message: "Wrong username or password",
    status: 401,
    temporary: false,
  },
  USERNAME_TAKEN: {
    code: 1102,
    message: "That username is taken",
    status: 409,
    temporary: false,
  },
  NOT_A_GUEST: {
    code: 1103,
    message: "Only a guest can register from a session",
    status: 409,
    temporary: false,
  },
  USERNAME_RESERVED: {
    code: 1104,
    message: "That username is reserved",
    status: 409,
    temporary: false,
  },
  HOST_NOT_ALLOWED: {
    code: 1105,
    message: "This server does not answer for that host name",
    status: 421,
    temporary: false,
  },
  NO_SUCH_CHANNEL: {
    code: 1200,
    message: "No such channel",
    status: 404,
    temporary: false,
  },
  NOT_A_MEMBER: {
    code: 1201,
    message: "You are not a member of that channel",
    status: 403,
    temporary: false,
  },
  CHANNEL_NAME_TAKEN: {
    code: 1202,
    message: "A channel with that name exists",
    status: 409,
    temporary: false,
  },
  NO_SUCH_MESSAGE: {
    code: 1203,
    message: "No such message in that channel",
    status: 404,
    temporary: false,
  },
  NO_SUCH_REACTION: {
    code: 1204,
    message: "You have not reacted with that emoji",
    status: 404,
    temporary: false,
  },
  TOO_MANY_REACTIONS: {
    code: 1205,
    message: "That message has the most distinct reactions allowed",
    status: 409,
    temporary: false,
  },
  VERSION_CONFLICT: {
    code: 1206,
    message: "The message changed since that version: reload it and edit again",
    status: 409,
    temporary: false,
  },
  EDIT_WINDOW_CLOSED: {
    code: 1207,
    message: "Messages can no longer be edited this long after they were sent",
    status: 403,
    temporary: false,
  },
  FORBIDDEN: {
    code: 1300,
    message: "You are not allowed to do that",
    status: 403,
    temporary: false,
  },
  MUTED: {
    code: 1301,
    message: "You are muted in this channel",
    status: 403,
    temporary: true,
  },
  BANNED: {
    code: 1302,
    message: "You are banned from this channel",
    status: 403,
    temporary: true,
  },
  SLOW_MODE: {
    code: 1303,
    message: "Slow mode is on in this channel",
    status: 429,
    temporary: true,
  },
  NO_SUCH_USER: {
    code: 1304,
    message: "No such user",
    status: 404,
    temporary: false,
  },
  TARGET_NOT_MEMBER: {
    code: 1305,
    message: "That user is not a member of the channel",
    status: 409,
    temporary: false,
  },
  UNKNOWN_COMMAND: {
    code: 1306,
    message: "Unknown command",
    status: 400,
    temporary: false,
  },
  BAD_COMMAND: {
    code: 1307,
    message: "The command's arguments are invalid",
    status: 400,
    temporary: false,
  },
  SERVER_BANNED: {
    code: 1308,
    message: "This account is banned from the server",
    status: 403,
    temporary: false,
  },
  INVITE_INVALID: {
    code: 1310,
    message: "That invite is not valid",
    status: 404,
    temporary: false,
  },
  ALREADY_MEMBER: {
    code: 1311,
    message: "That user is already a member of the channel",
    status: 409,
    temporary: false,
  },
  TARGET_BANNED: {
    code: 1312,
    message: "That user is banned from the channel",
    status: 409,
    temporary: false,
  },
  BLOCKED: {
    code: 1313,
    message: "You cannot message this user",
    status: 403,
    temporary: false,
  },
  REGISTRATION_CLOSED: {
    code: 1314,
    message: "This server does not take new accounts",
    status: 403,
    temporary: false,
  },
  GUESTS_DISABLED: {
    code: 1315,
    message: "This server does not let guests in: sign in or create an account",
    status: 403,
    temporary: false,
  },
  NO_SUCH_REPORT: {
    code: 1316,
    message: "No such report",
    status: 404,
    temporary: false,
  },
  ACCOUNT_DEACTIVATED: {
    code: 1317,
    message: "This account was deactivated by the server's admins",
    status: 403,
    temporary: false,
  },
  CHANNEL_ARCHIVED: {
    code: 1318,
    message: "This channel is archived: it is read-only",
    status: 403,
    temporary: false,
  },
  INVITE_REQUIRED: {
    code: 1319,
    message: "This server takes new accounts by invitation only: ask an admin for an invite",
    status: 403,
    temporary: false,
  },
  MESSAGE_BLOCKED: {
    code: 1320,
    message: "This message holds a word this server does not allow",
    status: 403,
    temporary: false,
  },
  LINKS_NOT_ALLOWED: {
    code: 1321,
    message: "New accounts and guests cannot post links yet",
    status: 403,
    temporary: false,
  },
  TOO_MANY_MENTIONS: {
    code: 1322,
    message: "This message mentions too many people",
    status: 403,
    temporary: false,
  },
  MESSAGE_HELD: {
    code: 1323,
    message: "This message waits for a moderator's review before it is posted",
    status: 403,
    temporary: false,
  },
  RATE_LIMITED: {
    code: 1400,
    message: "Too many requests",
    status: 429,
    temporary: true,
  },
  LIMIT_REACHED: {
    code: 1401,
    message: "A server limit was reached",
    status: 429,
    temporary: true,
  },
  SERVER_BUSY: {
    code: 1402,
    message: "The server is busy; retry after the time given",
    status: 503,
    temporary: true,
  },
  NO_SUCH_FILE: {
    code: 1600,
    message: "No such file",
    status: 404,
    temporary: false,
  },
  FILE_TOO_LARGE: {
    code: 1601,
    message: "The file is larger than the server accepts",
    status: 413,
    temporary: false,
  },
  UPLOAD_QUOTA: {
    code: 1602,
    message: "Your files use all the space you are allowed: delete some first",
    status: 413,
    temporary: false,
  },
  FILE_ATTACHED: {
    code: 1603,
    message: "That file is attached to a message already",
    status: 409,
    temporary: false,
  },
  FILE_LINK_EXPIRED: {
    code: 1604,
    message: "That file link has expired: ask for a new one",
    status: 403,
    temporary: false,
  },
  BAD_IMAGE: {
    code: 1605,
    message: "The image could not be read, or is too large to decode",
    status: 422,
    temporary: false,
  },
  SEARCH_DISABLED: {
    code: 1403,
    message: "Search is turned off on this server",
    status: 501,
    temporary: false,
  },
  INTERNAL: {
    code: 1500,
    message: "Internal server error",
    status: 500,
    temporary: true,
  },
} as const;

export type ErrorName = keyof typeof ERRORS;

/** Whether a refusal with this code may pass later, unchanged (see {@link ERRORS}). */
export function isTemporary(code: number): boolean {
  const name = errorName(code);
  return name !== undefined && ERRORS[name].temporary;
}
export type ErrorCode = (typeof ERRORS)[ErrorName]["code"];

const NAMES_BY_CODE = new Map<number, ErrorName>(
  Object.entries(ERRORS).map(([name, e]) => [e.code, name as ErrorName]),
);

/** The stable name of a numeric error code, or undefined for an unknown code. */
export function errorName(code: number): ErrorName | undefined {
  return NAMES_BY_CODE.get(code);
}

/**
 * WebSocket close codes. 4000–4499: the client may reconnect (after backoff);
 * 4500–4999: it must not reconnect with the same credentials or version.
 */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  TooLarge: 1009,
  HelloTimeout: 4000,
  HeartbeatTimeout: 4001,
  SlowConsumer: 4002,
  RateLimited: 4003,
  TooManyConnections: 4005,
  AuthRevoked: 4500,
  ServerBanned: 4501,
  UnsupportedVersion: 4502,
  ProtocolViolation: 4503,
  /** The account was deactivated or deleted by an admin (the reason says which). */
  AccountClosed: 4504,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** True when a client may reconnect after a close with this code. */
export function mayReconnect(code: number): boolean {
  return code < 4500 || code > 4999;
}
