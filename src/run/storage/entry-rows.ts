// A cache entry's copy of its node's logged rows (metrics.jsonl, samples.jsonl beside its outputs),
// so a run that reuses the entry still reports the node's curves and samples. Written whole into
// the entry's temp folder, which is renamed into place complete (cache.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonlError, metricRowCheck, readJsonl, sampleRowCheck } from "./jsonl-log.js";
import type { MetricRow, SampleRow } from "./rundir.js";

const NODE_METRICS = "metrics.jsonl";
const NODE_SAMPLES = "samples.jsonl";

export interface EntryRows {
  metrics: MetricRow[];
  samples: SampleRow[];
}

export function writeEntryRows(dir: string, rows: EntryRows): void {
  writeFileSync(join(dir, NODE_METRICS), rows.metrics.map((r) => JSON.stringify(r) + "\n").join(""));
  writeFileSync(join(dir, NODE_SAMPLES), rows.samples.map((r) => JSON.stringify(r) + "\n").join(""));
}

/** The message of a damaged entry: an Error the executor turns into its PlanError. */
export class DamagedEntryError extends Error {}

/**
 * The rows of the entry in `dir` (computed for the block `label`). An entry is renamed into place
 * whole, so a line that does not read is damage from outside alignc (the cache's get() checks sizes,
 * not contents): a DamagedEntryError naming the line and the folder to remove.
 */
export function readEntryRows(dir: string, label: string): EntryRows {
  try {
    return { metrics: readJsonl<MetricRow>(join(dir, NODE_METRICS), metricRowCheck), samples: readJsonl<SampleRow>(join(dir, NODE_SAMPLES), sampleRowCheck) };
  } catch (err) {
    if (!(err instanceof JsonlError)) throw err;
    throw new DamagedEntryError(`${err.message}\n  the cache entry of ${label} is damaged; remove the folder ${dir} and run again to compute the node anew`);
  }
}
