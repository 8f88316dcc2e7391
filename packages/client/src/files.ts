import type { FileUrlReply, HttpErrorBody, UploadReply } from "@parley/protocol";
import { ParleyRequestError } from "./client";

/** Options of an upload. */
export interface UploadOptions {
  /** Aborts the upload (the fetch rejects with the signal's reason). */
  signal?: AbortSignal;
  /**
   * Called with the bytes sent so far. In a browser (where `XMLHttpRequest` exists) the upload
   * goes through it and this is called as the bytes leave; elsewhere (`fetch`, whose request
   * body's progress is not observable) it is called once, with the whole size, when the server
   * has stored the file.
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
  const url = `${base}/api/v1/files?name=${encodeURIComponent(name)}`;
  if (typeof XMLHttpRequest !== "undefined") return uploadByXhr(url, token, file, total, options);
  const res = await fetch(url, {
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

/** The browser path of {@link uploadFile}: the same request, with the upload's progress. */
function uploadByXhr(
  url: string,
  token: string,
  file: Blob | Uint8Array,
  total: number,
  { signal, onProgress }: UploadOptions,
): Promise<UploadReply> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener("abort", onAbort);
    xhr.open("POST", url);
    xhr.setRequestHeader("authorization", `Bearer ${token}`);
    xhr.setRequestHeader("content-type", "application/octet-stream");
    xhr.responseType = "text";
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded, total);
    xhr.onload = () => {
      done();
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status !== 201) {
        const error = (body as HttpErrorBody | undefined)?.error;
        reject(
          new ParleyRequestError({ c: error?.c ?? 1500, m: error?.m ?? `HTTP ${xhr.status}` }),
        );
        return;
      }
      onProgress?.(total, total);
      resolve(body as UploadReply);
    };
    xhr.onerror = () => {
      done();
      reject(new TypeError("The upload failed: network error"));
    };
    xhr.onabort = () => {
      done();
      reject(signal?.reason ?? new DOMException("The upload was cancelled", "AbortError"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    xhr.send(file as XMLHttpRequestBodyInit);
  });
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
