import { getPriority, setPriority } from "node:os";
import { type BenchContext, log, watched } from "../lib/context";
import type { RunResult } from "../lib/load-protocol";
import { int, markdownTable, ms, times } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";

/** Addresses the flood comes from (X-Forwarded-For, with PARLEY_TRUST_PROXY=true). */
const ADDRESSES = 30;

interface FloodResult {
  /** Status code → responses. */
  statuses: Record<string, number>;
  responses: number;
  elapsedMs: number;
}

/**
 * The server's event-loop delay p99 since the previous call (its gauge resets on each scrape).
 */
async function lag(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^parley_event_loop_lag_p99_seconds (\S+)$/m.exec(text);
  return match ? Number(match[1]) * 1000 : Number.NaN;
}

/**
 * Keeps `inFlight` login requests open at all times until `stop` resolves: each answered one is
 * replaced at once. Every login names a different account (none exists), so each costs one
 * argon2 verification and no per-account limit applies: the flood is pure hashing work.
 */
async function flood(url: string, inFlight: number, stop: Promise<void>): Promise<FloodResult> {
  const statuses: Record<string, number> = {};
  // The flood runs in this process, on the generator's core: at the lowest priority, so the
  // attacker's CPU is not taken from the client whose latency is measured.
  const priority = getPriority();
  setPriority(19);
  let stopped = false;
  let next = 0;
  void stop.then(() => {
    stopped = true;
  });
  const t0 = performance.now();
  const one = async (): Promise<void> => {
    while (!stopped) {
      const i = next++;
      let status: string;
      try {
        const res = await fetch(`${url}/api/v1/auth/login`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-forwarded-for": `10.0.${i % ADDRESSES}.1`,
          },
          body: JSON.stringify({ username: `flood-${i}`, password: "not-the-password" }),
        });
        await res.arrayBuffer();
        status = String(res.status);
      } catch {
        status = "network error";
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, one));
  try {
    setPriority(priority);
  } catch {
    // Only root may raise a priority again; the rest of the run then coordinates at 19.
  }
  const responses = Object.values(statuses).reduce((a, b) => a + b, 0);
  return { statuses, responses, elapsedMs: performance.now() - t0 };
}

/**
 * Another client's send-ack latency while logins flood the server: one member sends acked
 * messages open-loop at a low rate, first on a quiet server, then while `inFlight` logins (from
 * 30 addresses, each for a different unknown account) are kept open against it, in the same
 * run. An ack waits for the WAL's fsync on libuv's thread pool, which argon2 shares; the
 * ratio flood / quiet is what a login flood costs everyone else.
 */
export async function loginFlood(ctx: BenchContext): Promise<ScenarioReport> {
  const rate = 20;
  const durationMs = ctx.full ? 5_000 : 3_000;
  const rounds = ctx.full ? 5 : 3;
  const inFlight = ctx.full ? 600 : 300;
  const { server, seeded } = await ctx.parley(
    "login-flood",
    (s) => {
      const [sender] = s.users(1);
      return { sender: sender!, channel: s.channel("acks", [sender!.id]) };
    },
    { env: { PARLEY_TRUST_PROXY: "true" } },
  );
  const gen = await ctx.generator();
  const phases: {
    name: "quiet" | "flood";
    round: number;
    run: RunResult;
    cpu: number;
    lagMs: number;
    flood?: FloodResult;
  }[] = [];
  try {
    const setup = await gen.connect({
      kind: "parley",
      url: server.wsUrl,
      encoding: "json",
      clients: [{ token: seeded.sender.token }],
      concurrency: 1,
      timeoutMs: 30_000,
    });
    if (setup.failed > 0) throw new Error(`sender could not connect: ${setup.failures.join("; ")}`);
    const args = {
      rate,
      durationMs,
      senders: [{ client: setup.firstIndex, channel: seeded.channel }],
      membersPerChannel: { [String(seeded.channel)]: 1 },
      contentBytes: 64,
      drainMs: 30_000,
    };
    // Warm-up: connections, prepared statements, JIT.
    await gen.run({ ...args, durationMs: 1000 });
    // One login first, so the flood does not also measure the server's first hash.
    await fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "warm-up", password: "not-the-password" }),
    });
    // Warm-up of the flood too: its connections, and the refusal path's JIT.
    await flood(server.url, inFlight, new Promise((r) => setTimeout(r, 2000)));
    for (let round = 1; round <= rounds; round++) {
      await lag(server.url);
      const quiet = await watched(server.pid, gen.pid, () => gen.run(args));
      phases.push({
        name: "quiet",
        round,
        run: quiet.result,
        cpu: quiet.server.cpuPercent,
        lagMs: await lag(server.url),
      });
      let stopFlood!: () => void;
      const stop = new Promise<void>((r) => {
        stopFlood = r;
      });
      const flooding = flood(server.url, inFlight, stop);
      const loud = await watched(server.pid, gen.pid, () => gen.run(args));
      stopFlood();
      const floodResult = await flooding;
      phases.push({
        name: "flood",
        round,
        run: loud.result,
        cpu: loud.server.cpuPercent,
        lagMs: await lag(server.url),
        flood: floodResult,
      });
      log(
        `login-flood round ${round}: ack p50 ${ms(quiet.result.ack.p50)} ms quiet, ${ms(loud.result.ack.p50)} ms under the flood`,
      );
    }
  } finally {
    await ctx.stop(gen, server);
  }
  const of = (name: string) => phases.filter((p) => p.name === name);
  const median = (values: number[]) => values.sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  const quietP50 = median(of("quiet").map((p) => p.run.ack.p50));
  const floodP50 = median(of("flood").map((p) => p.run.ack.p50));
  const quietP99 = median(of("quiet").map((p) => p.run.ack.p99));
  const floodP99 = median(of("flood").map((p) => p.run.ack.p99));
  const p50Ratio = floodP50 / quietP50;
  const p99Ratio = floodP99 / quietP99;
  const allAcked = phases.every((p) => p.run.ack.count === p.run.sent);
  const rows = phases.map((p) => [
    p.round,
    p.name === "flood" ? `${inFlight} logins in flight` : "quiet",
    p.run.sent,
    p.run.ack.count,
    ms(p.run.ack.p50),
    ms(p.run.ack.p99),
    ms(p.run.ack.max),
    ms(p.lagMs),
    p.cpu,
    p.flood
      ? Object.entries(p.flood.statuses)
          .map(([status, n]) => `${status}: ${int(n)}`)
          .join(", ")
      : "",
    p.flood ? int((p.flood.responses / p.flood.elapsedMs) * 1000) : "",
  ]);
  return {
    title: "Login flood",
    markdown: [
      `One member sends acked 64-byte messages at ${rate}/s for ${durationMs / 1000} s on a quiet server, then while ` +
        `${inFlight} login requests from ${ADDRESSES} addresses (each for an unknown account, so each costs an ` +
        `argon2 verification) are kept in flight; ${rounds} rounds of both, medians compared (the machine is shared, ` +
        "so quiet and flood alternate to see the same background).",
      "",
      markdownTable(
        [
          "round",
          "phase",
          "sent",
          "acked",
          "ack p50 ms",
          "ack p99 ms",
          "ack max ms",
          "event-loop lag p99 ms",
          "server CPU %",
          "login responses by status",
          "login responses/s",
        ],
        rows,
      ),
      "",
      `Median ack p50 under the flood / quiet: ${ms(floodP50)} / ${ms(quietP50)} ms = **${times(p50Ratio)}**; ` +
        `p99: ${ms(floodP99)} / ${ms(quietP99)} ms = **${times(p99Ratio)}**.`,
    ].join("\n"),
    data: { rate, durationMs, rounds, inFlight, phases, p50Ratio, p99Ratio },
    targets: [
      {
        target: "send-ack p50 under a login flood within 2× of quiet",
        measured: `median p50 ${ms(quietP50)} → ${ms(floodP50)} ms (${times(p50Ratio)}; p99 ${times(p99Ratio)})${allAcked ? "" : ", not every send acked"}`,
        met: p50Ratio <= 2 && allAcked,
      },
    ],
  };
}
