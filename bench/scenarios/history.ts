import { type BenchContext, log, waitForQuiet, watched } from "../lib/context";
import type { HistoryQuery, HistoryResult } from "../lib/load-protocol";
import { int, markdownTable, ms } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";

/** The query kind that is a Ping, not a page. */
const PING = "ping (no page)";

/**
 * History paging on a long channel: M messages seeded straight into SQLite, then History ops
 * (op 21, 50 items) over one WebSocket, open-loop at a fixed rate, for the latest page, a deep
 * `before` near the start of the channel, an `around` in the middle, and a Ping beside them
 * (the round trip without storage). With `--history-channels K`, K channels of M messages each
 * are seeded one after another (10 of 1,000,000 for 10,000,000 across channels) and the
 * queries go to the middle one.
 */
export async function history(ctx: BenchContext): Promise<ScenarioReport> {
  const messages = ctx.options.historyMessages ?? (ctx.full ? 1_000_000 : 50_000);
  const channelCount = ctx.options.historyChannels ?? 1;
  const rates = ctx.full ? [50, 100, 200, 400] : [50, 200];
  const durationMs = ctx.full ? 10_000 : 1_500;
  const t0 = Date.now();
  const { server, seeded } = await ctx.parley(
    "history",
    (s) => {
      const [author, reader] = s.users(2);
      const channels = Array.from({ length: channelCount }, (_, i) => {
        const channel = s.channel(`long-${i}`, [author!.id, reader!.id]);
        s.messages(channel, author!, messages, 64);
        return channel;
      });
      return { channel: channels[Math.floor(channelCount / 2)]!, reader: reader! };
    },
    { profile: true },
  );
  log(
    `history: seeded ${int(messages * channelCount)} messages in ${channelCount} channel(s) and started in ${Date.now() - t0} ms`,
  );
  const gen = await ctx.generator();
  const c = seeded.channel;
  const queries: HistoryQuery[] = [
    { name: "latest page", d: { c, l: 50 } },
    { name: "before 1,000 (deep)", d: { c, b: 1000, l: 50 } },
    {
      name: `around ${int(Math.floor(messages / 2))}`,
      d: { c, ar: Math.floor(messages / 2), l: 50 },
    },
    // The same round trip without storage: what the machine and the two processes cost.
    { name: PING, d: {}, ping: true },
  ];
  const steps: { rate: number; result: HistoryResult; cpu: string; other: number }[] = [];
  try {
    const setup = await gen.connect({
      kind: "parley",
      url: server.wsUrl,
      encoding: "json",
      clients: [{ token: seeded.reader.token }],
      concurrency: 1,
      timeoutMs: 30_000,
    });
    if (setup.failed > 0) throw new Error(`reader could not connect: ${setup.failures.join("; ")}`);
    await gen.history({ client: setup.firstIndex, queries, rate: rates[0]!, durationMs: 1000 });
    server.markMeasured();
    for (const rate of rates) {
      if (ctx.full) await waitForQuiet(30_000);
      const w = await watched(server.pid, gen.pid, () =>
        gen.history({ client: setup.firstIndex, queries, rate, durationMs }),
      );
      steps.push({
        rate,
        result: w.result,
        cpu: `${w.server.cpuPercent} / ${w.server.peakCpuPercent}`,
        other: w.machine.otherCpuPercent,
      });
      const worst = Math.max(...Object.values(w.result.byQuery).map((q) => q.latency.p99));
      log(`history ${rate} req/s: worst p99 ${ms(worst)} ms, server ${w.server.cpuPercent} % CPU`);
      if (worst > 1000) break;
    }
  } finally {
    await ctx.stop(gen, server);
  }
  const rows = steps.flatMap((step) =>
    Object.entries(step.result.byQuery).map(([name, q]) => [
      step.rate,
      name,
      q.latency.count,
      q.events,
      q.errors,
      ms(q.latency.p50),
      ms(q.latency.p99),
      ms(q.latency.max),
      step.cpu,
      step.other,
    ]),
  );
  const light = steps[0]?.result.byQuery ?? {};
  const worstP99 = Math.max(
    ...Object.entries(light)
      .filter(([name]) => name !== PING)
      .map(([, q]) => q.latency.p99),
  );
  return {
    title: "History",
    markdown: [
      (channelCount === 1
        ? `${int(messages)} messages in one channel`
        : `${int(messages * channelCount)} messages in ${channelCount} channels of ${int(messages)}, queries to the middle one`) +
        " (64-byte contents); History ops of 50 items over one WebSocket, " +
        `open-loop, round-robin over the three kinds and a Ping, ${durationMs / 1000} s per rate.`,
      "",
      markdownTable(
        [
          "requests/s",
          "query",
          "requests",
          "items",
          "errors",
          "p50 ms",
          "p99 ms",
          "max ms",
          "server CPU % (mean / peak 1 s)",
          "other processes CPU %",
        ],
        rows,
        2,
      ),
    ].join("\n"),
    data: { messages, channels: channelCount, durationMs, steps },
    targets: [
      {
        target: `history page p99 ≤ 5 ms at ${int(messages)} messages${channelCount > 1 ? ` a channel, ${int(messages * channelCount)} in all` : ""}`,
        measured: `worst p99 ${ms(worstP99)} ms at ${rates[0]} requests/s`,
        met: worstP99 <= 5,
      },
    ],
  };
}
