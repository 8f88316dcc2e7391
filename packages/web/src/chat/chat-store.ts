import {
  type ClientOptions,
  MemberState,
  ParleyClient,
  ParleyDisconnectedError,
  ParleyRequestError,
  TypingState,
  type UploadOptions,
} from "@parley/client";
import {
  type ChannelEvent,
  type ChannelSummary,
  CloseCode,
  ERRORS,
  EventType,
  type FileRef,
  type FileUrlReply,
  type JoinReply,
  type Member,
  type MemberListReply,
  type MessageVersion,
  NotifyLevel,
  type ProfileChange,
  type RemovalReason,
  type Report,
  ReportStatus,
  type SearchReply,
  type UploadReply,
  type UserRef,
  type WelcomeReply,
} from "@parley/protocol";
import { accountApi, authApi, type Download, exportApi } from "../session/auth-api";
import type { SessionStore } from "../session/session-store";
import { versionOf } from "./channel-log";
import {
  type ChannelInput,
  canLoadNewer,
  canLoadOlder,
  type Editing,
  findMessage,
  isDetached,
  lastOwnMessage,
  removalNotice,
  shownItems,
  type WindowDirection,
} from "./channel-view";
import {
  addressOf,
  blockChanged,
  type ChatState,
  channelAdded,
  channelEvents,
  channelJoined,
  channelRemoved,
  handlesReports,
  heldChanged,
  initialChatState,
  isDirect,
  type Notice,
  peopleLearned,
  readState,
  reportChanged,
  seen,
  selected,
  userUpdated,
  welcomed,
  withChannel,
  withNotice,
} from "./chat-state";
import { FileLinkCache } from "./file-links";
import { actionText, closingRefusal, isOwnHeld } from "./held";
import { type MemberPaging, pageLoaded, pagingOf } from "./member-pages";
import { messageAlert } from "./message-alert";
import type { MessageLink } from "./message-link";
import { shownMembers } from "./people";
import { TypingThrottle } from "./typing-throttle";

/**
 * Why the session ended without the user signing out: revoked (signed out elsewhere, a
 * password change, an admin), the account was banned from the server, deactivated or deleted
 * by an admin, or the server stopped letting guests in (a guest's hello refused).
 */
export type SessionEnd = "revoked" | "banned" | "deactivated" | "deleted" | "guests";

export interface ChatStoreOptions {
  url: string;
  token?: string;
  session: SessionStore;
  /** The server refused the session (unknown or revoked token): back to the sign-in screen. */
  onSessionEnded: (why: SessionEnd) => void;
  WebSocket?: ClientOptions["WebSocket"];
  now?: () => number;
}

/** Latest page size when a channel is opened, and size of each older page. */
const PAGE = 50;
/** After a failed read of older (or, in a window, newer) history, scrolling does not ask again for this long. */
const OLDER_RETRY_MS = 2000;
/** At most one MarkRead per channel in this span; the latest mark goes at its end. */
const MARK_READ_MS = 1000;
/** Members a name search for `@` completion reads at most. */
const MEMBER_SEARCH_LIMIT = 25;
/** Members read when one who is not in a big channel's list yet is looked up by name. */
const MEMBER_LOOKUP_LIMIT = 5;

function randomNonce(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A refused command; `slowMode` when the refusal was slow mode (the composer counts it down). */
export class CommandRefusedError extends Error {
  constructor(
    message: string,
    readonly slowMode: boolean,
  ) {
    super(message);
  }
}

/**
 * The report a send waits in when auto-moderation held it for a moderator's review
 * (MESSAGE_HELD names it); undefined for any other refusal.
 */
function heldReport(err: unknown): number | undefined {
  return err instanceof ParleyRequestError && err.code === ERRORS.MESSAGE_HELD.code
    ? err.report
    : undefined;
}

/** The text shown for a refused request: the server's message, and the usage when given. */
export function errorText(err: unknown): string {
  // The server's text names the seconds left; the composer counts those down live instead.
  if (err instanceof ParleyRequestError && err.code === ERRORS.SLOW_MODE.code)
    return "Sent too soon in slow mode.";
  if (err instanceof ParleyRequestError)
    return err.usage ? `${err.message}. Usage: ${err.usage}` : err.message;
  if (err instanceof ParleyDisconnectedError)
    return "Not connected. Try again once the connection is back.";
  return "Something went wrong. Try again.";
}

/**
 * The effects around one ParleyClient: subscribes to its events and feeds them to the pure
 * state functions (`chat-state.ts`, and `reduceChannel` per channel), makes the SDK
 * requests the user asks for and the views need (history pages, member lists), mirrors the
 * SDK's TypingState and MemberState, and notifies React. State is an immutable snapshot
 * replaced on every change (for `useSyncExternalStore`).
 */
export class ChatStore {
  readonly client: ParleyClient;
  private state: ChatState = initialChatState;
  private readonly listeners = new Set<() => void>();
  private readonly typingState: TypingState;
  private readonly memberState: MemberState;
  private readonly throttles = new Map<number, TypingThrottle>();
  /** Channels whose member list was asked for on the current connection. */
  private readonly seeded = new Set<number>();
  /** Channels whose pins were asked for on the current connection, with the latest read's id. */
  private readonly pinReads = new Map<number, number>();
  private readonly offs: (() => void)[];
  private readonly now: () => number;
  /** `ended`: the server refused the session; nothing restarts it. */
  private lifecycle: "running" | "stopped" | "ended" = "running";
  /** Ids of notices, notes and jumps. */
  private nextId = 1;
  /** Per channel: the seq last sent in a MarkRead, and the throttle's timer while it runs. */
  private readonly markSent = new Map<number, number>();
  private readonly markTimers = new Map<number, ReturnType<typeof setTimeout>>();
  /** A message link opened before the welcome: followed once the channels are known. */
  private pendingLink: MessageLink | undefined;
  /** The id of the latest read of the open reports: a reply overtaken by a later one is dropped. */
  private reportRead = 0;
  /** Signed links to files, read when a message's files show or are opened. */
  private readonly links: FileLinkCache;

  constructor(private readonly options: ChatStoreOptions) {
    this.now = options.now ?? Date.now;
    this.client = new ParleyClient({
      url: options.url,
      ...(options.token ? { token: options.token } : {}),
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      backoffMaxMs: 5000,
    });
    this.links = new FileLinkCache((id) => this.client.fileLink(id), this.now);
    this.typingState = new TypingState(this.client);
    this.memberState = new MemberState(this.client);
    const c = this.client;
    this.offs = [
      c.on("welcome", (w) => this.onWelcome(w)),
      c.on("events", (ch, events) => this.onEvents(ch, events)),
      c.on("channelAdded", (ch) => this.onChannelAdded(ch)),
      c.on("blockChanged", (b) => this.replace(blockChanged(this.state, b.u, b.on))),
      c.on("reportChanged", (r) => this.onReportChanged(r)),
      c.on("channelRemoved", (r) => this.onChannelRemoved(r.c, r.why)),
      c.on("resync", (ch) => this.onResync(ch)),
      c.on("userUpdated", (u) => this.onUserUpdated(u)),
      c.on("readState", (s) => this.replace(readState(this.state, s))),
      c.on("notifyChanged", (n) => this.set({ notify: { ...this.state.notify, [n.c]: n.nl } })),
      c.on("disconnect", (d) => this.onDisconnect(d.code, d.reason, d.willReconnect)),
      this.typingState.on("change", (ch) =>
        this.set({ typing: { ...this.state.typing, [ch]: this.typingState.names(ch) } }),
      ),
      this.memberState.on("change", (ch) =>
        this.set({
          members: {
            ...this.state.members,
            [ch]: shownMembers(this.memberState.list(ch), this.state.people),
          },
        }),
      ),
    ];
  }

  // --- subscription (useSyncExternalStore) ---

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): ChatState => this.state;

  // --- lifecycle ---

  start(): void {
    if (this.lifecycle !== "ended") this.lifecycle = "running";
    globalThis.addEventListener?.("online", this.onOnline);
    // Welcomed before (`me` is known): this is a reconnection.
    this.set({ status: this.state.me ? "reconnecting" : "connecting" });
    this.client.connect().catch((err) => {
      if (err instanceof ParleyRequestError && err.code === ERRORS.UNAUTHENTICATED.code)
        this.endSession("revoked");
      if (err instanceof ParleyRequestError && err.code === ERRORS.SERVER_BANNED.code)
        this.endSession("banned");
      if (err instanceof ParleyRequestError && err.code === ERRORS.GUESTS_DISABLED.code)
        this.endSession("guests");
      // Other failures: the client retries with backoff and the status says so.
    });
  }

  /** Closes the connection for good and drops the listeners. */
  async stop(): Promise<void> {
    if (this.lifecycle !== "ended") this.lifecycle = "stopped";
    globalThis.removeEventListener?.("online", this.onOnline);
    for (const off of this.offs) off();
    this.typingState.dispose();
    this.memberState.dispose();
    this.links.clear();
    for (const timer of this.markTimers.values()) clearTimeout(timer);
    this.markTimers.clear();
    await this.client.close();
  }

  /** Signs out: closes the connection, revokes the session on the server, forgets the token. */
  async signOut(): Promise<void> {
    const token = this.client.token;
    await this.stop();
    this.options.session.clear();
    if (token) await authApi.logout(token).catch(() => undefined);
  }

  /**
   * Gives the current guest a password; it keeps its channels and session, and its name unless
   * `username` is another. `invite` is a server invite's code, which registering needs while
   * the server takes new accounts by invitation only.
   */
  async register(password: string, username?: string, invite?: string): Promise<void> {
    const token = this.client.token;
    if (!token) throw new Error("No session");
    const issued = await authApi.upgradeGuest(token, password, username, invite);
    this.onUserUpdated(issued.user);
  }

  // --- the account (HTTP, with this session's token) ---

  private get token(): string {
    const token = this.client.token;
    if (!token) throw new Error("No session");
    return token;
  }

  /**
   * Changes your display name, status or avatar (`null` clears one); shown here at once, and
   * to the others through UserUpdated.
   */
  async updateProfile(change: ProfileChange): Promise<void> {
    this.onUserUpdated(await accountApi.updateProfile(this.token, change));
  }

  /** Uploads an image and makes it your avatar (the server makes a square of it). */
  async setAvatar(image: Blob, name: string): Promise<void> {
    const uploaded = await this.client.upload(image, name);
    await this.updateProfile({ avatar: uploaded.id });
  }

  /** Changes your password; your other sessions are signed out (this one stays). */
  changePassword(password: string, newPassword: string): Promise<void> {
    return authApi.changePassword(this.token, password, newPassword);
  }

  /** Signs out your other sessions; resolves to how many there were. */
  signOutOthers(): Promise<number> {
    return authApi.signOutOthers(this.token);
  }

  /** Your data as a zip, read whole, with the name to save it under. */
  exportData(): Promise<Download> {
    return exportApi.ownData(this.token);
  }

  // --- channels ---

  selectChannel(channelId: number): void {
    if (!this.state.channels[channelId]) return;
    const previous = this.state.activeId;
    if (previous !== undefined && previous !== channelId) this.stopTyping(previous);
    this.replace(selected(this.state, channelId));
    this.options.session.lastChannel = channelId;
    this.ensureLoaded(channelId);
    this.ensureMembers(channelId);
    if (!this.pinReads.has(channelId)) this.readPins(channelId);
  }

  /**
   * The reader has seen the channel's latest messages held (it is on screen, the window has
   * focus, the list is at its end): it is read up to there, here at once and on the server
   * (MarkRead, at most one a second per channel), and so in every tab and device.
   */
  markSeen(channelId: number): void {
    const last = this.state.channels[channelId]?.items.at(-1)?.s;
    if (last === undefined) return;
    this.replace(seen(this.state, channelId, last));
    this.sendMark(channelId);
  }

  /** Sends the channel's mark unless the server has it; throttled (leading and trailing). */
  private sendMark(channelId: number): void {
    if (this.markTimers.has(channelId)) return;
    const rs = this.state.reads[channelId]?.rs;
    if (rs === undefined || rs <= (this.markSent.get(channelId) ?? 0)) return;
    if (this.state.status !== "online") return;
    this.markSent.set(channelId, rs);
    this.client.markRead(channelId, rs).then(
      (s) => this.replace(readState(this.state, s)),
      // Not sent (disconnected, rate limited): the next welcome sends it again.
      () => this.markSent.delete(channelId),
    );
    this.markTimers.set(
      channelId,
      setTimeout(() => {
        this.markTimers.delete(channelId);
        this.sendMark(channelId);
      }, MARK_READ_MS),
    );
  }

  /** Your notification level in a channel. */
  notifyLevel(channelId: number): NotifyLevel {
    return this.state.notify[channelId] ?? NotifyLevel.Mentions;
  }

  /** Sets when a channel notifies you; every tab of yours follows (NotifyChanged). */
  async setNotify(channelId: number, level: NotifyLevel): Promise<void> {
    try {
      const setting = await this.client.setNotify(channelId, level);
      this.set({ notify: { ...this.state.notify, [setting.c]: setting.nl } });
    } catch (err) {
      this.notify("warning", `Notification setting not saved: ${errorText(err)}`);
    }
  }

  /** Creates a channel, joined and opened; resolves to its id. */
  async createChannel(name: string, topic: string, isPrivate = false): Promise<number> {
    const reply = await this.client.createChannel(name, topic || undefined, {
      private: isPrivate,
    });
    this.addJoined(reply);
    return reply.ch.i;
  }

  /** Joins the channel of an invite code and opens it; resolves to its id. */
  async redeemInvite(code: string): Promise<number> {
    const reply = await this.client.redeemInvite(code, PAGE);
    if (this.state.channels[reply.ch.i]) this.selectChannel(reply.ch.i);
    else this.addJoined(reply);
    return reply.ch.i;
  }

  /** Opens the DM with the users named (created on first open) and shows it; resolves to its id. */
  async openDm(names: string[]): Promise<number> {
    const reply = await this.client.openDm(names);
    if (this.state.channels[reply.ch.i]) this.selectChannel(reply.ch.i);
    else this.addJoined(reply);
    return reply.ch.i;
  }

  /** Blocks or unblocks a user; every tab learns it from BlockChanged. */
  async block(name: string, on: boolean): Promise<void> {
    await this.client.block(name, on);
  }

  async joinChannel(channelId: number): Promise<void> {
    if (this.state.channels[channelId]) {
      this.selectChannel(channelId);
      return;
    }
    this.addJoined(await this.client.joinChannel(channelId, PAGE));
  }

  async leaveChannel(channelId: number): Promise<void> {
    await this.client.leaveChannel(channelId);
    // The ChannelRemoved push (just before this reply) removed it; this covers a lost push.
    this.removeChannel(channelId);
  }

  listChannels(query: string): Promise<ChannelSummary[]> {
    return this.client.listChannels(query ? { q: query } : {}).then((r) => r.ch);
  }

  /** Reads the page before the first item shown (in the window while detached). */
  async loadOlder(channelId: number): Promise<void> {
    const view = this.state.channels[channelId];
    if (!view || !canLoadOlder(view, this.now())) return;
    if (isDetached(view)) return this.loadWindow(channelId, "older");
    const first = view.items[0];
    this.apply(channelId, { type: "older-requested" });
    try {
      const page = await this.client.history(channelId, {
        ...(first ? { before: first.s } : {}),
        limit: PAGE,
      });
      this.apply(channelId, { type: "older-loaded", page });
    } catch {
      // Rate limited or disconnected: the view asks again as the user scrolls, not at once.
      this.apply(channelId, { type: "older-failed", retryAt: this.now() + OLDER_RETRY_MS });
    }
  }

  /** Reads the page after the window's last item; one that reaches the live end rejoins it. */
  async loadNewer(channelId: number): Promise<void> {
    const view = this.state.channels[channelId];
    if (view && canLoadNewer(view, this.now())) await this.loadWindow(channelId, "newer");
  }

  /**
   * Shows the message at `seq`: at once when held, else after reading the page around it (the
   * timeline then shows that window, away from the live end). The message list scrolls to it,
   * highlights and focuses it.
   */
  async jumpTo(channelId: number, seq: number): Promise<void> {
    const key = this.nextId++;
    this.apply(channelId, { type: "jump-requested", seq, key });
    const target = this.state.channels[channelId]?.target;
    if (target?.key !== key || !target.loading) return;
    try {
      const page = await this.client.history(channelId, { around: seq, limit: PAGE });
      this.apply(channelId, { type: "around-loaded", key, page });
    } catch (err) {
      if (this.state.channels[channelId]?.target?.key !== key) return;
      this.apply(channelId, { type: "around-failed", key });
      this.notify("warning", `That message could not be loaded: ${errorText(err)}`);
    }
  }

  /** The message list showed a jump's message: reopening the channel does not show it again. */
  jumpShown(channelId: number, key: number): void {
    this.apply(channelId, { type: "target-shown", key });
  }

  /** Back to the live end: the latest messages, with everything that arrived meanwhile. */
  jumpToPresent(channelId: number): void {
    this.apply(channelId, { type: "present" });
  }

  /**
   * Opens a message link: the channel, then a jump to the message. A channel this user is not
   * in gets one notice, the same whether or not it exists, so a link tells nothing about a
   * channel its reader cannot read.
   */
  openLink(link: MessageLink): void {
    if (!this.state.me) {
      this.pendingLink = link;
      return;
    }
    this.pendingLink = undefined;
    if (!this.state.channels[link.c]) {
      this.notify(
        "warning",
        "That link is to a channel you are not in, or one that does not exist.",
      );
      return;
    }
    this.selectChannel(link.c);
    void this.jumpTo(link.c, link.s);
  }

  /**
   * Reads one page of search results (op 42) over the messages of this user's channels;
   * `cursor` is the previous page's `nx`. The results panel keeps the pages.
   */
  search(query: string, cursor?: string): Promise<SearchReply> {
    return this.client.search(query, cursor !== undefined ? { cursor } : {});
  }

  // --- messages ---

  /** Sends a message: shown at once as pending, confirmed by its ack or its push (by nonce). */
  send(channelId: number, text: string, files: readonly FileRef[] = []): void {
    const x = text.trim();
    if (!x && files.length === 0) return;
    this.stopTyping(channelId);
    const nonce = randomNonce();
    // With the reply bar open, the message is a reply to its message.
    const rp = this.state.channels[channelId]?.replying;
    this.apply(channelId, {
      type: "send-pending",
      nonce,
      x,
      ts: this.now(),
      ...(rp ? { rp } : {}),
      ...(files.length > 0 ? { f: [...files] } : {}),
    });
    this.deliver(channelId, nonce, x, rp?.m, files);
  }

  /**
   * Uploads a file for the next message (the SDK's upload, with its progress and cancel).
   * Resolves to the stored file; rejects with the server's refusal (FILE_TOO_LARGE…).
   */
  upload(file: Blob, name: string, options: UploadOptions = {}): Promise<UploadReply> {
    return this.client.upload(file, name, options);
  }

  /** A file's signed links (to the file and its thumbnail), cached until shortly before expiry. */
  fileLink(fileId: string): Promise<FileUrlReply> {
    return this.links.get(fileId);
  }

  /** Opens the reply bar on a held message: the next send answers it. */
  startReply(channelId: number, messageId: number): void {
    this.apply(channelId, { type: "reply-started", messageId });
  }

  cancelReply(channelId: number): void {
    this.apply(channelId, { type: "reply-cancelled" });
  }

  /** A short notice for this user (e.g. a jump to a seq that names no message). */
  inform(text: string): void {
    this.notify("info", text);
  }

  retry(channelId: number, nonce: string): void {
    const entry = this.state.channels[channelId]?.pending.find((p) => p.nonce === nonce);
    if (!entry) return;
    this.apply(channelId, { type: "send-retried", nonce });
    // Same nonce: if the first attempt was stored after all, the server answers with its ack.
    this.deliver(channelId, nonce, entry.x, entry.rp?.m, entry.f);
  }

  discard(channelId: number, nonce: string): void {
    this.apply(channelId, { type: "send-discarded", nonce });
  }

  /**
   * Runs a slash command. Its reply text is shown to this user alone; a refusal is thrown as
   * an Error whose message says why (with the usage line when the server gave one).
   */
  async command(channelId: number, text: string): Promise<void> {
    this.stopTyping(channelId);
    try {
      const reply = await this.client.command(channelId, text.trim());
      if (reply.x)
        this.apply(channelId, {
          type: "note",
          id: this.nextId++,
          ts: this.now(),
          text: reply.x,
          ...(reply.log ? { log: reply.log } : {}),
        });
    } catch (err) {
      // A `/me` held for review is no failure: it waits, as a line here, like a held send.
      const held = heldReport(err);
      const action = held !== undefined ? actionText(text) : undefined;
      if (held !== undefined && action !== undefined) {
        this.replace(
          heldChanged(this.state, channelId, {
            type: "held",
            id: held,
            nonce: `command-${this.nextId++}`,
            x: action,
            ts: this.now(),
          }),
        );
        return;
      }
      this.refused(channelId, err);
      const slow = err instanceof ParleyRequestError && err.code === ERRORS.SLOW_MODE.code;
      throw new CommandRefusedError(errorText(err), slow);
    }
  }

  async toggleReaction(channelId: number, messageId: number, emoji: string): Promise<void> {
    const me = this.state.me;
    const view = this.state.channels[channelId];
    const message = view ? findMessage(view, messageId) : undefined;
    if (!me || !message) return;
    const mine = message.r?.some((r) => r.e === emoji && r.u.some((u) => u.i === me.i));
    try {
      if (mine) await this.client.unreact(channelId, messageId, emoji);
      else await this.client.react(channelId, messageId, emoji);
    } catch (err) {
      // A double click can race its own first reply; those two answers mean "already so".
      const code = err instanceof ParleyRequestError ? err.code : 0;
      if (code !== ERRORS.NO_SUCH_REACTION.code)
        this.notify("warning", `Reaction not saved: ${errorText(err)}`);
    }
  }

  /** Opens the inline editor on one of this user's messages. */
  startEdit(channelId: number, messageId: number, origin: Editing["origin"] = "message"): void {
    const me = this.state.me;
    if (me) this.apply(channelId, { type: "edit-started", messageId, me: me.i, origin });
  }

  /** Opens the editor on this user's last message here (Up arrow in an empty composer). */
  editLast(channelId: number): boolean {
    const view = this.state.channels[channelId];
    const me = this.state.me;
    const last = view && me ? lastOwnMessage(view, me.i) : undefined;
    if (!last) return false;
    // The last message is at the live end: the timeline goes back there to show the editor.
    this.jumpToPresent(channelId);
    this.startEdit(channelId, last.i, "composer");
    return this.state.channels[channelId]?.editing?.m === last.i;
  }

  cancelEdit(channelId: number): void {
    this.apply(channelId, { type: "edit-cancelled" });
  }

  /**
   * Saves the editor's text against the version it started from. Unchanged text just closes
   * the editor. A version conflict loads the message's current version into the editor (read
   * with the versions op, else what is held) for the user to edit again; other refusals stay
   * in the editor with their reason; a message deleted meanwhile closes it.
   */
  async saveEdit(channelId: number, messageId: number, text: string): Promise<void> {
    const editing = this.state.channels[channelId]?.editing;
    const me = this.state.me;
    if (!editing || editing.m !== messageId || editing.saving || !me) return;
    const x = text.trim();
    if (x === editing.x) {
      this.cancelEdit(channelId);
      return;
    }
    if (!x) {
      this.apply(channelId, {
        type: "edit-failed",
        messageId,
        error: "A message cannot be empty. Delete it instead.",
      });
      return;
    }
    this.apply(channelId, { type: "edit-saving" });
    try {
      const ack = await this.client.editMessage(channelId, messageId, editing.v, x);
      this.apply(channelId, { type: "edit-acked", messageId, x, ack, me, now: this.now() });
    } catch (err) {
      this.refused(channelId, err);
      const code = err instanceof ParleyRequestError ? err.code : 0;
      if (code === ERRORS.NO_SUCH_MESSAGE.code) {
        this.cancelEdit(channelId);
        this.notify("warning", "That message was deleted, so the edit was not saved.");
        return;
      }
      if (code === ERRORS.VERSION_CONFLICT.code) {
        const current = await this.currentVersion(channelId, messageId, editing.v);
        this.apply(channelId, {
          type: "edit-failed",
          messageId,
          error:
            "This message changed since you began editing. Its new content is loaded: try again.",
          ...(current ? { current } : {}),
        });
        return;
      }
      this.apply(channelId, { type: "edit-failed", messageId, error: errorText(err) });
    }
  }

  /**
   * Deletes a message (this user's own, or anyone's as a moderator, with an optional reason).
   * A refusal is thrown as an Error whose message says why.
   */
  async deleteMessage(channelId: number, messageId: number, reason?: string): Promise<void> {
    const me = this.state.me;
    try {
      const ack = await this.client.deleteMessage(
        channelId,
        messageId,
        reason?.trim() || undefined,
      );
      if (me) this.apply(channelId, { type: "delete-acked", messageId, ack, me, now: this.now() });
    } catch (err) {
      throw new Error(errorText(err));
    }
  }

  /**
   * Pins a message to its channel, or unpins it (moderators). The pin event that follows
   * updates the message and the channel's pin list; a refusal is shown as a notice.
   */
  async pinMessage(channelId: number, messageId: number, on: boolean): Promise<void> {
    try {
      await this.client.pinMessage(channelId, messageId, on);
    } catch (err) {
      this.notify("warning", `${on ? "Pin" : "Unpin"} not saved: ${errorText(err)}`);
    }
  }

  /**
   * Reports a message to the channel's moderators (and the server's admins), with an optional
   * reason. Resolves once the server has it; a refusal throws its text.
   */
  async reportMessage(channelId: number, messageId: number, reason: string): Promise<void> {
    try {
      await this.client.reportMessage(channelId, messageId, reason.trim() || undefined);
    } catch (err) {
      throw new Error(errorText(err));
    }
    this.inform("Message reported. The channel's moderators will look at it.");
  }

  /** Reads the open reports you handle again (the reports panel opens, or after a welcome). */
  refreshReports(): void {
    if (this.state.status !== "online") return;
    const id = this.nextId++;
    this.reportRead = id;
    this.client.reports({ status: ReportStatus.Open }).then(
      ({ rp }) => {
        if (this.reportRead === id) this.set({ reports: rp });
      },
      (err) => {
        if (this.reportRead === id) this.notify("warning", `Reports not read: ${errorText(err)}`);
      },
    );
  }

  /**
   * Resolves or dismisses a report (approves or drops a held message); it leaves the open
   * reports (here, and by its push elsewhere). Resolves to the report as closed and whether
   * this closed it (false: someone had already); a refusal (approving a held message whose
   * author was muted or left meanwhile…) throws the text to show beside it (`closingRefusal`),
   * and the report stays open.
   */
  async resolveReport(
    id: number,
    status: typeof ReportStatus.Resolved | typeof ReportStatus.Dismissed,
  ): Promise<{ report: Report; changed: boolean }> {
    const held = this.state.reports?.find((r) => r.id === id)?.hd;
    try {
      const { rp, ch } = await this.client.resolveReport(id, status);
      this.replace(reportChanged(this.state, rp));
      return { report: rp, changed: ch };
    } catch (err) {
      throw new Error(closingRefusal(held ? { hd: held } : {}, status, err, errorText));
    }
  }

  /**
   * Reads the next page of a big channel's members (after the last of the pages read so far)
   * and adds it to the list; the list is whole once a page says no more follow. A failure is
   * kept on the paging, for the member list to say.
   */
  loadMoreMembers(channelId: number): void {
    const paging = this.state.memberPages[channelId];
    if (!paging || paging.loading) return;
    const loading: MemberPaging = { after: paging.after, loading: true };
    this.setPaging(channelId, loading);
    this.client.memberList(channelId, { after: paging.after }).then(
      (reply) => {
        // Seeded again meanwhile (a reconnection), or left: this page is of an older list.
        if (this.state.memberPages[channelId] !== loading) return;
        this.replace(peopleLearned(this.state, reply.m));
        this.setPaging(channelId, pageLoaded(paging, reply));
        this.memberState.addPage(channelId, reply.m, !reply.mm);
      },
      (err) => {
        if (this.state.memberPages[channelId] !== loading) return;
        this.setPaging(channelId, { after: paging.after, error: errorText(err) });
      },
    );
  }

  /**
   * The members of a channel whose name starts with `prefix` (case-insensitively), in name
   * order: `@` completion in a big channel, whose list holds only some of them.
   */
  async searchMembers(channelId: number, prefix: string): Promise<MemberListReply> {
    const reply = await this.client.memberList(channelId, {
      prefix,
      limit: MEMBER_SEARCH_LIMIT,
    });
    this.replace(peopleLearned(this.state, reply.m));
    return reply;
  }

  /**
   * Looks a user up among a big channel's members when its partial list does not hold them
   * (their card opens): found, they join the list, with their role and presence.
   */
  lookupMember(channelId: number, user: { i: number; n: string }): void {
    if (!this.state.memberPages[channelId] || this.state.status !== "online") return;
    if (this.memberState.get(channelId, user.i)) return;
    this.client.memberList(channelId, { prefix: user.n, limit: MEMBER_LOOKUP_LIMIT }).then(
      ({ m }) => {
        const found: Member[] = m.filter((member) => member.i === user.i);
        if (found.length === 0 || !this.state.channels[channelId]) return;
        this.replace(peopleLearned(this.state, found));
        this.memberState.addPage(channelId, found, false);
      },
      () => undefined, // The card shows what the client knows.
    );
  }

  /** Reads the channel's pinned messages again (the pinned panel opens). */
  refreshPins(channelId: number): void {
    this.readPins(channelId);
  }

  /** The composer's text changed: sends typing start/renewal/stop, throttled. */
  typingInput(channelId: number, text: string): void {
    let throttle = this.throttles.get(channelId);
    if (!throttle) {
      throttle = new TypingThrottle((on) => this.client.typing(channelId, on), this.now);
      this.throttles.set(channelId, throttle);
    }
    throttle.input(text.startsWith("/") && !text.startsWith("/me ") ? "" : text);
  }

  stopTyping(channelId: number): void {
    this.throttles.get(channelId)?.stop();
  }

  /** Hides one of your held lines (a message that waits for review, or one dropped). */
  dismissHeld(channelId: number, key: string): void {
    this.replace(heldChanged(this.state, channelId, { type: "held-dismissed", key }));
  }

  /**
   * Puts a dropped held message's text back into the composer (its reply bar too), to edit and
   * send again; its line goes.
   */
  restoreHeld(channelId: number, key: string): void {
    this.replace(
      heldChanged(this.state, channelId, {
        type: "held-restored",
        key,
        draftKey: this.nextId++,
      }),
    );
  }

  /** The composer took the text put back for it. */
  draftTaken(channelId: number, key: number): void {
    this.apply(channelId, { type: "draft-taken", key });
  }

  dismissNotice(id: number): void {
    this.set({ notices: this.state.notices.filter((n) => n.id !== id) });
  }

  // --- internals ---

  /** The browser has a network again: reconnect now rather than when the backoff ends. */
  private readonly onOnline = (): void => this.client.reconnectNow();

  private set(patch: Partial<ChatState>): void {
    this.replace({ ...this.state, ...patch });
  }

  private replace(next: ChatState): void {
    if (next === this.state) return;
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  /** Feeds one input to a held channel's reducer; a channel no longer held ignores it. */
  private apply(channelId: number, input: ChannelInput): void {
    this.replace(withChannel(this.state, channelId, input));
  }

  private notify(tone: Notice["tone"], text: string): void {
    this.replace(withNotice(this.state, { id: this.nextId++, tone, text }));
  }

  /** Reads a window's page before its first item or after its last. */
  private async loadWindow(channelId: number, dir: WindowDirection): Promise<void> {
    const view = this.state.channels[channelId];
    if (!view) return;
    const items = shownItems(view);
    const edge = dir === "older" ? items[0] : items.at(-1);
    if (!edge) return;
    this.apply(channelId, { type: "window-requested", dir });
    try {
      const page = await this.client.history(
        channelId,
        dir === "older" ? { before: edge.s, limit: PAGE } : { after: edge.s, limit: PAGE },
      );
      this.apply(channelId, { type: "window-loaded", dir, page });
    } catch {
      this.apply(channelId, { type: "window-failed", dir, retryAt: this.now() + OLDER_RETRY_MS });
    }
  }

  private deliver(
    channelId: number,
    nonce: string,
    x: string,
    replyTo?: number,
    files: readonly FileRef[] = [],
  ): void {
    const options = { nonce, files: files.map((f) => f.i) };
    const sent =
      replyTo === undefined
        ? this.client.send(channelId, x, options)
        : this.client.reply(channelId, replyTo, x, options);
    sent.then(
      (ack) => {
        const me = this.state.me;
        if (me) this.apply(channelId, { type: "send-acked", nonce, x, ack, me, now: this.now() });
      },
      (err) => {
        const held = heldReport(err);
        if (held !== undefined) {
          this.holdPending(channelId, nonce, held);
          return;
        }
        this.refused(channelId, err);
        this.apply(channelId, { type: "send-failed", nonce, error: errorText(err) });
      },
    );
  }

  /** A pending send held for review: it becomes its waiting line (a retry's, the same one). */
  private holdPending(channelId: number, nonce: string, id: number): void {
    const sent = this.state.channels[channelId]?.pending.find((p) => p.nonce === nonce);
    if (!sent) return;
    this.replace(
      heldChanged(this.state, channelId, {
        type: "held",
        id,
        nonce,
        x: sent.x,
        ts: sent.ts,
        ...(sent.rp ? { rp: sent.rp } : {}),
        ...(sent.f?.length ? { files: sent.f.map((f) => f.n) } : {}),
      }),
    );
  }

  /**
   * A ReportChanged: a report you handle, or your own held message's. One dropped in a channel
   * other than the open one is also told as a notice (its line waits there).
   */
  private onReportChanged(report: Report): void {
    this.replace(reportChanged(this.state, report));
    const view = this.state.channels[report.c];
    if (
      view &&
      isOwnHeld(report, this.state.me?.i) &&
      report.st === ReportStatus.Dismissed &&
      report.c !== this.state.activeId
    )
      this.inform(`A moderator did not approve your message in ${addressOf(view.summary)}.`);
  }

  /** A refusal tells a mute or slow mode with the time left; the reducer keeps it. */
  private refused(channelId: number, err: unknown): void {
    if (!(err instanceof ParleyRequestError)) return;
    this.apply(channelId, {
      type: "refused",
      code: err.code,
      ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      now: this.now(),
    });
  }

  /** A message's version after `seen`: read from the server, else the one held if newer. */
  private async currentVersion(
    channelId: number,
    messageId: number,
    seen: number,
  ): Promise<MessageVersion | undefined> {
    const read = await this.client.messageVersions(channelId, messageId).then(
      (r) => r.vs.at(-1),
      () => undefined,
    );
    if (read && read.v > seen) return read;
    const view = this.state.channels[channelId];
    const held = view ? findMessage(view, messageId) : undefined;
    return held && !held.dl && versionOf(held) > seen
      ? { v: versionOf(held), x: held.x, ts: held.ed ?? held.ts }
      : undefined;
  }

  private onWelcome(w: WelcomeReply): void {
    if (this.lifecycle !== "running") return;
    if (w.st) this.options.session.token = w.st;
    this.seeded.clear();
    this.pinReads.clear();
    this.replace(welcomed(this.state, w, this.options.session.lastChannel));
    // A mark this tab made that the server has not got (sent while disconnected) goes again.
    this.markSent.clear();
    for (const ch of w.ch)
      if ((this.state.reads[ch.i]?.rs ?? 0) > (ch.rs ?? ch.ls)) this.sendMark(ch.i);
    const notify: Record<number, NotifyLevel> = {};
    for (const ch of w.ch) if (ch.nl !== undefined) notify[ch.i] = ch.nl;
    this.set({ notify });
    const activeId = this.state.activeId;
    if (activeId !== undefined) this.selectChannel(activeId);
    if (this.pendingLink) this.openLink(this.pendingLink);
    if (handlesReports(this.state)) this.refreshReports();
  }

  /** Reads the latest page of a channel that has none (opened for the first time, or resynced). */
  private ensureLoaded(channelId: number): void {
    const view = this.state.channels[channelId];
    if (view?.history.phase !== "idle" || this.state.status !== "online") return;
    this.apply(channelId, { type: "latest-requested" });
    this.client.history(channelId, { limit: PAGE }).then(
      (page) =>
        this.apply(channelId, {
          type: "latest-loaded",
          page,
          me: this.state.me?.i,
          now: this.now(),
        }),
      () => this.apply(channelId, { type: "latest-failed" }),
    );
  }

  /** Reads a channel's pins; a reply overtaken by a later read is dropped. */
  private readPins(channelId: number): void {
    if (this.state.status !== "online") return;
    const id = this.nextId++;
    this.pinReads.set(channelId, id);
    this.client.pinnedMessages(channelId).then(
      ({ e }) => {
        if (this.pinReads.get(channelId) !== id || !this.state.channels[channelId]) return;
        this.set({ pins: { ...this.state.pins, [channelId]: e } });
      },
      () => {
        if (this.pinReads.get(channelId) === id) this.pinReads.delete(channelId);
      },
    );
  }

  /** Whether `events` change a channel's pin list: a pin, an unpin, or a change to a pinned message. */
  private touchesPins(channelId: number, events: readonly ChannelEvent[]): boolean {
    const pinned = new Set((this.state.pins[channelId] ?? []).map((m) => m.i));
    return events.some(
      (e) =>
        e.t === EventType.MessagePinned ||
        e.t === EventType.MessageUnpinned ||
        ((e.t === EventType.MessageEdited || e.t === EventType.MessageDeleted) && pinned.has(e.m)),
    );
  }

  private ensureMembers(channelId: number): void {
    if (this.seeded.has(channelId) || this.state.status !== "online") return;
    this.seeded.add(channelId);
    this.client.channelInfo(channelId).then(
      ({ m, mm }) => {
        if (!m) return;
        // The list is news of its members' profiles, learned before it shows.
        this.replace(peopleLearned(this.state, m));
        this.seedMembers(channelId, m, mm === true);
      },
      () => this.seeded.delete(channelId),
    );
  }

  /**
   * A channel's member list from a reply: the whole list, or (`more`) a big channel's first
   * page, whose paging starts after its last member.
   */
  private seedMembers(channelId: number, members: readonly Member[], more: boolean): void {
    this.setPaging(channelId, this.state.channels[channelId] ? pagingOf(members, more) : undefined);
    this.memberState.seed(channelId, members, more);
  }

  /** Sets (or, undefined, ends) a channel's member paging. */
  private setPaging(channelId: number, paging: MemberPaging | undefined): void {
    const { [channelId]: current, ...rest } = this.state.memberPages;
    if (current === paging) return;
    this.set({ memberPages: paging ? { ...rest, [channelId]: paging } : rest });
  }

  private addJoined(reply: JoinReply): void {
    const id = reply.ch.i;
    this.replace(channelJoined(this.state, reply, this.now()));
    this.seedMembers(id, reply.m, reply.mm === true);
    this.seeded.add(id);
    this.selectChannel(id);
  }

  private onEvents(channelId: number, events: readonly ChannelEvent[]): void {
    const pinsChanged = this.pinReads.has(channelId) && this.touchesPins(channelId, events);
    this.replace(channelEvents(this.state, channelId, events, this.now()));
    if (pinsChanged) this.readPins(channelId);
    this.alertMessages(channelId, events);
  }

  /**
   * A message that notifies you while the tab is hidden (a mention, a DM, any message at level
   * All): a browser notification, when permission was granted.
   */
  private alertMessages(channelId: number, events: readonly ChannelEvent[]): void {
    const me = this.state.me?.i;
    const view = this.state.channels[channelId];
    const Notice = globalThis.Notification;
    if (me === undefined || !view || !Notice || Notice.permission !== "granted") return;
    if (globalThis.document?.visibilityState !== "hidden") return;
    const channel = {
      id: channelId,
      name: view.summary.n,
      level: this.notifyLevel(channelId),
      direct: isDirect(view.summary),
    };
    for (const event of events) {
      const alert = messageAlert(event, channel, me, this.now());
      if (!alert) continue;
      const shown = new Notice(alert.title, { body: alert.body, tag: alert.tag });
      shown.onclick = () => {
        globalThis.focus?.();
        this.selectChannel(channelId);
        shown.close();
      };
    }
  }

  private onChannelAdded(ch: ChannelSummary): void {
    this.replace(channelAdded(this.state, ch));
  }

  private onChannelRemoved(channelId: number, why: RemovalReason): void {
    const view = this.state.channels[channelId];
    if (!view) return;
    const text = removalNotice(view, why, this.now());
    if (text) this.notify("warning", text);
    this.removeChannel(channelId);
  }

  private removeChannel(channelId: number): void {
    if (!this.state.channels[channelId]) return;
    this.throttles.delete(channelId);
    this.seeded.delete(channelId);
    this.pinReads.delete(channelId);
    this.replace(channelRemoved(this.state, channelId));
    const activeId = this.state.activeId;
    if (activeId !== undefined) this.selectChannel(activeId);
  }

  /** A user changed (registered, renamed); member lists follow through MemberState. */
  private onUserUpdated(user: UserRef): void {
    this.replace(userUpdated(this.state, user));
  }

  private onResync(channelId: number): void {
    // The gap was too large to replay: drop what is held and read the latest page again.
    this.apply(channelId, { type: "resync" });
    if (channelId === this.state.activeId) this.ensureLoaded(channelId);
    if (this.pinReads.has(channelId)) this.readPins(channelId);
  }

  private onDisconnect(code: number, reason: string, willReconnect: boolean): void {
    if (this.lifecycle !== "running") return;
    this.seeded.clear();
    this.pinReads.clear();
    if (code === CloseCode.AuthRevoked || code === CloseCode.ServerBanned) {
      this.endSession(code === CloseCode.ServerBanned ? "banned" : "revoked");
      return;
    }
    if (code === CloseCode.AccountClosed) {
      this.endSession(reason === "account deleted" ? "deleted" : "deactivated");
      return;
    }
    this.set({ status: willReconnect ? "reconnecting" : "offline" });
  }

  private endSession(why: SessionEnd): void {
    if (this.lifecycle !== "running") return;
    this.lifecycle = "ended";
    this.options.session.clear();
    void this.stop();
    this.options.onSessionEnded(why);
  }
}
