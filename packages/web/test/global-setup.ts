import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A directory for this run's one build of the web client (see `sharedBuild`). */
    webBuildDir: string;
  }
}

/**
 * One directory per test run for the web client's build: the first browser suite builds into
 * it and the others serve the same files, instead of each building its own. Removed after the run.
 */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), "parley-web-build-"));
  project.provide("webBuildDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
