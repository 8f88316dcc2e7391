import { type MessageEvent, MessageKind, type Self } from "@parley/protocol";
import { useEffect } from "react";
import { type ChannelView, canPin } from "../chat/channel-view";
import type { ChatStore } from "../chat/chat-store";
import { formatFull, formatWhen } from "../chat/format";
import { displayName, type PersonOf } from "../chat/people";
import { MessageText } from "./message-text";
import { Modal } from "./modal";

/**
 * The open channel's pinned messages, most recently pinned first, read when it opens and again
 * whenever a pin changes while it is open (the store does). Each one jumps to the message in
 * the timeline (its page is read when it is not held); moderators can unpin from here.
 */
export function PinnedPanel({
  store,
  view,
  me,
  pins,
  person,
  onClose,
}: {
  store: ChatStore;
  view: ChannelView;
  me: Self;
  /** Undefined until read. */
  pins: readonly MessageEvent[] | undefined;
  /** Who a pin's author and pinner are shown as (their display names, kept current). */
  person: PersonOf;
  onClose: () => void;
}) {
  useEffect(() => {
    store.refreshPins(view.id);
  }, [store, view.id]);
  const moderator = canPin(view.summary.rl, me);
  const now = Date.now();

  return (
    <Modal title={`Pinned in #${view.summary.n}`} onClose={onClose}>
      {pins === undefined ? (
        <p className="modal-text" role="status">
          Loading pinned messages…
        </p>
      ) : pins.length === 0 ? (
        <p className="modal-text">
          Nothing is pinned here yet.
          {moderator ? " Pin a message from its toolbar." : ""}
        </p>
      ) : (
        <ul className="pin-list" aria-label="Pinned messages" data-testid="pin-list">
          {pins.map((m) => {
            const author = displayName(person(m.a, m.an));
            return (
              <li key={m.i} className="pin-item" data-testid="pin-item">
                <div className="pin-head">
                  <button
                    type="button"
                    className="link-button pin-jump"
                    title="Show in the timeline"
                    onClick={() => {
                      onClose();
                      // After the dialog closed and gave focus back, so the message can take it.
                      requestAnimationFrame(() => void store.jumpTo(view.id, m.s));
                    }}
                  >
                    <bdi className="pin-author">{author}</bdi>{" "}
                    <time className="time" dateTime={new Date(m.ts).toISOString()}>
                      {formatWhen(m.ts, now)}
                    </time>
                  </button>
                  {m.pn && (
                    <span className="pin-by" title={formatFull(m.pn.ts)}>
                      Pinned by {displayName(person(m.pn.u, m.pn.un))}
                    </span>
                  )}
                  {moderator && (
                    <button
                      type="button"
                      className="link-button pin-unpin"
                      aria-label={`Unpin the message by ${author}`}
                      onClick={() => void store.pinMessage(view.id, m.i, false)}
                    >
                      Unpin
                    </button>
                  )}
                </div>
                <div className="pin-text">
                  {m.k === MessageKind.Action ? (
                    <em>
                      * <bdi>{author}</bdi> <MessageText text={m.x} />
                    </em>
                  ) : (
                    <MessageText text={m.x} />
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Modal>
  );
}
