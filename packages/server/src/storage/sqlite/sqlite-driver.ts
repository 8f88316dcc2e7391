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
  private head = 0;

  lock(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters[this.head];
    if (!next) {
      this.held = false;
      this.waiters.length = 0;
      this.head = 0;
      return;
    }
    this.waiters[this.head++] = undefined as unknown as () => void;
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters.splice(0, this.head);
      this.head = 0;
    }
    next();
  }

  /** Waiters queued behind the holder. */
  get waiting(): number {
    return this.waiters.length - this.head;
  }
}

class SqliteConnection implements DatabaseConnection {
  constructor(private readonly db: BetterSqlite3.Database) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.db.prepare(query.sql);
    const parameters = query.parameters as unknown[];
    if (statement.reader) return Promise.resolve({ rows: statement.all(parameters) as R[] });
    const { changes, lastInsertRowid } = statement.run(parameters);
    return Promise.resolve({
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    });
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
