import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { type BenchContext, log } from "../lib/context";
import { mib, rssBytes } from "../lib/proc-stats";
import { int, markdownTable } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";
import { scrapeMetrics } from "../lib/server-metrics";

const PORT_RANGE = "/proc/sys/net/ipv4/ip_local_port_range";

/** Ephemeral ports for connections to one address and port; more connections need a wider range. */
function portRange(): [number, number] {
  const [lo, hi] = readFileSync(PORT_RANGE, "utf8").trim().split(/\s+/).map(Number);
  return [lo ?? 32768, hi ?? 60999];
}

function setPortRange(range: [number, number]): boolean {
  try {
    execFileSync("sysctl", ["-w", `net.ipv4.ip_local_port_range=${range[0]} ${range[1]}`], {
      stdio: "ignore",
    });
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's heartbeat in this scenario: three intervals fit in the lag window. */
const HEARTBEAT_MS = 2000;
const LAG_WINDOW_MS = 3 * HEARTBEAT_MS;

/**
 * Idle connections: the server's RSS before and after N authenticated (hello'd) connections
 * that then do nothing, per 1,000 connections; and its event loop's worst delay while they
 * idle (the heartbeat pings them all, every 2 s here). N = 10k by default, --idle-conns 50000 for more.
 * Beyond ~28k connections to one port the loopback runs out of ephemeral ports: the scenario
 * widens net.ipv4.ip_local_port_range for the run (root only) and puts it back.
 */
export async function idle(ctx: BenchContext): Promise<ScenarioReport> {
  const counts = ctx.options.idleConns ? [ctx.options.idleConns] : ctx.full ? [10_000] : [1_000];
  const rows: (string | number)[][] = [];
  const data = [];
  const original = portRange();
  let widened = false;
  try {
    for (const n of counts) {
      if (n + 1000 > original[1] - original[0]) {
        widened = setPortRange([1024, 65535]);
        log(
          widened
            ? "widened the ephemeral port range to 1024-65535"
            : `cannot widen the port range: at most ~${original[1] - original[0]} connections`,
        );
      }
      const { server, seeded } = await ctx.parley(`idle-${n}`, (s) => s.users(n), {
        fileLimit: n + 4096,
        env: { PARLEY_HEARTBEAT_MS: String(HEARTBEAT_MS) },
      });
      const gen = await ctx.generator(n + 4096);
      try {
        await sleep(ctx.full ? 2000 : 1000);
        const before = rssBytes(server.pid);
        const genBefore = rssBytes(gen.pid);
        const setup = await gen.connect({
          kind: "parley",
          url: server.wsUrl,
          encoding: "json",
          clients: seeded.map((u) => ({ token: u.token })),
          concurrency: 500,
          timeoutMs: 120_000,
        });
        log(
          `idle: ${setup.opened} connected in ${setup.elapsedMs} ms (${setup.failed} failed: ${setup.failures.join("; ")})`,
        );
        await sleep(ctx.full ? 10_000 : 2000);
        await scrapeMetrics(server.url);
        await sleep(LAG_WINDOW_MS);
        const lag = await scrapeMetrics(server.url);
        const after = rssBytes(server.pid);
        const genAfter = rssBytes(gen.pid);
        const perK = ((after - before) / setup.opened) * 1000;
        const genPerK = ((genAfter - genBefore) / setup.opened) * 1000;
        data.push({
          conns: setup.opened,
          failed: setup.failed,
          beforeMiB: mib(before),
          afterMiB: mib(after),
          perKMiB: mib(perK),
          generatorPerKMiB: mib(genPerK),
          connectMs: setup.elapsedMs,
          idleLagMaxMs: lag.lagMaxMs,
          idleLagP99Ms: lag.lagP99Ms,
        });
        rows.push([
          int(setup.opened),
          setup.failed,
          mib(before),
          mib(after),
          mib(perK),
          mib(genPerK),
          int(setup.elapsedMs),
          lag.lagMaxMs,
          lag.lagP99Ms,
        ]);
      } finally {
        await ctx.stop(gen, server);
      }
    }
  } finally {
    if (widened) setPortRange(original);
  }
  const worst = Math.max(...data.map((d) => d.perKMiB));
  return {
    title: "Idle connections",
    markdown: [
      "Authenticated connections (hello with a session token, no channels) that then stay idle; server RSS before and after, and the server's event-loop delay over 6 s of idling (three heartbeats).",
      "",
      markdownTable(
        [
          "connections",
          "failed",
          "server RSS before MiB",
          "after MiB",
          "MiB per 1k",
          "generator MiB per 1k",
          "connect time ms",
          "idle loop delay max ms",
          "idle loop delay p99 ms",
        ],
        rows,
      ),
    ].join("\n"),
    data,
    targets: [
      {
        target: "idle RSS ≤ 8 MiB per 1k connections",
        measured: `${worst} MiB per 1k`,
        met: worst <= 8,
      },
    ],
  };
}
