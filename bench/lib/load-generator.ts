import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type {
  ConnectArgs,
  ConnectResult,
  HistoryArgs,
  HistoryResult,
  ReconnectArgs,
  RunArgs,
  RunResult,
  WorkerReply,
  WorkerRequest,
} from "./load-protocol";
import { LOAD_CORE, pinned, raiseFileLimit } from "./pinning";

const WORKER = fileURLToPath(new URL("./load-worker.ts", import.meta.url));

/** The orchestrator's handle on a load generator process (load-worker.ts). */
export class LoadGenerator {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
  ) {
    child.on("message", (reply: WorkerReply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    child.on("exit", (code) => {
      for (const w of this.waiting.values())
        w({ id: 0, ok: false, error: `generator exited (${code})` });
      this.waiting.clear();
    });
  }

  /** Starts a generator pinned to the load core, allowed `fileLimit` open sockets. */
  static async start(fileLimit: number): Promise<LoadGenerator> {
    // A large young generation: most of what the generator allocates (frames, closures) dies
    // young, and fewer promotions mean fewer old-generation pauses in the sending loop.
    const [command, ...args] = [
      ...pinned(LOAD_CORE),
      process.execPath,
      "--max-semi-space-size=64",
      "--import",
      "tsx",
      WORKER,
    ];
    const child = spawn(command!, args, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    if (child.pid === undefined) throw new Error("could not start the load generator");
    raiseFileLimit(child.pid, fileLimit);
    await once(child, "spawn");
    return new LoadGenerator(child, child.pid);
  }

  private call<T>(request: WorkerRequest): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (reply) => {
        if (reply.ok) resolve(reply.result as T);
        else reject(new Error(reply.error));
      });
      this.child.send({ id, request });
    });
  }

  connect(args: ConnectArgs): Promise<ConnectResult> {
    return this.call({ cmd: "connect", args });
  }

  reconnect(args: ReconnectArgs): Promise<ConnectResult> {
    return this.call({ cmd: "reconnect", args });
  }

  close(indices?: number[]): Promise<{ closed: number }> {
    return this.call({ cmd: "close", args: indices ? { indices } : {} });
  }

  run(args: RunArgs): Promise<RunResult> {
    return this.call({ cmd: "run", args });
  }

  history(args: HistoryArgs): Promise<HistoryResult> {
    return this.call({ cmd: "history", args });
  }

  lastSeqs(indices: number[]): Promise<Record<string, number>[]> {
    return this.call({ cmd: "lastSeqs", args: { indices } });
  }

  /** Closes every client and ends the process (killing it if it does not end in 10 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exit = once(this.child, "exit");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    try {
      await Promise.race([this.call({ cmd: "exit", args: {} }), exit]);
    } catch {
      // exited already
    }
    await exit;
    clearTimeout(timer);
  }
}
