import type { FileRef } from "@parley/protocol";
import { useEffect } from "react";
import { formatSize } from "../chat/attachments";
import type { ChatStore } from "../chat/chat-store";
import { DownloadLink, SizedImage, useFileLink } from "./file-download";
import { ChevronLeftIcon, ChevronRightIcon, DownloadIcon } from "./icons";
import { Modal } from "./modal";

/**
 * Tab from the last control goes to the first and Shift+Tab from the first to the last: a
 * modal `<dialog>` alone lets focus leave for the browser's own controls.
 */
function keepFocusIn(e: KeyboardEvent): void {
  const dialog = document.querySelector<HTMLDialogElement>("dialog.lightbox[open]");
  if (!dialog) return;
  const controls = [...dialog.querySelectorAll<HTMLElement>("button, a[href]")].filter(
    (el) => !el.hasAttribute("disabled"),
  );
  const first = controls[0];
  const last = controls.at(-1);
  if (!first || !last) return;
  const at = document.activeElement;
  if (e.shiftKey ? at === first || !dialog.contains(at) : at === last) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  }
}

/**
 * One message's images at full size, in a modal dialog (focus stays in it, Escape closes it
 * and focus goes back to the thumbnail): Left and Right move between the images, and a link
 * downloads the one shown.
 */
export function Lightbox({
  store,
  images,
  index,
  onMove,
  onClose,
}: {
  store: ChatStore;
  images: readonly (FileRef & { w: number; h: number })[];
  index: number;
  onMove: (index: number) => void;
  onClose: () => void;
}) {
  const file = images[index];
  const link = useFileLink(store, file?.i ?? "");
  const many = images.length > 1;
  const move = (step: number) => onMove((index + step + images.length) % images.length);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "Tab") {
        keepFocusIn(e);
        return;
      }
      if (many && (e.key === "ArrowLeft" || e.key === "ArrowRight")) {
        e.preventDefault();
        onMove((index + (e.key === "ArrowRight" ? 1 : -1) + images.length) % images.length);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [many, index, images.length, onMove]);
  if (!file) return null;
  return (
    <Modal title={file.n} onClose={onClose} className="lightbox">
      <div className="lightbox-stage">
        <SizedImage
          className="lightbox-image"
          src={link?.url}
          alt={file.n}
          width={file.w}
          height={file.h}
        />
      </div>
      <div className="lightbox-bar">
        {many && (
          <button
            type="button"
            className="icon-button"
            aria-label="Previous image"
            title="Previous image (Left)"
            onClick={() => move(-1)}
          >
            <ChevronLeftIcon />
          </button>
        )}
        <span className="lightbox-caption" aria-live="polite">
          {many ? `${index + 1} of ${images.length} · ` : ""}
          {file.w} × {file.h} · {formatSize(file.sz)}
        </span>
        {many && (
          <button
            type="button"
            className="icon-button"
            aria-label="Next image"
            title="Next image (Right)"
            onClick={() => move(1)}
          >
            <ChevronRightIcon />
          </button>
        )}
        <DownloadLink store={store} file={file} link={link} className="button lightbox-download">
          <DownloadIcon /> Download
        </DownloadLink>
      </div>
    </Modal>
  );
}
