import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { describe, it } from "vitest";

/**
 * The external services integration tests run against, from the environment
 * (`scripts/test-services.sh start` prints them). Absent on a laptop: those tests are skipped
 * with the reason. Absent in CI (CI is set): they fail, so CI never passes by skipping them.
 */
export const SERVICES = {
  postgres: { variable: "PARLEY_TEST_POSTGRES_URL", url: process.env.PARLEY_TEST_POSTGRES_URL },
  redis: { variable: "PARLEY_TEST_REDIS_URL", url: process.env.PARLEY_TEST_REDIS_URL },
} as const;

export type Service = keyof typeof SERVICES;

/** The service's URL; throws when it is not configured (call inside a {@link describeWith}). */
export function serviceUrl(service: Service): string {
  const url = SERVICES[service].url;
  if (!url) throw new Error(`${SERVICES[service].variable} is not set`);
  return url;
}

/**
 * `describe` for a suite that needs PostgreSQL and/or Redis. Without their variables the suite
 * is reported as skipped with the reason, or fails when CI is set.
 */
export function describeWith(needs: Service[], name: string, body: () => void): void {
  const missing = needs.filter((s) => !SERVICES[s].url).map((s) => SERVICES[s].variable);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const reason = `needs ${missing.join(" and ")} (run scripts/test-services.sh start, then source its env file)`;
  describe(name, () => {
    if (process.env.CI) {
      it(`fails in CI: ${reason}`, () => {
        throw new Error(`CI is set but ${missing.join(" and ")} is missing`);
      });
    } else it.skip(`skipped: ${reason}`, () => {});
  });
}

/** Runs SQL on the service's own database, in one connection. */
async function onBase(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serviceUrl("postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A URL of the service whose connections use `schema` (through `search_path`). */
function schemaUrl(schema: string): string {
  const url = new URL(serviceUrl("postgres"));
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
}

const PLACEHOLDER = "t_migrated_template";

/** The newest installed server's `pg_dump` (as `scripts/test-services.sh` picks its server), else PATH's. */
function pgDump(): string {
  try {
    const versions = readdirSync("/usr/lib/postgresql")
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(a) - Number(b));
    if (versions.length > 0) return `/usr/lib/postgresql/${versions.at(-1)}/bin/pg_dump`;
  } catch {
    // No Debian layout: PATH's.
  }
  return "pg_dump";
}
let migratedSql: Promise<string> | undefined;

/**
 * The SQL that makes a schema as Parley's migrations leave it (tables, indexes, functions,
 * the migration log), under {@link PLACEHOLDER}: made once per test process by migrating a
 * schema and dumping it (`pg_dump`, of the server's own installation), so that each fresh
 * migrated schema is one script instead of every migration's round trips.
 */
function migratedDump(): Promise<string> {
  migratedSql ??= (async () => {
    const schema = `t_${randomBytes(6).toString("hex")}`;
    await onBase(`create schema ${schema}`);
    try {
      const { openPostgresDatabase } = await import("../src/storage/postgres/open-postgres");
      const db = await openPostgresDatabase(schemaUrl(schema), { poolSize: 1 });
      await db.destroy();
      const { stdout } = await promisify(execFile)(
        pgDump(),
        [
          `--dbname=${serviceUrl("postgres")}`,
          `--schema=${schema}`,
          "--inserts",
          "--no-owner",
          "--no-privileges",
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      // psql's meta-commands (`\restrict`) are not SQL.
      return stdout
        .split("\n")
        .filter((line) => !line.startsWith("\\"))
        .join("\n")
        .replaceAll(schema, PLACEHOLDER);
    } finally {
      await onBase(`drop schema if exists ${schema} cascade`);
    }
  })();
  return migratedSql;
}

/** The schemas {@link freshPostgres} made in this test file. */
const made: string[] = [];

/** How long {@link dropFreshSchemas} may take, as its `afterAll` timeout: a suite makes hundreds. */
export const DROP_SCHEMAS_TIMEOUT_MS = 180_000;

/**
 * Drops every schema {@link freshPostgres} made in this test file, four at a time (a file's
 * `afterAll`, with {@link DROP_SCHEMAS_TIMEOUT_MS}: dropped one by one, a suite's hundreds of
 * schemas took longer than a hook's usual timeout on a busy machine).
 */
export async function dropFreshSchemas(): Promise<void> {
  const schemas = made.splice(0);
  const next = async (): Promise<void> => {
    const schema = schemas.pop();
    if (schema === undefined) return;
    await onBase(`drop schema if exists ${schema} cascade`);
    await next();
  };
  await Promise.all([next(), next(), next(), next()]);
}

/**
 * A fresh PostgreSQL schema: empty, or (`migrated`) as the migrations leave it, which opening a
 * storage on it then finds done. Resolves to a URL whose connections use it (through
 * `search_path`) and a function that drops it now; {@link dropFreshSchemas} drops those left.
 * Much cheaper than a database per test.
 */
export async function freshPostgres(
  options: { migrated?: boolean } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  made.push(schema);
  if (options.migrated) await onBase((await migratedDump()).replaceAll(PLACEHOLDER, schema));
  else await onBase(`create schema ${schema}`);
  return {
    url: schemaUrl(schema),
    drop: () => onBase(`drop schema if exists ${schema} cascade`),
  };
}
