import { type DatabaseIntrospector, type Kysely, Migrator, sql } from "kysely";
import { type SqlDialect, StaticMigrationProvider } from "./migrations";
import type { Database } from "./schema";

/**
 * Brings the schema up to date; throws with the failing migration's error. On PostgreSQL,
 * `schema` names the schema of Kysely's bookkeeping tables: its existence check otherwise looks
 * in every schema of the database, and would find another schema's tables.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  dialect: SqlDialect,
  schema?: string,
): Promise<void> {
  await migrate(db, dialect, schema);
}

/** Brings the schema up to the named migration only, as an older release left it (for tests). */
export async function migrateUpTo(
  db: Kysely<Database>,
  dialect: SqlDialect,
  target: string,
  schema?: string,
): Promise<void> {
  await migrate(db, dialect, schema, target);
}

async function migrate(
  db: Kysely<Database>,
  dialect: SqlDialect,
  schema: string | undefined,
  target?: string,
): Promise<void> {
  const migrator = new Migrator({
    db: schema ? inSchema(db, schema) : db,
    provider: new StaticMigrationProvider(dialect),
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await (target
    ? migrator.migrateTo(target)
    : migrator.migrateToLatest());
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`database migration ${failed} failed: ${(error as Error).message ?? error}`);
  }
}

/**
 * `db` as the migrator sees it on PostgreSQL: its introspection (which the migrator asks whether
 * its bookkeeping tables exist) looks in `schema` alone. Kysely's own reads every table of every
 * schema, and fails when another schema is dropped while it runs (its `pg_get_serial_sequence`
 * looks the dropped schema up again): two deployments, or tests, sharing one database.
 */
function inSchema(db: Kysely<Database>, schema: string): Kysely<Database> {
  const introspection: DatabaseIntrospector = {
    async getSchemas() {
      const { rows } = await sql<{ name: string }>`
        select nspname as name from pg_namespace where nspname = ${schema}`.execute(db);
      return rows;
    },
    async getTables() {
      const { rows } = await sql<{ name: string; kind: string }>`
        select c.relname as name, c.relkind as kind from pg_class c
        inner join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p', 'v', 'm')`.execute(db);
      return rows.map((r) => ({
        name: r.name,
        schema,
        isView: r.kind === "v" || r.kind === "m",
        columns: [],
      }));
    },
    async getMetadata() {
      return { tables: await this.getTables() };
    },
  };
  // Kysely keeps its state in private fields: its own members are read on the instance itself.
  return new Proxy(db, {
    get(target, property) {
      if (property === "introspection") return introspection;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
