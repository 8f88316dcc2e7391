import type { BenchContext } from "./context";

/** One target from the plan, checked against a measured value. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** What a scenario hands back: markdown for people, data for the JSON output. */
export interface ScenarioReport {
  title: string;
  markdown: string;
  data: unknown;
  targets: TargetCheck[];
}

export type Scenario = (ctx: BenchContext) => Promise<ScenarioReport>;
