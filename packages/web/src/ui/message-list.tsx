import type { ParleyClient } from "@parley/client";
import {
  type AuditLine,
  auditText,
  isDeletedUsername,
  type Member,
  type MessageEvent,
  mentionsMe,
  type ReplyQuote,
  type Self,
  type UserRef,
} from "@parley/protocol";
import {
  type KeyboardEvent,
  type MouseEvent,
  memo,
  type RefObject,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { versionOf } from "../chat/channel-log";
import {
  type ChannelView,
  canDelete,
  canEdit,
  canLoadNewer,
  canLoadOlder,
  canPin,
  canReply,
  canReport,
  type Editing,
  hasOlder,
  isDetached,
  isLoaded,
  shownItems,
} from "../chat/channel-view";
import { addressOf } from "../chat/chat-state";
import type { ChatStore } from "../chat/chat-store";
import { dayKey, formatFull, formatTime, formatWhen, localAuditFormat } from "../chat/format";
import type { HeldMessage } from "../chat/held";
import { type Mention, shownMentions } from "../chat/markdown";
import { messageLink } from "../chat/message-link";
import { displayName, handleOf, type PersonOf, personOf } from "../chat/people";
import { buildTimeline, type TimelineMessage, type TimelineRow } from "../chat/timeline";
import { Avatar } from "./avatar";
import { DeleteMessageDialog, ReportMessageDialog } from "./channel-dialogs";
import { ContextMenu, type MenuPoint, messageMenuEntries } from "./context-menu";
import { EmojiPickerDialog } from "./emoji-picker";
import { ArrowDownIcon, ArrowUpIcon, PinIcon, ReplyIcon } from "./icons";
import { LinkPreviews } from "./link-preview";
import { MessageEditor } from "./message-editor";
import { MessageFiles } from "./message-files";
import { MessageText } from "./message-text";
import { type MessageActions, MessageToolbar } from "./message-toolbar";
import { ReactionChips } from "./reactions";

/** Within this distance of the bottom the list follows new messages. */
const STICK_PX = 48;
/** Older history is read when the top is this close. */
const LOAD_AHEAD_PX = 400;
/** How long "Link copied" and the like stay in the status line. */
const COPY_STATUS_MS = 4000;

interface Actions {
  /** The store, for the files' signed links. */
  store: ChatStore;
  react: (messageId: number, emoji: string) => void;
  retry: (nonce: string) => void;
  discard: (nonce: string) => void;
  /** Hides one of your held lines. */
  dismissHeld: (key: string) => void;
  /** Puts a dropped held message's text back into the composer. */
  restoreHeld: (key: string) => void;
  /** The channel is archived: nothing new may be added to it (reactions, replies, edits, pins). */
  archived: boolean;
  mayEdit: (m: MessageEvent) => boolean;
  mayDelete: (m: MessageEvent) => boolean;
  mayPin: (m: MessageEvent) => boolean;
  mayReport: (m: MessageEvent) => boolean;
  mayReply: (m: MessageEvent) => boolean;
  reply: (m: MessageEvent) => void;
  /** Jumps to the message at this seq (held or not: its page is read). */
  jump: (seq: number) => void;
  /** Opens the message's menu at a point of the viewport. */
  openMenu: (m: MessageEvent, at: MenuPoint) => void;
  pin: (m: MessageEvent) => void;
  edit: (m: MessageEvent) => void;
  save: (m: MessageEvent, text: string) => void;
  cancelEdit: () => void;
  askDelete: (m: MessageEvent) => void;
  askReport: (m: MessageEvent) => void;
  /** The `@names` of a message that show as pills (see `shownMentions`). */
  mentions: (m: MessageEvent) => ReadonlyMap<string, Mention>;
  /** Whether a message's author is one you blocked (folded until shown). */
  blocked: (m: MessageEvent) => boolean;
  /** Opens an author's profile card below the element clicked. */
  profile: (user: { i: number; n: string }, from: HTMLElement) => void;
  /** The user shown as `id`, named `name` where they appear, with their profile (`personOf`). */
  person: PersonOf;
  /** The client and channel, for a message's link previews. */
  client: ParleyClient;
  channelId: number;
}

/**
 * An author's name (their display name, if they chose one) as a button that opens their card;
 * it looks like the name it replaces. With `withHandle` their username follows it, so that two
 * who chose the same display name stay apart. The avatar beside it opens the same card for a
 * pointer, and is left out of the tab order and of the accessibility tree (the name is the one
 * control).
 */
function AuthorName({
  id,
  name,
  act,
  withHandle = false,
}: {
  id: number;
  name: string;
  act: Actions;
  withHandle?: boolean;
}) {
  const user = act.person(id, name);
  const handle = handleOf(user);
  return (
    <>
      <button
        type="button"
        className={`author author-button${isDeletedUsername(name) ? " author-deleted" : ""}`}
        aria-haspopup="dialog"
        {...(handle ? { title: handle } : {})}
        onClick={(e) => act.profile({ i: id, n: name }, e.currentTarget)}
      >
        {displayName(user)}
      </button>
      {withHandle && handle && <span className="author-handle">{handle}</span>}
    </>
  );
}

function AuthorAvatar({ id, name, act }: { id: number; name: string; act: Actions }) {
  const user = act.person(id, name);
  return (
    <button
      type="button"
      className="avatar-button"
      tabIndex={-1}
      aria-hidden="true"
      onClick={(e) => act.profile({ i: id, n: name }, e.currentTarget)}
    >
      <Avatar name={name} av={isDeletedUsername(name) ? undefined : user.av} />
    </button>
  );
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

/** Focus goes to the composer when what had it left the page (a line dismissed). */
function focusComposerIfLost(): void {
  requestAnimationFrame(() => {
    if (document.activeElement === document.body || document.activeElement === null)
      document.querySelector<HTMLElement>(".composer-input")?.focus();
  });
}

/**
 * One of your messages auto-moderation held for review, which only you see: waiting for a
 * moderator (it is posted if approved, and this line goes), or dropped, with its text to take
 * back into the composer. The text shows as you wrote it (plain text); Escape dismisses it.
 */
function HeldLine({ held, act }: { held: HeldMessage; act: Actions }) {
  const waiting = held.status === "waiting";
  const dismiss = () => {
    act.dismissHeld(held.key);
    focusComposerIfLost();
  };
  return (
    // Escape from its buttons dismisses it.
    <li
      className={`held-line${waiting ? "" : " dropped"}`}
      data-testid="held-message"
      data-status={held.status}
      onKeyDown={(e) => {
        if (e.key !== "Escape") return;
        e.preventDefault();
        e.stopPropagation();
        dismiss();
      }}
    >
      <div className="held-head">
        <span className="note-label">Only you can see this</span>
        <Time ts={held.ts} />
      </div>
      <p className="held-title">
        {waiting
          ? "Your message is waiting for a moderator's review"
          : "A moderator did not approve your message"}
      </p>
      <p className="held-text">{held.x}</p>
      {held.files && (
        <p className="held-hint">
          With {held.files.length === 1 ? "a file" : `${held.files.length} files`}:{" "}
          <bdi>{held.files.join(", ")}</bdi>
        </p>
      )}
      <p className="held-hint">
        {waiting
          ? "It is posted here if a moderator approves it."
          : held.files
            ? "It was not posted. You can edit it and send it again (attach its files again)."
            : "It was not posted. You can edit it and send it again."}
      </p>
      <div className="held-actions">
        {!waiting && (
          <button
            type="button"
            className="button button-primary"
            onClick={() => act.restoreHeld(held.key)}
          >
            Edit and resend
          </button>
        )}
        <button type="button" className="button" title="Dismiss (Escape)" onClick={dismiss}>
          Dismiss
        </button>
      </div>
    </li>
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

/** A pinned message's marker: who pinned it (by the name they are shown by), when in its title. */
function PinMark({ event, act }: { event: MessageEvent; act: Actions }) {
  if (!event.pn || event.dl) return null;
  return (
    <span className="pin-mark" data-testid="pinned" title={`Pinned ${formatFull(event.pn.ts)}`}>
      <PinIcon />
      Pinned by {displayName(act.person(event.pn.u, event.pn.un))}
    </span>
  );
}

/** The shown message at `seq`, if any. */
function messageAt(seq: number): HTMLElement | null {
  return document.querySelector<HTMLElement>(`[data-testid="timeline"] [data-seq="${seq}"]`);
}

/** Gives focus to a message's toolbar (its tab stop), where keyboard users act on it. */
function focusMessage(el: HTMLElement | null | undefined): void {
  el?.querySelector<HTMLElement>('[data-tool][tabindex="0"]')?.focus({ preventScroll: true });
}

/**
 * Scrolls a shown message into view and highlights it briefly (a CSS animation, brief and
 * without motion under prefers-reduced-motion); false when it is not in the timeline.
 */
function revealMessage(el: HTMLElement | null): boolean {
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
 * Moves to a shown message: scrolled into view, highlighted, its toolbar focused. False when
 * no message at `seq` is in the timeline.
 */
function jumpToMessage(seq: number): boolean {
  const el = messageAt(seq);
  if (!revealMessage(el)) return false;
  focusMessage(el);
  return true;
}

/**
 * What this user may do with `event`, from the channel's rules (`act.may…`): the one source for
 * the toolbar and the menu.
 */
function actionsFor(event: MessageEvent, act: Actions): MessageActions {
  return {
    ...(act.archived ? {} : { onReact: (emoji: string) => act.react(event.i, emoji) }),
    ...(act.mayReply(event) ? { onReply: () => act.reply(event) } : {}),
    ...(act.mayEdit(event) ? { onEdit: () => act.edit(event) } : {}),
    ...(act.mayPin(event) ? { onPin: () => act.pin(event), pinned: event.pn !== undefined } : {}),
    ...(act.mayDelete(event) ? { onDelete: () => act.askDelete(event) } : {}),
    ...(act.mayReport(event) ? { onReport: () => act.askReport(event) } : {}),
  };
}

/** A reply's quote of the message it answers: its author and excerpt, a jump to it. */
function QuoteButton({ quote, act }: { quote: ReplyQuote; act: Actions }) {
  return (
    <button
      type="button"
      className="reply-quote"
      data-testid="reply-quote"
      title="Show the original message"
      onClick={() => act.jump(quote.s)}
    >
      <ReplyIcon />
      {quote.dl ? (
        <span className="reply-quote-gone">Original message deleted</span>
      ) : (
        <>
          <span className="reply-quote-author">{displayName(act.person(quote.a, quote.an))}</span>
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
        {...actionsFor(event, act)}
        onMore={(button) => {
          const r = button.getBoundingClientRect();
          act.openMenu(event, { x: r.left, y: r.bottom });
        }}
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
  action?: { id: number; name: string };
}) {
  const root = useRef<HTMLDivElement>(null);
  const [unfolded, setUnfolded] = useState(false);
  const pending = m.pending;
  const event = m.event;
  const folded = !unfolded && event !== undefined && !event.dl && act.blocked(event);
  const quote = event?.rp ?? pending?.rp;
  const mine = editing && event && editing.m === event.i ? editing : undefined;
  useFocusAfterEdit(mine, root);
  const live = event && !event.dl ? event : undefined;
  const mentioned = live !== undefined && me !== undefined && mentionsMe(live, me);
  const pills = live && (live.mn || live.mg) ? act.mentions(live) : undefined;
  const files = live?.f ?? (event ? undefined : pending?.f);
  const state = pending?.error
    ? " failed"
    : pending
      ? " pending"
      : event?.dl
        ? " deleted"
        : mine
          ? " editing"
          : "";
  const menu = event && !event.dl && !mine ? event : undefined;
  return (
    // The keys and the right click open the menu the toolbar's More button opens too.
    <div
      ref={root}
      className={`message${state}${mentioned ? " mentioned" : ""}`}
      data-testid="message"
      {...(event ? { "data-seq": event.s, "data-message-id": event.i } : {})}
      {...(menu
        ? {
            onContextMenu: (e: MouseEvent<HTMLDivElement>) => {
              // A link's own menu (copy its address) and a text selection's stay the browser's.
              const target = e.target as Element;
              if (target.closest("a") || !document.getSelection()?.isCollapsed) return;
              e.preventDefault();
              // From the keyboard (the ContextMenu key) the point is 0,0: open at the message.
              const r = root.current?.getBoundingClientRect();
              const keyboard = e.clientX === 0 && e.clientY === 0;
              act.openMenu(
                menu,
                keyboard && r ? { x: r.left, y: r.top } : { x: e.clientX, y: e.clientY },
              );
            },
            onKeyDown: (e: KeyboardEvent<HTMLDivElement>) => {
              if (!((e.key === "F10" && e.shiftKey) || e.key === "ContextMenu")) return;
              e.preventDefault();
              const r = (e.target as HTMLElement).getBoundingClientRect();
              act.openMenu(menu, { x: r.left, y: r.bottom });
            },
          }
        : {})}
    >
      {mentioned && <span className="sr-only">Mentions you</span>}
      {event && <PinMark event={event} act={act} />}
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
          {folded ? (
            <span className="message-folded">
              Message from a blocked user —{" "}
              <button type="button" className="link-button" onClick={() => setUnfolded(true)}>
                Show
              </button>
            </span>
          ) : event?.dl ? (
            <Tombstone event={event} />
          ) : action !== undefined ? (
            <em>
              * <AuthorName id={action.id} name={action.name} act={act} />{" "}
              <MessageText text={m.text} mentions={pills} />
              {event && <EditedMark event={event} />}
            </em>
          ) : (
            <>
              <MessageText text={m.text} mentions={pills} />
              {event && <EditedMark event={event} />}
            </>
          )}
          {action !== undefined && <Time ts={m.ts} />}
          {event && !folded && (
            <LinkPreviews
              client={act.client}
              channelId={act.channelId}
              message={event}
              mayRemove={act.mayDelete(event)}
            />
          )}
        </div>
      )}
      {files && files.length > 0 && !folded && !mine && (
        <MessageFiles store={act.store} files={files} />
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
    case "held":
      return <HeldLine held={row.held} act={act} />;
    case "action":
      return (
        <li className={`action-line${row.own ? " own" : ""}`}>
          <Message
            m={row.message}
            me={me}
            act={act}
            online={online}
            editing={editing}
            action={{ id: row.authorId, name: row.author }}
          />
        </li>
      );
    case "group":
      return (
        <li className={`group${row.own ? " own" : ""}`}>
          <AuthorAvatar id={row.authorId} name={row.author} act={act} />
          <div className="group-body">
            <div className="group-head">
              <AuthorName id={row.authorId} name={row.author} act={act} withHandle />
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
  /** Names users took since the welcome, by id (over the members' own). */
  renamed: Readonly<Record<number, string>>;
  /** Users as last heard of (with their profiles), for authors who are not members now. */
  people?: Readonly<Record<number, UserRef>>;
  /** The first message that was unread when the channel was opened. */
  unreadFrom?: number;
  /** The ids of users you blocked: their messages are folded, each with a Show button. */
  blocked?: readonly number[];
  /** Opens a person's card (an author's name or avatar was clicked), anchored at `from`. */
  onProfile: (user: { i: number; n: string }, from: HTMLElement) => void;
}

const NONE: readonly never[] = [];
const NO_PEOPLE: Readonly<Record<number, UserRef>> = {};

/** Writes to the clipboard; false when the browser refuses (no permission, insecure page). */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The open channel's messages. Follows new messages while the reader is at the bottom, keeps
 * the reading position when older pages are prepended, reads older pages on the way up, and
 * offers a jump back to the latest. After a jump to a message not held it shows that window of
 * history instead (away from the live end): newer pages are read on the way down until they
 * reach the live messages, and "Jump to present" goes straight back.
 */
export function MessageList({
  store,
  view,
  me,
  online,
  members,
  renamed,
  people = NO_PEOPLE,
  unreadFrom,
  blocked = NONE,
  onProfile,
}: MessageListProps) {
  const scroller = useRef<HTMLElement>(null);
  const atBottom = useRef(true);
  const lastHeight = useRef(0);
  const firstSeq = useRef<number | undefined>(undefined);
  const pendingCount = useRef(view.pending.length);
  const wasDetached = useRef(false);
  /** "Jump to present" was pressed: once the live items show, the list goes to their end. */
  const toPresent = useRef(false);
  const shownTarget = useRef<number | undefined>(undefined);
  const [away, setAway] = useState(false);
  /** The first unread message is above what is on screen (or older than what is held). */
  const [unreadAbove, setUnreadAbove] = useState(false);
  const today = dayKey(Date.now());
  const detached = isDetached(view);
  const items = shownItems(view);
  // Pending sends and notes sit at the live end; a window away from it shows neither.
  const pending = detached ? NONE : view.pending;
  const notes = detached ? NONE : view.notes;
  const held = detached ? NONE : view.heldForReview;

  const names = useMemo(() => {
    const map = new Map(members.map((m) => [m.i, m.n]));
    for (const [id, name] of Object.entries(renamed)) map.set(Number(id), name);
    return map;
  }, [members, renamed]);
  const person = useMemo(() => personOf(members, renamed, people), [members, renamed, people]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `today` re-labels days at midnight
  const rows = useMemo(
    () =>
      buildTimeline({
        items,
        pending,
        notes,
        held,
        me: me.i,
        myName: me.n,
        now: Date.now(),
        names,
        ...(unreadFrom !== undefined ? { unreadFrom } : {}),
      }),
    [items, pending, notes, held, me.i, me.n, names, unreadFrom, today],
  );

  const [deleting, setDeleting] = useState<MessageEvent>();
  const [reporting, setReporting] = useState<MessageEvent>();
  const [menu, setMenu] = useState<{ m: MessageEvent; at: MenuPoint }>();
  const [reacting, setReacting] = useState<MessageEvent>();
  const [copied, setCopied] = useState<{ text: string; key: number }>();
  const { mute } = view;
  const role = view.summary.rl;
  const archived = view.summary.ar === true;
  const act = useMemo<Actions>(
    () => ({
      store,
      react: (messageId, emoji) => void store.toggleReaction(view.id, messageId, emoji),
      retry: (nonce) => store.retry(view.id, nonce),
      discard: (nonce) => store.discard(view.id, nonce),
      dismissHeld: (key) => store.dismissHeld(view.id, key),
      restoreHeld: (key) => store.restoreHeld(view.id, key),
      archived,
      mayEdit: (m) => !archived && canEdit({ mute }, me, m, Date.now()),
      mayDelete: (m) => canDelete(role, me, m),
      mayPin: (m) => !archived && canPin(role, me, m),
      mayReport: (m) => canReport(me, m),
      mayReply: (m) => !archived && canReply({ mute }, m, Date.now()),
      reply: (m) => store.startReply(view.id, m.i),
      jump: (seq) => void store.jumpTo(view.id, seq),
      openMenu: (m, at) => setMenu({ m, at }),
      pin: (m) => void store.pinMessage(view.id, m.i, m.pn === undefined),
      edit: (m) => store.startEdit(view.id, m.i),
      save: (m, text) => void store.saveEdit(view.id, m.i, text),
      cancelEdit: () => store.cancelEdit(view.id),
      askDelete: (m) => setDeleting(m),
      askReport: (m) => setReporting(m),
      mentions: (m) => shownMentions(m, names, me, person),
      blocked: (m) => blocked.includes(m.a),
      profile: onProfile,
      person,
      client: store.client,
      channelId: view.id,
    }),
    [store, view.id, mute, role, archived, me, names, blocked, onProfile, person],
  );
  const editing = view.editing;

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(undefined), COPY_STATUS_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async (text: string, done: string, fallback: string) => {
    const ok = await copyText(text);
    setCopied({ text: ok ? done : `${fallback} ${text}`, key: Date.now() });
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

  const closeMenu = (returnFocus: boolean) => {
    const m = menu?.m;
    setMenu(undefined);
    if (returnFocus && m) focusMessage(messageAt(m.s));
  };

  const loadIfNear = () => {
    const el = scroller.current;
    if (!el) return;
    const now = Date.now();
    const short = el.scrollHeight <= el.clientHeight;
    if (canLoadOlder(view, now) && (el.scrollTop < LOAD_AHEAD_PX || short))
      void store.loadOlder(view.id);
    const below = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (canLoadNewer(view, now) && (below < LOAD_AHEAD_PX || short)) void store.loadNewer(view.id);
  };

  // After every render: keep the position across prepends, follow the bottom when stuck to it
  // (only at the live end: a window's bottom is where newer pages are read, not the latest).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = items[0]?.s;
    if (view.pending.length > pendingCount.current) atBottom.current = true; // the user sent
    pendingCount.current = view.pending.length;
    if (wasDetached.current && !detached) {
      // Back at the live end: by "Jump to present", or by paging down into the live items,
      // where the reader stays where they were.
      atBottom.current = toPresent.current;
      toPresent.current = false;
    }
    wasDetached.current = detached;
    if (atBottom.current && !detached) {
      el.scrollTop = el.scrollHeight;
    } else if (first !== undefined && firstSeq.current !== undefined && first < firstSeq.current) {
      el.scrollTop += el.scrollHeight - lastHeight.current;
    }
    firstSeq.current = first;
    lastHeight.current = el.scrollHeight;
    // A jump's message, once shown: scrolled to, highlighted, focused; said when it is not here.
    const target = view.target;
    if (target && !target.loading && shownTarget.current !== target.key) {
      shownTarget.current = target.key;
      atBottom.current = false;
      if (!jumpToMessage(target.s)) store.inform("That message is not in this channel any more.");
      lastHeight.current = el.scrollHeight;
      store.jumpShown(view.id, target.key);
    }
    loadIfNear();
    markSeenIfShown();
    checkUnreadAbove();
  });

  const checkUnreadAbove = () => {
    const el = scroller.current;
    if (!el) return;
    const line = el.querySelector(".new-divider");
    const above =
      unreadFrom !== undefined &&
      !detached &&
      (line
        ? line.getBoundingClientRect().bottom < el.getBoundingClientRect().top
        : (items[0]?.s ?? 0) > unreadFrom);
    if (above !== unreadAbove) setUnreadAbove(above);
  };

  const jumpToUnread = () => {
    if (unreadFrom === undefined) return;
    const line = scroller.current?.querySelector(".new-divider");
    if (line) line.scrollIntoView({ block: "start" });
    else void store.jumpTo(view.id, unreadFrom);
  };

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    // The bottom of a window is not the channel's end: nothing there is followed or read.
    atBottom.current = !detached && distance < STICK_PX;
    markSeenIfShown();
    checkUnreadAbove();
    setAway(distance > 240);
    lastHeight.current = el.scrollHeight;
    loadIfNear();
  };

  const jump = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = true;
    if (detached) {
      toPresent.current = true;
      store.jumpToPresent(view.id);
      return;
    }
    el.scrollTo({ top: el.scrollHeight, behavior: "smooth" });
  };

  const jumping = view.target?.loading === true;
  return (
    <div className={`message-pane${detached ? " detached" : ""}`}>
      <section
        className="message-scroller"
        ref={scroller}
        onScroll={onScroll}
        data-testid="scroller"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be focusable to scroll by keyboard
        tabIndex={0}
        aria-label={`Messages in ${addressOf(view.summary)}${detached ? ", earlier history" : ""}`}
        aria-busy={jumping}
      >
        {(isLoaded(view) || detached) && !hasOlder(view) && (
          <div className="channel-start">
            <div className="channel-start-mark" aria-hidden="true">
              #
            </div>
            <h2>Welcome to {addressOf(view.summary)}</h2>
            <p>{view.summary.tp || "This is the very beginning of the channel."}</p>
          </div>
        )}
        {hasOlder(view) && (
          <div className="history-loading" aria-live="polite">
            {view.history.phase === "loading-older" || view.window?.loading === "older"
              ? "Loading earlier messages…"
              : ""}
          </div>
        )}
        {!isLoaded(view) && !detached && (
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
        {detached && (
          <div className="history-loading history-newer" aria-live="polite">
            {view.window?.loading === "newer" ? "Loading later messages…" : ""}
          </div>
        )}
      </section>
      {unreadAbove && (
        <button type="button" className="jump-unread" onClick={jumpToUnread}>
          <ArrowUpIcon /> Jump to first unread
        </button>
      )}
      <div className="history-loading jump-status" role="status">
        {jumping ? "Loading the message…" : ""}
      </div>
      {(away || detached) && (
        <button type="button" className={`jump${detached ? " present" : ""}`} onClick={jump}>
          <ArrowDownIcon /> {detached ? "Jump to present" : "Jump to latest"}
        </button>
      )}
      <div className="copy-status" role="status" data-testid="copy-status">
        {copied?.text}
      </div>
      {menu && (
        <ContextMenu
          label={`Actions for the message by ${displayName(person(menu.m.a, menu.m.an))}`}
          at={menu.at}
          entries={messageMenuEntries(actionsFor(menu.m, act), {
            react: () => setReacting(menu.m),
            copyLink: () =>
              void copy(
                messageLink(`${location.origin}${location.pathname}${location.search}`, {
                  c: view.id,
                  s: menu.m.s,
                }),
                "Link copied",
                "Copy this link:",
              ),
            copyText: () => void copy(menu.m.x, "Text copied", "Copy this text:"),
          })}
          onClose={closeMenu}
        />
      )}
      {reacting && (
        <EmojiPickerDialog
          label="Add reaction"
          onClose={() => setReacting(undefined)}
          onPick={(emoji) => act.react(reacting.i, emoji)}
        />
      )}
      {reporting && (
        <ReportMessageDialog
          store={store}
          channelId={view.id}
          message={reporting}
          onClose={() => setReporting(undefined)}
        />
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
