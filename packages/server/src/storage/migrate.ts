import { type Kysely, Migrator } from "kysely";
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
    db,
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
