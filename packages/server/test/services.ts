import { randomBytes } from "node:crypto";
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

/**
 * A fresh, empty PostgreSQL schema; resolves to a URL whose connections use it (through
 * `search_path`) and a function that drops it. Much cheaper than a database per test.
 */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = serviceUrl("postgres");
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
