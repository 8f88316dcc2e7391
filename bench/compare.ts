/**
 * The cost of a change, as ratios: runs the write, history and fan-out scenarios of `bench/run.ts` on an
 * earlier revision (the baseline) and on the work tree, taking turns (base, head, base, head…),
 * and prints each figure of the head as a ratio of the baseline's median. Taking turns on the
 * same machine in one script keeps a shared, noisy machine's drift out of the ratio.
 *
 *   node --import tsx bench/compare.ts --base HEAD~1                  write and history, 2 rounds
 *   node --import tsx bench/compare.ts --base main --only write --rounds 3
 *   node --import tsx bench/compare.ts --base main --only write,fanout   fan-out of Parley alone
 *   node --import tsx bench/compare.ts --base HEAD~1 --only idle,channels --full --bench-from-head
 *   node --import tsx bench/compare.ts --base HEAD~1 --only write --db postgres://… --full
 *
 * `--bench-from-head` runs this tree's `bench/` on both sides (the baseline's server with the
 * head's scenarios), for a figure the baseline's scenarios do not report yet.
 *
 * The baseline is checked out into a temporary git worktree with a copy of this one's
 * node_modules (the same installed packages), and removed afterwards.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { markdownTable } from "./lib/report";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    only: { type: "string", default: "write,history" },
    rounds: { type: "string", default: "2" },
    full: { type: "boolean", default: false },
    "bench-from-head": { type: "boolean", default: false },
    /** Passed on to bench/run.ts: the write scenario's databases. */
    db: { type: "string" },
    "step-seconds": { type: "string" },
    /** Passed on to bench/run.ts: the channels scenario's rates. */
    rates: { type: "string" },
  },
});
if (!values.base) {
  console.error("usage: bench/compare.ts --base REV [--only write,history] [--rounds N] [--full]");
  process.exit(2);
}
const root = resolve(import.meta.dirname, "..");
const rounds = Number(values.rounds);
const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
const baseCommit = git("rev-parse", "--short", values.base);
const headCommit = git("rev-parse", "--short", "HEAD");

/** A figure of one run, by name: higher is better unless `lowerIsBetter`. */
interface Figure {
  name: string;
  value: number;
  lowerIsBetter: boolean;
}

interface WriteStep {
  rate: number;
  passed: boolean;
  run: { acksPerSec: number; ack: { p50: number; p99: number } };
}
interface FanoutFigures {
  server: string;
  offeredDeliveriesPerSec: number;
  run: { deliveriesPerSec: number; latency: { p50: number; p99: number } };
  serverProc: { cpuPercent: number };
}
interface ChannelsStep {
  /** The server (absent in reports from before the baselines ran here: Parley). */
  kind?: string;
  rate: number;
  run: { deliveriesPerSec: number; latency: { p50: number; p99: number } };
  server: { cpuPercent: number };
  cpuMsPerMessage?: number;
}
interface IdleFigures {
  conns: number;
  perKMiB: number;
  idleLagMaxMs?: number;
  idleLagP99Ms?: number;
}
interface HistoryStep {
  rate: number;
  result: { byQuery: Record<string, { latency: { p50: number; p99: number } }> };
}

/** A delivery step's figures: deliveries per second, latency p50 and p99, the server's CPU. */
function deliveryFigures(
  at: string,
  run: { deliveriesPerSec: number; latency: { p50: number; p99: number } },
  cpuPercent: number,
): Figure[] {
  return [
    { name: `${at}: deliveries/s`, value: run.deliveriesPerSec, lowerIsBetter: false },
    { name: `${at}: p50 (ms)`, value: run.latency.p50, lowerIsBetter: true },
    { name: `${at}: p99 (ms)`, value: run.latency.p99, lowerIsBetter: true },
    { name: `${at}: server CPU (%)`, value: cpuPercent, lowerIsBetter: true },
  ];
}

/** The figures worth comparing from one run's JSON report. */
function figures(report: {
  reports: Record<string, { data?: Record<string, unknown> } | { error: string }>;
}): Figure[] {
  const out: Figure[] = [];
  const write = report.reports.write;
  if (write && "data" in write && write.data) {
    for (const [db, steps] of Object.entries(write.data.steps as Record<string, WriteStep[]>)) {
      const sustained = Math.max(0, ...steps.filter((s) => s.passed).map((s) => s.rate));
      out.push({
        name: `write ${db}: highest rate sustained (msg/s)`,
        value: sustained,
        lowerIsBetter: false,
      });
      for (const s of steps) {
        const at = `write ${db} ${s.rate}/s`;
        out.push({ name: `${at}: acks/s`, value: s.run.acksPerSec, lowerIsBetter: false });
        out.push({ name: `${at}: ack p50 (ms)`, value: s.run.ack.p50, lowerIsBetter: true });
        out.push({ name: `${at}: ack p99 (ms)`, value: s.run.ack.p99, lowerIsBetter: true });
      }
    }
  }
  const history = report.reports.history;
  if (history && "data" in history && history.data) {
    for (const s of history.data.steps as HistoryStep[]) {
      for (const [query, q] of Object.entries(s.result.byQuery)) {
        out.push({
          name: `history ${s.rate}/s ${query}: p50 (ms)`,
          value: q.latency.p50,
          lowerIsBetter: true,
        });
        out.push({
          name: `history ${s.rate}/s ${query}: p99 (ms)`,
          value: q.latency.p99,
          lowerIsBetter: true,
        });
      }
    }
  }
  const channels = report.reports.channels;
  if (channels && "data" in channels && channels.data) {
    for (const s of (channels.data as unknown as { steps: ChannelsStep[] }).steps) {
      if (s.kind !== undefined && s.kind !== "parley") continue;
      out.push(...deliveryFigures(`channels ${s.rate}/s`, s.run, s.server.cpuPercent));
      if (s.cpuMsPerMessage !== undefined)
        out.push({
          name: `channels ${s.rate}/s: server CPU per message (ms)`,
          value: s.cpuMsPerMessage,
          lowerIsBetter: true,
        });
    }
  }
  const big = report.reports["big-channel"];
  if (big && "data" in big && big.data) {
    for (const d of big.data as unknown as {
      members: number;
      joinP50Ms: number;
      ready: { p99: number };
    }[]) {
      const at = `big channel of ${d.members}`;
      out.push({ name: `${at}: join p50 (ms)`, value: d.joinP50Ms, lowerIsBetter: true });
      out.push({ name: `${at}: hello + join p99 (ms)`, value: d.ready.p99, lowerIsBetter: true });
    }
  }
  const storm = report.reports.storm;
  if (storm && "data" in storm && storm.data) {
    for (const p of (
      storm.data as unknown as {
        phases: {
          name: string;
          result: { opened: number; failed: number; elapsedMs: number; hello: { p99: number } };
        }[];
      }
    ).phases) {
      const at = `storm, ${p.name}`;
      const perSec = (p.result.opened / p.result.elapsedMs) * 1000;
      out.push({ name: `${at}: clients/s`, value: perSec, lowerIsBetter: false });
      out.push({ name: `${at}: failed`, value: p.result.failed, lowerIsBetter: true });
      out.push({ name: `${at}: welcome p99 (ms)`, value: p.result.hello.p99, lowerIsBetter: true });
    }
  }
  const idle = report.reports.idle;
  if (idle && "data" in idle && idle.data) {
    for (const d of idle.data as unknown as IdleFigures[]) {
      const at = `idle ${d.conns} connections`;
      out.push({ name: `${at}: MiB per 1k`, value: d.perKMiB, lowerIsBetter: true });
      if (d.idleLagMaxMs !== undefined)
        out.push({
          name: `${at}: loop delay max (ms)`,
          value: d.idleLagMaxMs,
          lowerIsBetter: true,
        });
      if (d.idleLagP99Ms !== undefined)
        out.push({
          name: `${at}: loop delay p99 (ms)`,
          value: d.idleLagP99Ms,
          lowerIsBetter: true,
        });
    }
  }
  const fanout = report.reports.fanout;
  if (fanout && "data" in fanout && fanout.data) {
    for (const s of fanout.data.steps as FanoutFigures[]) {
      if (s.server !== "parley") continue;
      out.push(
        ...deliveryFigures(
          `fan-out ${s.offeredDeliveriesPerSec}/s`,
          s.run,
          s.serverProc.cpuPercent,
        ),
      );
    }
  }
  return out;
}

/** Runs the scenarios once in `tree`; resolves to the figures of its JSON report. */
function runOnce(tree: string, label: string): Figure[] {
  const out = mkdtempSync(join(tmpdir(), "parley-compare-"));
  try {
    console.error(`> ${label} (${tree === root ? headCommit : baseCommit})`);
    const args = ["--import", "tsx", "bench/run.ts", "--only", values.only!, "--out", out];
    // The baselines (other servers) do not change with Parley's code.
    args.push("--servers", "parley");
    if (values.full) args.push("--full");
    if (values.db) args.push("--db", values.db);
    if (values["step-seconds"]) args.push("--step-seconds", values["step-seconds"]);
    if (values.rates) args.push("--rates", values.rates);
    const r = spawnSync(process.execPath, args, {
      cwd: tree,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (r.status !== 0) throw new Error(`bench/run.ts in ${tree} exited with ${r.status}`);
    const json = readdirSync(out).find((f) => f.endsWith(".json"));
    if (!json) throw new Error(`no JSON report in ${out}`);
    const report = JSON.parse(readFileSync(join(out, json), "utf8"));
    for (const [name, r] of Object.entries(report.reports as Record<string, { error?: string }>))
      if (r.error) throw new Error(`${name} failed in ${tree}:\n${r.error}`);
    return figures(report);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const baseTree = mkdtempSync(join(tmpdir(), "parley-base-"));
rmSync(baseTree, { recursive: true });
git("worktree", "add", "--detach", baseTree, baseCommit);
try {
  // The same packages (workspace links are relative, so they point into the baseline's tree).
  const installed = [
    "node_modules",
    ...readdirSync(join(root, "packages")).map((p) => join("packages", p, "node_modules")),
  ].filter((dir) => existsSync(join(root, dir)));
  for (const dir of installed)
    cpSync(join(root, dir), join(baseTree, dir), { recursive: true, verbatimSymlinks: true });
  if (values["bench-from-head"]) {
    rmSync(join(baseTree, "bench"), { recursive: true, force: true });
    cpSync(join(root, "bench"), join(baseTree, "bench"), { recursive: true });
  }
  const runs: { base: Figure[][]; head: Figure[][] } = { base: [], head: [] };
  for (let i = 0; i < rounds; i++) {
    runs.base.push(runOnce(baseTree, `base ${i + 1}/${rounds}`));
    runs.head.push(runOnce(root, `head ${i + 1}/${rounds}`));
  }
  const names = [...new Set(runs.base.flat().map((f) => f.name))];
  const rows = names.flatMap((name) => {
    const pick = (side: Figure[][]) =>
      side.map((figs) => figs.find((f) => f.name === name)?.value).filter((v) => v !== undefined);
    const base = pick(runs.base);
    const head = pick(runs.head);
    if (base.length === 0 || head.length === 0) return [];
    const b = median(base);
    const h = median(head);
    const lower = runs.base.flat().find((f) => f.name === name)!.lowerIsBetter;
    const ratio = b === 0 ? Number.NaN : h / b;
    return [
      [
        name,
        b.toFixed(2),
        h.toFixed(2),
        `${ratio.toFixed(2)}×${lower ? " (lower is better)" : ""}`,
      ],
    ];
  });
  console.log(
    `# Parley: ${headCommit} (work tree) against ${baseCommit}, ${rounds} rounds each, medians\n`,
  );
  console.log(markdownTable(["figure", baseCommit, headCommit, "ratio"], rows, 1));
} finally {
  git("worktree", "remove", "--force", baseTree);
}
