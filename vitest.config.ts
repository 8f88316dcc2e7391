import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    // The browser suites' cases are whole sessions in several tabs: 10–15 s alone, up to twice
    // that beside another suite on a busy two-core machine.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two files at a time, whatever the core count: most of a file's time is spent waiting
    // (servers, browsers, PostgreSQL, timers), so two overlap well even on two cores. Every
    // file uses its own ports, schemas, Redis prefixes and directories.
    maxWorkers: 2,
    // The web client is built once per run for every browser suite.
    globalSetup: ["packages/web/test/global-setup.ts"],
  },
});
