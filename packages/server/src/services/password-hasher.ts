import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { ParleyError } from "../errors";

/** argon2id parameters (OWASP's second recommended set: 19 MiB, 2 passes, 1 lane). */
/** A password for an admin or operator to hand on: 18 random bytes, 24 characters of base64url. */
export function temporaryPassword(): string {
  return randomBytes(18).toString("base64url");
}

export const ARGON2_OPTIONS = {
  algorithm: 2,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export interface PasswordHasherOptions {
  /** Hashes running at once, each on a worker thread of its own. Default 2. */
  concurrency?: number;
  /** Hashes that may wait for a worker; past that, SERVER_BUSY. Default 64. */
  queue?: number;
}

const ARGON2_PATH = createRequire(import.meta.url).resolve("@node-rs/argon2");

/** A guess of one hash's duration before any was measured (ms). */
const FIRST_GUESS_MS = 50;

/**
 * The worker's code, evaluated as a script (so it needs no file of its own, compiled or not).
 * It lowers its own thread's priority to the lowest (Linux keeps a nice value per thread, and
 * /proc/thread-self names the thread), then hashes synchronously on that thread.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const argon2 = require(workerData.argon2);
try {
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  require("node:os").setPriority(tid, 19);
} catch {}
parentPort.on("message", ({ id, op, password, stored, options }) => {
  try {
    const result = op === "hash" ? argon2.hashSync(password, options) : verifyOrFalse(stored, password);
    parentPort.postMessage({ id, result });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
function verifyOrFalse(stored, password) {
  try { return argon2.verifySync(stored, password); } catch { return false; }
}`;

type Job = { op: "hash"; password: string } | { op: "verify"; password: string; stored: string };

interface HashWorker {
  worker: Worker;
  pending?: { id: number; resolve: (v: unknown) => void; reject: (e: Error) => void };
}

/**
 * argon2 hashing and verification off libuv's thread pool, with bounded concurrency and a
 * bounded queue.
 *
 * The pool (4 threads) also runs the WAL's fsync that every acknowledgement waits for; argon2's
 * own async functions would queue it behind every pending hash (a login flood moved other
 * clients' send acks from milliseconds to seconds). Here each hash runs on one of
 * `concurrency` worker threads at the lowest CPU priority, so the event loop and the fsync are
 * scheduled first and the pool stays free. A flood waits in a queue of known length; a request
 * that finds it full is refused at once with SERVER_BUSY (HTTP 503) and a retry-after of the
 * time the queue takes to drain.
 */
export class PasswordHasher {
  readonly concurrency: number;
  readonly queueLimit: number;
  private readonly workers = new Set<HashWorker>();
  private readonly idle: HashWorker[] = [];
  private readonly waiting: ((w: HashWorker) => void)[] = [];
  private nextId = 1;
  private closed = false;
  /** Moving average of a hash's duration, for the retry-after. */
  private averageMs = FIRST_GUESS_MS;

  constructor(options: PasswordHasherOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.queueLimit = options.queue ?? 64;
    for (let i = 0; i < this.concurrency; i++) this.idle.push(this.spawn());
  }

  /** Hashes a new password (argon2id, {@link ARGON2_OPTIONS}). */
  async hash(password: string): Promise<string> {
    return (await this.run({ op: "hash", password })) as string;
  }

  /** Whether `password` matches `stored`; a malformed stored hash matches nothing. */
  async verify(stored: string, password: string): Promise<boolean> {
    return (await this.run({ op: "verify", password, stored })) === true;
  }

  /** Hashes running and waiting now. */
  get load(): { active: number; waiting: number } {
    return { active: this.workers.size - this.idle.length, waiting: this.waiting.length };
  }

  /**
   * Throws SERVER_BUSY when a hash asked for now would be refused: lets a caller refuse before
   * doing the work that leads up to the hash (under a flood, most requests are refused).
   */
  admit(): void {
    if (this.idle.length > 0 || this.waiting.length < this.queueLimit) return;
    const drainMs = (this.averageMs * (this.queueLimit + this.concurrency)) / this.concurrency;
    throw new ParleyError("SERVER_BUSY", "Too many sign-ins at once: try again shortly", {
      retryAfterMs: Math.max(1000, Math.ceil(drainMs)),
    });
  }

  /** Stops the workers; hashes still running fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers].map((w) => w.worker.terminate()));
  }

  /** A worker; one that dies (it should not) fails its hash and is replaced. */
  private spawn(): HashWorker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2: ARGON2_PATH } });
    worker.unref();
    const w: HashWorker = { worker };
    worker.on("message", (reply: { id: number; result?: unknown; error?: string }) => {
      const pending = w.pending;
      if (!pending || pending.id !== reply.id) return;
      w.pending = undefined;
      if (reply.error !== undefined) pending.reject(new Error(reply.error));
      else pending.resolve(reply.result);
    });
    worker.on("error", () => {});
    worker.on("exit", () => {
      w.pending?.reject(new Error("password hash worker exited"));
      w.pending = undefined;
      this.workers.delete(w);
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      if (!this.closed) this.idle.push(this.spawn());
    });
    this.workers.add(w);
    return w;
  }

  private async run(job: Job): Promise<unknown> {
    if (this.closed) throw new Error("password hasher closed");
    this.admit();
    let w = this.idle.pop();
    if (!w) {
      // A finishing hash hands its worker straight to the first in the queue.
      w = await new Promise<HashWorker>((resolve) => this.waiting.push(resolve));
    }
    const started = performance.now();
    try {
      return await new Promise((resolve, reject) => {
        const id = this.nextId++;
        w.pending = { id, resolve, reject };
        w.worker.postMessage({ id, ...job, options: ARGON2_OPTIONS });
      });
    } finally {
      this.averageMs = this.averageMs * 0.8 + (performance.now() - started) * 0.2;
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }
}
