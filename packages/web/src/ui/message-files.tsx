import type { FileRef } from "@parley/protocol";
import { useState } from "react";
import { formatSize } from "../chat/attachments";
import type { ChatStore } from "../chat/chat-store";
import { DownloadLink, SizedImage, useFileLink } from "./file-download";
import { DownloadIcon, FileIcon } from "./icons";
import { Lightbox } from "./lightbox";

/** The box a thumbnail fits in, in CSS pixels (the stylesheet may shrink it further). */
const THUMB_BOX = { w: 320, h: 240 };

/** An image the list shows inline: one the server measured. */
export function isImage(f: FileRef): f is FileRef & { w: number; h: number } {
  return f.ty.startsWith("image/") && f.w !== undefined && f.h !== undefined;
}

/** A thumbnail's size: the image scaled down (never up) to fit {@link THUMB_BOX}. */
export function thumbSize(f: { w: number; h: number }): { w: number; h: number } {
  const scale = Math.min(1, THUMB_BOX.w / f.w, THUMB_BOX.h / f.h);
  return { w: Math.max(1, Math.round(f.w * scale)), h: Math.max(1, Math.round(f.h * scale)) };
}

function Thumbnail({
  store,
  file,
  onOpen,
}: {
  store: ChatStore;
  file: FileRef & { w: number; h: number };
  onOpen: () => void;
}) {
  const link = useFileLink(store, file.i);
  const size = thumbSize(file);
  const src = link ? (link.thumb ?? link.url) : undefined;
  return (
    <button
      type="button"
      className="file-thumb"
      aria-label={`Open image ${file.n}`}
      onClick={onOpen}
      data-testid="file-thumb"
    >
      {/* Its size is reserved before the link comes, so the list does not jump. */}
      <SizedImage
        src={src}
        alt={file.n}
        width={size.w}
        height={size.h}
        placeholderClass="file-thumb-placeholder"
      />
    </button>
  );
}

function FileCard({ store, file }: { store: ChatStore; file: FileRef }) {
  const link = useFileLink(store, file.i);
  return (
    <div className="file-card" data-testid="file-card">
      <span className="file-card-icon">
        <FileIcon />
      </span>
      <span className="file-card-body">
        <bdi className="file-card-name" title={file.n}>
          {file.n}
        </bdi>
        <span className="file-card-size">{formatSize(file.sz)}</span>
      </span>
      <DownloadLink
        store={store}
        file={file}
        link={link}
        className="icon-button file-card-download"
      >
        <DownloadIcon />
        <span className="sr-only">Download {file.n}</span>
      </DownloadLink>
    </div>
  );
}

/** A message's files: images as thumbnails that open the lightbox, others as cards. */
export function MessageFiles({ store, files }: { store: ChatStore; files: readonly FileRef[] }) {
  const [open, setOpen] = useState<number>();
  const images = files.filter(isImage);
  const others = files.filter((f) => !isImage(f));
  const shown = open !== undefined ? images[open] : undefined;
  return (
    <div className="message-files">
      {images.length > 0 && (
        <div className="file-thumbs">
          {images.map((f, k) => (
            <Thumbnail key={f.i} store={store} file={f} onOpen={() => setOpen(k)} />
          ))}
        </div>
      )}
      {others.map((f) => (
        <FileCard key={f.i} store={store} file={f} />
      ))}
      {shown && open !== undefined && (
        <Lightbox
          store={store}
          images={images}
          index={open}
          onMove={setOpen}
          onClose={() => setOpen(undefined)}
        />
      )}
    </div>
  );
}
