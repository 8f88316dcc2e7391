import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/** Where and when a benchmark ran: every printed number goes out with this. */
export interface RunInfo {
  commit: string;
  /** Files changed in the work tree (outside bench/) when the run started. */
  dirtyFiles: number;
  date: string;
  machine: {
    cores: number;
    model: string;
    memoryGiB: number;
    node: string;
    kernel: string;
  };
}

function git(args: string[]): string {
  try {
    return execFileSync("git", args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return "";
  }
}

export function runInfo(): RunInfo {
  const dirty = git(["status", "--porcelain", "--", ".", ":!bench", ":!docs/benchmarks*"])
    .split("\n")
    .filter(Boolean).length;
  let kernel = "";
  try {
    kernel = readFileSync("/proc/sys/kernel/osrelease", "utf8").trim();
  } catch {
    // not Linux
  }
  return {
    commit: git(["rev-parse", "--short", "HEAD"]) || "unknown",
    dirtyFiles: dirty,
    date: new Date().toISOString(),
    machine: {
      cores: cpus().length,
      model: cpus()[0]?.model.trim() ?? "unknown",
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      kernel,
    },
  };
}

export function describeRun(info: RunInfo): string {
  const m = info.machine;
  const dirty = info.dirtyFiles > 0 ? ` (+${info.dirtyFiles} uncommitted files)` : "";
  return [
    `commit ${info.commit}${dirty}`,
    `${m.cores} cores, ${m.model}, ${m.memoryGiB} GiB`,
    `node ${m.node}`,
    `linux ${m.kernel}`,
    info.date,
  ].join(" · ");
}
