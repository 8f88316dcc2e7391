import { CompiledQuery, type Kysely, type Transaction } from "kysely";

interface Unit<DB> {
  fn: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const SAVEPOINT = CompiledQuery.raw("SAVEPOINT unit");
const RELEASE = CompiledQuery.raw("RELEASE unit");
const ROLLBACK_TO = CompiledQuery.raw("ROLLBACK TO unit");

/**
 * One commit per turn, for a database with one writer (SQLite): the write transactions
 * (units) asked for while one commit runs are run together, each inside a savepoint of one
 * transaction, and committed together (made durable by a `sync` off the event loop when one is
 * given). A unit that throws is rolled back to its savepoint alone; the others keep their
 * writes. Every caller's promise settles only after the commit, so a resolved write is durable;
 * a failed commit fails every unit in it.
 *
 * One sync runs at a time, and it covers every transaction committed before it started: the
 * transactions that commit while a sync runs wait for the next one together. So a sync slower
 * than the time between commits (a busy disk) makes later syncs cover more commits, instead of
 * each commit queueing a sync of its own behind the others.
 *
 * Units run one after another in the order they were asked for, on the transaction they are
 * given; a unit must not use the database outside it (SQLite has one connection, which the
 * transaction holds). What a unit writes is the caller's business: a batch of sends
 * (`SendQueue`) is one unit like a join is.
 */
export class TransactionBatcher<DB> {
  private queue: Unit<DB>[] = [];
  private scheduled = false;
  private running = false;
  /** When the last transaction started (performance.now()). */
  private lastStart = Number.NEGATIVE_INFINITY;

  /** Most units in one transaction (default 512): bounds how long readers wait for the connection. */
  private readonly maxUnits: number;
  /**
   * Least time between two transactions' starts (default 3 ms). A write that finds the database idle for
   * that long commits at the end of its turn; under load, writes gather for up to this long
   * and share the commit.
   */
  private readonly spacingMs: number;
  /**
   * Makes what was committed durable, off the event loop (SQLite: an fsync of the WAL file on
   * libuv's thread pool, with `synchronous=NORMAL` so that COMMIT itself does not fsync).
   * Units settle only after it; the next transaction may run meanwhile. Absent: the commit
   * is durable by itself.
   */
  private readonly sync?: () => Promise<void>;

  constructor(
    private readonly db: Kysely<DB>,
    options: { maxUnits?: number; spacingMs?: number; sync?: () => Promise<void> } = {},
  ) {
    this.maxUnits = options.maxUnits ?? 512;
    this.spacingMs = options.spacingMs ?? 3;
    this.sync = options.sync;
  }

  /** Whether a sync is running. */
  private syncing = false;
  /** The transactions committed since the running sync started, waiting for the next. */
  private unsynced: { resolve: () => void; reject: (err: unknown) => void }[] = [];

  run<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Holds taken ({@link hold}) and not yet released: no transaction starts meanwhile. */
  private holds = 0;
  /** Callers of {@link hold} waiting for the running transaction to end. */
  private holders: (() => void)[] = [];

  /**
   * Waits until no transaction runs, then keeps new ones from starting until the returned
   * release is called (writes asked for meanwhile wait, and go together after it). For work on
   * the database file that must not race the writer, kept short: it delays every write.
   */
  async hold(): Promise<() => void> {
    this.holds++;
    if (this.running) await new Promise<void>((resolve) => this.holders.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.queue.length > 0) this.schedule();
    };
  }

  private schedule(): void {
    if (this.scheduled || this.running || this.holds > 0) return;
    this.scheduled = true;
    const wait = this.lastStart + this.spacingMs - performance.now();
    if (wait > 0) setTimeout(() => void this.flush(), wait);
    else setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.holds > 0) return;
    this.running = true;
    this.lastStart = performance.now();
    const units = this.queue.splice(0, this.maxUnits);
    let outcomes: Outcome[] | undefined;
    let failure: unknown;
    try {
      outcomes = await this.db.transaction().execute(async (trx) => {
        const out: Outcome[] = [];
        for (const unit of units) out.push(await this.runUnit(trx, unit));
        return out;
      });
    } catch (err) {
      failure = err;
    }
    this.running = false;
    for (const holder of this.holders.splice(0)) holder();
    if (this.queue.length > 0) this.schedule();
    if (outcomes && this.sync) {
      try {
        await this.durable();
      } catch (err) {
        // Committed but perhaps not on disk: fail every unit; a retry finds what was stored.
        outcomes = undefined;
        failure = err;
      }
    }
    units.forEach((unit, i) => {
      const outcome = outcomes?.[i];
      if (!outcome) unit.reject(failure);
      else if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }

  /**
   * Resolves when what is committed now is durable: at the end of the next sync to start. The
   * transactions waiting settle in the order they committed (the order they asked).
   */
  private durable(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.unsynced.push({ resolve, reject });
      this.startSync();
    });
  }

  private startSync(): void {
    if (this.syncing || this.unsynced.length === 0 || !this.sync) return;
    const waiting = this.unsynced;
    this.unsynced = [];
    this.syncing = true;
    this.sync().then(
      () => this.synced(waiting, undefined),
      (err: unknown) => this.synced(waiting, err ?? new Error("sync failed")),
    );
  }

  private synced(
    waiting: { resolve: () => void; reject: (err: unknown) => void }[],
    failure: unknown,
  ): void {
    this.syncing = false;
    for (const w of waiting) {
      if (failure === undefined) w.resolve();
      else w.reject(failure);
    }
    this.startSync();
  }

  private async runUnit(trx: Transaction<DB>, unit: Unit<DB>): Promise<Outcome> {
    await trx.executeQuery(SAVEPOINT);
    try {
      const value = await unit.fn(trx);
      await trx.executeQuery(RELEASE);
      return { ok: true, value };
    } catch (error) {
      await trx.executeQuery(ROLLBACK_TO);
      await trx.executeQuery(RELEASE);
      return { ok: false, error };
    }
  }
}
