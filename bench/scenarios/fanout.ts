import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Encoding } from "@parley/protocol";
import { type BenchContext, log, type MachineWindow, waitForQuiet, watched } from "../lib/context";
import type { ClientPlan, RunResult } from "../lib/load-protocol";
import type { ProcWindow } from "../lib/proc-stats";
import { int, markdownTable, ms, pct, times } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";
import type { ServerKind } from "../lib/server-under-test";
import { STEP_P99_LIMIT_MS, within } from "../lib/steps";
import { chartSvg } from "../lib/svg-chart";

const CONTENT_BYTES = 64;

export interface FanoutStep {
  server: ServerKind;
  encoding: Encoding;
  conns: number;
  offeredMsgsPerSec: number;
  offeredDeliveriesPerSec: number;
  run: RunResult;
  serverProc: ProcWindow;
  generatorProc: ProcWindow;
  machine: MachineWindow;
  passed: boolean;
}

export interface FanoutSeriesOptions {
  kind: ServerKind;
  encoding: Encoding;
  conns: number;
  senders: number;
  /** Offered deliveries per second for each step (messages/s = deliveries/s ÷ conns). */
  deliveryRates: number[];
  stepMs: number;
  drainMs: number;
  profile?: boolean;
}

/**
 * N connections in one channel, K of them sending on an open-loop schedule; the offered rate
 * steps up until a step fails. The same steps drive Parley and the baselines.
 */
export async function fanoutSeries(
  ctx: BenchContext,
  o: FanoutSeriesOptions,
): Promise<FanoutStep[]> {
  const fileLimit = o.conns + 4096;
  const channel = 1;
  let clients: ClientPlan[];
  const server =
    o.kind === "parley"
      ? await (async () => {
          const { server, seeded } = await ctx.parley(
            `fanout-${o.encoding}-${o.conns}`,
            (s) => {
              const users = s.users(o.conns);
              s.channel(
                "fanout",
                users.map((u) => u.id),
              );
              return users;
            },
            { profile: o.profile ?? false, fileLimit },
          );
          clients = seeded.map((u) => ({ token: u.token }));
          return server;
        })()
      : await (async () => {
          clients = Array.from({ length: o.conns }, (_, i) => ({
            sioClient: o.kind === "socketio" && i < o.senders,
          }));
          return ctx.server(o.kind, { fileLimit });
        })();
  const gen = await ctx.generator(fileLimit);
  const steps: FanoutStep[] = [];
  try {
    const setup = await gen.connect({
      kind: o.kind,
      url: server.wsUrl,
      encoding: o.encoding,
      clients: clients!,
      concurrency: 200,
      timeoutMs: 60_000,
    });
    log(
      `${o.kind}/${o.encoding}: ${setup.opened} connected in ${setup.elapsedMs} ms (${setup.failed} failed)`,
    );
    if (setup.failed > 0) log(`  failures: ${setup.failures.join("; ")}`);
    const senders = Array.from({ length: Math.min(o.senders, setup.opened) }, (_, i) => ({
      client: setup.firstIndex + i,
      channel,
    }));
    const membersPerChannel = { [String(channel)]: setup.opened };
    // Warm-up: let the JIT see the hot paths before anything is measured.
    const warm = o.deliveryRates[0]! / o.conns;
    await gen.run({
      rate: warm,
      durationMs: 1000,
      senders,
      membersPerChannel,
      contentBytes: CONTENT_BYTES,
      drainMs: 2000,
    });
    server.markMeasured();
    for (const deliveries of o.deliveryRates) {
      const rate = deliveries / o.conns;
      if (ctx.full) await waitForQuiet(30_000);
      const {
        result,
        server: serverProc,
        generator,
        machine,
      } = await watched(server.pid, gen.pid, () =>
        gen.run({
          rate,
          durationMs: o.stepMs,
          senders,
          membersPerChannel,
          contentBytes: CONTENT_BYTES,
          drainMs: o.drainMs,
        }),
      );
      const passed = within(result, STEP_P99_LIMIT_MS);
      steps.push({
        server: o.kind,
        encoding: o.encoding,
        conns: setup.opened,
        offeredMsgsPerSec: rate,
        offeredDeliveriesPerSec: rate * setup.opened,
        run: result,
        serverProc,
        generatorProc: generator,
        machine,
        passed,
      });
      log(
        `${o.kind}/${o.encoding} ${int(rate)} msg/s: ${int(result.deliveriesPerSec)} deliveries/s, p99 ${ms(result.latency.p99)} ms, ` +
          `${pct(result.deliveryRatio)} delivered, server ${serverProc.cpuPercent} % CPU, generator ${generator.cpuPercent} % CPU`,
      );
      if (!passed) break;
    }
  } finally {
    await ctx.stop(gen, server);
  }
  return steps;
}

export function stepRow(s: FanoutStep): (string | number)[] {
  const r = s.run;
  return [
    s.server === "parley" ? `parley (${s.encoding})` : s.server,
    int(s.offeredMsgsPerSec),
    int(s.offeredDeliveriesPerSec),
    int(r.deliveriesPerSec),
    pct(r.deliveryRatio, 2),
    ms(r.latency.p50),
    ms(r.latency.p99),
    ms(r.latency.p999),
    s.run.ack.count > 0 ? ms(r.ack.p99) : "–",
    `${s.serverProc.cpuPercent} / ${s.serverProc.peakCpuPercent}`,
    s.serverProc.peakRssMiB,
    s.generatorProc.cpuPercent,
    r.maxSendLagMs,
    s.machine.otherCpuPercent,
    r.frames > 0 ? (r.delivered / r.frames).toFixed(1) : "–",
    s.passed
      ? ""
      : Object.keys(r.closes).length > 0
        ? `fail; closes ${JSON.stringify(r.closes)}`
        : "fail",
  ];
}

export const STEP_HEADERS = [
  "server",
  "offered msg/s",
  "offered deliveries/s",
  "deliveries/s",
  "delivered",
  "p50 ms",
  "p99 ms",
  "p99.9 ms",
  "ack p99 ms",
  "server CPU % (mean / peak 1 s)",
  "server RSS MiB",
  "generator CPU %",
  "generator send lag ms",
  "other processes CPU %",
  "deliveries/frame",
  "note",
];

/** Highest deliveries/s among steps that meet a p99 bound and the delivery floor. */
export function bestAt(steps: FanoutStep[], p99Ms: number): FanoutStep | undefined {
  return steps
    .filter((s) => within(s.run, p99Ms))
    .sort((a, b) => b.run.deliveriesPerSec - a.run.deliveriesPerSec)[0];
}

const COLORS: Record<string, string> = {
  parley: "#1f6feb",
  "ws-relay": "#2da44e",
  socketio: "#cf222e",
};

export async function fanout(ctx: BenchContext): Promise<ScenarioReport> {
  const conns = ctx.options.conns ?? (ctx.full ? 1000 : 200);
  const senders = ctx.options.senders ?? 10;
  const deliveryRates = ctx.full
    ? [50_000, 100_000, 250_000, 500_000, 1_000_000, 1_500_000, 2_000_000, 3_000_000, 4_000_000]
    : [20_000, 200_000];
  const stepMs = (ctx.options.stepSeconds ?? (ctx.full ? 10 : 1.5)) * 1000;
  const drainMs = ctx.full ? 10_000 : 2_000;
  const kinds = ctx.options.servers;
  const all: FanoutStep[] = [];
  for (const kind of kinds) {
    all.push(
      ...(await fanoutSeries(ctx, {
        kind,
        encoding: ctx.options.encoding,
        conns,
        senders,
        deliveryRates,
        stepMs,
        drainMs,
        profile: kind === "parley",
      })),
    );
  }
  const parley = all.filter((s) => s.server === "parley");

  // Ratios at the same offered load.
  const ratioRows: (string | number)[][] = [];
  for (const baseline of kinds.filter((k) => k !== "parley")) {
    for (const p of parley) {
      const b = all.find(
        (s) => s.server === baseline && s.offeredMsgsPerSec === p.offeredMsgsPerSec,
      );
      if (!b) {
        ratioRows.push([
          baseline,
          int(p.offeredDeliveriesPerSec),
          "baseline stopped at a lower step",
          "–",
          "–",
        ]);
        continue;
      }
      ratioRows.push([
        baseline,
        int(p.offeredDeliveriesPerSec),
        times(p.run.deliveriesPerSec / Math.max(1, b.run.deliveriesPerSec)),
        times(b.run.latency.p99 / Math.max(0.001, p.run.latency.p99)),
        times(b.serverProc.cpuPercent / Math.max(0.1, p.serverProc.cpuPercent)),
      ]);
    }
  }
  const best = Object.fromEntries(
    kinds.map((k) => {
      const steps = all.filter((s) => s.server === k);
      return [k, { at100ms: bestAt(steps, 100), at1s: bestAt(steps, STEP_P99_LIMIT_MS) }];
    }),
  );
  const bestRows = kinds.map((k) => [
    k,
    best[k]?.at100ms ? int(best[k].at100ms.run.deliveriesPerSec) : "none",
    best[k]?.at1s ? int(best[k].at1s.run.deliveriesPerSec) : "none",
  ]);
  const parleyBest = best.parley?.at100ms?.run.deliveriesPerSec ?? 0;
  // Against Socket.IO: both servers' best step within the stepping limits (p99 ≤ 1 s). When
  // Socket.IO passed no step, what it achieved at its first (failed) step bounds its capacity
  // from above, so the ratio is a lower bound.
  const parleyPassing = best.parley?.at1s?.run.deliveriesPerSec ?? 0;
  const sioSteps = all.filter((s) => s.server === "socketio");
  const sioPassing = best.socketio?.at1s?.run.deliveriesPerSec;
  const sioBound = sioPassing ?? Math.max(0, ...sioSteps.map((s) => s.run.deliveriesPerSec));
  const sioRatio = sioBound > 0 ? parleyPassing / sioBound : Number.NaN;
  // Only a full run with both baselines replaces the chart in docs/.
  const chartPath =
    ctx.full && kinds.length === 3 && conns === 1000
      ? "docs/benchmarks-fanout.svg"
      : join(dirname(ctx.profileDir), `fanout-${ctx.info.date.replace(/[:.]/g, "-")}.svg`);
  const svg = chartSvg(
    `Fan-out: ${conns} connections, one channel, ${senders} senders`,
    `64-byte messages · ${ctx.info.commit} · ${ctx.info.machine.model} · server pinned to 1 core · ${ctx.info.date.slice(0, 10)} · hollow = failed step`,
    "offered deliveries/s",
    [
      {
        title: "Deliveries/s achieved",
        yLabel: "deliveries/s",
        series: kinds.map((k) => ({
          name: k,
          color: COLORS[k]!,
          points: all
            .filter((s) => s.server === k)
            .map((s) => ({
              x: s.offeredDeliveriesPerSec,
              y: s.run.deliveriesPerSec,
              failed: !s.passed,
            })),
        })),
        guides: [{ y: 1_000_000, label: "target 1M/s" }],
      },
      {
        title: "p99 latency, scheduled send → delivery",
        yLabel: "p99 ms",
        series: kinds.map((k) => ({
          name: k,
          color: COLORS[k]!,
          points: all
            .filter((s) => s.server === k)
            .map((s) => ({
              x: s.offeredDeliveriesPerSec,
              y: s.run.latency.p99,
              failed: !s.passed,
            })),
        })),
        guides: [
          { y: 100, label: "target 100 ms" },
          { y: 1000, label: "stop 1 s" },
        ],
      },
    ],
  );
  writeFileSync(chartPath, svg);

  const markdown = [
    `${conns} connections in one channel, ${senders} of them sending 64-byte messages open-loop; ${stepMs / 1000} s per step.`,
    "",
    markdownTable(STEP_HEADERS, all.map(stepRow)),
    "",
    "Best step per server (deliveries/s with ≥ 99 % delivered):",
    "",
    markdownTable(["server", "p99 ≤ 100 ms", "p99 ≤ 1 s"], bestRows),
    "",
    ...(ratioRows.length > 0
      ? [
          "Parley ÷ baseline at the same offered load (deliveries/s ratio; p99 and CPU: baseline ÷ Parley, > 1 means Parley is lower):",
          "",
          markdownTable(
            ["baseline", "offered deliveries/s", "deliveries/s", "p99", "server CPU"],
            ratioRows,
          ),
          "",
        ]
      : []),
    `Chart: ${chartPath}`,
  ].join("\n");

  return {
    title: "Fan-out",
    markdown,
    data: { conns, senders, steps: all, chart: chartPath },
    targets: [
      {
        target: `fan-out ≥ 1,000,000 deliveries/s at p99 ≤ 100 ms (${conns} conns)`,
        measured: `${int(parleyBest)} deliveries/s`,
        met: parleyBest >= 1_000_000,
      },
      ...(kinds.includes("socketio")
        ? [
            {
              target: "fan-out ≥ 10× the Socket.IO baseline",
              measured:
                `${times(sioRatio)}${sioPassing === undefined ? " or more" : ""} ` +
                `(best step with p99 ≤ 1 s: Parley ${int(parleyPassing)}/s, Socket.IO ${sioPassing === undefined ? `none; ${int(sioBound)}/s at its failed first step` : `${int(sioPassing)}/s`})`,
              met: Number.isFinite(sioRatio) && sioRatio >= 10,
            },
          ]
        : []),
    ],
  };
}
