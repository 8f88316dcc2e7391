import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { Tuning } from "../../server/src/main";
import { WebHarness } from "./browser-harness";

/**
 * One server, one build and one browser for a test file, started before its specs (then
 * `seed`, if given) and closed after them. Every spec opens fresh browser contexts (fresh
 * localStorage), closed after it, and must leave no CSP violation or page error behind. `env`
 * sets server variables over the test defaults.
 */
export function webSuite(
  tuning: Tuning = {},
  seed?: (harness: WebHarness) => Promise<void>,
  env: Record<string, string> = {},
) {
  const harness = new WebHarness();
  beforeAll(async () => {
    await harness.start(tuning, env);
    await seed?.(harness);
  }, 60_000);
  afterEach(async () => {
    await harness.closeContexts();
    expect(harness.problems.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await harness.close();
  });
  return harness;
}
