/**
 * The one catalogue of error codes. Every error reply carries `c` (the number), and the
 * stable name and default message here are what `docs/protocol.md` lists.
 */
export const ERRORS = {
  BAD_FRAME: { code: 1000, message: "The frame could not be decoded" },
  UNKNOWN_OP: { code: 1001, message: "Unknown op" },
  INVALID_PAYLOAD: { code: 1002, message: "The payload does not match the op's schema" },
  HELLO_REQUIRED: { code: 1004, message: "The first frame must be a hello" },
  ALREADY_HELLO: { code: 1005, message: "Hello was already received on this connection" },
  UNSUPPORTED_VERSION: { code: 1006, message: "Unsupported protocol version" },
  UNAUTHENTICATED: { code: 1100, message: "The session token is invalid or revoked" },
  INVALID_CREDENTIALS: { code: 1101, message: "Wrong username or password" },
  USERNAME_TAKEN: { code: 1102, message: "That username is taken" },
  NOT_A_GUEST: { code: 1103, message: "Only a guest can register from a session" },
  USERNAME_RESERVED: { code: 1104, message: "That username is reserved" },
  HOST_NOT_ALLOWED: { code: 1105, message: "This server does not answer for that host name" },
  NO_SUCH_CHANNEL: { code: 1200, message: "No such channel" },
  NOT_A_MEMBER: { code: 1201, message: "You are not a member of that channel" },
  CHANNEL_NAME_TAKEN: { code: 1202, message: "A channel with that name exists" },
  NO_SUCH_MESSAGE: { code: 1203, message: "No such message in that channel" },
  NO_SUCH_REACTION: { code: 1204, message: "You have not reacted with that emoji" },
  TOO_MANY_REACTIONS: {
    code: 1205,
    message: "That message has the most distinct reactions allowed",
  },
  FORBIDDEN: { code: 1300, message: "You are not allowed to do that" },
  MUTED: { code: 1301, message: "You are muted in this channel" },
  BANNED: { code: 1302, message: "You are banned from this channel" },
  SLOW_MODE: { code: 1303, message: "Slow mode is on in this channel" },
  NO_SUCH_USER: { code: 1304, message: "No such user" },
  TARGET_NOT_MEMBER: { code: 1305, message: "That user is not a member of the channel" },
  UNKNOWN_COMMAND: { code: 1306, message: "Unknown command" },
  BAD_COMMAND: { code: 1307, message: "The command's arguments are invalid" },
  SERVER_BANNED: { code: 1308, message: "This account is banned from the server" },
  RATE_LIMITED: { code: 1400, message: "Too many requests" },
  LIMIT_REACHED: { code: 1401, message: "A server limit was reached" },
  SERVER_BUSY: { code: 1402, message: "The server is busy; retry after the time given" },
  INTERNAL: { code: 1500, message: "Internal server error" },
} as const;

export type ErrorName = keyof typeof ERRORS;
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
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** True when a client may reconnect after a close with this code. */
export function mayReconnect(code: number): boolean {
  return code < 4500 || code > 4999;
}
