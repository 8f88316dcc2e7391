import { type BenchContext, log, waitForQuiet, watched } from "../lib/context";
import type { ConnectResult } from "../lib/load-protocol";
import type { ProcWindow } from "../lib/proc-stats";
import { int, markdownTable, ms } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";

const PER_CHANNEL = 50;
const MESSAGES_WHILE_AWAY = 10;

/**
 * Connection storm: N new clients at once, each a hello (creating a guest) with a ChannelJoin
 * pipelined behind it, into channels of 50. Then all but one client per channel disconnect,
 * the one left posts 10 messages, and the others reconnect at once with their session token
 * and `ls` (the last seq they hold), so the server replays what they missed.
 */
export async function storm(ctx: BenchContext): Promise<ScenarioReport> {
  const n = ctx.full ? 5_000 : 500;
  const channelCount = Math.ceil(n / PER_CHANNEL);
  const { server, seeded } = await ctx.parley(
    "storm",
    (s) => {
      const [owner] = s.users(1, "owner");
      return Array.from({ length: channelCount }, (_, c) => s.channel(`storm-${c}`, [owner!.id]));
    },
    { fileLimit: n + 4096, profile: true },
  );
  const gen = await ctx.generator(n + 4096);
  const phases: {
    name: string;
    result: ConnectResult;
    server: ProcWindow;
    generator: ProcWindow;
    other: number;
  }[] = [];
  try {
    if (ctx.full) await waitForQuiet(30_000);
    server.markMeasured();
    const first = await watched(server.pid, gen.pid, () =>
      gen.connect({
        kind: "parley",
        url: server.wsUrl,
        encoding: "json",
        clients: Array.from({ length: n }, (_, i) => ({
          join: [seeded[Math.floor(i / PER_CHANNEL)]!],
        })),
        concurrency: n,
        timeoutMs: 120_000,
        trackSeqs: true,
      }),
    );
    phases.push({
      name: "new guests: hello + join",
      result: first.result,
      server: first.server,
      generator: first.generator,
      other: first.machine.otherCpuPercent,
    });
    log(
      `storm: ${first.result.opened} hello+join in ${first.result.elapsedMs} ms (${first.result.failed} failed ${first.result.failures.join("; ")})`,
    );

    const base = first.result.firstIndex;
    const stayers = seeded.map((channel, c) => ({ client: base + c * PER_CHANNEL, channel }));
    const stay = new Set(stayers.map((s) => s.client));
    const leavers = Array.from({ length: n }, (_, i) => base + i).filter((i) => !stay.has(i));
    await gen.close(leavers);
    const total = stayers.length * MESSAGES_WHILE_AWAY;
    await gen.run({
      rate: 1000,
      durationMs: (total / 1000) * 1000,
      senders: stayers,
      membersPerChannel: Object.fromEntries(seeded.map((id) => [String(id), 1])),
      contentBytes: 64,
      drainMs: 10_000,
    });
    const second = await watched(server.pid, gen.pid, () =>
      gen.reconnect({
        indices: leavers,
        resume: true,
        concurrency: leavers.length,
        timeoutMs: 120_000,
      }),
    );
    phases.push({
      name: "reconnect: hello with token + ls",
      result: second.result,
      server: second.server,
      generator: second.generator,
      other: second.machine.otherCpuPercent,
    });
    log(
      `storm: ${second.result.opened} resumed in ${second.result.elapsedMs} ms, ${second.result.replayEvents} events replayed`,
    );
  } finally {
    await ctx.stop(gen, server);
  }
  const rows = phases.map((p) => {
    const r = p.result;
    return [
      p.name,
      int(r.opened),
      r.failed,
      int(r.elapsedMs),
      int((r.opened / r.elapsedMs) * 1000),
      ms(r.hello.p50),
      ms(r.hello.p99),
      ms(r.ready.p50),
      ms(r.ready.p99),
      r.replayFrames > 0 ? `${int(r.replayEvents)} in ${int(r.replayFrames)} frames` : "–",
      r.resyncs,
      `${p.server.cpuPercent} / ${p.server.peakCpuPercent}`,
      `${p.generator.cpuPercent} / ${p.generator.peakCpuPercent}`,
      p.other,
    ];
  });
  const rate = phases[0] ? (phases[0].result.opened / phases[0].result.elapsedMs) * 1000 : 0;
  return {
    title: "Connection storm",
    markdown: [
      `${n} clients at once into ${channelCount} channels of ${PER_CHANNEL}; latencies from the start of each client's connect. ` +
        `The reconnect phase: one client per channel stayed and posted ${MESSAGES_WHILE_AWAY} messages while the others were away.`,
      "",
      markdownTable(
        [
          "phase",
          "clients",
          "failed",
          "total ms",
          "clients/s",
          "welcome p50 ms",
          "welcome p99 ms",
          "ready p50 ms",
          "ready p99 ms",
          "replayed",
          "resyncs",
          "server CPU % (mean / peak 1 s)",
          "generator CPU % (mean / peak 1 s)",
          "other processes CPU %",
        ],
        rows,
      ),
    ].join("\n"),
    data: { n, channelCount, phases },
    targets: [
      {
        target: "≥ 3,000 hello+join/s",
        measured: `${int(rate)}/s (${n} clients at once)`,
        met: rate >= 3000,
      },
    ],
  };
}
