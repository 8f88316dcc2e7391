/**
 * What Parley's own /metrics tell about its event loop between two scrapes: the loop's worst
 * and p99 delay (prom-client resets them at each scrape), and the garbage collector's pauses by
 * kind (cumulative histograms, so a window is the difference of two scrapes).
 */

export interface MetricsScrape {
  lagMaxMs: number;
  lagP99Ms: number;
  /** Per GC kind (minor, major, incremental, weakcb): pauses, their total, and pauses over 10 ms. */
  gc: Record<string, { count: number; ms: number; over10ms: number }>;
}

/** One unlabelled gauge of a Prometheus text, or NaN. */
function gauge(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : Number.NaN;
}

const round1 = (ms: number) => Math.round(ms * 10) / 10;

export async function scrapeMetrics(httpUrl: string): Promise<MetricsScrape> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const gc: MetricsScrape["gc"] = {};
  const entry = (kind: string) => {
    gc[kind] ??= { count: 0, ms: 0, over10ms: 0 };
    return gc[kind];
  };
  const under10 = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^parley_nodejs_gc_duration_seconds_(sum|count|bucket)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries(
      [...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]),
    );
    const kind = labels.kind ?? "?";
    const value = Number(m[3]);
    if (m[1] === "sum") entry(kind).ms = value * 1000;
    else if (m[1] === "count") entry(kind).count = value;
    else if (labels.le === "0.01") under10.set(kind, value);
  }
  for (const [kind, e] of Object.entries(gc)) e.over10ms = e.count - (under10.get(kind) ?? 0);
  return {
    lagMaxMs: round1(gauge(text, "parley_nodejs_eventloop_lag_max_seconds") * 1000),
    lagP99Ms: round1(gauge(text, "parley_nodejs_eventloop_lag_p99_seconds") * 1000),
    gc,
  };
}

/** The loop delay of `after`'s window, and the GC pauses between the two scrapes. */
export function metricsWindow(before: MetricsScrape, after: MetricsScrape): MetricsScrape {
  const gc: MetricsScrape["gc"] = {};
  for (const [kind, a] of Object.entries(after.gc)) {
    const b = before.gc[kind] ?? { count: 0, ms: 0, over10ms: 0 };
    gc[kind] = {
      count: a.count - b.count,
      ms: round1(a.ms - b.ms),
      over10ms: a.over10ms - b.over10ms,
    };
  }
  return { lagMaxMs: after.lagMaxMs, lagP99Ms: after.lagP99Ms, gc };
}

/** "minor 120 (340 ms), major 2 (31 ms; 1 over 10 ms)": the kinds that paused at all. */
export function describeGc(gc: MetricsScrape["gc"]): string {
  return (
    Object.entries(gc)
      .filter(([, e]) => e.count > 0)
      .map(
        ([kind, e]) =>
          `${kind} ${e.count} (${Math.round(e.ms)} ms${e.over10ms > 0 ? `; ${e.over10ms} over 10 ms` : ""})`,
      )
      .join(", ") || "none"
  );
}
