import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

const WEB_PUSH_PATH = createRequire(import.meta.url).resolve("web-push");

/**
 * The worker's code, evaluated as a script (no file of its own, compiled or not). At the lowest
 * priority of its thread, like the password hasher's, it encrypts and builds each push's request
 * with `web-push` (aes128gcm: an ephemeral key pair, ECDH, HKDF, AES-GCM; about 1 ms a push).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const webpush = require(workerData.webPush);
try {
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  require("node:os").setPriority(tid, 19);
} catch {}
parentPort.on("message", ({ id, subscription, payload, options }) => {
  try {
    const d = webpush.generateRequestDetails(subscription, payload, options);
    parentPort.postMessage({ id, headers: d.headers, body: d.body });
  } catch (err) {
    parentPort.postMessage({ id, error: String((err && err.message) || err) });
  }
});`;

/** A push's request, encrypted: its headers and body. */
export interface EncryptedPush {
  headers: Record<string, string | number>;
  body: Uint8Array | null;
}

/**
 * Encrypts pushes on a worker thread of its own, so their CPU does not compete with the event
 * loop's sends and deliveries. Jobs are answered in order; `close` ends the thread.
 */
export class PushEncryptor {
  private readonly worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { webPush: WEB_PUSH_PATH },
  });
  private readonly pending = new Map<
    number,
    { resolve: (p: EncryptedPush) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private exited = false;

  constructor() {
    this.worker.on("message", (m: { id: number; error?: string } & EncryptedPush) => {
      const job = this.pending.get(m.id);
      if (!job) return;
      this.pending.delete(m.id);
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve({ headers: m.headers, body: m.body });
    });
    this.worker.on("error", (err) => this.failAll(err));
    this.worker.on("exit", () => {
      this.exited = true;
      this.failAll(new Error("push encryptor exited"));
    });
    // An idle encryptor must not keep the process alive.
    this.worker.unref();
  }

  encrypt(
    subscription: { endpoint: string; keys: { p256dh: string; auth: string } },
    payload: string,
    options: Record<string, unknown>,
  ): Promise<EncryptedPush> {
    if (this.exited) return Promise.reject(new Error("push encryptor exited"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, subscription, payload, options });
    });
  }

  async close(): Promise<void> {
    this.failAll(new Error("push encryptor closed"));
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const job of this.pending.values()) job.reject(err);
    this.pending.clear();
  }
}
