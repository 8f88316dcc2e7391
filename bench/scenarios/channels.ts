import { type BenchContext, log, type MachineWindow, waitForQuiet, watched } from "../lib/context";
import type { ClientPlan, RunResult, SenderPlan } from "../lib/load-protocol";
import type { ProcWindow } from "../lib/proc-stats";
import { int, markdownTable, ms, pct, times } from "../lib/report";
import type { ScenarioReport, TargetCheck } from "../lib/scenario";
import {
  describeGc,
  type MetricsScrape,
  metricsWindow,
  scrapeMetrics,
} from "../lib/server-metrics";
import type { ServerKind, ServerUnderTest } from "../lib/server-under-test";
import { DELIVERY_FLOOR, STEP_P99_LIMIT_MS, within } from "../lib/steps";

const MEMBERS = 10;
/** The many-rooms targets: the best rate at this p99, and no spikes at light load. */
const TARGET_P99_MS = 50;
const LIGHT_RATES = [250, 500, 1_000];

export interface ChannelsStep {
  kind: ServerKind;
  rate: number;
  run: RunResult;
  server: ProcWindow;
  generator: ProcWindow;
  machine: MachineWindow;
  /** Server CPU per message sent, ms. */
  cpuMsPerMessage: number;
  /** Parley only: its event loop's delay and GC pauses over the step (from its /metrics). */
  loop?: MetricsScrape;
  passed: boolean;
}

/**
 * Many small channels: N connections in N/10 channels of 10, one sender per channel, steady
 * chatter at rising total rates for a bounded time each, until a step fails. The same steps
 * drive Parley and the baselines (each channel a room of the ws relay, a Socket.IO room).
 */
export async function channels(ctx: BenchContext): Promise<ScenarioReport> {
  const conns = ctx.full ? 10_000 : 500;
  const channelCount = conns / MEMBERS;
  const rates =
    ctx.options.rates ?? (ctx.full ? [250, 500, 1_000, 2_000, 4_000, 6_000, 8_000] : [250, 500]);
  const stepMs = (ctx.options.stepSeconds ?? (ctx.full ? 10 : 2)) * 1000;
  const kinds = ctx.options.servers;
  const steps: ChannelsStep[] = [];
  for (const kind of kinds) steps.push(...(await series(ctx, kind, conns, rates, stepMs)));

  const rows = steps.map((s) => {
    const r = s.run;
    return [
      s.kind,
      int(s.rate),
      int(r.deliveriesPerSec),
      pct(r.deliveryRatio, 2),
      ms(r.latency.p50),
      ms(r.latency.p99),
      ms(r.latency.p999),
      r.ack.count > 0 ? ms(r.ack.p99) : "–",
      r.errors,
      `${s.server.cpuPercent} / ${s.server.peakCpuPercent}`,
      s.cpuMsPerMessage.toFixed(3),
      s.server.peakRssMiB,
      s.generator.cpuPercent,
      s.machine.otherCpuPercent,
      s.loop ? `${s.loop.lagP99Ms} / ${s.loop.lagMaxMs}` : "–",
      s.loop ? describeGc(s.loop.gc) : "–",
      s.passed ? "" : "fail",
    ];
  });
  const parley = steps.filter((s) => s.kind === "parley");
  const ratioRows: (string | number)[][] = [];
  for (const baseline of kinds.filter((k) => k !== "parley")) {
    for (const p of parley) {
      const b = steps.find((s) => s.kind === baseline && s.rate === p.rate);
      if (!b) continue;
      ratioRows.push([
        baseline,
        int(p.rate),
        times(p.cpuMsPerMessage / b.cpuMsPerMessage),
        times(p.run.latency.p99 / Math.max(0.001, b.run.latency.p99)),
        p.passed && b.passed ? "" : "a failed step",
      ]);
    }
  }
  const best = (k: ServerKind) =>
    Math.max(
      0,
      ...steps.filter((s) => s.kind === k && within(s.run, TARGET_P99_MS)).map((s) => s.rate),
    );
  const targets: TargetCheck[] = [];
  if (kinds.includes("parley") && kinds.includes("ws-relay")) {
    const p = best("parley");
    const b = best("ws-relay");
    targets.push({
      target: `many rooms: best rate at p99 ≤ ${TARGET_P99_MS} ms ≥ 0.8× the ws relay's (same run)`,
      measured: `${int(p)} msg/s against ${int(b)} msg/s (${times(p / Math.max(1, b))})`,
      met: b > 0 && p >= 0.8 * b,
    });
    const both = parley.filter((s) => {
      const r = steps.find((x) => x.kind === "ws-relay" && x.rate === s.rate);
      return s.passed && r?.passed;
    });
    const worst = Math.max(
      0,
      ...both.map(
        (s) =>
          s.cpuMsPerMessage /
          steps.find((x) => x.kind === "ws-relay" && x.rate === s.rate)!.cpuMsPerMessage,
      ),
    );
    targets.push({
      target: "many rooms: CPU per message ≤ 1.5× the ws relay's at every rate both sustain",
      measured: `worst ${times(worst)} over ${both.length} rates`,
      met: both.length > 0 && worst <= 1.5,
    });
  }
  const light = parley.filter((s) => LIGHT_RATES.includes(s.rate));
  if (light.length > 0) {
    const worst = Math.max(
      ...light.map((s) => s.run.latency.p99 / Math.max(0.001, s.run.latency.p50)),
    );
    targets.push({
      target: `many rooms: p99 ≤ 3× p50 at ${LIGHT_RATES.join(", ")} msg/s`,
      measured: light
        .map((s) => `${int(s.rate)}: ${ms(s.run.latency.p99)} / ${ms(s.run.latency.p50)} ms`)
        .join("; "),
      met: worst <= 3,
    });
  }
  return {
    title: "Many channels",
    markdown: [
      `${conns} connections in ${channelCount} channels of ${MEMBERS}; one sender per channel, 64-byte messages, ${stepMs / 1000} s per rate; a step fails at p99 > ${STEP_P99_LIMIT_MS} ms or under ${pct(DELIVERY_FLOOR)} delivered, and stepping stops. CPU ms/msg: the server's CPU over the step (drain included) per message sent.`,
      "",
      markdownTable(
        [
          "server",
          "msg/s",
          "deliveries/s",
          "delivered",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "ack p99 ms",
          "errors",
          "server CPU % (mean / peak 1 s)",
          "server CPU ms/msg",
          "server RSS MiB",
          "generator CPU %",
          "other processes CPU %",
          "loop delay p99 / max ms",
          "GC pauses (count, total)",
          "note",
        ],
        rows,
      ),
      ...(ratioRows.length > 0
        ? [
            "",
            "Parley against each baseline at the same rate (Parley ÷ baseline):",
            "",
            markdownTable(["baseline", "msg/s", "CPU per message", "p99", "note"], ratioRows),
          ]
        : []),
    ].join("\n"),
    data: { conns, channelCount, steps },
    targets,
  };
}

/** One server's steps: connect every client in its room, warm up, then the rates in order. */
async function series(
  ctx: BenchContext,
  k: ServerKind,
  conns: number,
  rates: number[],
  stepMs: number,
): Promise<ChannelsStep[]> {
  const channelCount = conns / MEMBERS;
  const fileLimit = conns + 4096;
  let server: ServerUnderTest;
  let clients: ClientPlan[];
  let channelIds: number[];
  if (k === "parley") {
    const started = await ctx.parley(
      "channels",
      (s) => {
        const users = s.users(conns);
        const ids: number[] = [];
        for (let c = 0; c < channelCount; c++) {
          ids.push(
            s.channel(
              `room-${c}`,
              users.slice(c * MEMBERS, (c + 1) * MEMBERS).map((u) => u.id),
            ),
          );
        }
        return { users, ids };
      },
      { fileLimit, profile: true },
    );
    server = started.server;
    clients = started.seeded.users.map((u) => ({ token: u.token }));
    channelIds = started.seeded.ids;
  } else {
    server = await ctx.server(k, { fileLimit });
    clients = Array.from({ length: conns }, (_, i) => ({
      room: Math.floor(i / MEMBERS),
      // Socket.IO: the senders use the real client, the others a bare engine.io socket.
      sioClient: k === "socketio" && i % MEMBERS === 0,
    }));
    channelIds = Array.from({ length: channelCount }, (_, c) => c);
  }
  const gen = await ctx.generator(fileLimit);
  const out: ChannelsStep[] = [];
  try {
    const setup = await gen.connect({
      kind: k,
      url: server.wsUrl,
      encoding: "json",
      clients,
      concurrency: 500,
      timeoutMs: 60_000,
    });
    log(
      `channels/${k}: ${setup.opened} connected in ${setup.elapsedMs} ms (${setup.failed} failed)`,
    );
    const senders: SenderPlan[] = channelIds.map((channel, c) => ({
      client: setup.firstIndex + c * MEMBERS,
      channel,
    }));
    const membersPerChannel = Object.fromEntries(channelIds.map((id) => [String(id), MEMBERS]));
    await gen.run({
      rate: rates[0]!,
      durationMs: 1000,
      senders,
      membersPerChannel,
      contentBytes: 64,
      drainMs: 2000,
    });
    server.markMeasured();
    for (const rate of rates) {
      if (ctx.full) await waitForQuiet(30_000);
      const before = k === "parley" ? await scrapeMetrics(server.url) : undefined;
      const {
        result: r,
        server: sp,
        generator: gp,
        machine,
      } = await watched(server.pid, gen.pid, () =>
        gen.run({
          rate,
          durationMs: stepMs,
          senders,
          membersPerChannel,
          contentBytes: 64,
          drainMs: 5000,
        }),
      );
      const loop = before && metricsWindow(before, await scrapeMetrics(server.url));
      const passed = within(r, STEP_P99_LIMIT_MS);
      const cpuMsPerMessage = (sp.cpuSeconds * 1000) / Math.max(1, r.sent);
      out.push({
        kind: k,
        rate,
        run: r,
        server: sp,
        generator: gp,
        machine,
        cpuMsPerMessage,
        ...(loop ? { loop } : {}),
        passed,
      });
      log(
        `channels/${k} ${int(rate)} msg/s: ${int(r.deliveriesPerSec)} deliveries/s, p50 ${ms(r.latency.p50)} ms, p99 ${ms(r.latency.p99)} ms, ` +
          `${pct(r.deliveryRatio)} delivered, server ${sp.cpuPercent} % CPU (${cpuMsPerMessage.toFixed(3)} ms/msg)` +
          (loop ? `; loop delay max ${loop.lagMaxMs} ms, GC ${describeGc(loop.gc)}` : ""),
      );
      if (!passed) break;
    }
  } finally {
    await ctx.stop(gen, server);
  }
  return out;
}
