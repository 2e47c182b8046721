// What the executor keeps in a cache entry besides the node's outputs, and reads back on a hit: the
// node's logged rows (metrics.jsonl, samples.jsonl), so a run that reuses the entry still reports
// its curves and samples, and, from entry.json, its summary and skipped-row reports. The rows are
// written whole into the entry's temp folder, which is renamed into place complete (cache.ts).
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FileRecord } from "./cache.js";
import { EntryChangedError, readEntryFile } from "./entry-file.js";
import { JsonlError, metricRowCheck, parseJsonl, readJsonl, sampleRowCheck, type RowCheck } from "./jsonl-log.js";
import type { MetricRow, NodeRecord, SampleRow } from "./rundir.js";

export const NODE_METRICS = "metrics.jsonl";
export const NODE_SAMPLES = "samples.jsonl";

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
 * The rows of the entry in `dir` (computed for the block `label`), held to the sizes and sha256 its
 * entry.json `files` records: a figure edited in place at the same size (0.543 -> 0.643) would
 * otherwise be reported as this node's, and the cache's get() checks sizes only. An entry is renamed
 * into place whole, so rows that differ from the record are damage from outside alignc (a
 * replacement by `--force` elsewhere is cache.read's to notice: it reads entry.json again and
 * retries): a DamagedEntryError naming the line when one does not read, else the file and its
 * sha256, and how to replace the entry (`--force`).
 */
export function readEntryRows(dir: string, label: string, id = label, files: Record<string, FileRecord> = {}): EntryRows {
  const damaged = (why: string) => new DamagedEntryError(`${why}\n  the cache entry of ${label} is damaged; run again with \`--force ${id}\` to compute the node anew and replace the entry (or remove the folder ${dir})`);
  const rows = <T>(name: string, check: RowCheck): T[] => {
    const path = join(dir, name);
    // an entry written before its rows were files of it records none: read as it is
    if (!files[name]) return readJsonl<T>(path, check);
    let bytes: Buffer;
    try {
      bytes = readEntryFile(dir, name, files[name]);
    } catch (err) {
      if (!(err instanceof EntryChangedError)) throw err;
      if (!err.replaced && existsSync(path)) readJsonl<T>(path, check); // a line that does not read: located
      throw damaged(err.message);
    }
    return parseJsonl<T>(path, bytes.toString("utf8"), check);
  };
  try {
    return { metrics: rows<MetricRow>(NODE_METRICS, metricRowCheck), samples: rows<SampleRow>(NODE_SAMPLES, sampleRowCheck) };
  } catch (err) {
    if (!(err instanceof JsonlError)) throw err;
    throw damaged(err.message);
  }
}

/** The skipped-row reports a node's entry carries (its handler's `data.skippedRows`), onto its record. */
export function recordSkipped(rec: NodeRecord, meta: unknown): void {
  const s = ((meta as { data?: { skippedRows?: unknown } } | null)?.data ?? null)?.skippedRows;
  if (Array.isArray(s) && s.length) rec.skippedRows = s as NodeRecord["skippedRows"];
}

/** The numeric figures of an entry's summary: finite numbers only (JSON stores NaN and ±Infinity as
 * null; a fresh node's summary goes through this too, so that it reads as its cache hit will). */
export function summaryOf(data: unknown): Record<string, number> {
  const s = (data as { summary?: unknown } | null)?.summary;
  if (!s || typeof s !== "object") return {};
  return Object.fromEntries(Object.entries(s as Record<string, unknown>).filter(([, v]) => typeof v === "number" && Number.isFinite(v))) as Record<string, number>;
}
