/**
 * Summarizes V8 CPU profiles (.cpuprofile, as written by `node --cpu-prof`): the functions with
 * the most self time, and self time by area (Parley's code, each dependency, Node internals,
 * GC). Percentages are of the busy time: every sample but "(idle)".
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile | directory> [--top 20]
 *
 * A directory is searched recursively; each folder of profiles is summarized on its own.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { markdownTable } from "./lib/report";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeEntry {
  fn: string;
  location: string;
  area: string;
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  top: SelfTimeEntry[];
  areas: { area: string; selfMs: number; percent: number }[];
}

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

function shortPath(url: string): string {
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  if (!path) return "";
  const nm = path.lastIndexOf("node_modules/");
  if (nm !== -1) return path.slice(nm);
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

const sourceLines = new Map<string, string[]>();

/**
 * The line of a function's definition. V8 reports lines of the code it ran; tsx hands it each
 * TypeScript file as one line, so for those the definition is looked up by name in the source.
 */
function lineOf(path: string, fn: string, reported: number): number {
  if (reported > 0 || !path.endsWith(".ts")) return reported + 1;
  if (!/^[\w$]+$/.test(fn)) return 0;
  let lines = sourceLines.get(path);
  if (!lines) {
    try {
      lines = readFileSync(resolve(ROOT, path), "utf8").split("\n");
    } catch {
      lines = [];
    }
    sourceLines.set(path, lines);
  }
  const patterns = [
    new RegExp(`\\bfunction\\*?\\s+${fn}\\b`),
    new RegExp(
      `^\\s*(?:(?:export|private|public|protected|static|readonly|async|override|get|set)\\s+)*${fn}\\s*(?:<[^>]*>)?\\s*\\(`,
    ),
    new RegExp(`\\b${fn}\\s*[:=]\\s*(?:async\\s*)?(?:\\([^)]*\\)|\\w+)\\s*(?::[^=]+)?=>`),
    new RegExp(`\\b(?:class|const|let)\\s+${fn}\\b`),
  ];
  for (const pattern of patterns) {
    const index = lines.findIndex((line) => pattern.test(line));
    if (index !== -1) return index + 1;
  }
  return 0;
}

function areaOf(fn: string, url: string): string {
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)") return "(program: native, unattributed)";
  if (!url) return "native / V8 builtins";
  const path = shortPath(url);
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm) return nm[1]!;
  if (path.startsWith("node:")) return "node internals";
  if (path.startsWith("packages/")) return path.split("/").slice(0, 2).join("/");
  return path;
}

/** Self time by function; samples in the first `fromMs` of the profile are left out. */
export function summarize(profile: CpuProfile, top = 20, fromMs = 0): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < fromMs * 1000) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const byFn = new Map<string, SelfTimeEntry>();
  const byArea = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    if (frame.functionName === "(idle)") {
      idle += us;
      continue;
    }
    busy += us;
    const fn = frame.functionName || "(anonymous)";
    const path = shortPath(frame.url);
    const line = frame.url ? lineOf(path, frame.functionName, frame.lineNumber) : 0;
    const location = frame.url ? (line > 0 ? `${path}:${line}` : path) : "";
    const key = `${fn} ${location}`;
    const area = areaOf(frame.functionName, frame.url);
    const entry = byFn.get(key) ?? { fn, location, area, selfMs: 0, percent: 0 };
    entry.selfMs += us / 1000;
    byFn.set(key, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + us / 1000);
  }
  const pct = (msValue: number) => Math.round((msValue / (busy / 1000)) * 1000) / 10;
  const entries = [...byFn.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  for (const e of entries) {
    e.percent = pct(e.selfMs);
    e.selfMs = Math.round(e.selfMs);
  }
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    top: entries,
    areas: [...byArea]
      .map(([area, selfMs]) => ({ area, selfMs: Math.round(selfMs), percent: pct(selfMs) }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, 12),
  };
}

function findProfiles(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return path.endsWith(".cpuprofile") ? [path] : [];
  return readdirSync(path).flatMap((name) => findProfiles(join(path, name)));
}

export function formatSummary(label: string, s: ProfileSummary): string {
  return [
    `### ${label}`,
    "",
    `Busy ${s.busyMs} ms, idle ${s.idleMs} ms. Top self time (percent of busy time):`,
    "",
    markdownTable(
      ["function", "location", "self ms", "self %"],
      s.top.map((e) => [`\`${e.fn}\``, e.location ? `\`${e.location}\`` : "", e.selfMs, e.percent]),
      2,
    ),
    "",
    "By area:",
    "",
    markdownTable(
      ["area", "self ms", "self %"],
      s.areas.map((a) => [a.area, a.selfMs, a.percent]),
    ),
    "",
  ].join("\n");
}

/**
 * Summarizes the profiles under `path`: per folder, the thread with the most busy time (the
 * main thread; the others are loader and helper threads).
 */
export function summarizeProfiles(path: string, top = 20): string {
  const files = findProfiles(path);
  if (files.length === 0) return `No .cpuprofile under ${path}.\n`;
  const best = new Map<string, { file: string; summary: ProfileSummary; fromMs: number }>();
  for (const file of files) {
    const dir = dirname(file);
    const window = join(dir, "window.json");
    const fromMs = existsSync(window)
      ? (JSON.parse(readFileSync(window, "utf8")) as { fromMs: number }).fromMs
      : 0;
    const summary = summarize(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, top, fromMs);
    if ((best.get(dir)?.summary.busyMs ?? -1) < summary.busyMs)
      best.set(dir, { file, summary, fromMs });
  }
  return [...best.values()]
    .map(({ file, summary, fromMs }) =>
      formatSummary(
        `${basename(dirname(file))} (${basename(file)}${fromMs > 0 ? `, from ${(fromMs / 1000).toFixed(1)} s on` : ""})`,
        summary,
      ),
    )
    .join("\n");
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: "string", default: "20" } },
  });
  const target = positionals[0];
  if (!target) {
    console.error("usage: profile-summary.ts <file.cpuprofile | directory> [--top N]");
    process.exit(2);
  }
  console.log(summarizeProfiles(target, Number(values.top)));
}
