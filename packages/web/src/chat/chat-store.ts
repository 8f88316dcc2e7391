import {
  type Ack,
  type ClientOptions,
  MemberState,
  ParleyClient,
  ParleyDisconnectedError,
  ParleyRequestError,
  TypingState,
} from "@parley/client";
import {
  type AuditLine,
  type ChannelEvent,
  type ChannelSummary,
  CloseCode,
  type CommandInfo,
  ERRORS,
  EventType,
  type JoinReply,
  type Member,
  type MessageEvent,
  type ModerationEvent,
  type RemovalReason,
  Role,
  type Self,
  type UserRef,
  type WelcomeReply,
} from "@parley/protocol";
import { authApi } from "../session/auth-api";
import type { SessionStore } from "../session/session-store";
import { isDisplayable, isMessage, mergeEvents, mergePage } from "./channel-log";
import { formatUntil } from "./format";
import type { LocalNote, PendingMessage } from "./timeline";
import { TypingThrottle } from "./typing-throttle";
import { countUnread, markRead } from "./unread";

export type ConnectionStatus = "connecting" | "online" | "reconnecting" | "offline";

/** Everything the client holds about one joined channel. */
export interface ChannelView {
  id: number;
  summary: ChannelSummary;
  /** Displayable events held, sorted by seq (a contiguous run ending at the latest). */
  items: readonly ChannelEvent[];
  pending: readonly PendingMessage[];
  notes: readonly LocalNote[];
  /** The latest page has been read. */
  loaded: boolean;
  loadingOlder: boolean;
  /** Older items exist before the first one held. */
  hasOlder: boolean;
  /** Muted here: absent = no, null = indefinitely, a number = until then (epoch ms). */
  mutedUntil?: number | null;
  muteReason?: string;
  /** Slow mode: no message may be sent before this time (epoch ms, this client's clock). */
  slowUntil?: number;
  /** When this client's last message here was acknowledged (epoch ms, this client's clock). */
  lastSentAt?: number;
}

export interface Notice {
  id: number;
  tone: "info" | "warning";
  text: string;
}

export interface ChatState {
  status: ConnectionStatus;
  me?: Self;
  channels: Readonly<Record<number, ChannelView>>;
  activeId?: number;
  unread: Readonly<Record<number, number>>;
  commands: readonly CommandInfo[];
  typing: Readonly<Record<number, readonly string[]>>;
  members: Readonly<Record<number, readonly Member[]>>;
  notices: readonly Notice[];
  /** The latest message by someone else in the open channel, for a screen-reader live region. */
  announcement?: string;
}

/** Why the session ended without the user signing out. */
export type SessionEnd = "revoked";

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
/** After a failed read of older history, scrolling does not ask again for this long. */
const OLDER_RETRY_MS = 2000;

/** Whether a channel's composer is muted at `now`. */
export function isMuted(view: ChannelView, now: number): boolean {
  return view.mutedUntil === null || (view.mutedUntil !== undefined && view.mutedUntil > now);
}

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

/** Slow mode's end for someone who last sent at `lastSentAt`, or undefined when it does not apply. */
function slowEnd(summary: ChannelSummary, lastSentAt: number | undefined): number | undefined {
  const exempt = (summary.rl ?? Role.Member) >= Role.Moderator;
  return summary.sl > 0 && !exempt && lastSentAt !== undefined
    ? lastSentAt + summary.sl * 1000
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
 * The web client's state around one ParleyClient: channels and their items, pending sends
 * matched to acks and pushes by nonce, unread counts, members, typing, mutes and slow mode.
 * State is an immutable snapshot replaced on every change (for `useSyncExternalStore`).
 */
export class ChatStore {
  readonly client: ParleyClient;
  private state: ChatState = {
    status: "connecting",
    channels: {},
    unread: {},
    commands: [],
    typing: {},
    members: {},
    notices: [],
  };
  private readonly listeners = new Set<() => void>();
  private readonly typingState: TypingState;
  private readonly memberState: MemberState;
  private readonly throttles = new Map<number, TypingThrottle>();
  /** Channels whose member list was read on the current connection. */
  private readonly seeded = new Set<number>();
  /** The last kick or ban of this user per channel, to explain the removal that follows. */
  private readonly removals = new Map<number, ModerationEvent>();
  /** Per channel: no read of older history before this time (after a failure). */
  private readonly olderRetryAt = new Map<number, number>();
  private readonly offs: (() => void)[];
  private readonly now: () => number;
  private welcomed = false;
  private stopped = false;
  private ended = false;
  private nextNoticeId = 1;

  constructor(private readonly options: ChatStoreOptions) {
    this.now = options.now ?? Date.now;
    this.client = new ParleyClient({
      url: options.url,
      ...(options.token ? { token: options.token } : {}),
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
      backoffMaxMs: 5000,
    });
    this.typingState = new TypingState(this.client);
    this.memberState = new MemberState(this.client);
    const c = this.client;
    this.offs = [
      c.on("welcome", (w) => this.onWelcome(w)),
      c.on("events", (ch, events) => this.onEvents(ch, events)),
      c.on("channelAdded", (ch) => this.onChannelAdded(ch)),
      c.on("channelRemoved", (r) => this.onChannelRemoved(r.c, r.why)),
      c.on("resync", (ch) => this.onResync(ch)),
      c.on("userUpdated", (u) => this.onUserUpdated(u)),
      c.on("disconnect", (d) => this.onDisconnect(d.code, d.willReconnect)),
      this.typingState.on("change", (ch) =>
        this.set({ typing: { ...this.state.typing, [ch]: this.typingState.names(ch) } }),
      ),
      this.memberState.on("change", (ch) =>
        this.set({ members: { ...this.state.members, [ch]: this.memberState.list(ch) } }),
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
    this.stopped = false;
    globalThis.addEventListener?.("online", this.onOnline);
    this.set({ status: this.welcomed ? "reconnecting" : "connecting" });
    this.client.connect().catch((err) => {
      if (err instanceof ParleyRequestError && err.code === ERRORS.UNAUTHENTICATED.code)
        this.endSession();
      // Other failures: the client retries with backoff and the status says so.
    });
  }

  /** Closes the connection for good and drops the listeners. */
  async stop(): Promise<void> {
    this.stopped = true;
    globalThis.removeEventListener?.("online", this.onOnline);
    for (const off of this.offs) off();
    this.typingState.dispose();
    this.memberState.dispose();
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
   * `username` is another.
   */
  async register(password: string, username?: string): Promise<void> {
    const token = this.client.token;
    if (!token) throw new Error("No session");
    const issued = await authApi.upgradeGuest(token, password, username);
    this.onUserUpdated(issued.user);
  }

  // --- channels ---

  selectChannel(channelId: number): void {
    if (!this.state.channels[channelId]) return;
    const previous = this.state.activeId;
    if (previous !== undefined && previous !== channelId) this.stopTyping(previous);
    this.set({ activeId: channelId, unread: markRead(this.state.unread, channelId) });
    this.options.session.lastChannel = channelId;
    this.ensureLoaded(channelId);
    this.ensureMembers(channelId);
  }

  /** Creates a channel, joined and opened; resolves to its id. */
  async createChannel(name: string, topic: string): Promise<number> {
    const reply = await this.client.createChannel(name, topic || undefined);
    this.addJoined(reply);
    return reply.ch.i;
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

  /** Reads the page before the first item held. */
  async loadOlder(channelId: number): Promise<void> {
    const view = this.state.channels[channelId];
    if (!view?.loaded || view.loadingOlder || !view.hasOlder) return;
    if ((this.olderRetryAt.get(channelId) ?? 0) > this.now()) return;
    const first = view.items[0];
    this.updateChannel(channelId, { loadingOlder: true });
    try {
      const page = await this.client.history(channelId, {
        ...(first ? { before: first.s } : {}),
        limit: PAGE,
      });
      this.updateChannel(channelId, (v) => ({
        items: mergePage(v.items, page.e),
        hasOlder: page.mb,
        loadingOlder: false,
      }));
    } catch {
      // Rate limited or disconnected: the view asks again as the user scrolls, not at once.
      this.olderRetryAt.set(channelId, this.now() + OLDER_RETRY_MS);
      this.updateChannel(channelId, { loadingOlder: false });
    }
  }

  // --- messages ---

  /** Sends a message: shown at once as pending, confirmed by its ack or its push (by nonce). */
  send(channelId: number, text: string): void {
    const x = text.trim();
    if (!x) return;
    this.stopTyping(channelId);
    const nonce = randomNonce();
    this.updateChannel(channelId, (v) => ({
      pending: [...v.pending, { nonce, x, ts: this.now() }],
    }));
    this.deliver(channelId, nonce, x);
  }

  retry(channelId: number, nonce: string): void {
    const entry = this.state.channels[channelId]?.pending.find((p) => p.nonce === nonce);
    if (!entry) return;
    this.updateChannel(channelId, (v) => ({
      pending: v.pending.map((p) => (p.nonce === nonce ? { nonce, x: p.x, ts: p.ts } : p)),
    }));
    // Same nonce: if the first attempt was stored after all, the server answers with its ack.
    this.deliver(channelId, nonce, entry.x);
  }

  discard(channelId: number, nonce: string): void {
    this.updateChannel(channelId, (v) => ({ pending: v.pending.filter((p) => p.nonce !== nonce) }));
  }

  /**
   * Runs a slash command. Its reply text is shown to this user alone; a refusal is thrown as
   * an Error whose message says why (with the usage line when the server gave one).
   */
  async command(channelId: number, text: string): Promise<void> {
    this.stopTyping(channelId);
    try {
      const reply = await this.client.command(channelId, text.trim());
      if (reply.x) this.addNote(channelId, reply.x, reply.log);
    } catch (err) {
      this.applyRefusal(channelId, err);
      const slow = err instanceof ParleyRequestError && err.code === ERRORS.SLOW_MODE.code;
      throw new CommandRefusedError(errorText(err), slow);
    }
  }

  async toggleReaction(channelId: number, messageId: number, emoji: string): Promise<void> {
    const me = this.state.me;
    const message = this.state.channels[channelId]?.items.find(
      (e): e is MessageEvent => isMessage(e) && e.i === messageId,
    );
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

  dismissNotice(id: number): void {
    this.set({ notices: this.state.notices.filter((n) => n.id !== id) });
  }

  // --- internals ---

  /** The browser has a network again: reconnect now rather than when the backoff ends. */
  private readonly onOnline = (): void => this.client.reconnectNow();

  private set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private updateChannel(
    channelId: number,
    patch: Partial<ChannelView> | ((view: ChannelView) => Partial<ChannelView>),
  ): void {
    const view = this.state.channels[channelId];
    if (!view) return;
    const next = { ...view, ...(typeof patch === "function" ? patch(view) : patch) };
    this.set({ channels: { ...this.state.channels, [channelId]: next } });
  }

  private notify(tone: Notice["tone"], text: string): void {
    const notice = { id: this.nextNoticeId++, tone, text };
    this.set({ notices: [...this.state.notices, notice].slice(-3) });
  }

  private addNote(channelId: number, text: string, log?: readonly AuditLine[]): void {
    const note: LocalNote = {
      id: this.nextNoticeId++,
      afterSeq: this.state.channels[channelId]?.items.at(-1)?.s ?? 0,
      ts: this.now(),
      text,
      ...(log?.length ? { log } : {}),
    };
    this.updateChannel(channelId, (v) => ({ notes: [...v.notes, note] }));
  }

  private deliver(channelId: number, nonce: string, x: string): void {
    this.client.send(channelId, x, nonce).then(
      (ack) => this.confirm(channelId, nonce, x, ack),
      (err) => {
        this.applyRefusal(channelId, err);
        this.updateChannel(channelId, (v) => ({
          pending: v.pending.map((p) => (p.nonce === nonce ? { ...p, error: errorText(err) } : p)),
        }));
      },
    );
  }

  private confirm(channelId: number, nonce: string, x: string, ack: Ack): void {
    const me = this.state.me;
    const view = this.state.channels[channelId];
    if (!me || !view) return;
    const event: MessageEvent = {
      s: ack.s,
      t: EventType.MessagePosted,
      ts: ack.ts,
      a: me.i,
      an: me.n,
      i: ack.i,
      x,
      n: nonce,
    };
    const lastSentAt = this.now();
    this.updateChannel(channelId, (v) => ({
      // The push may have come first and confirmed it already; the seq dedups either way.
      items: v.loaded ? mergeEvents(v.items, [event]) : v.items,
      pending: v.pending.filter((p) => p.nonce !== nonce),
      lastSentAt,
      slowUntil: slowEnd(v.summary, lastSentAt),
    }));
  }

  /** Applies what a refusal tells: muted (with time left) or slow mode (with time left). */
  private applyRefusal(channelId: number, err: unknown): void {
    if (!(err instanceof ParleyRequestError)) return;
    const left = err.retryAfterMs;
    if (err.code === ERRORS.MUTED.code) {
      this.updateChannel(channelId, (v) => ({
        mutedUntil: left !== undefined ? this.now() + left : (v.mutedUntil ?? null),
      }));
    } else if (err.code === ERRORS.SLOW_MODE.code && left !== undefined) {
      this.updateChannel(channelId, { slowUntil: this.now() + left });
    }
  }

  private onWelcome(w: WelcomeReply): void {
    if (this.stopped) return;
    if (w.st) this.options.session.token = w.st;
    this.seeded.clear();
    const channels: Record<number, ChannelView> = {};
    for (const ch of w.ch) {
      const existing = this.state.channels[ch.i];
      channels[ch.i] = existing
        ? { ...existing, summary: ch, ...(ch.sl === 0 ? { slowUntil: undefined } : {}) }
        : this.newView(ch);
    }
    const unread: Record<number, number> = {};
    for (const [c, n] of Object.entries(this.state.unread))
      if (channels[Number(c)]) unread[Number(c)] = n;
    let activeId = this.state.activeId;
    if (activeId === undefined || !channels[activeId]) {
      const last = this.options.session.lastChannel;
      activeId =
        last !== undefined && channels[last]
          ? last
          : [...w.ch].sort((a, b) => a.n.localeCompare(b.n))[0]?.i;
    }
    this.welcomed = true;
    this.set({
      status: "online",
      me: w.u,
      commands: w.cmd,
      channels,
      unread,
      ...(activeId !== undefined ? { activeId } : { activeId: undefined }),
    });
    if (activeId !== undefined) this.selectChannel(activeId);
  }

  private newView(ch: ChannelSummary): ChannelView {
    return {
      id: ch.i,
      summary: ch,
      items: [],
      pending: [],
      notes: [],
      loaded: false,
      loadingOlder: false,
      hasOlder: false,
    };
  }

  private ensureLoaded(channelId: number): void {
    const view = this.state.channels[channelId];
    if (!view || view.loaded || view.loadingOlder || this.state.status !== "online") return;
    this.updateChannel(channelId, { loadingOlder: true });
    this.client.history(channelId, { limit: PAGE }).then(
      (page) =>
        this.updateChannel(channelId, (v) => {
          const items = mergePage(v.items, page.e);
          return {
            items,
            loaded: true,
            hasOlder: page.mb,
            loadingOlder: false,
            ...this.muteFrom(items),
          };
        }),
      () => this.updateChannel(channelId, { loadingOlder: false }),
    );
  }

  /** A mute of this user found in loaded history (the page read after a reload, say). */
  private muteFrom(items: readonly ChannelEvent[]): Partial<ChannelView> {
    const me = this.state.me?.i;
    for (let k = items.length - 1; k >= 0; k--) {
      const e = items[k] as ModerationEvent;
      if ((e.t !== EventType.MemberMuted && e.t !== EventType.MemberUnmuted) || e.u !== me)
        continue;
      if (e.t === EventType.MemberUnmuted) return {};
      if (e.ut !== undefined && e.ut <= this.now()) return {};
      return { mutedUntil: e.ut ?? null, ...(e.rs ? { muteReason: e.rs } : {}) };
    }
    return {};
  }

  private ensureMembers(channelId: number): void {
    if (this.seeded.has(channelId) || this.state.status !== "online") return;
    this.seeded.add(channelId);
    this.client.channelInfo(channelId).then(
      ({ m }) => {
        if (m) this.memberState.seed(channelId, m);
      },
      () => this.seeded.delete(channelId),
    );
  }

  private addJoined(reply: JoinReply): void {
    const existing = this.state.channels[reply.ch.i];
    const base = existing ?? this.newView(reply.ch);
    const view: ChannelView = {
      ...base,
      summary: reply.ch,
      items: mergePage(base.items, reply.h.e.filter(isDisplayable)),
      loaded: true,
      hasOlder: reply.h.mb,
    };
    this.set({ channels: { ...this.state.channels, [view.id]: view } });
    this.memberState.seed(view.id, reply.m);
    this.seeded.add(view.id);
    this.selectChannel(view.id);
  }

  private onEvents(channelId: number, events: readonly ChannelEvent[]): void {
    const view = this.state.channels[channelId];
    const me = this.state.me;
    if (!view || !me) return;
    const patch: Partial<ChannelView> = {};
    const summary = { ...view.summary };
    let ownNonces: Set<string> | undefined;
    for (const e of events) {
      const m = e as ModerationEvent;
      switch (e.t) {
        case EventType.MessagePosted:
          if (e.a === me.i) {
            ownNonces ??= new Set();
            ownNonces.add(e.n);
          }
          break;
        case EventType.MemberMuted:
          if (m.u === me.i) {
            patch.mutedUntil = m.ut ?? null;
            patch.muteReason = m.rs;
          }
          break;
        case EventType.MemberUnmuted:
          if (m.u === me.i) patch.mutedUntil = undefined;
          break;
        case EventType.RoleChanged:
          if (m.u === me.i && m.rl !== undefined) summary.rl = m.rl;
          break;
        case EventType.MemberKicked:
        case EventType.MemberBanned:
          if (m.u === me.i) this.removals.set(channelId, m);
          break;
        case EventType.TopicChanged:
          if ("tp" in e && e.tp !== undefined) summary.tp = e.tp;
          break;
        case EventType.SlowModeChanged:
          if ("sl" in e && e.sl !== undefined) summary.sl = e.sl;
          break;
      }
    }
    // Slow mode turned off, changed, or lifted by a new role: the wait follows at once (the
    // server counts from this user's last message, as `slowEnd` does).
    if (summary.sl !== view.summary.sl || summary.rl !== view.summary.rl)
      patch.slowUntil = slowEnd(summary, view.lastSentAt);
    const last = [...events].reverse().find(isMessage);
    const announcement =
      channelId === this.state.activeId && last && last.a !== me.i
        ? `${last.an}: ${last.x}`
        : this.state.announcement;
    const next: ChannelView = {
      ...view,
      ...patch,
      summary,
      items: mergeEvents(view.items, events),
      pending: ownNonces ? view.pending.filter((p) => !ownNonces.has(p.nonce)) : view.pending,
    };
    this.set({
      channels: { ...this.state.channels, [channelId]: next },
      unread: countUnread(this.state.unread, channelId, events, {
        active: this.state.activeId,
        me: me.i,
      }),
      ...(announcement !== undefined ? { announcement } : {}),
    });
  }

  private onChannelAdded(ch: ChannelSummary): void {
    const existing = this.state.channels[ch.i];
    const view = existing ? { ...existing, summary: ch } : this.newView(ch);
    this.set({ channels: { ...this.state.channels, [ch.i]: view } });
  }

  private onChannelRemoved(channelId: number, why: RemovalReason): void {
    const view = this.state.channels[channelId];
    if (!view) return;
    if (why === "kicked" || why === "banned") {
      const event = this.removals.get(channelId);
      const by = event ? ` by ${event.an}` : "";
      const reason = event?.rs ? `: ${event.rs}` : "";
      const text =
        why === "kicked"
          ? `You were removed from #${view.summary.n}${by}${reason}`
          : `You were banned from #${view.summary.n}${by} ${formatUntil(event?.ut, this.now())}${reason}`;
      this.notify("warning", text);
    }
    this.removals.delete(channelId);
    this.removeChannel(channelId);
  }

  private removeChannel(channelId: number): void {
    if (!this.state.channels[channelId]) return;
    const { [channelId]: _, ...channels } = this.state.channels;
    const { [channelId]: __, ...members } = this.state.members;
    this.throttles.delete(channelId);
    this.seeded.delete(channelId);
    let activeId = this.state.activeId;
    if (activeId === channelId)
      activeId = Object.values(channels).sort((a, b) => a.summary.n.localeCompare(b.summary.n))[0]
        ?.id;
    this.set({ channels, members, unread: markRead(this.state.unread, channelId), activeId });
    if (activeId !== undefined) this.selectChannel(activeId);
  }

  /** A user changed (registered, renamed); member lists follow through MemberState. */
  private onUserUpdated(user: UserRef): void {
    const me = this.state.me;
    if (!me || user.i !== me.i) return;
    this.set({
      me: { i: me.i, n: user.n, ...(user.g ? { g: true } : {}), ...(me.ad ? { ad: me.ad } : {}) },
    });
  }

  private onResync(channelId: number): void {
    // The gap was too large to replay: drop what is held and read the latest page again.
    this.updateChannel(channelId, {
      items: [],
      loaded: false,
      hasOlder: false,
      loadingOlder: false,
    });
    if (channelId === this.state.activeId) this.ensureLoaded(channelId);
  }

  private onDisconnect(code: number, willReconnect: boolean): void {
    if (this.stopped) return;
    this.seeded.clear();
    if (code === CloseCode.AuthRevoked) {
      this.endSession();
      return;
    }
    this.set({ status: willReconnect ? "reconnecting" : "offline" });
  }

  private endSession(): void {
    if (this.ended || this.stopped) return;
    this.ended = true;
    this.options.session.clear();
    void this.stop();
    this.options.onSessionEnded("revoked");
  }
}
