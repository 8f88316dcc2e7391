import { ParleyRequestError } from "@parley/client";
import { ERRORS, type FileRef, LIMITS } from "@parley/protocol";
import { useCallback, useEffect, useReducer, useRef } from "react";
import { type PendingAttachment, readyFiles, reduceAttachments } from "../chat/attachments";
import { type ChatStore, errorText } from "../chat/chat-store";

/** The next message's attachments and what the composer and the drop zone do with them. */
export interface Attachments {
  list: readonly PendingAttachment[];
  /** Uploads these files (as many as there is room for); says how many were left out. */
  add: (files: readonly File[]) => number;
  /** Removes one, cancelling its upload if it is under way. */
  remove: (key: number) => void;
  /** The message went with them: the list empties (nothing is cancelled). */
  clear: () => void;
  /** Cancels every upload under way and empties the list (the user left the channel). */
  discardAll: () => void;
  /** The files to send, once all are uploaded (see `readyFiles`). */
  ready: FileRef[] | undefined;
}

/** What a refused upload shows on its attachment. */
export function uploadErrorText(err: unknown): string {
  if (err instanceof ParleyRequestError && err.code === ERRORS.FILE_TOO_LARGE.code)
    return `This file is too large to send. ${err.message}.`;
  if (err instanceof ParleyRequestError && err.code === ERRORS.RATE_LIMITED.code)
    return "Too many uploads at once: remove this one and try again in a moment.";
  if (err instanceof TypeError) return "The upload failed: check the connection and try again.";
  return errorText(err);
}

/**
 * The attachments of one channel's composer: each file added starts uploading at once (the
 * SDK's upload, with progress), so the message can go as soon as the last one is stored.
 * Unmounting cancels the uploads still under way.
 */
export function useAttachments(store: ChatStore): Attachments {
  const [list, dispatch] = useReducer(reduceAttachments, []);
  const uploads = useRef(new Map<number, AbortController>());
  const nextKey = useRef(1);
  /** The keys held, counted as they are added (two adds in one event see each other). */
  const held = useRef(new Set<number>());

  useEffect(() => {
    const running = uploads.current;
    return () => {
      for (const c of running.values()) c.abort();
      running.clear();
    };
  }, []);

  const add = useCallback(
    (files: readonly File[]) => {
      const taken = files.slice(0, Math.max(0, LIMITS.filesPerMessage - held.current.size));
      for (const file of taken) {
        const key = nextKey.current++;
        held.current.add(key);
        const controller = new AbortController();
        uploads.current.set(key, controller);
        dispatch({ type: "added", key, name: file.name || "pasted file", size: file.size });
        store
          .upload(file, file.name || "pasted file", {
            signal: controller.signal,
            onProgress: (sent) => dispatch({ type: "progress", key, sent }),
          })
          .then(
            (reply) => dispatch({ type: "uploaded", key, reply }),
            (err: unknown) => {
              // Cancelled by its removal: nothing to show.
              if (!controller.signal.aborted)
                dispatch({ type: "failed", key, error: uploadErrorText(err) });
            },
          )
          .finally(() => uploads.current.delete(key));
      }
      return files.length - taken.length;
    },
    [store],
  );

  const remove = useCallback((key: number) => {
    uploads.current.get(key)?.abort();
    uploads.current.delete(key);
    held.current.delete(key);
    dispatch({ type: "removed", key });
  }, []);

  const clear = useCallback(() => {
    held.current.clear();
    dispatch({ type: "cleared" });
  }, []);

  const discardAll = useCallback(() => {
    for (const c of uploads.current.values()) c.abort();
    uploads.current.clear();
    held.current.clear();
    dispatch({ type: "cleared" });
  }, []);

  return { list, add, remove, clear, discardAll, ready: readyFiles(list) };
}
