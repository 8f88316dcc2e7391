import {
  type BlockChangedPush,
  type ChannelEvent,
  type ChannelInfoReply,
  type ChannelListReply,
  type ChannelRemovedPush,
  type ChannelSummary,
  type ClientOp,
  CloseCode,
  type CommandReply,
  type DeleteAck,
  decodeFrame,
  type EditAck,
  type EmptyPayload,
  type Encoding,
  type ErrorPayload,
  encodeFrame,
  errorName,
  type FileUrlReply,
  type HistoryPage,
  type InviteCreateReply,
  type InviteListReply,
  type InviteUserReply,
  isTemporary,
  type JoinReply,
  type MemberListReply,
  type MessageAck,
  type MessageReportReply,
  type MessageVersionsReply,
  mayReconnect,
  type NotifyLevel,
  type NotifySetting,
  Op,
  type PinListReply,
  type PresencePush,
  type RateBucket,
  type ReadState,
  type ReplyOf,
  type Report,
  type ReportListReply,
  type ReportResolveReply,
  type ReportStatus,
  type RequestInputOf,
  type SearchReply,
  type ServerFrame,
  type ServerPush,
  SUBPROTOCOL_JSON,
  SUBPROTOCOL_MSGPACK,
  type TypingPush,
  type UploadReply,
  type UserUpdatedPush,
  type WelcomeReply,
} from "@parley/protocol";
import { Emitter } from "./emitter";
import { fileLink, httpBase, type UploadOptions, uploadFile } from "./files";

/** The subset of the WebSocket API the client uses: the browser's, and `ws` in Node. */
export interface SocketLike {
  readonly readyState: number;
  binaryType: string;
  send(data: string | ArrayBufferLike | Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(
    type: "open" | "close" | "message" | "error",
    listener: (event: never) => void,
  ): void;
}
export type SocketFactory = new (url: string, protocols: string[]) => SocketLike;

export interface ClientOptions {
  /** WebSocket URL, e.g. ws://127.0.0.1:8080/ws. */
  url: string;
  /** Session token; without one the server creates a guest (whose token is then kept). */
  token?: string;
  encoding?: Encoding;
  /** WebSocket constructor; defaults to the global one (browsers, Node ≥ 22). Pass `ws` in Node 20. */
  WebSocket?: SocketFactory;
  /** Reconnect with jittered exponential backoff after an unexpected close. Default true. */
  reconnect?: boolean;
  /** Backoff bounds in ms. Defaults 250 and 10000. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Time before a request without reply is rejected. Default 15000. */
  requestTimeoutMs?: number;
  /**
   * Heartbeat interval in ms: a Ping (op 2) is sent this often, and when nothing at all
   * arrived since the previous one the link is taken as dead. Default: the welcome's `hb`
   * (the server's interval, 10000 unless configured). A dead link is thus noticed less than
   * two intervals after the last frame received (under 20 s by default).
   */
  heartbeatMs?: number;
  /**
   * Longest wait from opening a socket to its welcome; past it the attempt is dropped and
   * retried with backoff (a connect through a dead path can hang). Default 15000.
   */
  connectTimeoutMs?: number;
}

/** An error reply from the server, with its code and stable name. */
export class ParleyRequestError extends Error {
  readonly code: number;
  readonly errorName: string;
  readonly op?: number;
  readonly retryAfterMs?: number;
  readonly usage?: string;
  /** MESSAGE_HELD: the id of the report the held message waits in. */
  readonly report?: number;
  constructor(payload: ErrorPayload) {
    super(payload.m);
    this.name = "ParleyRequestError";
    this.code = payload.c;
    this.errorName = errorName(payload.c) ?? "UNKNOWN";
    if (payload.op !== undefined) this.op = payload.op;
    if (payload.ra !== undefined) this.retryAfterMs = payload.ra;
    if (payload.us !== undefined) this.usage = payload.us;
    if (payload.rp !== undefined) this.report = payload.rp;
  }

  /** The same request may succeed later, unchanged (after `retryAfterMs` when given). */
  get temporary(): boolean {
    return isTemporary(this.code);
  }
}

/**
 * A request or send that could not be answered because the connection was not there: never
 * sent (not connected), cut off by a disconnect (it may or may not have been applied; sends
 * are retried by nonce), or ended by `close()`. `code` is the close code, when there was one.
 */
export class ParleyDisconnectedError extends Error {
  constructor(
    message: string,
    readonly code?: number,
  ) {
    super(message);
    this.name = "ParleyDisconnectedError";
  }
}

/** A message ack: seq, id and server time of the stored message (the MessageSend reply). */
export type Ack = MessageAck;

/** A TypingEvent's payload. */
export type TypingNotice = TypingPush;

export type ClientEvents = {
  /** Connected (or reconnected) and welcomed. */
  welcome: [WelcomeReply];
  /** New stored events of a channel, in seq order, each delivered once. */
  events: [number, ChannelEvent[]];
  typing: [TypingNotice];
  /** A member came online or went offline; it carries the member's name and guest flag. */
  presence: [PresencePush];
  channelAdded: [ChannelSummary];
  channelRemoved: [ChannelRemovedPush];
  /**
   * A user who shares a channel with you (or you) changed: a guest registered, took a new name.
   * Replace what you show for that user id. Not replayed on resume: member lists read after a
   * reconnect are current.
   */
  userUpdated: [UserUpdatedPush];
  /** A channel's gap was too large to replay: read a fresh snapshot. */
  resync: [number];
  /**
   * Your read marker of a channel moved (a markRead on any of your connections): the unread
   * state it leaves, exact up to its `ls`.
   */
  readState: [ReadState];
  /** Your notification level of a channel changed (setNotify on any of your connections). */
  notifyChanged: [NotifySetting];
  /** You blocked (`on`) or unblocked a user (block on any of your connections). */
  blockChanged: [BlockChangedPush];
  /**
   * A report you handle (of a channel you moderate; an admin: any) was filed, resolved or
   * dismissed, by anyone on any node. Also your own message that auto-moderation held for
   * review (`hd`; a send of it failed with MESSAGE_HELD): held, then approved (resolved: it
   * is posted, and `m` is its id) or dropped (dismissed); your copy has no `rs` and no closer.
   */
  reportChanged: [Report];
  /**
   * The replay after a welcome is complete (after every welcome, also when nothing was
   * replayed): each channel is caught up to its welcome `ls`, and what follows is live.
   */
  replayDone: [];
  /** Unsolicited error (bad frame and the like). */
  error: [ParleyRequestError];
  /**
   * The socket closed, or the client dropped it: `willReconnect` says whether it tries again
   * (the connection is then "reconnecting"). When the client itself gave up on a silent link the
   * code is 4001 (no heartbeat reply) or 4000 (no welcome in time), and it does not wait for the
   * closing handshake, which a dead link never completes.
   */
  disconnect: [{ code: number; reason: string; willReconnect: boolean }];
};

interface PendingRequest {
  resolve: (data: unknown) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * A request that changes stored state and carries a nonce (a send, an edit, a delete): kept
 * until answered and sent again with the same nonce after a reconnect, so it takes effect once.
 */
interface OutboxEntry {
  /** The op and the nonce: a nonce is unique per op. */
  key: string;
  request: () => Promise<unknown>;
  resolve: (reply: never) => void;
  reject: (err: Error) => void;
}

/** Longest wait in `close()` for the closing handshake. */
const CLOSE_WAIT_MS = 2000;

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Typed Parley client: hello, requests with promises, per-channel seq tracking (each stored
 * event is emitted once, in order), and automatic reconnect with resume. Sends, edits and deletes
 * keep their nonce across reconnects, so a retried one takes effect once.
 */
export class ParleyClient extends Emitter<ClientEvents> {
  /** The user, after the first welcome. */
  welcome?: WelcomeReply;
  token?: string;
  /** Highest seq held per channel; resume asks for what follows. */
  readonly lastSeq = new Map<number, number>();

  private socket?: SocketLike;
  private nextRequestId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly outbox = new Map<string, OutboxEntry>();
  private readonly encoding: Encoding;
  private readonly Socket: SocketFactory;
  private attempts = 0;
  private stopped = false;
  /** When the current socket last received a frame, and when the last heartbeat Ping went. */
  private lastRx = 0;
  private lastPing = 0;
  private heartbeat?: ReturnType<typeof setInterval>;
  private connectTimer?: ReturnType<typeof setTimeout>;
  /** Ends the current socket at once, as if it had closed with this code (see `open`). */
  private abandon?: (code: number, reason: string) => void;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private connecting?: Promise<WelcomeReply>;
  /** Set when a hello was refused by the address's hello bucket: the wait it asked for. */
  private helloRetryAfterMs?: number;
  /**
   * The current socket is welcomed and the outbox flushed. Set at the end of the welcome
   * handling (not when `connect()` settles, a microtask later), so a send made right after
   * the welcome goes out at once instead of waiting in the outbox for the next reconnect.
   */
  private ready = false;

  constructor(private readonly options: ClientOptions) {
    super();
    this.encoding = options.encoding ?? "json";
    if (options.token) this.token = options.token;
    const ctor = options.WebSocket ?? (globalThis as { WebSocket?: SocketFactory }).WebSocket;
    if (!ctor)
      throw new Error("No WebSocket implementation: pass options.WebSocket (e.g. the ws package)");
    this.Socket = ctor;
  }

  get user() {
    return this.welcome?.u;
  }

  /**
   * The rate-limit buckets in force on the server, by name (from the welcome). A client that
   * sends steadily must stay within `perSecond` of each bucket on average (bursts up to `burst`):
   * retrying refused requests after `ra` alone still counts toward the abuse limit (close 4003).
   */
  get rateLimits(): Readonly<Record<string, RateBucket>> | undefined {
    return this.welcome?.rate;
  }

  get connected(): boolean {
    return this.socket?.readyState === 1 && this.ready;
  }

  /** Opens the socket and says hello; resolves with the welcome. */
  connect(): Promise<WelcomeReply> {
    this.stopped = false;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /**
   * Closes for good (no reconnect). Pending requests and sends are rejected. Resolves once the
   * socket has closed, or after 2 s when the closing handshake does not complete (a dead link).
   */
  close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.connectTimer);
    clearInterval(this.heartbeat);
    this.abandon = undefined;
    const socket = this.socket;
    this.failPending(new ParleyDisconnectedError("client closed"));
    for (const entry of this.outbox.values())
      entry.reject(new ParleyDisconnectedError("client closed"));
    this.outbox.clear();
    this.socket = undefined;
    this.ready = false;
    if (!socket || socket.readyState === 3) return Promise.resolve();
    if (socket.readyState !== 1) {
      // Still connecting (or closing): there is no handshake to wait for.
      try {
        socket.close();
      } catch {
        // ws throws when closing a socket that is still connecting; it is dropped all the same.
      }
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      // Over a dead link the closing handshake never completes: stop waiting after a while.
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      socket.addEventListener("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(CloseCode.Normal, "bye");
    });
  }

  /**
   * Reconnects now instead of when the backoff ends, e.g. when the browser reports that it is
   * online again. Does nothing unless a reconnect is waiting.
   */
  reconnectNow(): void {
    if (this.stopped || this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.connect().catch(() => {
      // The close handler schedules the next attempt.
    });
  }

  /** Drops the socket without a closing handshake, as a network failure would (for tests). */
  dropForTest(): void {
    const socket = this.socket as unknown as { terminate?: () => void };
    if (socket?.terminate) socket.terminate();
    else this.socket?.close(4999);
  }

  private takeRequestId(): number {
    const r = this.nextRequestId;
    this.nextRequestId = (this.nextRequestId % 0xffffffff) + 1;
    return r;
  }

  /**
   * Sends a request and resolves with the op's reply payload, or rejects with a
   * ParleyRequestError. Payload and reply are typed by the op (`RequestInputOf`, `ReplyOf`).
   */
  request<O extends ClientOp>(op: O, data: RequestInputOf<O>): Promise<ReplyOf<O>> {
    const socket = this.socket;
    if (socket?.readyState !== 1)
      return Promise.reject(new ParleyDisconnectedError("not connected"));
    const r = this.takeRequestId();
    return new Promise<ReplyOf<O>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(r);
        reject(new Error(`request ${op} timed out`));
      }, this.options.requestTimeoutMs ?? 15000);
      this.pending.set(r, { resolve: resolve as (d: unknown) => void, reject, timer });
      this.write({ o: op, r, d: data });
    });
  }

  /**
   * Sends a message. Resolves with the ack after the server stored it; retried across
   * reconnects. The third argument is the nonce, or options: the nonce and `files`, ids of your
   * uploads ({@link upload}) to attach; with files the text may be "".
   */
  send(
    channelId: number,
    content: string,
    options: string | { nonce?: string; files?: readonly string[] } = {},
  ): Promise<Ack> {
    return this.sendMessage(channelId, content, options);
  }

  /** MessageSend through the outbox: {@link send}, or {@link reply} with `replyTo`. */
  private sendMessage(
    channelId: number,
    content: string,
    options: string | { nonce?: string; files?: readonly string[] },
    replyTo?: number,
  ): Promise<Ack> {
    const { nonce = randomNonce(), files } =
      typeof options === "string" ? { nonce: options } : options;
    return this.viaOutbox(Op.MessageSend, {
      c: channelId,
      n: nonce,
      x: content,
      ...(replyTo !== undefined ? { rp: replyTo } : {}),
      ...(files && files.length > 0 ? { f: [...files] } : {}),
    });
  }

  /**
   * Uploads a file over HTTP with this client's session (after the first welcome), to attach
   * with `send(channel, text, {files: [id]})`. See {@link uploadFile}.
   */
  upload(file: Blob | Uint8Array, name: string, options: UploadOptions = {}): Promise<UploadReply> {
    if (!this.token) return Promise.reject(new ParleyDisconnectedError("no session yet"));
    return uploadFile(httpBase(this.options.url), this.token, file, name, options);
  }

  /** Signed links to a file and its thumbnail for `<img src>`. See {@link fileLink}. */
  fileLink(fileId: string): Promise<FileUrlReply> {
    if (!this.token) return Promise.reject(new ParleyDisconnectedError("no session yet"));
    return fileLink(httpBase(this.options.url), this.token, fileId);
  }

  /**
   * Sends a reply to `replyTo`, a live message of the same channel (NO_SUCH_MESSAGE
   * otherwise). Like {@link send}: through the outbox, so a resend after a reconnect is the
   * same reply, stored once. The message's `rp` carries the quote of the answered message.
   */
  reply(
    channelId: number,
    replyTo: number,
    content: string,
    options: string | { nonce?: string; files?: readonly string[] } = {},
  ): Promise<Ack> {
    return this.sendMessage(channelId, content, options, replyTo);
  }

  /**
   * Edits one of your messages: the full new content against the version you saw (`v` of the
   * message, 1 when absent). Resolves with the edit's seq and the new version after the server
   * stored it; retried across reconnects with the same nonce, so it is stored once. A stale
   * version is refused with VERSION_CONFLICT.
   */
  editMessage(
    channelId: number,
    messageId: number,
    version: number,
    content: string,
    nonce = randomNonce(),
  ): Promise<EditAck> {
    return this.viaOutbox(Op.MessageEdit, {
      c: channelId,
      m: messageId,
      v: version,
      x: content,
      n: nonce,
    });
  }

  /**
   * Deletes a message: your own, or anyone's as a moderator (with an optional reason, kept in
   * the audit log). Resolves with the deletion's seq after the server stored it; retried across
   * reconnects with the same nonce.
   */
  deleteMessage(
    channelId: number,
    messageId: number,
    reason?: string,
    nonce = randomNonce(),
  ): Promise<DeleteAck> {
    return this.viaOutbox(Op.MessageDelete, {
      c: channelId,
      m: messageId,
      n: nonce,
      ...(reason ? { rs: reason } : {}),
    });
  }

  /** Every version of a message, oldest first (for its author and the channel's moderators). */
  messageVersions(channelId: number, messageId: number): Promise<MessageVersionsReply> {
    return this.request(Op.MessageVersions, { c: channelId, m: messageId });
  }

  /** Sends a request that carries a nonce through the outbox (see {@link OutboxEntry}). */
  private viaOutbox<
    O extends typeof Op.MessageSend | typeof Op.MessageEdit | typeof Op.MessageDelete,
  >(op: O, data: RequestInputOf<O> & { n: string }): Promise<ReplyOf<O>> {
    return new Promise<ReplyOf<O>>((resolve, reject) => {
      const entry: OutboxEntry = {
        key: `${op}:${data.n}`,
        request: () => this.request(op, data),
        resolve: resolve as (reply: never) => void,
        reject,
      };
      this.outbox.set(entry.key, entry);
      if (this.connected) this.flushOutboxEntry(entry);
    });
  }

  /** Creates a channel you own; `private`: listed to members only, joined by invitation. */
  createChannel(
    name: string,
    topic?: string,
    options: { private?: boolean } = {},
  ): Promise<JoinReply> {
    return this.snapshotRequest(Op.ChannelCreate, {
      n: name,
      ...(topic ? { tp: topic } : {}),
      ...(options.private ? { pv: true } : {}),
    });
  }

  /** Adds a user to a channel directly; they get ChannelAdded on every connection. */
  inviteUser(channelId: number, username: string): Promise<InviteUserReply> {
    return this.request(Op.InviteUser, { c: channelId, u: username });
  }

  /**
   * Creates an invite link: `expiresIn` seconds (default 7 days, 0 = never), at most `maxUses`
   * uses (default unlimited). The reply's `code` is shown this once.
   */
  createInvite(
    channelId: number,
    options: { expiresIn?: number; maxUses?: number } = {},
  ): Promise<InviteCreateReply> {
    return this.request(Op.InviteCreate, {
      c: channelId,
      ...(options.expiresIn !== undefined ? { ex: options.expiresIn } : {}),
      ...(options.maxUses !== undefined ? { mu: options.maxUses } : {}),
    });
  }

  /** The channel's live invite links you may see (an owner: all; anyone else: their own). */
  listInvites(channelId: number): Promise<InviteListReply> {
    return this.request(Op.InviteList, { c: channelId });
  }

  /** Revokes invite link `inviteId` (an owner: any; the creator: its own). */
  revokeInvite(channelId: number, inviteId: number): Promise<EmptyPayload> {
    return this.request(Op.InviteRevoke, { c: channelId, i: inviteId });
  }

  /** Joins the channel of an invite code; the reply is a join's snapshot. */
  redeemInvite(code: string, limit?: number): Promise<JoinReply> {
    return this.snapshotRequest(Op.InviteRedeem, {
      code,
      ...(limit !== undefined ? { l: limit } : {}),
    });
  }

  joinChannel(channelId: number, limit?: number): Promise<JoinReply> {
    return this.snapshotRequest(Op.ChannelJoin, {
      c: channelId,
      ...(limit !== undefined ? { l: limit } : {}),
    });
  }

  /**
   * Opens the direct message with the users named (1 or more usernames, an `@` in front
   * allowed): the same conversation for the same people, created on first open. Resolves to
   * its snapshot, as a join does.
   */
  openDm(names: string[]): Promise<JoinReply> {
    return this.snapshotRequest(Op.DmOpen, { u: names });
  }

  /**
   * Blocks (`on`, the default) or unblocks a user: a blocked user cannot open or write in a DM
   * with you. Every connection of yours gets `blockChanged`.
   */
  block(name: string, on = true): Promise<EmptyPayload> {
    return this.request(Op.UserBlock, { u: name, on });
  }

  leaveChannel(channelId: number): Promise<EmptyPayload> {
    return this.request(Op.ChannelLeave, { c: channelId });
  }

  listChannels(query: RequestInputOf<typeof Op.ChannelList> = {}): Promise<ChannelListReply> {
    return this.request(Op.ChannelList, query);
  }

  channelInfo(channelId: number): Promise<ChannelInfoReply> {
    return this.request(Op.ChannelInfo, { c: channelId });
  }

  /**
   * A page of a channel's members in name order (you must be a member): after the member
   * named `after` (the last of the previous page), or those whose name starts with `prefix`;
   * `mm` in the reply when more follow. A join's reply lists the first page of a big channel.
   */
  memberList(
    channelId: number,
    query: { after?: string; prefix?: string; limit?: number } = {},
  ): Promise<MemberListReply> {
    const d: RequestInputOf<typeof Op.MemberList> = { c: channelId };
    if (query.after !== undefined) d.a = query.after;
    if (query.prefix !== undefined) d.q = query.prefix;
    if (query.limit !== undefined) d.l = query.limit;
    return this.request(Op.MemberList, d);
  }

  history(
    channelId: number,
    query: { before?: number; after?: number; around?: number; limit?: number } = {},
  ): Promise<HistoryPage> {
    const d: RequestInputOf<typeof Op.History> = { c: channelId };
    if (query.before !== undefined) d.b = query.before;
    if (query.after !== undefined) d.a = query.after;
    if (query.around !== undefined) d.ar = query.around;
    if (query.limit !== undefined) d.l = query.limit;
    return this.request(Op.History, d);
  }

  /**
   * Searches the messages of your channels (DMs included), newest first: words, `"phrases"`,
   * `prefix*`, `-excluded` and filters (`from:@bob in:#general before:2025-01-31 has:link
   * is:pinned mentions:@me`; see `parseSearchQuery`). Each hit names its channel and seq (open
   * it with `history(c, { around: s })`) and carries a text snippet `x` with match ranges `hl`
   * (UTF-16 offsets into `x`: highlight by slicing, never as HTML). For the next page pass the
   * reply's `nx` as `cursor`; no `nx` means no more. `limit`: 1–50, default 25. A server with
   * search off refuses with SEARCH_DISABLED.
   */
  search(q: string, page: { cursor?: string; limit?: number } = {}): Promise<SearchReply> {
    const d: RequestInputOf<typeof Op.Search> = { q };
    if (page.cursor !== undefined) d.b = page.cursor;
    if (page.limit !== undefined) d.n = page.limit;
    return this.request(Op.Search, d);
  }

  /** Typing start/stop; fire-and-forget (errors still arrive as `error` events). */
  typing(channelId: number, on: boolean): void {
    if (this.connected) this.write({ o: Op.Typing, d: { c: channelId, on } });
  }

  react(channelId: number, messageId: number, emoji: string): Promise<EmptyPayload> {
    return this.request(Op.ReactionAdd, { c: channelId, m: messageId, e: emoji });
  }

  unreact(channelId: number, messageId: number, emoji: string): Promise<EmptyPayload> {
    return this.request(Op.ReactionRemove, { c: channelId, m: messageId, e: emoji });
  }

  /**
   * Marks a channel read up to `seq` (the marker never moves back). Resolves to the unread
   * state it leaves; every connection of the user also gets it as a `readState` event.
   */
  markRead(channelId: number, seq: number): Promise<ReadState> {
    return this.request(Op.MarkRead, { c: channelId, s: seq });
  }

  /**
   * Sets when a channel notifies you (every message, mentions, never); every connection of
   * yours gets the new level as a `notifyChanged` event.
   */
  setNotify(channelId: number, level: NotifyLevel): Promise<NotifySetting> {
    return this.request(Op.SetNotify, { c: channelId, nl: level });
  }

  /**
   * Registers this device's Web Push subscription (`PushSubscription.toJSON()`: its endpoint and
   * keys) for your account; pushes then reach it while you have no connection. Accounts only.
   */
  pushSubscribe(sub: { ep: string; p256dh: string; auth: string }): Promise<EmptyPayload> {
    return this.request(Op.PushSubscribe, sub);
  }

  /** Removes a Web Push subscription of yours by its endpoint. */
  pushUnsubscribe(endpoint: string): Promise<EmptyPayload> {
    return this.request(Op.PushUnsubscribe, { ep: endpoint });
  }

  /** Pins a message to its channel (`on`), or unpins it (moderators, owners, admins). */
  pinMessage(channelId: number, messageId: number, on = true): Promise<EmptyPayload> {
    return this.request(Op.MessagePin, { c: channelId, m: messageId, on });
  }

  /** Removes a message's link preview of `url`, or all its previews (its author, moderators). */
  removeLinkPreview(channelId: number, messageId: number, url?: string): Promise<EmptyPayload> {
    return this.request(Op.LinkPreviewRemove, {
      c: channelId,
      m: messageId,
      ...(url !== undefined ? { u: url } : {}),
    });
  }

  /**
   * Reports a message to the channel's moderators and the server's admins, with an optional
   * reason; resolves to the report's id (your earlier one when you had reported it already).
   */
  reportMessage(
    channelId: number,
    messageId: number,
    reason?: string,
  ): Promise<MessageReportReply> {
    return this.request(Op.MessageReport, {
      c: channelId,
      m: messageId,
      ...(reason ? { rs: reason } : {}),
    });
  }

  /**
   * The reports you may handle, newest first: of the channels you moderate (an admin: of
   * every channel), or of one; of one status (absent: all); older than report `before`.
   */
  reports(
    query: { channelId?: number; status?: ReportStatus; before?: number; limit?: number } = {},
  ): Promise<ReportListReply> {
    return this.request(Op.ReportList, {
      ...(query.channelId !== undefined ? { c: query.channelId } : {}),
      ...(query.status !== undefined ? { st: query.status } : {}),
      ...(query.before !== undefined ? { b: query.before } : {}),
      ...(query.limit !== undefined ? { l: query.limit } : {}),
    });
  }

  /** Resolves (acted on) or dismisses (nothing wrong) an open report. */
  resolveReport(
    id: number,
    status: typeof ReportStatus.Resolved | typeof ReportStatus.Dismissed,
  ): Promise<ReportResolveReply> {
    return this.request(Op.ReportResolve, { id, st: status });
  }

  /** The channel's pinned messages in their current state, most recently pinned first. */
  pinnedMessages(channelId: number): Promise<PinListReply> {
    return this.request(Op.PinList, { c: channelId });
  }

  command(channelId: number, text: string): Promise<CommandReply> {
    return this.request(Op.Command, { c: channelId, x: text, n: randomNonce() });
  }

  /** Sends a raw frame as given (tests of bad input). */
  sendRaw(data: string | Uint8Array): void {
    this.socket?.send(data);
  }

  private async snapshotRequest<
    O extends
      | typeof Op.ChannelCreate
      | typeof Op.ChannelJoin
      | typeof Op.InviteRedeem
      | typeof Op.DmOpen,
  >(op: O, data: RequestInputOf<O>): Promise<JoinReply> {
    const reply: JoinReply = await this.request(op, data);
    this.advance(reply.ch.i, reply.ch.ls);
    return reply;
  }

  private advance(channelId: number, seq: number): void {
    if ((this.lastSeq.get(channelId) ?? -1) < seq) this.lastSeq.set(channelId, seq);
  }

  private open(): Promise<WelcomeReply> {
    return new Promise<WelcomeReply>((resolve, reject) => {
      const protocol = this.encoding === "json" ? SUBPROTOCOL_JSON : SUBPROTOCOL_MSGPACK;
      const socket = new this.Socket(this.options.url, [protocol]);
      socket.binaryType = "arraybuffer";
      this.socket = socket;
      this.ready = false;
      let welcomed = false;
      clearTimeout(this.connectTimer);
      this.connectTimer = setTimeout(
        () => this.abandon?.(CloseCode.HelloTimeout, "no welcome in time"),
        this.options.connectTimeoutMs ?? 15000,
      );
      /** The socket is over for this client: closed, or given up on (then it is not waited for). */
      const gone = (code: number, reason: string) => {
        if (this.socket !== socket) return;
        this.socket = undefined;
        this.abandon = undefined;
        this.ready = false;
        clearTimeout(this.connectTimer);
        clearInterval(this.heartbeat);
        this.failPending(new ParleyDisconnectedError(`disconnected (${code})`, code));
        const retryAfterMs = this.helloRetryAfterMs;
        this.helloRetryAfterMs = undefined;
        const willReconnect =
          !this.stopped &&
          this.options.reconnect !== false &&
          (retryAfterMs !== undefined || (mayReconnect(code) && code !== CloseCode.Normal));
        this.emit("disconnect", { code, reason, willReconnect });
        if (!welcomed)
          reject(
            new ParleyDisconnectedError(
              `connection closed before welcome (${code} ${reason})`,
              code,
            ),
          );
        if (willReconnect) this.scheduleReconnect(retryAfterMs);
        else {
          for (const entry of this.outbox.values())
            entry.reject(new ParleyDisconnectedError(`disconnected (${code})`, code));
          this.outbox.clear();
        }
      };
      this.abandon = (code, reason) => {
        // Over a dead link the closing handshake never completes (browsers wait up to a minute
        // for it), so the client moves on at once; `ws` in Node can drop the socket outright.
        const raw = socket as unknown as { terminate?: () => void };
        try {
          if (raw.terminate) raw.terminate();
          else socket.close(code, reason);
        } catch {
          // Closing a socket that is still connecting may throw; it is dropped all the same.
        }
        gone(code, reason);
      };
      socket.addEventListener("open", () => {
        const ls: Record<string, number> = {};
        for (const [c, s] of this.lastSeq) ls[String(c)] = s;
        this.request(Op.Hello, {
          ...(this.token ? { tk: this.token } : {}),
          ...(this.lastSeq.size > 0 ? { ls } : {}),
        }).then(
          (welcome) => {
            welcomed = true;
            clearTimeout(this.connectTimer);
            this.attempts = 0;
            this.onWelcome(welcome);
            resolve(welcome);
          },
          (err) => {
            reject(err);
            // The address's hello bucket is empty (many clients behind one address reconnecting
            // at once): the socket stays open without a session. Close it and come back after
            // the server's retry-after, with jitter so the refused clients spread out.
            if (
              err instanceof ParleyRequestError &&
              err.errorName === "RATE_LIMITED" &&
              err.retryAfterMs !== undefined &&
              this.options.reconnect !== false &&
              this.socket === socket
            ) {
              this.helloRetryAfterMs = err.retryAfterMs;
              socket.close(CloseCode.Normal, "hello refused");
            }
          },
        );
      });
      socket.addEventListener("message", (event: { data: unknown }) => {
        // A socket given up on may still deliver late frames; they belong to no connection.
        if (this.socket === socket) this.onMessage(event.data);
      });
      // A failed connection is reported by its close event; the error event only repeats it.
      socket.addEventListener("error", () => {});
      socket.addEventListener("close", (event: { code: number; reason: string }) =>
        gone(event.code, event.reason),
      );
    });
  }

  /**
   * Every `heartbeatMs` a Ping goes out; if nothing at all was received since the previous
   * Ping, the link is dead: the socket is dropped and the client reconnects. Any frame counts,
   * so a busy link needs no reply in time, and a late timer (a throttled background tab) only
   * delays the verdict, never causes a false one.
   */
  private startHeartbeat(intervalMs: number): void {
    clearInterval(this.heartbeat);
    this.lastRx = Date.now();
    this.lastPing = this.lastRx;
    this.heartbeat = setInterval(() => {
      if (this.lastRx < this.lastPing) {
        this.abandon?.(CloseCode.HeartbeatTimeout, "heartbeat timeout");
        return;
      }
      this.lastPing = Date.now();
      // Its reply (or any other frame) is what counts, so no pending request is kept for it.
      this.write({ o: Op.Ping, r: this.takeRequestId(), d: {} });
    }, intervalMs);
  }

  private onWelcome(welcome: WelcomeReply): void {
    this.welcome = welcome;
    if (welcome.st) this.token = welcome.st;
    const current = new Set(welcome.ch.map((ch) => ch.i));
    for (const c of [...this.lastSeq.keys()]) if (!current.has(c)) this.lastSeq.delete(c);
    for (const c of welcome.rs ?? []) {
      const ch = welcome.ch.find((x) => x.i === c);
      this.lastSeq.set(c, ch?.ls ?? 0);
    }
    for (const ch of welcome.ch) if (!this.lastSeq.has(ch.i)) this.lastSeq.set(ch.i, ch.ls);
    this.startHeartbeat(this.options.heartbeatMs ?? welcome.hb);
    this.emit("welcome", welcome);
    for (const c of welcome.rs ?? []) this.emit("resync", c);
    for (const entry of this.outbox.values()) this.flushOutboxEntry(entry);
    this.ready = true;
  }

  private flushOutboxEntry(entry: OutboxEntry): void {
    entry.request().then(
      (reply) => {
        if (this.outbox.delete(entry.key)) entry.resolve(reply as never);
      },
      (err) => {
        // Lost with the connection: the next welcome sends it again with the same nonce.
        if (err instanceof ParleyRequestError && this.outbox.delete(entry.key)) entry.reject(err);
      },
    );
  }

  /**
   * Waits `min/2 + random() × min(max, min × 2ⁿ)` before attempt n since the last welcome
   * (jittered, so clients that dropped together do not come back in step), and at least
   * `retryAfterMs` plus a random share of it after a refused hello.
   */
  private scheduleReconnect(retryAfterMs?: number): void {
    const min = this.options.backoffMinMs ?? 250;
    const max = this.options.backoffMaxMs ?? 10000;
    const ceiling = Math.min(max, min * 2 ** this.attempts);
    this.attempts++;
    const backoff = min / 2 + Math.random() * ceiling;
    const delay =
      retryAfterMs === undefined
        ? backoff
        : Math.max(backoff, retryAfterMs + Math.random() * Math.min(retryAfterMs, max));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      this.connect().catch(() => {
        // The close handler schedules the next attempt.
      });
    }, delay);
  }

  private failPending(err: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
  }

  /** Sends a request frame; its payload is typed by its op, as `request`'s is. */
  private write<O extends ClientOp>(frame: { o: O; r?: number; d: RequestInputOf<O> }): void {
    this.socket?.send(encodeFrame(this.encoding, frame));
  }

  private onMessage(data: unknown): void {
    this.lastRx = Date.now();
    let frame: ServerFrame;
    try {
      const bytes =
        data instanceof ArrayBuffer ? new Uint8Array(data) : (data as string | Uint8Array);
      frame = decodeFrame(this.encoding, bytes) as ServerFrame;
    } catch {
      return;
    }
    if (frame.r !== undefined) {
      const p = this.pending.get(frame.r);
      if (!p) return;
      this.pending.delete(frame.r);
      clearTimeout(p.timer);
      if (frame.o === Op.Error) p.reject(new ParleyRequestError(frame.d as ErrorPayload));
      else p.resolve(frame.d);
      return;
    }
    // Without `r` it is a push (a newer server's unknown op reaches the default, and is ignored).
    const push = frame as ServerPush;
    switch (push.o) {
      case Op.Events: {
        const { c, e } = push.d;
        const last = this.lastSeq.get(c) ?? 0;
        const fresh = e.filter((ev) => ev.s > last);
        if (fresh.length === 0) return;
        this.lastSeq.set(c, fresh.at(-1)!.s);
        this.emit("events", c, fresh);
        return;
      }
      case Op.TypingEvent:
        this.emit("typing", push.d);
        return;
      case Op.PresenceEvent:
        this.emit("presence", push.d);
        return;
      case Op.PresenceBatch:
        for (const change of push.d.p) this.emit("presence", { c: push.d.c, ...change });
        return;
      case Op.ChannelAdded: {
        const { ch } = push.d;
        this.advance(ch.i, ch.ls);
        this.emit("channelAdded", ch);
        return;
      }
      case Op.ChannelRemoved: {
        const d = push.d;
        this.lastSeq.delete(d.c);
        this.emit("channelRemoved", d);
        return;
      }
      case Op.ReplayDone:
        this.emit("replayDone");
        return;
      case Op.ReadState:
        this.emit("readState", push.d);
        return;
      case Op.NotifyChanged:
        this.emit("notifyChanged", push.d);
        return;
      case Op.BlockChanged:
        this.emit("blockChanged", push.d);
        return;
      case Op.ReportChanged:
        this.emit("reportChanged", push.d.rp);
        return;
      case Op.UserUpdated: {
        const user = push.d;
        if (this.welcome && user.i === this.welcome.u.i) {
          // The push is the user whole (name, guest flag, profile); only `ad` is the welcome's.
          const { ad } = this.welcome.u;
          this.welcome = { ...this.welcome, u: { ...user, ...(ad ? { ad } : {}) } };
        }
        this.emit("userUpdated", user);
        return;
      }
      case Op.Error:
        this.emit("error", new ParleyRequestError(push.d));
        return;
      default:
        // Every push op has its case: a new one fails to compile here until it is handled.
        push satisfies never;
    }
  }
}
