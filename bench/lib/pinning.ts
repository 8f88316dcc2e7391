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

/** The command prefix that runs a program on one core (empty when not pinning). */
export function pinned(core: number): string[] {
  return PINNED ? ["taskset", "-c", String(core)] : [];
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
