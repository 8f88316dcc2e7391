import { type BenchContext, log, watched } from "../lib/context";
import { int, markdownTable, ms, pct } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";

const MEMBERS = 10;

/**
 * Many small channels: N connections in N/10 channels of 10, one sender per channel, steady
 * chatter at a few total rates for a bounded time each.
 */
export async function channels(ctx: BenchContext): Promise<ScenarioReport> {
  const conns = ctx.full ? 10_000 : 500;
  const channelCount = conns / MEMBERS;
  const rates = ctx.full ? [250, 1_000, 2_500, 5_000] : [500];
  const stepMs = ctx.full ? 20_000 : 2_000;
  const { server, seeded } = await ctx.parley(
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
    { fileLimit: conns + 4096, profile: true },
  );
  const gen = await ctx.generator(conns + 4096);
  const rows: (string | number)[][] = [];
  const steps = [];
  try {
    const setup = await gen.connect({
      kind: "parley",
      url: server.wsUrl,
      encoding: "json",
      clients: seeded.users.map((u) => ({ token: u.token })),
      concurrency: 500,
      timeoutMs: 60_000,
    });
    log(`channels: ${setup.opened} connected in ${setup.elapsedMs} ms (${setup.failed} failed)`);
    const senders = seeded.ids.map((channel, c) => ({
      client: setup.firstIndex + c * MEMBERS,
      channel,
    }));
    const membersPerChannel = Object.fromEntries(seeded.ids.map((id) => [String(id), MEMBERS]));
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
      steps.push({ rate, run: r, server: sp, generator: gp, machine });
      log(
        `channels ${int(rate)} msg/s: ${int(r.deliveriesPerSec)} deliveries/s, p99 ${ms(r.latency.p99)} ms, ack p99 ${ms(r.ack.p99)} ms`,
      );
      rows.push([
        int(rate),
        int(r.deliveriesPerSec),
        pct(r.deliveryRatio, 2),
        ms(r.latency.p50),
        ms(r.latency.p99),
        ms(r.latency.p999),
        ms(r.ack.p99),
        r.errors,
        `${sp.cpuPercent} / ${sp.peakCpuPercent}`,
        sp.peakRssMiB,
        gp.cpuPercent,
        machine.otherCpuPercent,
      ]);
    }
  } finally {
    await ctx.stop(gen, server);
  }
  return {
    title: "Many channels",
    markdown: [
      `${conns} connections in ${channelCount} channels of ${MEMBERS}; one sender per channel, 64-byte messages, ${stepMs / 1000} s per rate.`,
      "",
      markdownTable(
        [
          "msg/s",
          "deliveries/s",
          "delivered",
          "p50 ms",
          "p99 ms",
          "p99.9 ms",
          "ack p99 ms",
          "errors",
          "server CPU % (mean / peak 1 s)",
          "server RSS MiB",
          "generator CPU %",
          "other processes CPU %",
        ],
        rows,
      ),
    ].join("\n"),
    data: { conns, channelCount, steps },
    targets: [],
  };
}
