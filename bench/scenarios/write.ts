import { randomBytes } from "node:crypto";
import pg from "pg";
import { type BenchContext, log, waitForQuiet, watched } from "../lib/context";
import { int, markdownTable, ms, pct } from "../lib/report";
import type { ScenarioReport } from "../lib/scenario";

const CHANNELS = 10;
const SENDERS_PER_CHANNEL = 10;

/**
 * Write throughput: 100 senders in 10 channels send acked messages open-loop; the offered rate
 * steps up until the ack p99 passes 1 s or fewer than 99 % of the sends are acked. An ack means
 * committed (group commit; SQLite in WAL with synchronous=FULL), so acks/s is persisted msg/s.
 *
 * `--db` lists the databases, comma-separated: `sqlite` (default, a temporary file) and/or a
 * `postgres://…` URL. For PostgreSQL the seeded SQLite file is copied into a fresh schema of that
 * database with Parley's own migration tool, the server runs on it, and the schema is dropped
 * afterwards.
 */
export async function write(ctx: BenchContext): Promise<ScenarioReport> {
  const dbs = (ctx.options.db ?? "sqlite").split(",").map((d) => d.trim());
  const parts: Awaited<ReturnType<typeof writeOn>>[] = [];
  for (const db of dbs) {
    if (db === "sqlite" || db.startsWith("sqlite:")) parts.push(await writeOn(ctx, "SQLite"));
    else if (db.startsWith("postgres://") || db.startsWith("postgresql://")) {
      const schema = await freshSchema(db);
      try {
        parts.push(await writeOn(ctx, "PostgreSQL", schema.url));
      } finally {
        await schema.drop();
      }
    } else throw new Error(`--db ${db}: expected sqlite or a postgres:// URL`);
  }
  const sqlite = parts.find((p) => p.label === "SQLite");
  return {
    title: "Write throughput",
    markdown: parts.map((p) => `**${p.label}.** ${p.markdown}`).join("\n\n"),
    data: { steps: Object.fromEntries(parts.map((p) => [p.label, p.steps])) },
    targets: sqlite
      ? [
          {
            target: "≥ 20,000 persisted messages/s on SQLite",
            measured: `${int(sqlite.sustained)} msg/s offered and all acked (${int(sqlite.best)} acks/s, ack p99 ≤ 1 s)`,
            met: sqlite.sustained >= 20_000,
          },
        ]
      : [],
  };
}

/** A new, empty schema in the PostgreSQL database at `base`, and a URL whose connections use it. */
async function freshSchema(base: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create schema ${schema}`);
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return { url: url.toString(), drop: () => admin(`drop schema ${schema} cascade`) };
}

async function writeOn(
  ctx: BenchContext,
  label: "SQLite" | "PostgreSQL",
  postgresUrl?: string,
): Promise<{
  label: string;
  markdown: string;
  steps: unknown[];
  best: number;
  sustained: number;
}> {
  const rates = ctx.full
    ? [2_000, 5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000]
    : [1_000, 5_000, 15_000];
  const stepMs = (ctx.options.stepSeconds ?? (ctx.full ? 10 : 2)) * 1000;
  const n = CHANNELS * SENDERS_PER_CHANNEL;
  const { server, seeded } = await ctx.parley(
    label === "SQLite" ? "write" : "write-postgres",
    (s) => {
      const users = s.users(n);
      const ids = Array.from({ length: CHANNELS }, (_, c) =>
        s.channel(
          `write-${c}`,
          users.slice(c * SENDERS_PER_CHANNEL, (c + 1) * SENDERS_PER_CHANNEL).map((u) => u.id),
        ),
      );
      return { users, ids };
    },
    { profile: true, ...(postgresUrl ? { postgresUrl } : {}) },
  );
  const gen = await ctx.generator();
  const rows: (string | number)[][] = [];
  const steps = [];
  let best = 0;
  /** The highest offered rate whose step passed: the rate the server keeps up with. */
  let sustained = 0;
  try {
    const setup = await gen.connect({
      kind: "parley",
      url: server.wsUrl,
      encoding: "json",
      clients: seeded.users.map((u) => ({ token: u.token })),
      concurrency: 100,
      timeoutMs: 30_000,
    });
    const senders = Array.from({ length: setup.opened }, (_, i) => ({
      client: setup.firstIndex + i,
      channel: seeded.ids[Math.floor(i / SENDERS_PER_CHANNEL)]!,
    }));
    const membersPerChannel = Object.fromEntries(
      seeded.ids.map((id) => [String(id), SENDERS_PER_CHANNEL]),
    );
    await gen.run({
      rate: rates[0]!,
      durationMs: 1000,
      senders,
      membersPerChannel,
      contentBytes: 64,
      drainMs: 3000,
    });
    server.markMeasured();
    for (const rate of rates) {
      if (ctx.full) await waitForQuiet(30_000);
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
          drainMs: 10_000,
        }),
      );
      const acked = r.ack.count / r.sent;
      const passed = r.ack.p99 <= 1000 && acked >= 0.99;
      if (passed) {
        best = Math.max(best, r.acksPerSec);
        sustained = Math.max(sustained, rate);
      }
      steps.push({ rate, run: r, server: sp, generator: gp, machine, passed });
      log(
        `write ${int(rate)} msg/s: ${int(r.acksPerSec)} acks/s, ack p99 ${ms(r.ack.p99)} ms, ${pct(acked)} acked, server ${sp.cpuPercent} % CPU`,
      );
      rows.push([
        int(rate),
        int(r.acksPerSec),
        pct(acked, 2),
        ms(r.ack.p50),
        ms(r.ack.p99),
        ms(r.ack.p999),
        ms(r.latency.p99),
        r.errors,
        `${sp.cpuPercent} / ${sp.peakCpuPercent}`,
        sp.peakRssMiB,
        gp.cpuPercent,
        machine.otherCpuPercent,
        passed ? "" : "fail",
      ]);
      if (!passed) break;
    }
  } finally {
    await ctx.stop(gen, server);
  }
  return {
    label,
    best,
    sustained,
    steps,
    markdown: [
      `${n} senders in ${CHANNELS} channels of ${SENDERS_PER_CHANNEL}, acked 64-byte messages, open-loop, ${stepMs / 1000} s per step; ` +
        (label === "SQLite"
          ? "SQLite file in WAL mode with synchronous=FULL (the server's settings)."
          : "PostgreSQL with its default settings (synchronous_commit on), the server's pool."),
      "",
      markdownTable(
        [
          "offered msg/s",
          "persisted msg/s (acks)",
          "acked",
          "ack p50 ms",
          "ack p99 ms",
          "ack p99.9 ms",
          "delivery p99 ms",
          "errors",
          "server CPU % (mean / peak 1 s)",
          "server RSS MiB",
          "generator CPU %",
          "other processes CPU %",
          "note",
        ],
        rows,
      ),
    ].join("\n"),
  };
}
