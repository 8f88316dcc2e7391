import { type BenchContext, log } from "../lib/context";
import type { LatencySummary } from "../lib/latency";
import { int, markdownTable, ms } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";

/**
 * Joins into a big channel: a channel seeded with N members (not connected), then K new
 * members join it one at a time, each a hello with its session token and a ChannelJoin behind
 * it. The join's cost is the ready time (welcome and join reply) less the hello's, at each N,
 * so filling a channel is linear when the 10,000th join costs what the 100th does.
 */
export async function bigChannel(ctx: BenchContext): Promise<ScenarioReport> {
  const sizes = ctx.full ? [100, 1_000, 10_000] : [100, 2_000];
  const joiners = ctx.full ? 300 : 100;
  const rows: (string | number)[][] = [];
  const data: {
    members: number;
    joins: number;
    failed: number;
    hello: LatencySummary;
    ready: LatencySummary;
    joinP50Ms: number;
  }[] = [];
  for (const size of sizes) {
    const { server, seeded } = await ctx.parley(`big-${size}`, (s) => {
      const members = s.users(size, "member");
      const joining = s.users(joiners, "joiner");
      const channel = s.channel(
        "crowd",
        members.map((m) => m.id),
      );
      return { channel, joining };
    });
    const gen = await ctx.generator(joiners + 1024);
    try {
      const r = await gen.connect({
        kind: "parley",
        url: server.wsUrl,
        encoding: "json",
        clients: seeded.joining.map((u) => ({ token: u.token, join: [seeded.channel] })),
        concurrency: 1,
        timeoutMs: 120_000,
      });
      const joinP50Ms = Math.round((r.ready.p50 - r.hello.p50) * 1000) / 1000;
      data.push({
        members: size,
        joins: r.opened,
        failed: r.failed,
        hello: r.hello,
        ready: r.ready,
        joinP50Ms,
      });
      log(
        `big channel of ${int(size)}: ${r.opened} joins (${r.failed} failed), hello p50 ${ms(r.hello.p50)} ms, ready p50 ${ms(r.ready.p50)} ms p99 ${ms(r.ready.p99)} ms`,
      );
      rows.push([
        int(size),
        r.opened,
        r.failed,
        ms(r.hello.p50),
        ms(r.ready.p50),
        ms(r.ready.p99),
        ms(joinP50Ms),
      ]);
    } finally {
      await ctx.stop(gen, server);
    }
  }
  const first = data[0]!;
  const last = data.at(-1)!;
  const ratio = first.joinP50Ms > 0 ? last.joinP50Ms / first.joinP50Ms : Number.NaN;
  return {
    title: "Joins into a big channel",
    markdown: [
      `A channel of N members (seeded, not connected); ${joiners} new members join it one at a time, each a hello with its token and a ChannelJoin behind it. Join = ready − hello (medians).`,
      "",
      markdownTable(
        [
          "members",
          "joins",
          "failed",
          "hello p50 ms",
          "ready p50 ms",
          "ready p99 ms",
          "join p50 ms",
        ],
        rows,
      ),
    ].join("\n"),
    data,
    targets: [
      {
        target: `a join into ${int(last.members)} members costs ≤ 2× one into ${int(first.members)}`,
        measured: `${ratio.toFixed(2)}×`,
        met: ratio <= 2,
      },
    ],
  };
}
