import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSqliteToPostgres } from "../../packages/server/src/ops/migrate-to-postgres";
import { LoadGenerator } from "./load-generator";
import type { RunInfo } from "./machine";
import { MachineWatch, ProcWatch, type ProcWindow } from "./proc-stats";
import { Seeder } from "./seed";
import { type ServerKind, type ServerUnderTest, startServer } from "./server-under-test";

/** Command-line options shared by the scenarios. */
export interface BenchOptions {
  full: boolean;
  profile: boolean;
  conns?: number;
  senders?: number;
  idleConns?: number;
  stepSeconds?: number;
  /** The channels scenario's rates, msg/s. */
  rates?: number[];
  encoding: "json" | "msgpack";
  db?: string;
  historyMessages?: number;
  /** History: channels of `historyMessages` each (default 1). */
  historyChannels?: number;
  /** Where the SQLite files go (default: the system's temp dir). /dev/shm takes the disk out. */
  dataDir?: string;
  /** Servers the fan-out drives: Parley and the baselines. */
  servers: ServerKind[];
}

/**
 * What a scenario gets: the options, where to put files, and start/stop of servers and load
 * generators that are always stopped at the end, even when the scenario fails.
 */
export class BenchContext {
  readonly workDir: string;
  private readonly running = new Set<{ stop(): Promise<unknown> }>();
  private dbCount = 0;

  constructor(
    readonly options: BenchOptions,
    readonly info: RunInfo,
    /** Where CPU profiles go (when --profile). */
    readonly profileDir: string,
  ) {
    this.workDir = mkdtempSync(join(options.dataDir ?? tmpdir(), "parley-bench-"));
  }

  get full(): boolean {
    return this.options.full;
  }

  /** A fresh SQLite file path in the work directory. */
  databasePath(name: string): string {
    const dir = join(this.workDir, `${++this.dbCount}-${name}`);
    mkdirSync(dir, { recursive: true });
    return join(dir, "parley.db");
  }

  /**
   * Seeds a fresh Parley database, then starts Parley on it (persistence on). With
   * `postgresUrl`, the seeded SQLite file is copied into that (empty) PostgreSQL database by
   * Parley's migration tool and the server runs on PostgreSQL.
   */
  async parley<T>(
    name: string,
    seed: (seeder: Seeder) => T,
    options: {
      profile?: boolean;
      fileLimit?: number;
      env?: Record<string, string>;
      postgresUrl?: string;
    } = {},
  ): Promise<{ server: ServerUnderTest; seeded: T }> {
    const { postgresUrl, ...serverOptions } = options;
    const databasePath = this.databasePath(name);
    const seeder = await Seeder.open(databasePath);
    let seeded: T;
    try {
      seeded = seed(seeder);
    } finally {
      seeder.close();
    }
    if (postgresUrl) {
      await migrateSqliteToPostgres(databasePath, postgresUrl);
      const env = { ...serverOptions.env, PARLEY_DATABASE_URL: postgresUrl };
      return { server: await this.server("parley", { ...serverOptions, env, name }), seeded };
    }
    const server = await this.server("parley", { ...serverOptions, databasePath, name });
    return { server, seeded };
  }

  async server(
    kind: ServerKind,
    options: {
      databasePath?: string;
      profile?: boolean;
      fileLimit?: number;
      env?: Record<string, string>;
      name?: string;
    } = {},
  ): Promise<ServerUnderTest> {
    const server = await startServer({
      kind,
      ...(options.databasePath ? { databasePath: options.databasePath } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.profile && this.options.profile
        ? { profileDir: join(this.profileDir, options.name ?? kind) }
        : {}),
      fileLimit: options.fileLimit ?? 65_536,
    });
    this.running.add(server);
    return server;
  }

  async generator(fileLimit = 65_536): Promise<LoadGenerator> {
    const gen = await LoadGenerator.start(fileLimit);
    this.running.add(gen);
    return gen;
  }

  /** Stops a server or generator now (load generators first, so servers see clean closes). */
  async stop(...things: ({ stop(): Promise<unknown> } | undefined)[]): Promise<void> {
    for (const thing of things) {
      if (!thing || !this.running.delete(thing)) continue;
      await thing.stop();
    }
  }

  /** Stops everything still running and removes the work directory. */
  async close(): Promise<void> {
    const all = [...this.running];
    const gens = all.filter((t) => t instanceof LoadGenerator);
    await this.stop(...gens, ...all.filter((t) => !(t instanceof LoadGenerator)));
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

/** CPU of the whole machine during a window, beside the server and the generator. */
export interface MachineWindow {
  /** CPU used by every other process on the machine, percent of one core. */
  otherCpuPercent: number;
  /** Time cores spent waiting for I/O, percent of one core. */
  iowaitPercent: number;
}

/** Measures the server's and the generator's CPU and RSS around `fn`, and the machine's. */
export async function watched<T>(
  serverPid: number,
  generatorPid: number,
  fn: () => Promise<T>,
): Promise<{ result: T; server: ProcWindow; generator: ProcWindow; machine: MachineWindow }> {
  const server = new ProcWatch(serverPid);
  const generator = new ProcWatch(generatorPid);
  const machine = new MachineWatch();
  server.start();
  generator.start();
  machine.restart();
  const result = await fn();
  const s = server.stop();
  const g = generator.stop();
  const m = machine.stop();
  const other = Math.max(0, m.busyPercent - s.cpuPercent - g.cpuPercent - m.selfPercent);
  return {
    result,
    server: s,
    generator: g,
    machine: { otherCpuPercent: Math.round(other * 10) / 10, iowaitPercent: m.iowaitPercent },
  };
}

/**
 * Waits (up to `maxMs`) for a second in which other processes use under `limit` percent of one
 * core, so that a measurement starts on a quiet machine when there is one.
 */
export async function waitForQuiet(maxMs: number, limit = 25): Promise<number> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const m = new MachineWatch();
    await new Promise((r) => setTimeout(r, 1000));
    const { busyPercent, selfPercent } = m.stop();
    const other = busyPercent - selfPercent;
    if (other < limit || Date.now() >= deadline) return Math.round(other);
  }
}

export function log(message: string): void {
  process.stderr.write(`  · ${message}\n`);
}
