import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ParleyRequestError } from "./client";
import { uploadFile } from "./files";

/** What the server received of the last upload. */
interface Received {
  name: string | null;
  auth: string | undefined;
  bytes: Buffer;
  complete: boolean;
}

/**
 * A browser's XMLHttpRequest as far as `uploadFile` uses it, over real HTTP (node:http): the
 * body goes in chunks, each reported to `upload.onprogress` once written, as a browser does.
 */
class NodeXhr {
  upload: { onprogress: ((e: { loaded: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  responseType = "";
  status = 0;
  responseText = "";
  private method = "GET";
  private url = "";
  private readonly headers: Record<string, string> = {};
  private req: ReturnType<typeof request> | undefined;
  private aborted = false;

  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  async send(body: Blob | Uint8Array): Promise<void> {
    const bytes =
      body instanceof Uint8Array ? Buffer.from(body) : Buffer.from(await body.arrayBuffer());
    const req = request(this.url, {
      method: this.method,
      headers: { ...this.headers, "content-length": String(bytes.length) },
    });
    this.req = req;
    req.on("response", (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => {
        this.status = res.statusCode ?? 0;
        this.responseText = Buffer.concat(parts).toString("utf8");
        this.onload?.();
      });
    });
    req.on("error", () => {
      if (!this.aborted) this.onerror?.();
    });
    const CHUNK = 64 * 1024;
    for (let at = 0; at < bytes.length && !this.aborted; at += CHUNK) {
      const end = Math.min(bytes.length, at + CHUNK);
      await new Promise<void>((resolve) => req.write(bytes.subarray(at, end), () => resolve()));
      this.upload.onprogress?.({ loaded: end });
    }
    if (!this.aborted) req.end();
  }

  abort(): void {
    this.aborted = true;
    this.req?.destroy();
    this.onabort?.();
  }
}

describe("uploadFile", () => {
  let server: Server;
  let base: string;
  let received: Received | undefined;
  /** Set to hold the answer until the test lets it go. */
  let hold: Promise<void> | undefined;
  let status = 201;

  beforeEach(async () => {
    received = undefined;
    hold = undefined;
    status = 201;
    server = createServer(async (req: IncomingMessage, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const parts: Buffer[] = [];
      const got: Received = {
        name: url.searchParams.get("name"),
        auth: req.headers.authorization,
        bytes: Buffer.alloc(0),
        complete: false,
      };
      received = got;
      req.on("data", (c: Buffer) => {
        parts.push(c);
        got.bytes = Buffer.concat(parts);
      });
      req.on("end", async () => {
        got.complete = true;
        await hold;
        res.statusCode = status;
        res.setHeader("content-type", "application/json");
        res.end(
          status === 201
            ? JSON.stringify({
                id: "f1",
                name: got.name,
                size: got.bytes.length,
                type: "text/plain",
              })
            : JSON.stringify({ error: { c: 1601, m: "Files may be at most 10 bytes" } }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    delete (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const useXhr = () => {
    (globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = NodeXhr;
  };

  it("in a browser, reports the bytes sent as they go and resolves to the stored file", async () => {
    useXhr();
    const body = new Uint8Array(300_000).fill(3);
    const seen: number[] = [];
    const reply = await uploadFile(base, "tok", body, "big file.bin", {
      onProgress: (sent, total) => {
        expect(total).toBe(300_000);
        seen.push(sent);
      },
    });
    expect(reply).toMatchObject({ id: "f1", name: "big file.bin", size: 300_000 });
    expect(received?.auth).toBe("Bearer tok");
    expect(received?.bytes.equals(Buffer.from(body))).toBe(true);
    // Several steps, never backwards, the last one the whole file.
    expect(seen.length).toBeGreaterThan(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(seen.at(-1)).toBe(300_000);
    expect(seen[0]).toBeLessThan(300_000);
  });

  it("in a browser, rejects with the signal's reason when aborted, and stops sending", async () => {
    useXhr();
    let release = () => {};
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const controller = new AbortController();
    const sent = uploadFile(base, "tok", new Uint8Array(1000), "a.bin", {
      signal: controller.signal,
      onProgress: () => {},
    });
    await expect.poll(() => received?.complete).toBe(true);
    const reason = new Error("cancelled by the user");
    controller.abort(reason);
    await expect(sent).rejects.toBe(reason);
    release();
  });

  it("in a browser, rejects with the server's code on a refusal", async () => {
    useXhr();
    status = 413;
    const err = await uploadFile(base, "tok", new Uint8Array(20), "a.bin").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParleyRequestError);
    expect((err as ParleyRequestError).code).toBe(1601);
  });

  it("rejects at once for a signal already aborted", async () => {
    useXhr();
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(
      uploadFile(base, "tok", new Uint8Array(5), "a.bin", { signal: controller.signal }),
    ).rejects.toThrow("too late");
    expect(received).toBeUndefined();
  });

  it("with fetch (no XMLHttpRequest), reports the whole size once the file is stored", async () => {
    const seen: number[] = [];
    const reply = await uploadFile(base, "tok", new Uint8Array(1234), "n.bin", {
      onProgress: (sent) => seen.push(sent),
    });
    expect(reply.size).toBe(1234);
    expect(seen).toEqual([1234]);
  });
});
