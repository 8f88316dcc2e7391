import { type KeyboardEvent, useEffect, useLayoutEffect, useRef } from "react";
import { createPortal } from "react-dom";
import type { MessageActions } from "./message-toolbar";
import "./context-menu.css";

/** One action of a menu. */
export interface MenuEntry {
  label: string;
  run: () => void;
  danger?: boolean;
}

/** Where a menu opens: a point in the viewport (CSS pixels). */
export interface MenuPoint {
  x: number;
  y: number;
}

/** The menu keeps this far from the viewport's edges. */
export const EDGE_PX = 8;

/**
 * A message's menu: the toolbar's actions (those that apply, from the same `MessageActions`)
 * plus the copies and Report, in the toolbar's order, Delete last.
 */
export function messageMenuEntries(
  actions: MessageActions,
  more: { react: () => void; copyLink: () => void; copyText: () => void },
): MenuEntry[] {
  const entries: MenuEntry[] = [];
  if (actions.onReply) entries.push({ label: "Reply", run: actions.onReply });
  entries.push({ label: "Add reaction…", run: more.react });
  if (actions.onEdit) entries.push({ label: "Edit message", run: actions.onEdit });
  if (actions.onPin)
    entries.push({ label: actions.pinned ? "Unpin message" : "Pin message", run: actions.onPin });
  entries.push({ label: "Copy link", run: more.copyLink });
  entries.push({ label: "Copy text", run: more.copyText });
  if (actions.onReport) entries.push({ label: "Report message…", run: actions.onReport });
  if (actions.onDelete)
    entries.push({ label: "Delete message…", run: actions.onDelete, danger: true });
  return entries;
}

/**
 * Where a menu of `size` opening at `at` fits in a viewport of `view`: to the right of and
 * below the point when there is room, else moved left or flipped above, and never past an edge.
 */
export function placeMenu(
  at: MenuPoint,
  size: { width: number; height: number },
  view: { width: number; height: number },
): MenuPoint {
  const maxX = Math.max(EDGE_PX, view.width - size.width - EDGE_PX);
  const maxY = Math.max(EDGE_PX, view.height - size.height - EDGE_PX);
  const x = Math.min(Math.max(at.x, EDGE_PX), maxX);
  const below = at.y + size.height + EDGE_PX <= view.height;
  const y = below ? Math.max(at.y, EDGE_PX) : Math.min(Math.max(at.y - size.height, EDGE_PX), maxY);
  return { x, y };
}

/**
 * A WAI-ARIA menu (role menu of menuitems) opened at a point: focus goes to its first item;
 * arrow keys, Home and End move (wrapping), a letter moves to the next item starting with it;
 * Enter or Space runs an item. Escape and Tab close it and hand focus back (`onClose(true)`);
 * a pointer down, wheel or touch scroll outside it, or a resize, closes it where focus is
 * (`onClose(false)`).
 *
 * It is placed without inline style (the CSP forbids style attributes): the position goes into
 * the custom properties `--menu-x` and `--menu-y` through the CSSOM, which the policy allows,
 * and the stylesheet reads them; on phone layouts it is a bottom sheet and ignores them.
 */
export function ContextMenu({
  label,
  entries,
  at,
  onClose,
}: {
  label: string;
  entries: readonly MenuEntry[];
  at: MenuPoint;
  onClose: (returnFocus: boolean) => void;
}) {
  const root = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useLayoutEffect(() => {
    const el = root.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    const place = placeMenu(
      at,
      { width: rect.width, height: rect.height },
      { width: window.innerWidth, height: window.innerHeight },
    );
    el.style.setProperty("--menu-x", `${place.x}px`);
    el.style.setProperty("--menu-y", `${place.y}px`);
    el.querySelector<HTMLElement>("[role=menuitem]")?.focus({ preventScroll: true });
  }, [at]);

  useEffect(() => {
    const outside = (e: Event) => {
      if (!root.current?.contains(e.target as Node)) close.current(false);
    };
    const away = () => close.current(false);
    // The reader scrolling closes it; the list following new messages does not.
    const gestures = ["pointerdown", "wheel", "touchmove"] as const;
    for (const g of gestures) document.addEventListener(g, outside, true);
    window.addEventListener("resize", away);
    return () => {
      for (const g of gestures) document.removeEventListener(g, outside, true);
      window.removeEventListener("resize", away);
    };
  }, []);

  const items = () => [...(root.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    // Inside a portal, React still bubbles to the message: its own keys must stop here.
    e.stopPropagation();
    const list = items();
    const k = list.indexOf(document.activeElement as HTMLElement);
    let next: number | undefined;
    switch (e.key) {
      case "ArrowDown":
        next = (k + 1) % list.length;
        break;
      case "ArrowUp":
        next = (k - 1 + list.length) % list.length;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = list.length - 1;
        break;
      case "Escape":
      case "Tab":
        e.preventDefault();
        onClose(true);
        return;
      default:
        if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
          const letter = e.key.toLowerCase();
          const order = [...list.slice(k + 1), ...list.slice(0, k + 1)];
          const hit = order.find((item) => item.textContent?.toLowerCase().startsWith(letter));
          if (hit) next = list.indexOf(hit);
        }
    }
    if (next === undefined) return;
    e.preventDefault();
    list[next]?.focus();
  };

  return createPortal(
    <div
      ref={root}
      className="context-menu"
      role="menu"
      aria-label={label}
      data-testid="context-menu"
      onKeyDown={onKeyDown}
      onContextMenu={(e) => {
        e.preventDefault();
        e.stopPropagation();
      }}
    >
      {entries.map((entry) => (
        <button
          key={entry.label}
          type="button"
          role="menuitem"
          tabIndex={-1}
          className={`context-menu-item${entry.danger ? " danger" : ""}`}
          onClick={() => {
            onClose(true);
            entry.run();
          }}
        >
          {entry.label}
        </button>
      ))}
    </div>,
    document.body,
  );
}
