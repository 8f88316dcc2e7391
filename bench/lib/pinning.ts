import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

/**
 * Core assignment: with two or more cores the server under test gets core 0 and the load
 * generator (and this orchestrating process) core 1, so neither steals the other's CPU.
 * On one core nothing is pinned and the numbers say so.
 */
export const PINNED = cpus().length >= 2 && hasTaskset();
export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

function hasTaskset(): boolean {
  try {
    execFileSync("taskset", ["-p", String(process.pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Scheduling priority of the server and the generator. The machine is shared: other work on
 * it would otherwise take turns on the server's core and show up as latency. At nice -10 the
 * benchmark gets about 90 % of its cores while it runs and the rest of the machine still
 * moves. Only root may lower a nice value; others run at 0. `PARLEY_BENCH_NICE` changes it.
 */
const NICE = process.getuid?.() === 0 ? Number(process.env.PARLEY_BENCH_NICE ?? -10) : 0;

/** The command prefix that runs a program on one core at the benchmark's priority. */
export function pinned(core: number): string[] {
  return [
    ...(NICE !== 0 ? ["nice", "-n", String(NICE)] : []),
    ...(PINNED ? ["taskset", "-c", String(core)] : []),
  ];
}

export function describePinning(): string {
  const where = PINNED
    ? "Server under test pinned to core 0; load generator and this process to core 1"
    : "Not pinned (one core or no taskset): server and generator share the CPU";
  return `${where}; server and generator at nice ${NICE}.`;
}

/** Moves this process onto the load generator's core. */
export function pinSelfToLoadCore(): void {
  if (PINNED)
    execFileSync("taskset", ["-a", "-p", "-c", String(LOAD_CORE), String(process.pid)], {
      stdio: "ignore",
    });
}

/** Raises a running process's open-file limit (needs root above the hard limit). */
export function raiseFileLimit(pid: number, limit: number): boolean {
  try {
    execFileSync("prlimit", ["--pid", String(pid), `--nofile=${limit}:${limit}`], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}
