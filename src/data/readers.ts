// Readers: JSONL (streamed, also .gz), JSON arrays, CSV/TSV (csv-parse), plain text lines, Parquet
// (hyparquet: parquet.ts). Each row keeps its 1-based line and character offsets so that a problem
// found later (a missing field, a bad ranking) is reported as file:line with a span.
import { parseJsonExact } from "./json-exact.js";
import { StopRequested, checkStop } from "../common/stop-point.js";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { Readable, pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { parse as parseCsv } from "csv-parse/sync";
import { CODES, DataError, dataDiag, fail, rowSpan } from "./diag.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { BadRows, clip, failOrSkip, type OnError } from "./bad-rows.js";
import { assertRegularFile, InputFileError, READ_LIMITS, readRegularFile } from "../lang/read-file.js";
import { recordRead, sha256Of } from "../lang/read-digests.js";
import { checkEncoding, decodeStream, decodeWhole, isUtf8, utf8Stream } from "./decode.js";
import { LongLine, splitLines } from "./lines.js";
import { gunzipAtMost, gunzipWhole, gzipBytes, isGzipFile } from "./gunzip.js";
import { matchLines } from "./line-pattern.js";
import { describe } from "./row-fields.js";
import { readParquet, refuseParquet } from "./parquet.js";
import { HELD_CHARS, tooMuchText } from "./held-text.js";
import { READERS } from "../check/kind-schemas.js";

export { describe, fieldArray, fieldString } from "./row-fields.js";

export { firstInvalidUtf8 } from "./decode.js";

// the reader calls the kinds table names (one list: a reader added there is a reader here)
export type ReaderKind = (typeof READERS)[number];
export const READER_KINDS: readonly ReaderKind[] = READERS;

export { rowElement, type Fields, type Row, type RowSet } from "./row.js";
import type { Fields, Row, RowSet } from "./row.js";

/** Broken rows a read reports before it stops collecting (every offender up to it): enough to see a
 * pattern, few enough to read. A message limit, not a recipe parameter. */
const MAX_REPORTED_ERRORS = 20;

export interface ReadOptions {
  limit?: number; // read at most this many rows
  /** the source's bad-row policy (bad-rows.ts): fail reports every broken line, skip leaves them out */
  onError?: OnError;
  /** the source's name, for reports */
  source?: string;
  /** the source's declared `encoding` (decode.ts); UTF-8 when absent */
  encoding?: string;
  /** text reader: the source's `pattern`, each line's named groups its fields (absent: `{ text }`) */
  pattern?: string;
}

/** A data file must be a regular file: a FIFO or a device (/dev/zero) would block or never end. */
export function checkFile(file: string): void {
  if (!existsSync(file)) fail(CODES.fileMissing, "data file not found", file);
  try {
    assertRegularFile(file, "data file");
  } catch (err) {
    if (err instanceof InputFileError) fail(CODES.fileMissing, err.withoutPath, file);
    throw err;
  }
}

/** Whether a file in this encoding is told gzip by its first bytes: a UTF-16 file may start with 1f 8b
 * (U+8B1F little-endian, U+1F8B big-endian), which no file in an ASCII-compatible encoding does. */
const mayBeGzip = (encoding: string | undefined): boolean => !encoding?.toLowerCase().startsWith("utf-16");

/** A whole data file as text, capped at READ_LIMITS.wholeData (after decompression for gzip). */
function readWhole(file: string, encoding?: string): string {
  checkFile(file);
  let buf: Buffer;
  try {
    buf = readRegularFile(file, READ_LIMITS.wholeData, "data file");
  } catch (err) {
    if (err instanceof InputFileError) fail(CODES.fileMissing, `${err.withoutPath}; write it as JSONL, which is streamed`, file);
    throw err;
  }
  recordRead(file, sha256Of(buf)); // what a run holds to its plan's sha256 (src/lang/read-digests.ts)
  const gz = mayBeGzip(encoding) && gzipBytes(buf);
  if (gz) buf = gunzipWhole(file, buf);
  return decodeWhole(file, buf, encoding, gz);
}

/** Limits of a streamed JSONL file (readJsonl's `limits` lowers them in tests). `lineChars`: V8 holds
 * no string past ~512 Mi characters and no example nears 64 Mi; a longer line is a bad row (lines.ts).
 * `checkWholeBytes`: a file up to it has its encoding checked whole first, so that error comes before
 * any row's; a larger one as it streams (UTF-8: the same located error, decode.ts utf8Stream).
 * `heldChars`: the rows' text a file may hold, a quarter of Node's heap (rows parsed into objects take
 * one to two times their text, and every later step keeps its own copy): past it a located error with
 * the line and the way out, where a file of more rows than memory (a gzip file decompresses to many
 * times its size) ran the process out of memory after minutes, exit 134, nothing said. */
export const JSONL_LIMITS = { lineChars: 64 << 20, checkWholeBytes: 256 << 20, heldChars: HELD_CHARS };

/** Read a file as rows of fields, with the reader named by `kind`. */
export async function readRows(file: string, kind: ReaderKind, opts: ReadOptions = {}): Promise<RowSet> {
  checkFile(file); // a missing file or a FIFO is said before its first bytes are read
  if (kind !== "parquet") refuseParquet(file, kind);
  switch (kind) {
    case "jsonl": {
      const bad = new BadRows(opts.source ?? file, file, failOrSkip(opts.onError));
      const rows = await readJsonl(file, { ...opts, bad });
      const skipped = bad.finish();
      return { file, kind, rows, ...(skipped ? { skipped } : {}) };
    }
    case "json":
      return { file, kind, rows: readJsonArray(file, opts) };
    case "csv":
    case "tsv":
      return { file, kind, rows: readCsv(file, kind === "tsv" ? "\t" : ",", opts) };
    case "parquet":
      return { file, kind, rows: await readParquet(file, opts) };
    case "text": {
      if (opts.pattern === undefined) return { file, kind, rows: readTextLines(file, opts) };
      const bad = new BadRows(opts.source ?? file, file, failOrSkip(opts.onError));
      const rows = matchLines(readTextLines(file, { ...opts, limit: undefined }), opts.pattern, { file, limit: opts.limit, bad });
      const skipped = bad.finish();
      return { file, kind, rows, ...(skipped ? { skipped } : {}) };
    }
  }
}


/** JSONL, streamed line by line (gzip when its bytes are: gunzip.ts). Blank lines are skipped. */
export async function readJsonl(file: string, opts: ReadOptions & { bad?: BadRows; limits?: Partial<typeof JSONL_LIMITS> } = {}): Promise<Row[]> {
  const limits = { ...JSONL_LIMITS, ...opts.limits };
  checkFile(file);
  const gz = mayBeGzip(opts.encoding) && isGzipFile(file);
  if (statSync(file).size <= limits.checkWholeBytes) {
    const raw = readFileSync(file);
    // a gzip file that decompresses past the limit is checked as it streams, as a large plain file is
    // (it was refused as too large to read whole, although JSONL is streamed)
    const whole = gz ? gunzipAtMost(file, raw, Math.max(0, limits.checkWholeBytes)) : raw;
    if (whole) checkEncoding(file, whole, opts.encoding, gz);
  }
  const raw = createReadStream(file);
  // the file's bytes (a gzip file's compressed ones, as the plan hashes them) are hashed as they stream,
  // and recorded once read to the end (read-digests.ts)
  const digest = createHash("sha256");
  let streamed = false;
  const hashed = async function* (): AsyncGenerator<Buffer> {
    for await (const chunk of raw as AsyncIterable<Buffer>) {
      digest.update(chunk);
      yield chunk;
    }
    streamed = true;
  };
  // pipeline: an error on either side ends the other, and reaches the loop below through the gunzip stream
  const bytes = (gz ? pipeline(Readable.from(hashed()), createGunzip(), () => {}) : hashed()) as AsyncIterable<Buffer>;
  const decoded = isUtf8(opts.encoding) ? utf8Stream(bytes, file, gz) : decodeStream(bytes, file, opts.encoding!, gz);
  const lines = splitLines(decoded, limits.lineChars);
  const rows: Row[] = [];
  const errors: Diagnostic[] = [];
  const maxErrors = MAX_REPORTED_ERRORS;
  let line = 0;
  let offset = 0;
  let held = 0;
  /** a bad row: to the source's policy, or listed; true once enough are listed to stop */
  const bad = (d: Diagnostic): boolean => {
    if (opts.bad) opts.bad.add(-line, [d]);
    else errors.push(d);
    return errors.length >= maxErrors;
  };
  try {
    read: for await (const batch of lines) for (const raw of batch) {
      checkStop(); // a Ctrl-C while `alignc run` prepares data (the stream lets its handler run)
      line++;
      if (raw instanceof LongLine) {
        const at = rowSpan(line, offset, offset + raw.length);
        offset += raw.length + 1;
        if (opts.limit !== undefined && rows.length >= opts.limit) break read;
        const most = limits.lineChars % (1 << 20) ? `${limits.lineChars}` : `${limits.lineChars >> 20} Mi`;
        if (bad(dataDiag(CODES.brokenLine, `line too long: ${raw.length} characters, more than the ${most} one JSONL row may hold`, file, at, "one line holds one row: were the file's line breaks lost?"))) break read;
        continue;
      }
      const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw; // a BOM, as recipes and the other readers accept
      const start = offset + raw.length - text.length;
      offset += raw.length + 1;
      if (text.trim() === "") continue;
      if (opts.limit !== undefined && rows.length >= opts.limit) break read;
      let data: unknown;
      const at = rowSpan(line, start, start + text.length);
      const excerpt = clip(text.trim(), 80);
      try {
        data = parseJsonExact(text);
      } catch (err) {
        // V8 names the offending character's position for most errors: the diagnostic's column then
        const pos = /at position (\d+)/.exec((err as Error).message);
        const where = pos ? rowSpan(line, start, start + text.length, Math.min(Number(pos[1]), text.length) + 1) : at;
        if (bad(dataDiag(CODES.brokenLine, `not valid JSON (${(err as Error).message}): ${excerpt}`, file, where))) break read;
        continue;
      }
      if (data === null || typeof data !== "object" || Array.isArray(data)) {
        if (bad(dataDiag(CODES.wrongType, `a JSONL row must be an object, got ${describe(data)}`, file, at))) break read;
        continue;
      }
      held += text.length;
      if (held > limits.heldChars)
        fail(
          CODES.brokenLine,
          tooMuchText("this line", held, limits.heldChars, rows.length),
          file,
          at,
          `read the first rows only (\`limit = ${rows.length}\` on the source), split the file, or give Node more memory (NODE_OPTIONS=--max-old-space-size=MiB)`,
        );
      rows.push({ data: data as Fields, index: rows.length, line, start, end: start + text.length });
    }
  } catch (err) {
    if (err instanceof DataError || err instanceof StopRequested) throw err;
    fail(CODES.brokenLine, `cannot read (${(err as Error).message})`, file);
  } finally {
    raw.destroy();
  }
  if (streamed) recordRead(file, digest.digest("hex"));
  if (errors.length) throw new DataError(errors);
  return rows;
}

/** A JSON array of objects; each element's line is found by a scan of the top level. */
export function readJsonArray(file: string, opts: ReadOptions = {}): Row[] {
  const text = readWhole(file, opts.encoding);
  let data: unknown;
  try {
    data = parseJsonExact(text);
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    const pos = m ? Number(m[1]) : brokenElementOffset(text);
    const line = text.slice(0, pos).split("\n").length;
    const start = text.lastIndexOf("\n", pos - 1) + 1;
    const end = text.indexOf("\n", pos);
    fail(CODES.brokenLine, `not valid JSON (${(err as Error).message})`, file, rowSpan(line, start, end < 0 ? text.length : end), jsonLinesHint(text));
  }
  if (!Array.isArray(data)) fail(CODES.wrongType, `a JSON data file must hold an array of objects, got ${describe(data)}`, file, rowSpan(1, 0, text.indexOf("\n") < 0 ? text.length : text.indexOf("\n")), jsonLinesHint(text));
  const starts = topLevelElementStarts(text);
  const rows: Row[] = [];
  const errors: Diagnostic[] = [];
  const lines = lineStarts(text);
  let li = 0;
  for (let i = 0; i < data.length; i++) {
    if (opts.limit !== undefined && rows.length >= opts.limit) break;
    const at = starts[i] ?? 0;
    while (li + 1 < lines.length && lines[li + 1]! <= at) li++;
    const line = li + 1;
    const lineStart = lines[li]!;
    // the next line's start, not a search from `at` (on a one-line file that scanned to its end for
    // every element: a 16 MB minified array took 67 s)
    const lineEnd = li + 1 < lines.length ? lines[li + 1]! - 1 : -1;
    // the element's own extent on its line (a published file may hold every element on one line)
    const end = Math.min(lineEnd < 0 ? text.length : lineEnd, starts[i + 1] ?? text.length);
    const col = at - lineStart + 1;
    const el: unknown = data[i];
    if (el === null || typeof el !== "object" || Array.isArray(el)) {
      errors.push(dataDiag(CODES.wrongType, `element ${i} must be an object, got ${describe(el)}`, file, rowSpan(line, lineStart, end, col)));
      continue;
    }
    rows.push({ data: el as Fields, index: rows.length, line, start: lineStart, end, col, element: i });
  }
  if (errors.length) throw new DataError(errors);
  return rows;
}

/** A `json("…")` file that holds one object per line is JSON Lines, whatever its name: SHP publishes
 * `train.json` and summarize-from-feedback `batch3.json` so. Said when its first line is an object alone. */
function jsonLinesHint(text: string): string | undefined {
  const nl = text.indexOf("\n");
  try {
    const first: unknown = JSON.parse(nl < 0 ? text : text.slice(0, nl));
    if (first !== null && typeof first === "object" && !Array.isArray(first)) return 'the file holds one JSON object per line (JSON Lines, whatever its name): read it with jsonl("…")';
  } catch {
    // not an object on its own line: a broken JSON array, reported as such
  }
  return undefined;
}

/** Where a JSON array breaks, when the engine's message has no position: the first element that does not parse alone. */
function brokenElementOffset(text: string): number {
  const starts = topLevelElementStarts(text);
  for (let i = 0; i < starts.length; i++) {
    const slice = text.slice(starts[i], starts[i + 1] ?? text.length).replace(/[\s,\]]*$/, "");
    try {
      JSON.parse(slice);
    } catch {
      return starts[i]!;
    }
  }
  return 0;
}

/** Offsets where each element of the top-level array starts (strings and nesting respected). */
function topLevelElementStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
    if (expectElement && c !== "]") {
      starts.push(i);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === "[" || c === "{") {
      depth++;
      if (depth === 1 && c === "[") expectElement = true;
    } else if (c === "]" || c === "}") depth--;
    else if (c === "," && depth === 1) expectElement = true;
  }
  return starts;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** CSV/TSV with a header row, parsed by csv-parse (quotes, embedded newlines, BOM). */
export function readCsv(file: string, delimiter: string, opts: ReadOptions = {}): Row[] {
  const text = readWhole(file, opts.encoding);
  let records: { record: Fields; info: { lines: number } }[];
  let duplicate: string | undefined;
  try {
    records = parseCsv(text, {
      // a header naming a column twice kept the last column's values and dropped the other's without
      // a word (two `text` columns from a spreadsheet): found here, reported at line 1 below
      columns: (header: string[]) => {
        duplicate = header.find((h, i) => header.indexOf(h) !== i);
        return header;
      },
      delimiter,
      info: true,
      skip_empty_lines: true,
      relax_quotes: delimiter === "\t", // TSV usually has no quoting convention
      quote: delimiter === "\t" ? false : '"',
      to: opts.limit,
    }) as { record: Fields; info: { lines: number } }[];
  } catch (err) {
    const e = err as Error & { lines?: number; code?: string };
    // an unclosed quote is found at the end of the file: point at the quote that opened it
    const line = e.code === "CSV_QUOTE_NOT_CLOSED" ? (unclosedQuoteLine(text) ?? e.lines ?? 1) : (e.lines ?? 1);
    const starts = lineStarts(text);
    const start = starts[line - 1] ?? 0;
    const end = (starts[line] ?? text.length + 1) - 1;
    fail(CODES.brokenLine, `${e.message}`, file, rowSpan(line, start, end));
  }
  const starts = lineStarts(text);
  if (duplicate !== undefined) {
    const end = (starts[1] ?? text.length + 1) - 1;
    fail(CODES.brokenLine, `the header names column \`${duplicate}\` twice: one column's values would be lost`, file, rowSpan(1, 0, end), "rename one of the columns");
  }
  // info.lines is the line where the record ends; a record usually sits on one line
  return records.map((r, index) => {
    const line = r.info.lines;
    const start = starts[line - 1] ?? 0;
    const end = (starts[line] ?? text.length + 1) - 1;
    return { data: r.record, index, line, start, end };
  });
}

/** The line of the quote left open at the end of a CSV text (doubled quotes toggle twice), if any. */
function unclosedQuoteLine(text: string): number | undefined {
  let open = -1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 34) open = open < 0 ? i : -1;
  return open < 0 ? undefined : lineOf(text, open);
}

function lineStarts(text: string): number[] {
  const out = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) out.push(i + 1);
  return out;
}

/** Plain text: one row `{ text }` per non-blank line. */
export function readTextLines(file: string, opts: ReadOptions = {}): Row[] {
  const text = readWhole(file, opts.encoding);
  const rows: Row[] = [];
  // lines end at `\n`, `\r\n` or a lone `\r` (old Mac files), as the JSONL reader splits them (lines.ts)
  // and Python's universal newlines do: a file of lone `\r` was one line (engine epoch 30)
  const brk = /\r\n|\n|\r/g;
  let start = 0;
  let line = 0;
  for (;;) {
    line++;
    const m = brk.exec(text);
    const end = m ? m.index : text.length;
    const s = text.slice(start, end);
    if (s.trim() !== "") {
      if (opts.limit !== undefined && rows.length >= opts.limit) break;
      rows.push({ data: { text: s }, index: rows.length, line, start, end });
    }
    if (!m) break;
    start = brk.lastIndex;
  }
  return rows;
}
