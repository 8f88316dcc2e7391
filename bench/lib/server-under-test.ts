import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pinned, raiseFileLimit, SERVER_CORE } from "./pinning";

/** The servers a scenario can drive: Parley and the two baselines. */
export type ServerKind = "parley" | "ws-relay" | "socketio";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY: Record<ServerKind, string> = {
  parley: join(ROOT, "packages/server/src/main.ts"),
  "ws-relay": join(ROOT, "bench/baselines/ws-relay.ts"),
  socketio: join(ROOT, "bench/baselines/socketio-broadcast.ts"),
};

export interface ServerOptions {
  kind: ServerKind;
  /** Parley only: the SQLite file (persistence on). */
  databasePath?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Write a V8 CPU profile into this directory when the server exits. */
  profileDir?: string;
  /** Open-file limit to give the server (connections are files). */
  fileLimit?: number;
}

/** A server under test running as a child process, pinned to its own core. */
export interface ServerUnderTest {
  kind: ServerKind;
  pid: number;
  /** http://127.0.0.1:port */
  url: string;
  /** The WebSocket URL clients connect to. */
  wsUrl: string;
  /** The last lines the server wrote (for errors). */
  output(): string;
  /**
   * Marks the start of the measured part: the profile summary leaves out the samples before
   * it (start-up, module loading, seeding clients). No-op without a profile.
   */
  markMeasured(): void;
  /** Sends SIGTERM and waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
}

const KEEP_OUTPUT = 64 * 1024;

/**
 * Parley's abuse limits, raised out of the way: every benchmark client comes from 127.0.0.1 and
 * a few users send hundreds of messages a second, which the defaults (rightly) refuse. The
 * limiters still run on every request; only their thresholds change.
 */
const UNLIMITED = "1000000000/1000000000";
export const BENCH_LIMITS: Record<string, string> = {
  PARLEY_RATE_LIMITS: [
    "send",
    "reaction",
    "typing",
    "join",
    "command",
    "read",
    "hello",
    "login",
    "register",
    "account",
    "accountlong",
  ]
    .map((name) => `${name}=${UNLIMITED}`)
    .join(","),
  PARLEY_MAX_CONNECTIONS_PER_IP: "1000000",
  PARLEY_MAX_MEMBERS_PER_CHANNEL: "10000000",
  // Scenarios make and join their own channels; a default one would add a join to every guest.
  PARLEY_DEFAULT_CHANNELS: "",
};

export async function startServer(options: ServerOptions): Promise<ServerUnderTest> {
  const nodeArgs: string[] = [];
  if (options.profileDir) {
    mkdirSync(options.profileDir, { recursive: true });
    nodeArgs.push("--cpu-prof", `--cpu-prof-dir=${options.profileDir}`);
  }
  nodeArgs.push("--import", "tsx", ENTRY[options.kind]);
  const [command, ...args] = [...pinned(SERVER_CORE), process.execPath, ...nodeArgs];
  const env: Record<string, string | undefined> = {
    ...process.env,
    PARLEY_HOST: "127.0.0.1",
    PARLEY_PORT: "0",
    PARLEY_LOG_LEVEL: "info",
    ...(options.kind === "parley" ? BENCH_LIMITS : {}),
    ...(options.databasePath ? { PARLEY_DATABASE_URL: `sqlite:${options.databasePath}` } : {}),
    ...options.env,
  };
  // The server must not inherit the IPC channel or the loader settings of a test runner.
  delete env.NODE_CHANNEL_FD;
  const spawnedAt = performance.now();
  const child: ChildProcess = spawn(command!, args, {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer) => {
    output += d.toString();
    if (output.length > KEEP_OUTPUT) output = output.slice(-KEEP_OUTPUT);
  };
  child.stderr?.on("data", keep);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${options.kind}`);
  if (options.fileLimit) raiseFileLimit(pid, options.fileLimit);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${options.kind} did not start:\n${output}`)),
      30_000,
    );
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(seen);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.stdout?.on("data", keep);
        resolve(match[1]!);
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${options.kind} exited with ${code}:\n${output}${seen}`));
    });
  });
  const path = options.kind === "socketio" ? "/socket.io/?EIO=4&transport=websocket" : "/ws";
  return {
    kind: options.kind,
    pid,
    url,
    wsUrl: `${url.replace(/^http/, "ws")}${path}`,
    output: () => output,
    markMeasured() {
      if (!options.profileDir) return;
      writeFileSync(
        join(options.profileDir, "window.json"),
        `${JSON.stringify({ fromMs: Math.round(performance.now() - spawnedAt) })}\n`,
      );
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const exit = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      const [code] = await exit;
      clearTimeout(timer);
      return code as number | null;
    },
  };
}
