import type { FileRef } from "@parley/protocol";

/** A stored upload, as the file rows keep it. */
export interface FileRow {
  id: string;
  uploaderId: number;
  /** Null until a send attaches it. */
  channelId: number | null;
  messageId: number | null;
  name: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
  hasThumb: boolean;
  createdAt: number;
}

/** A new upload, stored after its bytes are. */
export type NewFileRow = Omit<FileRow, "channelId" | "messageId">;

/** The keys of a file's objects in the file store: its bytes, and its thumbnail when it has one. */
export interface DoomedFile {
  id: string;
  hasThumb: boolean;
}

/**
 * The rows of uploaded files (their bytes live in a `FileStore`).
 *
 * Contract:
 * - **Attach at the send.** A file becomes a message's in the send's transaction (the
 *   `SendPath`), only when it is the author's, live and not yet attached; nothing else
 *   attaches one. A message's deletion marks its files doomed in its transaction.
 * - **Read access now.** `readableFile` answers a live file only to a user who may see it at
 *   the moment of the read: a member of its channel (read in the same statement), or its
 *   uploader while it is unattached. Anyone else gets undefined, the answer for a file that
 *   does not exist.
 * - **Quota.** `liveFileBytes` sums the sizes of a user's files not doomed.
 * - **Sweep, cluster-safe.** `doomOrphans` marks unattached files older than a time doomed in
 *   one statement, so no send can attach one afterwards (a send that won the race attached it
 *   first and it is no orphan), but not the uploads of a message held for review while it
 *   waits (an open held report's draft names them); `doomedFiles` lists doomed files for their bytes to be
 *   deleted, and `removeFiles` deletes those rows after. Several nodes sweeping together
 *   delete the same bytes twice at worst, which the store allows.
 */
export interface FileRowStore {
  createFile(file: NewFileRow): Promise<void>;
  readableFile(fileId: string, userId: number): Promise<FileRow | undefined>;
  liveFileBytes(userId: number): Promise<number>;
  /** A user's uploads not doomed, by id after `afterId`, at most `limit` (its data export). */
  userFiles(userId: number, afterId: string | undefined, limit: number): Promise<FileRow[]>;
  /** Marks unattached files created before `before` doomed; resolves to how many. */
  doomOrphans(before: number): Promise<number>;
  /** Up to `limit` doomed files. */
  doomedFiles(limit: number): Promise<DoomedFile[]>;
  /** Deletes the rows of doomed files (live ones are left alone). */
  removeFiles(fileIds: readonly string[]): Promise<void>;
}

/** A file row as messages carry it. */
export function fileRef(row: FileRow): FileRef {
  return {
    i: row.id,
    n: row.name,
    sz: row.size,
    ty: row.type,
    ...(row.width !== null && row.height !== null ? { w: row.width, h: row.height } : {}),
    ...(row.hasThumb ? { th: true as const } : {}),
  };
}
