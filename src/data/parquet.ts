// Parquet files, as Hugging Face's hub publishes data sets (many only so: its Parquet conversion of each
// split, `refs/convert/parquet`). Read with hyparquet (pure JavaScript, every Parquet encoding, and
// with hyparquet-compressors every codec: snappy, gzip, zstd, brotli, lz4), not by hand: the format's
// nesting, dictionary pages and codecs are a library's job. Each record is a row of JSON values, as a
// JSON Lines file would give it (decoded in a worker: parquet-decode.ts); a Parquet file has no lines,
// so a row is located by its record number (`file.parquet:N:1`, "row N: …").
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { CODES, fail } from "./diag.js";
import { HELD_CHARS, tooMuchText } from "./held-text.js";
import { footerProblem, type DecodeReply, type DecodeRequest } from "./parquet-decode.js";
import type { Fields, Row } from "./row.js";
import { assertRegularFile, InputFileError } from "../lang/read-file.js";
import { recordRead, sha256Of } from "../lang/read-digests.js";

/** The largest Parquet file read: it is read whole (its footer is at its end), and its rows then take
 * several times its compressed bytes. Hugging Face shards a split's Parquet into files below this. */
export const PARQUET_MAX_BYTES = 1 << 30;

/** The whole file in one buffer (a copy of it would be a second 1 GiB), its digest recorded as the plan
 * hashes it (src/lang/read-digests.ts); a located error where it cannot be read. */
function readBytes(file: string): ArrayBuffer {
  return withFile(file, (fd, size) => {
    if (size > PARQUET_MAX_BYTES) fail(CODES.fileMissing, `data file is larger than the ${PARQUET_MAX_BYTES >> 20} MiB alignc reads from one Parquet file; read one shard of it (Hugging Face splits a data set's Parquet into several files), or export JSON Lines, which is streamed`, file);
    const bytes = new Uint8Array(new ArrayBuffer(size));
    let at = 0;
    while (at < size) {
      const n = readSync(fd, bytes, at, size - at, at);
      if (n === 0) break; // cut short while read: what was read is what is hashed and parsed
      at += n;
    }
    const read = at === size ? bytes : bytes.slice(0, at);
    recordRead(file, sha256Of(read));
    return read.buffer as ArrayBuffer;
  });
}

/** `fn` over the open regular file and its size; a located error where it is not one. */
function withFile<T>(file: string, fn: (fd: number, size: number) => T): T {
  try {
    assertRegularFile(file, "data file");
  } catch (err) {
    if (err instanceof InputFileError) fail(CODES.fileMissing, err.withoutPath, file);
    throw err;
  }
  const fd = openSync(file, "r");
  try {
    return fn(fd, fstatSync(fd).size);
  } finally {
    closeSync(fd);
  }
}

/** A file hyparquet cannot read (not Parquet, truncated, a codec it lacks): located at the file. */
function unreadable(file: string, err: unknown): never {
  const why = typeof err === "string" ? err : err instanceof Error ? err.message : String(err);
  fail(CODES.brokenLine, `cannot read this Parquet file (${why})`, file, undefined, /PAR1|too short|metadata length/i.test(why) ? "a Parquet file ends with its footer and the bytes PAR1: one cut short (a download that stopped) or of another format does not (a JSON Lines or CSV file is read with jsonl(…) or csv(…))" : undefined);
}

/** A Parquet file (it starts with the bytes PAR1) named with another reader: said so, not "not valid JSON" on binary. */
export function refuseParquet(file: string, kind: string): void {
  const head = Buffer.alloc(4);
  const fd = openSync(file, "r");
  try {
    if (readSync(fd, head, 0, 4, 0) === 4 && head.toString("latin1") === "PAR1") fail(CODES.brokenLine, `a Parquet file (it starts with the bytes PAR1), read as ${kind}`, file, null, `read it with parquet("…")`);
  } finally {
    closeSync(fd);
  }
}

/** What a Parquet read may hold: the rows' text (HELD_CHARS, as a JSON Lines file's),
 * and the decoding worker's heap (tests lower both). */
export interface ParquetLimits {
  heldChars: number;
  workerHeap?: ResourceLimits;
}

/** The rows of a Parquet file (the first `limit`, where given), each record an object of its columns,
 * decoded in a worker (parquet-decode.ts says why). */
export async function readParquet(file: string, opts: { limit?: number; limits?: Partial<ParquetLimits> } = {}): Promise<Row[]> {
  const limits: ParquetLimits = { heldChars: HELD_CHARS, ...opts.limits };
  const bytes = readBytes(file);
  const url = new URL(import.meta.url.endsWith(".ts") ? "./parquet-decode.ts" : "./parquet-decode.js", import.meta.url);
  const request: DecodeRequest = { bytes, heldChars: limits.heldChars, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) };
  const worker = new Worker(url, { workerData: { parquet: request }, transferList: [bytes], ...(limits.workerHeap ? { resourceLimits: limits.workerHeap } : {}), ...(url.pathname.endsWith(".ts") ? { execArgv: ["--import", "tsx"] } : {}) });
  let reply: DecodeReply | { crashed: string };
  try {
    reply = await new Promise<DecodeReply | { crashed: string }>((resolve) => {
      worker.once("message", resolve);
      // the worker ran out of its heap (a row group decoded past it) or died: the file's error, not alignc's (exit 70)
      worker.once("error", (err) => resolve({ crashed: err.message }));
      worker.once("exit", (code) => resolve({ crashed: `the decoder stopped (exit ${code}) without an answer` }));
    });
  } finally {
    void worker.terminate();
  }
  const hint = (n: string) => `read the first rows only (\`limit = ${n}\` on the source), read one shard of it, or give Node more memory (NODE_OPTIONS=--max-old-space-size=MiB)`;
  if ("crashed" in reply) fail(CODES.brokenLine, `the Parquet decoder could not read the file: ${reply.crashed}`, file, undefined, hint("N"));
  if ("tooLarge" in reply)
    fail(CODES.brokenLine, tooMuchText(`row ${reply.tooLarge.rows + 1}`, reply.tooLarge.chars, limits.heldChars, reply.tooLarge.rows), file, undefined, hint(String(reply.tooLarge.rows)));
  if ("error" in reply) unreadable(file, reply.error);
  return reply.rows.map((r, i) => ({ data: r as Fields, index: i, line: i + 1, start: 0, end: 0, record: i }));
}

/** A Parquet file's row count, from its footer alone (its last bytes: no record decoded, the file not
 * read whole), held to its row groups' counts: a footer that disagrees with itself is a damaged file. */
export async function countParquetRows(file: string): Promise<number> {
  const footer = withFile(file, (fd, size) => {
    const tail = Buffer.alloc(Math.min(8, size));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const length = tail.length === 8 && tail.toString("latin1", 4) === "PAR1" ? tail.readUInt32LE(0) : 0;
    // a length past the file is left to hyparquet, which says so
    const take = Math.min(size, length + 8);
    const bytes = Buffer.alloc(take);
    readSync(fd, bytes, 0, take, size - take);
    return bytes;
  });
  const { parquetMetadata } = await import("hyparquet");
  let md: ReturnType<typeof parquetMetadata>;
  try {
    md = parquetMetadata(footer);
  } catch (err) {
    unreadable(file, err);
  }
  const damaged = footerProblem(md);
  if (damaged) unreadable(file, damaged);
  return Number(md.num_rows);
}
