// What the executor keeps in a cache entry besides the node's outputs, and reads back on a hit: the
// node's logged rows (metrics.jsonl, samples.jsonl), so a run that reuses the entry still reports
// its curves and samples, and, from entry.json, its summary and skipped-row reports. The rows are
// written whole into the entry's temp folder, which is renamed into place complete (cache.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonlError, metricRowCheck, readJsonl, sampleRowCheck } from "./jsonl-log.js";
import type { MetricRow, NodeRecord, SampleRow } from "./rundir.js";

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
 * not contents): a DamagedEntryError naming the line and how to replace the entry (`--force`).
 */
export function readEntryRows(dir: string, label: string, id = label): EntryRows {
  try {
    return { metrics: readJsonl<MetricRow>(join(dir, NODE_METRICS), metricRowCheck), samples: readJsonl<SampleRow>(join(dir, NODE_SAMPLES), sampleRowCheck) };
  } catch (err) {
    if (!(err instanceof JsonlError)) throw err;
    throw new DamagedEntryError(`${err.message}\n  the cache entry of ${label} is damaged; run again with \`--force ${id}\` to compute the node anew and replace the entry (or remove the folder ${dir})`);
  }
}

/** The skipped-row reports a node's entry carries (its handler's `data.skippedRows`), onto its record. */
export function recordSkipped(rec: NodeRecord, meta: unknown): void {
  const s = ((meta as { data?: { skippedRows?: unknown } } | null)?.data ?? null)?.skippedRows;
  if (Array.isArray(s) && s.length) rec.skippedRows = s as NodeRecord["skippedRows"];
}

/** The numeric figures of an entry's summary. */
export function summaryOf(data: unknown): Record<string, number> {
  const s = (data as { summary?: unknown } | null)?.summary;
  if (!s || typeof s !== "object") return {};
  return Object.fromEntries(Object.entries(s as Record<string, unknown>).filter(([, v]) => typeof v === "number")) as Record<string, number>;
}
