import type { RunResult } from "./load-protocol";

/** A delivery step fails when its p99 passes this or too few deliveries arrive; stepping stops. */
export const STEP_P99_LIMIT_MS = 1000;
/** Least share of the expected deliveries a step must see within its drain time. */
export const DELIVERY_FLOOR = 0.99;

/** Whether a step's deliveries all but arrived with a p99 at or under `p99Ms`. */
export function within(run: RunResult, p99Ms: number): boolean {
  return run.latency.p99 <= p99Ms && run.deliveryRatio >= DELIVERY_FLOOR;
}
