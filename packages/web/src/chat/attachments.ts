import { type FileRef, LIMITS, type UploadReply } from "@parley/protocol";

/** A file chosen for the next message: uploading, uploaded (its `file` goes in the send) or failed. */
export interface PendingAttachment {
  /** Local key (one per file chosen), for React and the inputs below. */
  key: number;
  name: string;
  size: number;
  /** Bytes sent so far. */
  sent: number;
  phase: "uploading" | "uploaded" | "failed";
  /** The stored file, once uploaded. */
  file?: FileRef;
  /** Why it failed, to show on it. */
  error?: string;
}

export type AttachmentInput =
  | { type: "added"; key: number; name: string; size: number }
  | { type: "progress"; key: number; sent: number }
  | { type: "uploaded"; key: number; reply: UploadReply }
  | { type: "failed"; key: number; error: string }
  /** Removed by the user (an upload under way is cancelled by the caller). */
  | { type: "removed"; key: number }
  /** The message went: the composer starts empty. */
  | { type: "cleared" };

/** The file an upload's reply describes, as a message will carry it. */
export function fileRefOf(reply: UploadReply): FileRef {
  return {
    i: reply.id,
    n: reply.name,
    sz: reply.size,
    ty: reply.type,
    ...(reply.w !== undefined ? { w: reply.w } : {}),
    ...(reply.h !== undefined ? { h: reply.h } : {}),
    ...(reply.thumb ? { th: true } : {}),
  };
}

/**
 * The composer's attachments after one input. Adding beyond `LIMITS.filesPerMessage` is
 * ignored (the composer offers only the room left, see {@link roomLeft}); inputs for a key no
 * longer held (an upload that finished after its removal) are ignored too.
 */
export function reduceAttachments(
  list: readonly PendingAttachment[],
  input: AttachmentInput,
): readonly PendingAttachment[] {
  const update = (f: (a: PendingAttachment) => PendingAttachment) =>
    list.map((a) => (a.key === (input as { key: number }).key ? f(a) : a));
  switch (input.type) {
    case "added":
      if (list.length >= LIMITS.filesPerMessage || list.some((a) => a.key === input.key))
        return list;
      return [
        ...list,
        { key: input.key, name: input.name, size: input.size, sent: 0, phase: "uploading" },
      ];
    case "progress":
      return update((a) =>
        a.phase === "uploading"
          ? { ...a, sent: Math.min(a.size, Math.max(a.sent, input.sent)) }
          : a,
      );
    case "uploaded":
      return update((a) => ({
        key: a.key,
        name: a.name,
        size: a.size,
        sent: a.size,
        phase: "uploaded",
        file: fileRefOf(input.reply),
      }));
    case "failed":
      return update((a) => ({ ...a, phase: "failed", error: input.error }));
    case "removed":
      return list.filter((a) => a.key !== input.key);
    case "cleared":
      return [];
  }
}

/** How many more files this message may take. */
export function roomLeft(list: readonly PendingAttachment[]): number {
  return Math.max(0, LIMITS.filesPerMessage - list.length);
}

/**
 * The files to send, once every attachment is uploaded; `undefined` while one is still on its
 * way or failed (the user removes a failed one, or the message would go without it unnoticed).
 */
export function readyFiles(list: readonly PendingAttachment[]): FileRef[] | undefined {
  const files: FileRef[] = [];
  for (const a of list) {
    if (a.phase !== "uploaded" || !a.file) return undefined;
    files.push(a.file);
  }
  return files;
}

/** An upload's progress as a whole percentage, 0–100. */
export function percentSent(a: PendingAttachment): number {
  if (a.phase === "uploaded") return 100;
  if (a.size <= 0) return 0;
  return Math.min(100, Math.floor((a.sent / a.size) * 100));
}

const UNITS = ["KB", "MB", "GB", "TB"] as const;

/**
 * A size for people: "512 B", "1.5 KB", "23 MB" (1 KB = 1024 bytes; one decimal below 10,
 * none above, so the figure stays short).
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${Math.max(0, Math.round(bytes))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.9 KB rounds to 1024 KB: say 1 MB instead.
  if (shown >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${shown} ${UNITS[unit]}`;
}
