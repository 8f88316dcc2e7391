import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FileUrlReply, UploadReply } from "@parley/protocol";
import { fileTypeFromBuffer } from "file-type";
import { ParleyError } from "../errors";
import { FileLinks } from "../files/file-links";
import { sanitizeFileName } from "../files/file-name";
import type { ByteRange, FileStore } from "../files/file-store";
import {
  avatarImage,
  dimensions,
  frameSize,
  IMAGE_TYPES,
  thumbnail,
  withoutMetadata,
} from "../files/image";
import type { AccountStore } from "../storage/account-store";
import type { FileRow, FileRowStore } from "../storage/file-rows";
import type { PushStore } from "../storage/push-store";
import { serverBanInForce, type UserRow } from "../storage/storage";

/** Bytes file-type reads to know a type (its own `minimumBytes`). */
const HEAD_BYTES = 4100;

/** Settings of the file rules. */
export interface FileOptions {
  /** Largest upload, in bytes (`PARLEY_UPLOAD_MAX_BYTES`). */
  maxBytes: number;
  /** Bytes of live files one user may hold (`PARLEY_UPLOAD_QUOTA_BYTES`). */
  quotaBytes: number;
  /** How long a signed link works, in ms (`PARLEY_FILE_LINK_SECONDS`). */
  linkTtlMs: number;
  /** Clock (tests). */
  now?: () => number;
}

/** The thumbnail's key in the file store. */
export function thumbKey(fileId: string): string {
  return `${fileId}.t`;
}

/** The file store key of an avatar's bytes. */
export function avatarKey(avatarId: string): string {
  return `${avatarId}.a`;
}

/** An avatar's id: 22 characters of base64url. */
export const AVATAR_ID = /^[A-Za-z0-9_-]{22}$/;

/** A file to send: its row, and its bytes (all, or a range). */
export interface FileDownload {
  file: FileRow;
  body: Readable;
}

/**
 * Uploads, downloads and signed links. An upload streams to the file store through a counter
 * that stops it at the size limit or the quota (never holding the file in memory), its type is
 * read from its first bytes, and an image is re-encoded without metadata and thumbnailed
 * before its row is stored. Reads are checked against storage at every request: a member of
 * the file's channel now, or its uploader before it is attached. Guests may not upload: a
 * guest costs nothing to make, so a per-user quota would not bound what guests store.
 */
export class FileService {
  private constructor(
    private readonly store: FileStore,
    private readonly rows: FileRowStore & Pick<AccountStore, "getUser">,
    private readonly links: FileLinks,
    private readonly options: FileOptions,
  ) {}

  /** Builds the service with the server's link key (made once and kept in the database). */
  static async create(
    store: FileStore,
    rows: FileRowStore & Pick<AccountStore, "getUser"> & Pick<PushStore, "settingOrInsert">,
    options: FileOptions,
  ): Promise<FileService> {
    const key = await rows.settingOrInsert("file_link_key", randomBytes(32).toString("base64url"));
    return new FileService(store, rows, new FileLinks(Buffer.from(key, "base64url")), options);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /**
   * Stores an upload by `user` named `rawName`; `declared` is its Content-Length when known (a
   * larger one is refused before a byte is read). FILE_TOO_LARGE past the size limit,
   * UPLOAD_QUOTA past the quota (both as soon as the count passes, the rest unread),
   * BAD_IMAGE for an image sharp cannot read or that decodes past the pixel limit.
   */
  async upload(
    user: UserRow,
    rawName: string,
    body: AsyncIterable<Uint8Array>,
    declared?: number,
  ): Promise<UploadReply> {
    if (user.isGuest) throw new ParleyError("FORBIDDEN", "Register to upload files");
    const left = this.options.quotaBytes - (await this.rows.liveFileBytes(user.id));
    const allowed = Math.min(this.options.maxBytes, left);
    const refusal = (): ParleyError =>
      left < this.options.maxBytes
        ? new ParleyError("UPLOAD_QUOTA", `Your files may use ${left} more bytes`)
        : new ParleyError("FILE_TOO_LARGE", `Files may be at most ${this.options.maxBytes} bytes`);
    if (allowed <= 0 || (declared !== undefined && declared > allowed)) throw refusal();

    const source = body[Symbol.asyncIterator]();
    const head: Uint8Array[] = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes < HEAD_BYTES) {
      const next = await source.next();
      if (next.done) {
        ended = true;
        break;
      }
      head.push(next.value);
      headBytes += next.value.byteLength;
    }
    const first = Buffer.concat(head);
    const detected = (await fileTypeFromBuffer(first))?.mime;
    const image = detected !== undefined && IMAGE_TYPES.has(detected);
    const id = randomBytes(16).toString("base64url");
    // An image's upload is a draft, replaced by its re-encoding without metadata.
    const key = image ? `${id}.up` : id;
    const text = new TextChecker();
    let counted = 0;
    const count = (chunk: Uint8Array): Uint8Array => {
      counted += chunk.byteLength;
      // Stops here: the rest of the body stays unread (the reply closes the connection).
      if (counted > allowed) throw refusal();
      if (detected === undefined) text.push(chunk);
      return chunk;
    };
    async function* counting(): AsyncGenerator<Uint8Array> {
      if (first.byteLength > 0) yield count(first);
      if (ended) return;
      for (;;) {
        const next = await source.next();
        if (next.done) return;
        yield count(next.value);
      }
    }
    let size = await this.store.put(key, counting());
    const type = detected ?? (text.end() ? "text/plain" : "application/octet-stream");
    let width: number | null = null;
    let height: number | null = null;
    if (image) {
      try {
        size = await this.store.put(id, await this.through(key, withoutMetadata(type)));
        await this.store.put(thumbKey(id), await this.through(id, thumbnail()));
        const meta = await (await this.through(id, dimensions())).metadata();
        ({ width, height } = frameSize(meta));
      } catch (err) {
        await Promise.all([this.store.delete(id), this.store.delete(thumbKey(id))]);
        throw err instanceof ParleyError
          ? err
          : new ParleyError("BAD_IMAGE", (err as Error).message.slice(0, 200));
      } finally {
        await this.store.delete(key);
      }
    }
    const name = sanitizeFileName(rawName);
    try {
      await this.rows.createFile({
        id,
        uploaderId: user.id,
        name,
        size,
        type,
        width,
        height,
        hasThumb: image,
        createdAt: this.now(),
      });
    } catch (err) {
      await this.purge([{ id, hasThumb: image }]);
      throw err;
    }
    return {
      id,
      name,
      size,
      type,
      ...(width !== null && height !== null ? { w: width, h: height } : {}),
      ...(image ? { thumb: true } : {}),
    };
  }

  /**
   * Stores an image the server fetched (a link preview's) as a new WebP thumbnail, at most
   * `THUMB_SIDE` on its longest side, uploaded by `uploaderId` and unattached until a storage
   * write attaches it to a message (or the sweep removes it as an orphan). The original bytes
   * are never stored. BAD_IMAGE when sharp cannot read them.
   */
  async storeFetchedImage(
    uploaderId: number,
    bytes: Buffer,
  ): Promise<{ id: string; width: number; height: number }> {
    let out: { data: Buffer; info: { width: number; height: number; size: number } };
    try {
      out = await thumbnail().end(bytes).toBuffer({ resolveWithObject: true });
    } catch (err) {
      throw new ParleyError("BAD_IMAGE", (err as Error).message.slice(0, 200));
    }
    const id = randomBytes(16).toString("base64url");
    const size = await this.store.put(
      id,
      (async function* () {
        yield out.data;
      })(),
    );
    try {
      await this.rows.createFile({
        id,
        uploaderId,
        name: "preview.webp",
        size,
        type: "image/webp",
        width: out.info.width,
        height: out.info.height,
        hasThumb: false,
        createdAt: this.now(),
      });
    } catch (err) {
      await this.purge([{ id, hasThumb: false }]);
      throw err;
    }
    return { id, width: out.info.width, height: out.info.height };
  }

  /** A sharp transform fed from a stored object (a stream; the pipeline's errors reject it). */
  private async through<T extends NodeJS.ReadWriteStream>(key: string, transform: T): Promise<T> {
    const source = await this.store.get(key);
    if (!source) throw new ParleyError("NO_SUCH_FILE");
    pipeline(source, transform).catch(() => {});
    return transform;
  }

  /**
   * Makes an image the user uploaded into an avatar: a new 256 px square WebP in the file
   * store, under a new id. NO_SUCH_FILE for a file that is not the user's own readable upload;
   * BAD_IMAGE for one that is not an image.
   */
  async storeAvatar(user: UserRow, fileId: string): Promise<string> {
    const file = await this.readable(fileId, user.id);
    if (file.uploaderId !== user.id) throw new ParleyError("NO_SUCH_FILE");
    if (file.width === null) throw new ParleyError("BAD_IMAGE", "An avatar must be an image");
    const id = randomBytes(16).toString("base64url");
    try {
      await this.store.put(avatarKey(id), await this.through(file.id, avatarImage()));
    } catch (err) {
      await this.store.delete(avatarKey(id));
      throw err instanceof ParleyError
        ? err
        : new ParleyError("BAD_IMAGE", (err as Error).message.slice(0, 200));
    }
    return id;
  }

  /** An avatar's bytes; NO_SUCH_FILE for an id that names none. */
  async openAvatar(avatarId: string): Promise<Readable> {
    const body = AVATAR_ID.test(avatarId) ? await this.store.get(avatarKey(avatarId)) : undefined;
    if (!body) throw new ParleyError("NO_SUCH_FILE");
    return body;
  }

  /** Deletes an avatar's bytes (an avatar replaced, cleared or of a deleted account). */
  deleteAvatar(avatarId: string): Promise<void> {
    return this.store.delete(avatarKey(avatarId));
  }

  /** The file if `userId` may read it now; NO_SUCH_FILE otherwise (nonexistent or not yours). */
  async readable(fileId: string, userId: number): Promise<FileRow> {
    const file = await this.rows.readableFile(fileId, userId);
    if (!file) throw new ParleyError("NO_SUCH_FILE");
    return file;
  }

  /**
   * The user a signed link's query grants `fileId` (or its thumbnail) to: NO_SUCH_FILE for a
   * link this server did not sign, FILE_LINK_EXPIRED past its time, and the same answer as for
   * a nonexistent file for a user banned from the server since.
   */
  async linkUser(
    fileId: string,
    thumb: boolean,
    query: { u?: unknown; e?: unknown; s?: unknown },
  ): Promise<number> {
    const checked = this.links.check(fileId, thumb, query, this.now());
    if (checked === "bad") throw new ParleyError("NO_SUCH_FILE");
    if (checked === "expired") throw new ParleyError("FILE_LINK_EXPIRED");
    const user = await this.rows.getUser(checked.userId);
    if (!user || serverBanInForce(user)) throw new ParleyError("NO_SUCH_FILE");
    return checked.userId;
  }

  /** Signed links to a file (and its thumbnail) for a user who may read it now. */
  async link(fileId: string, userId: number, base: string): Promise<FileUrlReply> {
    const file = await this.readable(fileId, userId);
    const exp = this.now() + this.options.linkTtlMs;
    const path = `${base}/api/v1/files/${file.id}`;
    const grant = { fileId: file.id, userId, expires: exp };
    return {
      url: `${path}?${this.links.query({ ...grant, thumb: false })}`,
      ...(file.hasThumb
        ? { thumb: `${path}/thumb?${this.links.query({ ...grant, thumb: true })}` }
        : {}),
      exp,
    };
  }

  /** The bytes of a readable file, all or a range (checked against its size by the caller). */
  async open(file: Pick<FileRow, "id">, range?: ByteRange): Promise<Readable> {
    const body = await this.store.get(file.id, range);
    if (!body) throw new ParleyError("NO_SUCH_FILE");
    return body;
  }

  /** The thumbnail of a readable file. */
  async openThumb(file: FileRow): Promise<Readable> {
    const body = file.hasThumb ? await this.store.get(thumbKey(file.id)) : undefined;
    if (!body) throw new ParleyError("NO_SUCH_FILE");
    return body;
  }

  /** Removes what uploads started before `before` (epoch ms) left unfinished in the store. */
  sweepTemporary(before: number): Promise<number> {
    return this.store.sweepTemporary(before);
  }

  /** Deletes the bytes of files, then their rows (a doomed row goes after its bytes). */
  async purge(files: readonly { id: string; hasThumb: boolean }[]): Promise<void> {
    for (const f of files) {
      await this.store.delete(f.id);
      if (f.hasThumb) await this.store.delete(thumbKey(f.id));
    }
    await this.rows.removeFiles(files.map((f) => f.id));
  }
}

/**
 * Whether a stream of bytes is text: valid UTF-8 with no NUL, checked as it passes, a chunk at
 * a time (a character split across chunks is fine).
 */
class TextChecker {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private ok = true;

  push(chunk: Uint8Array): void {
    if (!this.ok) return;
    if (chunk.includes(0)) {
      this.ok = false;
      return;
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.ok = false;
    }
  }

  /** True when everything pushed was text (an empty file counts as text). */
  end(): boolean {
    if (!this.ok) return false;
    try {
      this.decoder.decode();
      return true;
    } catch {
      return false;
    }
  }
}
