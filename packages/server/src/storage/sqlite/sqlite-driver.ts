import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
  SqliteDialect,
} from "kysely";

/**
 * A first-come, first-served lock: `unlock` hands the lock to the longest waiter alone.
 * (Kysely's own SQLite driver wakes every waiter on each unlock, and all but one go back to
 * waiting: with hundreds of queries queued, as in a connection storm, that is quadratic.)
 */
export class FifoLock {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }

  /** Waiters queued behind the holder. */
  get waiting(): number {
    return this.waiters.length;
  }
}

/** Distinct statements kept prepared; queries with variable `IN (…)` lists make many texts. */
const STATEMENT_CACHE_SIZE = 1000;

interface Prepared {
  statement: BetterSqlite3.Statement;
  /** Column names of a reader, in order; rows are read as arrays and built from them. */
  columns?: string[];
}

/**
 * The one connection. Statements are prepared once per SQL text and reused (Kysely asks for a
 * prepare on every query; compiling each again cost a third of the send path). Readers return
 * arrays, and rows are built here: better-sqlite3 builds row objects through V8's C++ API,
 * about 1.5 times slower for a history page than this loop.
 */
class SqliteConnection implements DatabaseConnection {
  private readonly cache = new Map<string, Prepared>();

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly cacheSize = STATEMENT_CACHE_SIZE,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const prepared = this.prepare(query.sql);
    const { statement } = prepared;
    const parameters = query.parameters as unknown[];
    if (prepared.columns) {
      const arrays = statement.all(parameters) as unknown[][];
      // A schema change since the prepare (SQLite re-prepares by itself) can change `select *`.
      if (arrays.length > 0 && arrays[0]!.length !== prepared.columns.length)
        prepared.columns = statement.columns().map((c) => c.name);
      const columns = prepared.columns;
      const rows = new Array<R>(arrays.length);
      for (let r = 0; r < arrays.length; r++) {
        const values = arrays[r]!;
        const row: Record<string, unknown> = {};
        for (let c = 0; c < columns.length; c++) row[columns[c]!] = values[c];
        rows[r] = row as R;
      }
      return Promise.resolve({ rows });
    }
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
  }

  /** The prepared statement for `sql`, most recently used last; the least recent is dropped. */
  private prepare(sql: string): Prepared {
    let prepared = this.cache.get(sql);
    if (prepared) {
      this.cache.delete(sql);
    } else {
      const statement = this.db.prepare(sql);
      prepared = { statement };
      if (statement.reader) {
        statement.raw(true);
        prepared.columns = statement.columns().map((c) => c.name);
      }
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, prepared);
    return prepared;
  }

  // biome-ignore lint/correctness/useYield: streaming is not offered; the method must exist
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("Parley's SQLite driver does not stream queries");
  }
}

/** Kysely driver for better-sqlite3: its one connection, taken in turn through a {@link FifoLock}. */
class SqliteDriver implements Driver {
  private readonly lock = new FifoLock();
  private readonly connection: SqliteConnection;

  constructor(private readonly db: BetterSqlite3.Database) {
    this.connection = new SqliteConnection(db);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.lock();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    this.lock.unlock();
  }

  async destroy(): Promise<void> {
    this.db.close();
  }
}

/** Kysely's SQLite dialect (compiler, adapter, introspector) with {@link SqliteDriver}. */
export class ParleySqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    return new SqliteDriver(this.database);
  }
}
