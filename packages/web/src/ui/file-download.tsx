import type { FileRef, FileUrlReply } from "@parley/protocol";
import { type ReactNode, useEffect, useState } from "react";
import type { ChatStore } from "../chat/chat-store";
import type { Download } from "../session/auth-api";

/** A file's signed links, read through the store's cache once shown; undefined until then. */
export function useFileLink(store: ChatStore, fileId: string): FileUrlReply | undefined {
  const [link, setLink] = useState<FileUrlReply>();
  useEffect(() => {
    if (!fileId) return;
    let live = true;
    store.fileLink(fileId).then(
      (l) => {
        if (live) setLink(l);
      },
      () => {
        // No link (the file is gone, or no connection): the card stays without one.
      },
    );
    return () => {
      live = false;
    };
  }, [store, fileId]);
  return link;
}

/**
 * Downloads a file: the link is read again if the one held is near expiry (the cache decides),
 * then followed by a link with `download`, so the browser saves it under its name.
 */
export async function downloadFile(store: ChatStore, file: FileRef): Promise<void> {
  const link = await store.fileLink(file.i);
  const a = document.createElement("a");
  a.href = link.url;
  a.download = file.n;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
}

/** A download link: its address is the signed link (for "copy link"), a click reads a fresh one. */
export function DownloadLink({
  store,
  file,
  link,
  className,
  children,
}: {
  store: ChatStore;
  file: FileRef;
  link: FileUrlReply | undefined;
  className: string;
  children: ReactNode;
}) {
  return (
    <a
      className={className}
      href={link?.url ?? "#"}
      download={file.n}
      onClick={(e) => {
        e.preventDefault();
        void downloadFile(store, file).catch(() => store.inform(`Could not download ${file.n}.`));
      }}
    >
      {children}
    </a>
  );
}

/**
 * An image at its size, or, until its link comes, an empty box of that size: the layout is
 * reserved, so nothing jumps when the image arrives.
 */
export function SizedImage({
  src,
  alt,
  width,
  height,
  className,
  placeholderClass = className,
}: {
  src: string | undefined;
  alt: string;
  width: number;
  height: number;
  className?: string;
  placeholderClass?: string;
}) {
  if (src) return <img className={className} src={src} alt={alt} width={width} height={height} />;
  return (
    <svg
      className={placeholderClass}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      aria-hidden="true"
      focusable="false"
    />
  );
}

/**
 * Saves a file read whole (an export's zip) under its name: a link with `download` to an
 * object URL for it, clicked, and the URL let go once the browser has taken it.
 */
export function saveDownload(download: Download): void {
  const url = URL.createObjectURL(download.blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = download.name;
  a.rel = "noopener";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
