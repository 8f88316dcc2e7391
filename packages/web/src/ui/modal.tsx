import { type MouseEvent, type ReactNode, useEffect, useId, useRef } from "react";
import { EDGE_PX, type MenuPoint, placeMenu } from "./context-menu";
import { CloseIcon } from "./icons";

/** Where an anchored dialog opens: its top-left corner at the point, or its top-right (`end`). */
export interface ModalAnchor extends MenuPoint {
  align?: "start" | "end";
  /**
   * The top of what opened it, when the point is below that: a dialog with no room below the
   * point goes above this instead, so that it never covers its opener.
   */
  top?: number;
}

/**
 * A modal dialog on the native `<dialog>` element: focus moves into it (to the element marked
 * `data-autofocus`, else the first focusable one) and stays there, Escape closes it, and focus
 * returns to where it was (the caller may move it on from there, e.g. to the composer).
 *
 * With `anchor` it is a popover at that point instead of centred: placed as a menu is
 * (`placeMenu`, through the custom properties `--modal-x` and `--modal-y`, since the CSP forbids
 * style attributes), placed again when its size changes, and a click outside it closes it. The
 * stylesheet may ignore the point (a phone shows such a dialog as a bottom sheet).
 */
export function Modal({
  title,
  onClose,
  children,
  className,
  lead,
  anchor,
  fallbackFocus,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Classes besides `modal`. */
  className?: string;
  /** Shown before the title in the head (e.g. an avatar). */
  lead?: ReactNode;
  anchor?: ModalAnchor;
  /** Takes focus on close when what had it before is gone (removed meanwhile). */
  fallbackFocus?: () => HTMLElement | null | undefined;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    const previous = document.activeElement as HTMLElement | null;
    if (dialog && !dialog.open) dialog.showModal();
    // React's autoFocus runs before the dialog opens, when nothing inside can take focus.
    dialog?.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    return () => {
      dialog?.close();
      if (previous?.isConnected) previous.focus?.();
      else fallback.current?.()?.focus();
    };
  }, []);
  const placed = useRef(anchor);
  const fallback = useRef(fallbackFocus);
  fallback.current = fallbackFocus;
  useEffect(() => {
    const dialog = ref.current;
    const at = placed.current;
    if (!dialog || !at) return;
    // Placed again whenever its size changes (a step of its content), so it stays in view.
    const place = () => {
      const rect = dialog.getBoundingClientRect();
      const x = at.align === "end" ? at.x - rect.width : at.x;
      const fits = at.y + rect.height + EDGE_PX <= window.innerHeight;
      const spot = placeMenu(
        { x, y: fits || at.top === undefined ? at.y : at.top - rect.height },
        { width: rect.width, height: rect.height },
        { width: window.innerWidth, height: window.innerHeight },
      );
      dialog.style.setProperty("--modal-x", `${spot.x}px`);
      dialog.style.setProperty("--modal-y", `${spot.y}px`);
    };
    const observer = new ResizeObserver(place);
    observer.observe(dialog);
    window.addEventListener("resize", place);
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", place);
    };
  }, []);
  const classes = ["modal", anchor && "modal-anchored", className].filter(Boolean).join(" ");
  return (
    <dialog
      ref={ref}
      className={classes}
      aria-labelledby={titleId}
      aria-modal="true"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      {...(anchor
        ? {
            // A click on the backdrop lands on the dialog itself, outside its box.
            onClick: (e: MouseEvent<HTMLDialogElement>) => {
              if (e.target !== e.currentTarget) return;
              const r = e.currentTarget.getBoundingClientRect();
              const inside =
                e.clientX >= r.left &&
                e.clientX <= r.right &&
                e.clientY >= r.top &&
                e.clientY <= r.bottom;
              if (!inside) onClose();
            },
          }
        : {})}
    >
      <div className="modal-head">
        {lead}
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          <CloseIcon />
        </button>
      </div>
      {children}
    </dialog>
  );
}
