import type { FileRowStore } from "../storage/file-rows";
import type { FileService } from "./file-service";
import { PeriodicSweep, type SweepOptions } from "./periodic-sweep";

/**
 * How often each node sweeps: orphans live `PARLEY_UPLOAD_ORPHAN_MINUTES` (60 by default), so
 * five minutes late is little, and two indexed reads per node per five minutes cost nothing.
 * A deletion asks for a sweep at once, so its bytes go right after its commit.
 */
export const FILE_SWEEP_INTERVAL_MS = 300_000;
/**
 * How old an unfinished upload's temporary bytes must be for a sweep to remove them (a crash
 * left them): far longer than any upload takes, since a running one would then fail.
 */
export const TEMPORARY_MAX_AGE_MS = 24 * 3_600_000;
/** Doomed files purged per read; a sweep reads again while a full page was purged. */
const BATCH = 200;

export interface FileSweepOptions extends SweepOptions {
  /** How long an upload may stay unattached, in ms. */
  orphanMs: number;
}

/**
 * Removes files that are to go: uploads never attached within `orphanMs`, the files of
 * deleted messages (doomed in the deletion's transaction), and the store's leftovers of uploads
 * a crash cut short ({@link TEMPORARY_MAX_AGE_MS}). Cluster-safe: orphans are doomed in
 * one statement that a send's attach cannot interleave with, and bytes are deleted before rows,
 * so a crash between the two leaves a doomed row that the next sweep finishes. Runs on every
 * node at start, every interval, and when {@link FileSweep.sweep} is asked for.
 */
export class FileSweep extends PeriodicSweep {
  constructor(
    private readonly rows: Pick<FileRowStore, "doomOrphans" | "doomedFiles">,
    private readonly files: Pick<FileService, "purge" | "sweepTemporary">,
    private readonly sweepOptions: FileSweepOptions,
  ) {
    // A sweep asked for while one runs runs once more after it.
    super(sweepOptions, FILE_SWEEP_INTERVAL_MS, true);
  }

  protected async runOnce(): Promise<void> {
    await this.rows.doomOrphans(this.now() - this.sweepOptions.orphanMs);
    while (!this.isClosed) {
      const doomed = await this.rows.doomedFiles(BATCH);
      if (doomed.length > 0) await this.files.purge(doomed);
      if (doomed.length < BATCH) break;
    }
    if (!this.isClosed) await this.files.sweepTemporary(this.now() - TEMPORARY_MAX_AGE_MS);
  }
}
