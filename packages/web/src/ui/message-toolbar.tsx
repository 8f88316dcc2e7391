import { type KeyboardEvent, type ReactNode, useRef, useState } from "react";
import { MoreIcon, PencilIcon, PinIcon, ReplyIcon, TrashIcon } from "./icons";
import { ReactionPicker } from "./reactions";

/** One tool of the toolbar: an icon button named by its label. */
function Tool({
  label,
  tabIndex,
  onClick,
  icon,
  danger = false,
  haspopup = false,
}: {
  label: string;
  tabIndex: number;
  onClick: (button: HTMLButtonElement) => void;
  icon: ReactNode;
  danger?: boolean;
  /** Opens a menu. */
  haspopup?: boolean;
}) {
  return (
    <button
      type="button"
      className={`icon-button tool-button${danger ? " danger" : ""}`}
      data-tool
      tabIndex={tabIndex}
      aria-label={label}
      title={label}
      {...(haspopup ? { "aria-haspopup": "menu" as const } : {})}
      onClick={(e) => onClick(e.currentTarget)}
    >
      {icon}
    </button>
  );
}

/**
 * What this user may do with one message: each handler is given only when the action applies
 * (the one decision, shared by the toolbar and the context menu).
 */
export interface MessageActions {
  /** Absent where nothing may be added (an archived channel). */
  onReact?: (emoji: string) => void;
  onReply?: () => void;
  onEdit?: () => void;
  /** Pins the message, or unpins it when `pinned`. */
  onPin?: () => void;
  pinned?: boolean;
  onDelete?: () => void;
  /** Reports the message to the channel's moderators (in the menu only). */
  onReport?: () => void;
}

/**
 * A message's actions as a WAI-ARIA toolbar: one tab stop (the last tool used), arrow keys,
 * Home and End move between the tools. Shown on hover and whenever focus is inside the message.
 * Reply, Edit, Pin (or Unpin) and Delete appear only when this user may take them; More opens
 * the message's menu (for touch, where there is no right click).
 */
export function MessageToolbar({
  onReact,
  onReply,
  onEdit,
  onPin,
  pinned = false,
  onDelete,
  onMore,
}: MessageActions & {
  /** Opens the message's menu from the More button. */
  onMore?: (button: HTMLElement) => void;
}) {
  const root = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  // Each tool's place along the toolbar, in order: the one at `active` is the tab stop.
  const shown = [!!onReact, !!onReply, !!onEdit, !!onPin, !!onDelete, !!onMore];
  const places = shown.map((on, k) => (on ? shown.slice(0, k).filter(Boolean).length : -1));
  const [reactAt, replyAt, editAt, pinAt, deleteAt, moreAt] = places as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const current = Math.min(active, shown.filter(Boolean).length - 1);
  const tab = (k: number) => (k === current ? 0 : -1);

  const tools = () => [...(root.current?.querySelectorAll<HTMLElement>("[data-tool]") ?? [])];

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const list = tools();
    const k = list.indexOf(e.target as HTMLElement);
    if (k < 0) return;
    const next =
      e.key === "ArrowRight"
        ? (k + 1) % list.length
        : e.key === "ArrowLeft"
          ? (k - 1 + list.length) % list.length
          : e.key === "Home"
            ? 0
            : e.key === "End"
              ? list.length - 1
              : undefined;
    if (next === undefined) return;
    e.preventDefault();
    setActive(next);
    list[next]?.focus();
  };

  return (
    <div
      ref={root}
      className="message-tools"
      role="toolbar"
      aria-label="Message actions"
      onKeyDown={onKeyDown}
      onFocus={(e) => {
        const k = tools().indexOf(e.target as HTMLElement);
        if (k >= 0) setActive(k);
      }}
    >
      {onReact && <ReactionPicker onPick={onReact} tabIndex={tab(reactAt)} />}
      {onReply && (
        <Tool label="Reply" tabIndex={tab(replyAt)} onClick={onReply} icon={<ReplyIcon />} />
      )}
      {onEdit && (
        <Tool label="Edit message" tabIndex={tab(editAt)} onClick={onEdit} icon={<PencilIcon />} />
      )}
      {onPin && (
        <Tool
          label={pinned ? "Unpin message" : "Pin message"}
          tabIndex={tab(pinAt)}
          onClick={onPin}
          icon={<PinIcon />}
        />
      )}
      {onDelete && (
        <Tool
          label="Delete message"
          tabIndex={tab(deleteAt)}
          onClick={onDelete}
          icon={<TrashIcon />}
          danger
        />
      )}
      {onMore && (
        <Tool
          label="More actions"
          tabIndex={tab(moreAt)}
          onClick={(button) => onMore(button)}
          icon={<MoreIcon />}
          haspopup
        />
      )}
    </div>
  );
}
