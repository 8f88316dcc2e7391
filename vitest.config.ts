import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Much of a test's time is waiting (sockets, the browser, timers): two files at a time even
    // on two cores, where the default (all cores but one) would run one at a time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // The web client is built once per run for every browser suite.
    globalSetup: ["packages/web/test/global-setup.ts"],
  },
});
