import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** How often the checkpointer copies the WAL back into the database file (ms). */
export const CHECKPOINT_INTERVAL_MS = 200;

/**
 * WAL pages after which the server's own connection checkpoints by itself, as SQLite does by
 * default at 1,000: only when the checkpointer has fallen that far behind (or is gone).
 */
export const FALLBACK_CHECKPOINT_PAGES = 16_000;

const DRIVER_PATH = createRequire(import.meta.url).resolve("better-sqlite3");

/**
 * The worker's code, evaluated as a script (so it needs no file of its own, compiled or not):
 * a second connection to the database file that runs a PASSIVE checkpoint every interval (it
 * copies what no reader still needs and never waits for the writer), until told to close.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 0");
db.pragma("synchronous = NORMAL");
let closed = false;
function checkpoint(finish) {
  try {
    const [row] = db.pragma("wal_checkpoint(PASSIVE)");
    parentPort.postMessage({ finish, log: row ? row.log : 0, checkpointed: row ? row.checkpointed : 0 });
  } catch (err) {
    parentPort.postMessage({ finish, error: String(err && err.message || err) });
  }
}
const timer = setInterval(() => checkpoint(false), workerData.intervalMs);
parentPort.on("message", (m) => {
  if (closed) return;
  if (m === "finish") return checkpoint(true);
  if (m !== "close") return;
  closed = true;
  clearInterval(timer);
  try { db.close(); } finally { parentPort.close(); }
});`;

export interface Checkpointer {
  /**
   * Checkpoints run so far, the ones that failed, and after the last one the frames in the WAL
   * and how many of them are in the database file.
   */
  readonly stats: {
    runs: number;
    errors: number;
    log: number;
    checkpointed: number;
    /** Passes with the writer held that left the whole WAL copied (it restarts at the next write). */
    restarts: number;
  };
  /** Stops the worker and closes its connection (before the server's own closes). */
  close(): Promise<void>;
}

/** WAL frames past which a checkpoint is finished with the writer held, so the WAL restarts. */
export const RESTART_FRAMES = 1000;

/**
 * Checkpoints of a SQLite database in WAL mode, off the event loop. SQLite's automatic
 * checkpoint runs inside the COMMIT that passes 1,000 WAL pages, on the committing connection:
 * it copies those pages into the database file and fsyncs it while the event loop stands still.
 * Here a worker thread with a connection of its own runs a PASSIVE checkpoint every
 * {@link CHECKPOINT_INTERVAL_MS}, beside the writer. A passive checkpoint copies the frames that
 * exist when it starts; a writer that keeps appending means it never copies all of them, and
 * the WAL is reused from its start only after one that did (under light load a pass finishes
 * between two commits, and that happens by itself). So when a pass finds {@link RESTART_FRAMES}
 * or more in the WAL, and no fewer than the pass before (it did not restart), the writer is
 * held (`hold`: no transaction starts, the event loop runs on) while a second pass copies the
 * few frames the first missed; the next write then restarts the WAL. The server's own connection keeps a fallback at
 * {@link FALLBACK_CHECKPOINT_PAGES}.
 */
export function startCheckpointer(
  path: string,
  options: { hold?: () => Promise<() => void>; intervalMs?: number; restartFrames?: number } = {},
): Checkpointer {
  const restartFrames = options.restartFrames ?? RESTART_FRAMES;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      driver: DRIVER_PATH,
      path,
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
    },
  });
  worker.unref();
  const stats = { runs: 0, errors: 0, log: 0, checkpointed: 0, restarts: 0 };
  let release: (() => void) | undefined;
  /** The WAL's frames at the pass before (a pass finding fewer means the WAL restarted). */
  let lastLog = 0;
  let finishing = false;
  let closed = false;
  worker.on(
    "message",
    (m: { finish: boolean; log?: number; checkpointed?: number; error?: string }) => {
      if (m.error !== undefined) stats.errors++;
      else {
        stats.runs++;
        stats.log = Math.max(0, m.log ?? 0);
        stats.checkpointed = Math.max(0, m.checkpointed ?? 0);
      }
      if (m.finish) {
        if (m.error === undefined && stats.checkpointed === stats.log) stats.restarts++;
        finishing = false;
        release?.();
        release = undefined;
        return;
      }
      const hold = options.hold;
      if (!hold || finishing || closed || m.error !== undefined) return;
      // A pass copies the frames there were when it started (its `log`); the writer may have
      // added more meanwhile. A WAL that restarted since the last pass is shorter than it was:
      // only one that keeps growing past `restartFrames` needs the writer held.
      const previous = lastLog;
      lastLog = stats.log;
      if (stats.log < restartFrames || stats.log < previous) return;
      finishing = true;
      void hold().then((r) => {
        if (closed) {
          finishing = false;
          r();
          return;
        }
        release = r;
        worker.postMessage("finish");
      });
    },
  );
  // A worker that fails leaves checkpoints to the fallback.
  worker.on("error", () => {});
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  void exited.then(() => {
    release?.();
    release = undefined;
  });
  return {
    stats,
    async close() {
      closed = true;
      // Held until it has exited, so that a process with nothing else to do waits for it.
      worker.ref();
      worker.postMessage("close");
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((r) => {
        timer = setTimeout(() => r("timeout"), 5000);
      });
      const outcome = await Promise.race([exited, timeout]);
      clearTimeout(timer);
      // The writer, if held, is released at the exit.
      if (outcome === "timeout") await worker.terminate();
    },
  };
}
