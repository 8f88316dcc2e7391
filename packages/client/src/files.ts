import type { FileUrlReply, HttpErrorBody, UploadReply } from "@parley/protocol";
import { ParleyRequestError } from "./client";

/** Options of an upload. */
export interface UploadOptions {
  /** Aborts the upload (the fetch rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Called with the bytes sent so far. With `fetch` a body's progress is not observable, so it
   * is called once, with the whole size, when the server has stored the file; a browser
   * XMLHttpRequest path with real progress may come later.
   */
  onProgress?: (sent: number, total: number) => void;
}

/** The HTTP base (`http://host:port`) of a WebSocket URL such as `ws://host:port/ws`. */
export function httpBase(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === "wss:" ? "https:" : "http:";
  return url.origin;
}

/** A failed HTTP answer as the error a WebSocket request would have given. */
async function failure(res: Response): Promise<ParleyRequestError> {
  const body = (await res.json().catch(() => undefined)) as HttpErrorBody | undefined;
  return new ParleyRequestError({
    c: body?.error.c ?? 1500,
    m: body?.error.m ?? `HTTP ${res.status}`,
  });
}

/**
 * Uploads a file (`POST /api/v1/files`): the body is the bytes, streamed by `fetch`, the name
 * in the query. Resolves to the stored file (its id goes in a send's `files`); rejects with a
 * {@link ParleyRequestError} carrying the server's code (FILE_TOO_LARGE, UPLOAD_QUOTA…).
 */
export async function uploadFile(
  base: string,
  token: string,
  file: Blob | Uint8Array,
  name: string,
  options: UploadOptions = {},
): Promise<UploadReply> {
  const total = file instanceof Uint8Array ? file.byteLength : file.size;
  const res = await fetch(`${base}/api/v1/files?name=${encodeURIComponent(name)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: file as BodyInit,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (res.status !== 201) throw await failure(res);
  const reply = (await res.json()) as UploadReply;
  options.onProgress?.(total, total);
  return reply;
}

/**
 * Signed links to a file and its thumbnail (`GET /api/v1/files/:id/url`), for an `<img src>`
 * that cannot send the Authorization header. They work until `exp`, for this user only, and
 * only while the user may still read the file.
 */
export async function fileLink(base: string, token: string, fileId: string): Promise<FileUrlReply> {
  const res = await fetch(`${base}/api/v1/files/${encodeURIComponent(fileId)}/url`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw await failure(res);
  const reply = (await res.json()) as FileUrlReply;
  return {
    ...reply,
    url: base + reply.url,
    ...(reply.thumb ? { thumb: base + reply.thumb } : {}),
  };
}
