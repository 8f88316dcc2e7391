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
 * and `ls` (the last seq they hold), so the server replays what they missed. Last, the first
 * phase again on a second server that has a default channel (`PARLEY_DEFAULT_CHANNELS`), which
 * every new guest joins at creation: its cost against the first phase, in the same run.
 */
export async function storm(ctx: BenchContext): Promise<ScenarioReport> {
  const n = ctx.full ? 5_000 : 500;
  const channelCount = Math.ceil(n / PER_CHANNEL);
  const seed = (s: Parameters<Parameters<BenchContext["parley"]>[1]>[0]) => {
    const [owner] = s.users(1, "owner");
    return Array.from({ length: channelCount }, (_, c) => s.channel(`storm-${c}`, [owner!.id]));
  };
  const { server, seeded } = await ctx.parley("storm", seed, {
    fileLimit: n + 4096,
    profile: true,
  });
  const newGuests = (g: typeof gen, url: string, channels: number[]) =>
    g.connect({
      kind: "parley",
      url,
      encoding: "json",
      clients: Array.from({ length: n }, (_, i) => ({
        join: [channels[Math.floor(i / PER_CHANNEL)]!],
      })),
      concurrency: n,
      timeoutMs: 120_000,
      trackSeqs: true,
    });
  let gen = await ctx.generator(n + 4096);
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
    const first = await watched(server.pid, gen.pid, () => newGuests(gen, server.wsUrl, seeded));
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
  const withDefault = await ctx.parley("storm-default-channel", seed, {
    fileLimit: n + 4096,
    env: { PARLEY_DEFAULT_CHANNELS: "general" },
  });
  gen = await ctx.generator(n + 4096);
  try {
    if (ctx.full) await waitForQuiet(30_000);
    withDefault.server.markMeasured();
    const third = await watched(withDefault.server.pid, gen.pid, () =>
      newGuests(gen, withDefault.server.wsUrl, withDefault.seeded),
    );
    phases.push({
      name: "new guests: hello + join, with a default channel",
      result: third.result,
      server: third.server,
      generator: third.generator,
      other: third.machine.otherCpuPercent,
    });
    log(
      `storm: ${third.result.opened} hello+join with a default channel in ${third.result.elapsedMs} ms`,
    );
  } finally {
    await ctx.stop(gen, withDefault.server);
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
  const rateOf = (p: (typeof phases)[number] | undefined) =>
    p ? (p.result.opened / p.result.elapsedMs) * 1000 : 0;
  const rate = rateOf(phases[0]);
  const withDefaultRate = rateOf(phases[2]);
  return {
    title: "Connection storm",
    markdown: [
      `${n} clients at once into ${channelCount} channels of ${PER_CHANNEL}; latencies from the start of each client's connect. ` +
        `The reconnect phase: one client per channel stayed and posted ${MESSAGES_WHILE_AWAY} messages while the others were away. ` +
        `The last phase is the first on a second server with a default channel, which every new guest joins too: ` +
        `${rate > 0 ? (withDefaultRate / rate).toFixed(2) : "–"}× the first phase's clients/s.`,
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
