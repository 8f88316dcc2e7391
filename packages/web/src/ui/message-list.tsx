import {
  type AuditLine,
  auditText,
  type Member,
  type MessageEvent,
  mentionsMe,
  type ReplyQuote,
  type Self,
} from "@parley/protocol";
import { memo, type RefObject, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { versionOf } from "../chat/channel-log";
import {
  type ChannelView,
  canDelete,
  canEdit,
  canLoadOlder,
  canPin,
  canReply,
  type Editing,
  hasOlder,
  isLoaded,
} from "../chat/channel-view";
import type { ChatStore } from "../chat/chat-store";
import { dayKey, formatFull, formatTime, formatWhen, localAuditFormat } from "../chat/format";
import { type MentionKind, mentionKinds } from "../chat/markdown";
import { buildTimeline, type TimelineMessage, type TimelineRow } from "../chat/timeline";
import { Avatar } from "./avatar";
import { DeleteMessageDialog } from "./channel-dialogs";
import { ArrowDownIcon, PinIcon, ReplyIcon } from "./icons";
import { MessageEditor } from "./message-editor";
import { MessageText } from "./message-text";
import { MessageToolbar } from "./message-toolbar";
import { ReactionChips } from "./reactions";

/** Within this distance of the bottom the list follows new messages. */
const STICK_PX = 48;
/** Older history is read when the top is this close. */
const LOAD_AHEAD_PX = 400;

interface Actions {
  react: (messageId: number, emoji: string) => void;
  retry: (nonce: string) => void;
  discard: (nonce: string) => void;
  mayEdit: (m: MessageEvent) => boolean;
  mayDelete: (m: MessageEvent) => boolean;
  mayPin: (m: MessageEvent) => boolean;
  mayReply: (m: MessageEvent) => boolean;
  reply: (m: MessageEvent) => void;
  /** Jumps to a quoted message, or says it is older than the pages held. */
  showQuoted: (q: ReplyQuote) => void;
  pin: (m: MessageEvent) => void;
  edit: (m: MessageEvent) => void;
  save: (m: MessageEvent, text: string) => void;
  cancelEdit: () => void;
  askDelete: (m: MessageEvent) => void;
  /** The `@names` of a message that show as pills (see `mentionKinds`). */
  mentions: (m: MessageEvent) => ReadonlyMap<string, MentionKind>;
}

function Time({ ts }: { ts: number }) {
  return (
    <time className="time" dateTime={new Date(ts).toISOString()} title={formatFull(ts)}>
      {formatTime(ts)}
    </time>
  );
}

/** A `/modlog` reply: each entry with its local time and what happened. */
function AuditLog({ log }: { log: readonly AuditLine[] }) {
  const now = Date.now();
  const format = localAuditFormat(now);
  return (
    <ul className="audit-log" aria-label="Moderation log">
      {log.map((e, k) => (
        // Entries carry no id; a reply's list never changes once shown.
        // biome-ignore lint/suspicious/noArrayIndexKey: see above
        <li key={k} className="audit-entry" data-testid="audit-entry">
          <time
            className="audit-time"
            dateTime={new Date(e.ts).toISOString()}
            title={formatFull(e.ts)}
          >
            {formatWhen(e.ts, now)}
          </time>
          <span className="audit-text">{auditText(e, format)}</span>
        </li>
      ))}
    </ul>
  );
}

/** "(edited)" after edited content: the edit time in its title, and read out or shown on focus. */
function EditedMark({ event }: { event: MessageEvent }) {
  if (versionOf(event) <= 1) return null;
  const when = event.ed !== undefined ? formatFull(event.ed) : undefined;
  return (
    <span className="edited" data-testid="edited">
      {" "}
      {when !== undefined && event.ed !== undefined ? (
        <>
          <time dateTime={new Date(event.ed).toISOString()} title={`Edited ${when}`}>
            (edited)
          </time>
          <span className="edited-when"> {when}</span>
        </>
      ) : (
        "(edited)"
      )}
    </span>
  );
}

/** A pinned message's marker: who pinned it, and when in its title. */
function PinMark({ event }: { event: MessageEvent }) {
  if (!event.pn || event.dl) return null;
  return (
    <span className="pin-mark" data-testid="pinned" title={`Pinned ${formatFull(event.pn.ts)}`}>
      <PinIcon />
      Pinned by {event.pn.un}
    </span>
  );
}

/**
 * Scrolls a held message into view and highlights it briefly (a CSS animation); false when
 * the message is not in the timeline.
 */
export function revealMessage(messageId: number): boolean {
  const el = document.querySelector<HTMLElement>(`[data-message-id="${messageId}"]`);
  if (!el) return false;
  el.scrollIntoView({ block: "center" });
  el.classList.remove("highlight");
  // Restarts the animation when the same message is revealed twice.
  void el.offsetWidth;
  el.classList.add("highlight");
  el.addEventListener("animationend", () => el.classList.remove("highlight"), { once: true });
  return true;
}

/**
 * Moves to a held message: scrolled into view, highlighted, its toolbar focused. False when
 * the message is not in the timeline (older than the pages read, which are not fetched).
 */
export function jumpToMessage(messageId: number): boolean {
  if (!revealMessage(messageId)) return false;
  document
    .querySelector<HTMLElement>(`[data-message-id="${messageId}"] [data-tool][tabindex="0"]`)
    ?.focus({ preventScroll: true });
  return true;
}

/** A reply's quote of the message it answers: its author and excerpt, a jump to it. */
function QuoteButton({ quote, act }: { quote: ReplyQuote; act: Actions }) {
  return (
    <button
      type="button"
      className="reply-quote"
      data-testid="reply-quote"
      title="Show the original message"
      onClick={() => act.showQuoted(quote)}
    >
      <ReplyIcon />
      {quote.dl ? (
        <span className="reply-quote-gone">Original message deleted</span>
      ) : (
        <>
          <span className="reply-quote-author">{quote.an}</span>
          <span className="reply-quote-text">
            <bdi>{quote.x}</bdi>
          </span>
        </>
      )}
    </button>
  );
}

/** What is left of a deleted message: who removed it, quietly. */
function Tombstone({ event }: { event: MessageEvent }) {
  return (
    <span className="tombstone" data-testid="tombstone">
      {event.dl?.mod ? "This message was deleted by a moderator" : "This message was deleted"}
    </span>
  );
}

function MessageTools({ event, me, act }: { event?: MessageEvent; me?: number; act: Actions }) {
  if (!event || event.dl) return null;
  return (
    <>
      <ReactionChips
        reactions={event.r ?? []}
        me={me}
        onToggle={(emoji) => act.react(event.i, emoji)}
      />
      <MessageToolbar
        onReact={(emoji) => act.react(event.i, emoji)}
        {...(act.mayReply(event) ? { onReply: () => act.reply(event) } : {})}
        {...(act.mayEdit(event) ? { onEdit: () => act.edit(event) } : {})}
        {...(act.mayPin(event)
          ? { onPin: () => act.pin(event), pinned: event.pn !== undefined }
          : {})}
        {...(act.mayDelete(event) ? { onDelete: () => act.askDelete(event) } : {})}
      />
    </>
  );
}

/**
 * Where focus goes when the editor closes: back to the composer when the edit began there,
 * else to this message's toolbar (the editor that held focus is gone).
 */
function useFocusAfterEdit(editing: Editing | undefined, root: RefObject<HTMLElement | null>) {
  const last = useRef(editing);
  useEffect(() => {
    const was = last.current;
    last.current = editing;
    if (!was || editing) return;
    const active = document.activeElement;
    if (active && active !== document.body && root.current && !root.current.contains(active))
      return;
    const target =
      was.origin === "composer"
        ? document.querySelector<HTMLElement>(".composer-input")
        : root.current?.querySelector<HTMLElement>('[data-tool][tabindex="0"]');
    target?.focus();
  }, [editing, root]);
}

function Message({
  m,
  me,
  act,
  online,
  editing,
  action,
}: {
  m: TimelineMessage;
  me?: number;
  act: Actions;
  online: boolean;
  editing?: Editing;
  /** A `/me` action by this author: "* author text", with its time. */
  action?: string;
}) {
  const root = useRef<HTMLDivElement>(null);
  const pending = m.pending;
  const event = m.event;
  const quote = event?.rp ?? pending?.rp;
  const mine = editing && event && editing.m === event.i ? editing : undefined;
  useFocusAfterEdit(mine, root);
  const live = event && !event.dl ? event : undefined;
  const mentioned = live !== undefined && me !== undefined && mentionsMe(live, me);
  const pills = live && (live.mn || live.mg) ? act.mentions(live) : undefined;
  const state = pending?.error
    ? " failed"
    : pending
      ? " pending"
      : event?.dl
        ? " deleted"
        : mine
          ? " editing"
          : "";
  return (
    <div
      ref={root}
      className={`message${state}${mentioned ? " mentioned" : ""}`}
      data-testid="message"
      {...(event ? { "data-seq": event.s, "data-message-id": event.i } : {})}
    >
      {mentioned && <span className="sr-only">Mentions you</span>}
      {event && <PinMark event={event} />}
      {quote && !event?.dl && <QuoteButton quote={quote} act={act} />}
      {mine && event ? (
        <MessageEditor
          key={mine.v}
          editing={mine}
          onSave={(text) => act.save(event, text)}
          onCancel={act.cancelEdit}
        />
      ) : (
        <div className="message-text">
          {event?.dl ? (
            <Tombstone event={event} />
          ) : action !== undefined ? (
            <em>
              * {action} <MessageText text={m.text} mentions={pills} />
              {event && <EditedMark event={event} />}
            </em>
          ) : (
            <>
              <MessageText text={m.text} mentions={pills} />
              {event && <EditedMark event={event} />}
            </>
          )}
          {action !== undefined && <Time ts={m.ts} />}
        </div>
      )}
      {pending && !pending.error && (
        <span className="message-state" data-testid="pending">
          {/* The SDK keeps it and sends it, with its nonce, once the connection is back. */}
          {online ? "Sending…" : "Waiting for the connection…"}
        </span>
      )}
      {pending?.error && (
        <div className="message-error" role="alert">
          <span>Not sent. {pending.error}</span>
          <button type="button" className="link-button" onClick={() => act.retry(pending.nonce)}>
            Retry
          </button>
          <button type="button" className="link-button" onClick={() => act.discard(pending.nonce)}>
            Discard
          </button>
        </div>
      )}
      {/* Kept while editing (hidden), so focus can go back to the tool it left. */}
      <MessageTools event={event} me={me} act={act} />
    </div>
  );
}

const Row = memo(function Row({
  row,
  me,
  act,
  online,
  editing,
}: {
  row: TimelineRow;
  me?: number;
  act: Actions;
  online: boolean;
  /** The message being edited, given only to the row that holds it. */
  editing?: Editing;
}) {
  switch (row.kind) {
    case "day":
      return (
        <li className="day-divider">
          <span>{row.label}</span>
        </li>
      );
    case "new":
      return (
        <li className="new-divider" data-testid="new-divider">
          <span>New messages</span>
        </li>
      );
    case "system":
      return (
        <li className="system-line" data-testid="system">
          <span className="system-text">{row.text}</span>
          <Time ts={row.ts} />
        </li>
      );
    case "note":
      return (
        <li className="note-line" data-testid="note">
          <span className="note-label">Only you can see this</span>
          {row.note.log ? (
            <AuditLog log={row.note.log} />
          ) : (
            <div className="note-text">{row.note.text}</div>
          )}
        </li>
      );
    case "action":
      return (
        <li className={`action-line${row.own ? " own" : ""}`}>
          <Message
            m={row.message}
            me={me}
            act={act}
            online={online}
            editing={editing}
            action={row.author}
          />
        </li>
      );
    case "group":
      return (
        <li className={`group${row.own ? " own" : ""}`}>
          <Avatar name={row.author} />
          <div className="group-body">
            <div className="group-head">
              <span className="author">{row.author}</span>
              {row.own && <span className="you-tag">you</span>}
              <Time ts={row.ts} />
            </div>
            {row.messages.map((m) => (
              <Message key={m.key} m={m} me={me} act={act} online={online} editing={editing} />
            ))}
          </div>
        </li>
      );
  }
});

/** Whether a row shows message `messageId`. */
function holds(row: TimelineRow, messageId: number): boolean {
  if (row.kind === "group") return row.messages.some((m) => m.event?.i === messageId);
  return row.kind === "action" && row.message.event?.i === messageId;
}

export interface MessageListProps {
  store: ChatStore;
  view: ChannelView;
  me: Self;
  /** Connected: pending messages are on their way rather than waiting for the connection. */
  online: boolean;
  /** The channel's members, whose current names the messages show. */
  members: readonly Member[];
  /** The first message that was unread when the channel was opened. */
  unreadFrom?: number;
}

/**
 * The open channel's messages. Follows new messages while the reader is at the bottom, keeps
 * the reading position when older pages are prepended, reads older pages on the way up, and
 * offers a jump back to the latest.
 */
export function MessageList({ store, view, me, online, members, unreadFrom }: MessageListProps) {
  const scroller = useRef<HTMLElement>(null);
  const atBottom = useRef(true);
  const lastHeight = useRef(0);
  const firstSeq = useRef<number | undefined>(undefined);
  const pendingCount = useRef(view.pending.length);
  const [away, setAway] = useState(false);
  const today = dayKey(Date.now());

  const names = useMemo(() => new Map(members.map((m) => [m.i, m.n])), [members]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `today` re-labels days at midnight
  const rows = useMemo(
    () =>
      buildTimeline({
        items: view.items,
        pending: view.pending,
        notes: view.notes,
        me: me.i,
        myName: me.n,
        now: Date.now(),
        names,
        ...(unreadFrom !== undefined ? { unreadFrom } : {}),
      }),
    [view.items, view.pending, view.notes, me.i, me.n, names, unreadFrom, today],
  );

  const [deleting, setDeleting] = useState<MessageEvent>();
  const { mute } = view;
  const role = view.summary.rl;
  const act = useMemo<Actions>(
    () => ({
      react: (messageId, emoji) => void store.toggleReaction(view.id, messageId, emoji),
      retry: (nonce) => store.retry(view.id, nonce),
      discard: (nonce) => store.discard(view.id, nonce),
      mayEdit: (m) => canEdit({ mute }, me, m, Date.now()),
      mayDelete: (m) => canDelete(role, me, m),
      mayPin: (m) => canPin(role, me, m),
      mayReply: (m) => canReply({ mute }, m, Date.now()),
      reply: (m) => store.startReply(view.id, m.i),
      showQuoted: (q) => {
        if (!jumpToMessage(q.m))
          store.inform("The original message is older than the messages loaded here.");
      },
      pin: (m) => void store.pinMessage(view.id, m.i, m.pn === undefined),
      edit: (m) => store.startEdit(view.id, m.i),
      save: (m, text) => void store.saveEdit(view.id, m.i, text),
      cancelEdit: () => store.cancelEdit(view.id),
      askDelete: (m) => setDeleting(m),
      mentions: (m) => mentionKinds(m, names, me),
    }),
    [store, view.id, mute, role, me, names],
  );
  const editing = view.editing;

  const loadOlderIfNear = () => {
    const el = scroller.current;
    if (!el || !canLoadOlder(view, Date.now())) return;
    if (el.scrollTop < LOAD_AHEAD_PX || el.scrollHeight <= el.clientHeight)
      void store.loadOlder(view.id);
  };

  /** The channel is read when its end is on screen in a visible, focused window. */
  const markSeenIfShown = () => {
    if (atBottom.current && document.visibilityState === "visible" && document.hasFocus())
      store.markSeen(view.id);
  };
  // A window coming back (focus, a tab shown again) shows what arrived meanwhile.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-armed per channel; reads refs
  useEffect(() => {
    window.addEventListener("focus", markSeenIfShown);
    document.addEventListener("visibilitychange", markSeenIfShown);
    return () => {
      window.removeEventListener("focus", markSeenIfShown);
      document.removeEventListener("visibilitychange", markSeenIfShown);
    };
  }, [view.id]);

  // After every render: keep the position across prepends, follow the bottom when stuck to it.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = view.items[0]?.s;
    if (view.pending.length > pendingCount.current) atBottom.current = true; // the user sent
    pendingCount.current = view.pending.length;
    if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    } else if (first !== undefined && firstSeq.current !== undefined && first < firstSeq.current) {
      el.scrollTop += el.scrollHeight - lastHeight.current;
    }
    firstSeq.current = first;
    lastHeight.current = el.scrollHeight;
    loadOlderIfNear();
    markSeenIfShown();
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    atBottom.current = distance < STICK_PX;
    markSeenIfShown();
    setAway(distance > 240);
    lastHeight.current = el.scrollHeight;
    loadOlderIfNear();
  };

  const jump = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = true;
    el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
  };

  return (
    <div className="message-pane">
      <section
        className="message-scroller"
        ref={scroller}
        onScroll={onScroll}
        data-testid="scroller"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
        tabIndex={0}
        aria-label={`Messages in #${view.summary.n}`}
      >
        {isLoaded(view) && !hasOlder(view) && (
          <div className="channel-start">
            <div className="channel-start-mark" aria-hidden="true">
              #
            </div>
            <h2>Welcome to #{view.summary.n}</h2>
            <p>{view.summary.tp || "This is the very beginning of the channel."}</p>
          </div>
        )}
        {hasOlder(view) && (
          <div className="history-loading" aria-live="polite">
            {view.history.phase === "loading-older" ? "Loading earlier messages…" : ""}
          </div>
        )}
        {!isLoaded(view) && (
          <div className="history-loading" aria-live="polite">
            Loading messages…
          </div>
        )}
        <ol className="timeline" data-testid="timeline">
          {rows.map((row) => (
            <Row
              key={row.key}
              row={row}
              me={me.i}
              act={act}
              online={online}
              {...(editing && holds(row, editing.m) ? { editing } : {})}
            />
          ))}
        </ol>
      </section>
      {away && (
        <button type="button" className="jump" onClick={jump}>
          <ArrowDownIcon /> Jump to latest
        </button>
      )}
      {deleting && (
        <DeleteMessageDialog
          store={store}
          channelId={view.id}
          message={deleting}
          byModerator={deleting.a !== me.i}
          onClose={() => setDeleting(undefined)}
          onDeleted={() => {
            setDeleting(undefined);
            // The message's toolbar, where focus would return, went with its content.
            requestAnimationFrame(() => {
              if (document.activeElement === document.body) scroller.current?.focus();
            });
          }}
        />
      )}
    </div>
  );
}
