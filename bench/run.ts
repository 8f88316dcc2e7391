/**
 * Parley's benchmark suite. Runs the scenarios against a Parley server started as a child
 * process (persistence on, a temporary SQLite file), pinned to core 0, with the load generator
 * in its own process on core 1; prints a markdown report and writes the JSON next to it.
 *
 *   npm run bench                      short version of everything (small counts)
 *   npm run bench:full                 full size (takes a while; every step is bounded)
 *   node --import tsx bench/run.ts --only fanout --conns 10000 --full
 *
 * Options: --full, --only a,b (fanout, channels, idle, storm, history, write, encodings, big-channel,
 * login-flood),
 * --profile (CPU profiles of the server during fan-out and write), --conns N and --senders K
 * (fan-out), --idle-conns N, --step-seconds S, --encoding json|msgpack (fan-out),
 * --history-messages N and --history-channels K (history), --db sqlite,postgres://… (write; comma-separated), --servers parley,ws-relay,socketio
 * (fan-out and channels; default all three), --skip-baselines (= --servers parley), --data-dir DIR (where the
 * SQLite files go; /dev/shm takes the disk out of the measurement, for comparison only).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BenchContext, type BenchOptions } from "./lib/context";
import { describeRun, runInfo } from "./lib/machine";
import { describePinning, pinSelfToLoadCore } from "./lib/pinning";
import { markdownTable } from "./lib/report";
import type { Scenario, ScenarioReport } from "./lib/scenario";
import type { ServerKind } from "./lib/server-under-test";
import { summarizeProfiles } from "./profile-summary";
import { bigChannel } from "./scenarios/big-channel";
import { channels } from "./scenarios/channels";
import { encodings } from "./scenarios/encodings";
import { fanout } from "./scenarios/fanout";
import { history } from "./scenarios/history";
import { idle } from "./scenarios/idle";
import { loginFlood } from "./scenarios/login-flood";
import { storm } from "./scenarios/storm";
import { write } from "./scenarios/write";

const SCENARIOS: Record<string, Scenario> = {
  fanout,
  channels,
  idle,
  storm,
  history,
  write,
  encodings,
  "login-flood": loginFlood,
  "big-channel": bigChannel,
};

const { values } = parseArgs({
  options: {
    full: { type: "boolean", default: false },
    only: { type: "string" },
    profile: { type: "boolean", default: false },
    conns: { type: "string" },
    senders: { type: "string" },
    "idle-conns": { type: "string" },
    "step-seconds": { type: "string" },
    rates: { type: "string" },
    encoding: { type: "string", default: "json" },
    "history-messages": { type: "string" },
    "history-channels": { type: "string" },
    db: { type: "string" },
    "skip-baselines": { type: "boolean", default: false },
    servers: { type: "string" },
    out: { type: "string" },
    "data-dir": { type: "string" },
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
const options: BenchOptions = {
  full: values.full ?? false,
  profile: values.profile ?? false,
  encoding: values.encoding === "msgpack" ? "msgpack" : "json",
  servers: values["skip-baselines"]
    ? ["parley"]
    : ((values.servers?.split(",") ?? ["parley", "ws-relay", "socketio"]) as ServerKind[]),
  ...(values.conns ? { conns: num(values.conns)! } : {}),
  ...(values.senders ? { senders: num(values.senders)! } : {}),
  ...(values["idle-conns"] ? { idleConns: num(values["idle-conns"])! } : {}),
  ...(values["step-seconds"] ? { stepSeconds: num(values["step-seconds"])! } : {}),
  ...(values.rates ? { rates: values.rates.split(",").map(Number) } : {}),
  ...(values["history-messages"] ? { historyMessages: num(values["history-messages"])! } : {}),
  ...(values["history-channels"] ? { historyChannels: num(values["history-channels"])! } : {}),
  ...(values.db ? { db: values.db } : {}),
  ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
};
const names = values.only ? values.only.split(",").map((s) => s.trim()) : Object.keys(SCENARIOS);
for (const name of names) {
  if (!SCENARIOS[name]) {
    console.error(`unknown scenario ${name}; known: ${Object.keys(SCENARIOS).join(", ")}`);
    process.exit(2);
  }
}

pinSelfToLoadCore();
const info = runInfo();
const stamp = info.date.replace(/[:.]/g, "-");
const outDir = values.out ?? join("bench", "results");
mkdirSync(outDir, { recursive: true });
const ctx = new BenchContext(options, info, join(outDir, `profiles-${stamp}`));
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping servers and generators`);
    void ctx.close().finally(() => process.exit(130));
  });
}

console.log(`# Parley benchmarks (${options.full ? "full" : "short"})\n`);
console.log(describeRun(info));
console.log(`${describePinning()}\n`);

const reports: Record<string, ScenarioReport | { error: string }> = {};
const started = Date.now();
try {
  for (const name of names) {
    const t0 = Date.now();
    console.error(`> ${name}`);
    try {
      const report = await SCENARIOS[name]!(ctx);
      reports[name] = report;
      console.log(`## ${report.title}\n\n${report.markdown}\n`);
    } catch (err) {
      reports[name] = { error: (err as Error).stack ?? String(err) };
      console.log(`## ${name}\n\nFailed: ${(err as Error).message}\n`);
    }
    console.error(`< ${name} (${Math.round((Date.now() - t0) / 1000)} s)`);
  }
} finally {
  await ctx.close();
}

const targets = Object.values(reports).flatMap((r) => ("targets" in r ? r.targets : []));
if (targets.length > 0) {
  console.log("## Targets\n");
  console.log(
    markdownTable(
      ["target", "measured", "met"],
      targets.map((t) => [t.target, t.measured, t.met ? "yes" : "no"]),
      3,
    ),
  );
  console.log();
}
if (options.profile) {
  console.log("## CPU profiles of the server\n");
  console.log(summarizeProfiles(ctx.profileDir, 15));
}
console.log(`Total time ${Math.round((Date.now() - started) / 1000)} s.`);
const jsonPath = join(outDir, `${options.full ? "full" : "short"}-${stamp}.json`);
writeFileSync(jsonPath, `${JSON.stringify({ info, options, reports }, null, 2)}\n`);
console.log(`JSON: ${jsonPath}`);
