import { type AuditLine, auditText, type Member, type MessageEvent } from "@parley/protocol";
import { memo, useLayoutEffect, useMemo, useRef, useState } from "react";
import { type ChannelView, canLoadOlder, hasOlder, isLoaded } from "../chat/channel-view";
import type { ChatStore } from "../chat/chat-store";
import { dayKey, formatFull, formatTime, formatWhen, localAuditFormat } from "../chat/format";
import { buildTimeline, type TimelineMessage, type TimelineRow } from "../chat/timeline";
import { Avatar } from "./avatar";
import { ArrowDownIcon } from "./icons";
import { MessageText } from "./message-text";
import { ReactionChips, ReactionPicker } from "./reactions";

/** Within this distance of the bottom the list follows new messages. */
const STICK_PX = 48;
/** Older history is read when the top is this close. */
const LOAD_AHEAD_PX = 400;

interface Actions {
  react: (messageId: number, emoji: string) => void;
  retry: (nonce: string) => void;
  discard: (nonce: string) => void;
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

function MessageTools({ event, me, act }: { event?: MessageEvent; me?: number; act: Actions }) {
  if (!event) return null;
  return (
    <>
      <ReactionChips
        reactions={event.r ?? []}
        me={me}
        onToggle={(emoji) => act.react(event.i, emoji)}
      />
      <div className="message-tools">
        <ReactionPicker onPick={(emoji) => act.react(event.i, emoji)} />
      </div>
    </>
  );
}

function Message({
  m,
  me,
  act,
  online,
}: {
  m: TimelineMessage;
  me?: number;
  act: Actions;
  online: boolean;
}) {
  const pending = m.pending;
  const state = pending?.error ? " failed" : pending ? " pending" : "";
  return (
    <div
      className={`message${state}`}
      data-testid="message"
      {...(m.event ? { "data-seq": m.event.s } : {})}
    >
      <div className="message-text">
        <MessageText text={m.text} />
      </div>
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
      <MessageTools event={m.event} me={me} act={act} />
    </div>
  );
}

const Row = memo(function Row({
  row,
  me,
  act,
  online,
}: {
  row: TimelineRow;
  me?: number;
  act: Actions;
  online: boolean;
}) {
  switch (row.kind) {
    case "day":
      return (
        <li className="day-divider">
          <span>{row.label}</span>
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
          <div className="message" data-testid="message">
            <div className="message-text">
              <em>
                * {row.author} <MessageText text={row.message.text} />
              </em>
              <Time ts={row.message.ts} />
            </div>
            <MessageTools event={row.message.event} me={me} act={act} />
          </div>
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
              <Message key={m.key} m={m} me={me} act={act} online={online} />
            ))}
          </div>
        </li>
      );
  }
});

export interface MessageListProps {
  store: ChatStore;
  view: ChannelView;
  me: { i: number; n: string };
  /** Connected: pending messages are on their way rather than waiting for the connection. */
  online: boolean;
  /** The channel's members, whose current names the messages show. */
  members: readonly Member[];
}

/**
 * The open channel's messages. Follows new messages while the reader is at the bottom, keeps
 * the reading position when older pages are prepended, reads older pages on the way up, and
 * offers a jump back to the latest.
 */
export function MessageList({ store, view, me, online, members }: MessageListProps) {
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
      }),
    [view.items, view.pending, view.notes, me.i, me.n, names, today],
  );

  const act = useMemo<Actions>(
    () => ({
      react: (messageId, emoji) => void store.toggleReaction(view.id, messageId, emoji),
      retry: (nonce) => store.retry(view.id, nonce),
      discard: (nonce) => store.discard(view.id, nonce),
    }),
    [store, view.id],
  );

  const loadOlderIfNear = () => {
    const el = scroller.current;
    if (!el || !canLoadOlder(view, Date.now())) return;
    if (el.scrollTop < LOAD_AHEAD_PX || el.scrollHeight <= el.clientHeight)
      void store.loadOlder(view.id);
  };

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
  });

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    atBottom.current = distance < STICK_PX;
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
            <Row key={row.key} row={row} me={me.i} act={act} online={online} />
          ))}
        </ol>
      </section>
      {away && (
        <button type="button" className="jump" onClick={jump}>
          <ArrowDownIcon /> Jump to latest
        </button>
      )}
    </div>
  );
}
