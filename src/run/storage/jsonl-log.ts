// The append-only JSONL logs alignc keeps: a run's metrics.jsonl and samples.jsonl (rundir.ts) and
// the copies a cache entry holds of its node's rows (executor.ts).
//
// Writing: one appendFileSync per row, so a kill -9 tears at most the row being written, and that
// torn row is the file's last bytes. Before its first row into a file, and after an append that
// failed (a full disk can write part of a row before it fails), the writer cuts the file back to
// its last newline: otherwise the next row would be glued onto the torn bytes, losing both rows or
// making a torn line in the middle of the file. These files are alignc's own, so cutting a torn
// tail loses nothing that was whole.
//
// Reading: a torn last line is skipped (its run was killed while writing it); any other line that
// is not a JSON object of the expected shape is a JsonlError at `file:line:col`.
import { appendFileSync, closeSync, fstatSync, ftruncateSync, openSync, readSync } from "node:fs";
import { existsSync, readFileSync } from "node:fs";
import { assertRegularFile } from "../../lang/read-file.js";
import { escapeControl } from "../../lang/escape.js";

/** A line of a JSONL log that is not a row: located, so the user can look (or remove the file). */
export class JsonlError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    readonly col: number,
    reason: string,
  ) {
    super(`${path}:${line}:${col}: ${escapeControl(reason)}`);
    this.name = "JsonlError";
  }
}

/** Cut `path` back to just after its last newline when its last byte is not one (a torn last row).
 * Returns the bytes removed (0 when the file is whole or absent). */
export function healTail(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r+");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const buf = Buffer.alloc(64 * 1024);
    // scan back from the end for the last "\n"; a whole file ends with one (first read, first byte)
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - buf.length);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl !== -1) {
        const keep = start + nl + 1;
        if (keep < size) ftruncateSync(fd, keep);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0); // one torn row and nothing before it
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Appends rows to JSONL files, healing a torn tail before the first row and after a failed append. */
export class JsonlAppender {
  private readonly healed = new Set<string>();

  append(path: string, row: unknown): void {
    if (!this.healed.has(path)) {
      healTail(path);
      this.healed.add(path);
    }
    try {
      appendFileSync(path, JSON.stringify(row) + "\n");
    } catch (err) {
      this.healed.delete(path); // part of the row may be on disk: cut it before the next one
      throw err;
    }
  }
}

/** What a row must hold, as a reason when it does not (null: fine). */
export type RowCheck = (row: Record<string, unknown>) => string | null;

/** Parse a JSONL log, skipping a torn last line (a run killed while appending). */
export function readJsonl<T>(path: string, check?: RowCheck): T[] {
  if (!existsSync(path)) return [];
  // a FIFO (or a device) under the log's name was read forever: `alignc report` hung
  assertRegularFile(path, "run log");
  return parseJsonl<T>(path, readFileSync(path, "utf8"), check);
}

/** Parse the text of the JSONL log `path` (named in errors), as readJsonl. */
export function parseJsonl<T>(path: string, text: string, check?: RowCheck): T[] {
  const out: T[] = [];
  const lines = text.split("\n");
  const lastFilled = lines.findLastIndex((l) => l.trim() !== "");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      // a torn row is the file's last bytes: no newline after it
      if (i === lastFilled && i === lines.length - 1) continue;
      const msg = (err as Error).message;
      const at = /at position (\d+)/.exec(msg);
      throw new JsonlError(path, i + 1, at ? Number(at[1]) + 1 : 1, `not a JSON row (${i === lastFilled ? "a torn row followed by a newline" : "a torn or damaged row in the middle of the file"}): ${msg}`);
    }
    const why = row === null || typeof row !== "object" || Array.isArray(row) ? "not a JSON object" : (check?.(row as Record<string, unknown>) ?? null);
    if (why) throw new JsonlError(path, i + 1, 1, why);
    out.push(row as T);
  }
  return out;
}

export const metricRowCheck: RowCheck = (r) => (typeof r.stage === "string" ? null : `a metric row without a "stage" name`);
export const sampleRowCheck: RowCheck = (r) => (typeof r.eval === "string" ? null : `a sample row without an "eval" name`);
