// Parquet files, as Hugging Face's hub publishes data sets (many only so: its Parquet conversion of each
// split, `refs/convert/parquet`). Read with hyparquet (pure JavaScript, every Parquet encoding, and
// with hyparquet-compressors every codec: snappy, gzip, zstd, brotli, lz4), not by hand: the format's
// nesting, dictionary pages and codecs are a library's job. Each record is a row of JSON values, as a
// JSON Lines file would give it (decoded in a worker: parquet-decode.ts); a Parquet file has no lines,
// so a row is located by its record number (`file.parquet:N:1`, "row N: …").
import { closeSync, openSync, readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { CODES, fail } from "./diag.js";
import type { DecodeReply, DecodeRequest } from "./parquet-decode.js";
import type { Fields, Row } from "./row.js";
import { assertRegularFile, InputFileError, readRegularFile } from "../lang/read-file.js";
import { recordRead, sha256Of } from "../lang/read-digests.js";

/** The largest Parquet file read: it is read whole (its footer is at its end), and its rows then take
 * several times its compressed bytes. Hugging Face shards a split's Parquet into files below this. */
export const PARQUET_MAX_BYTES = 1 << 30;

/** The whole file, its digest recorded as the plan hashes it (src/lang/read-digests.ts); a located error where it cannot be read. */
function readBytes(file: string): ArrayBuffer {
  let buf: Buffer;
  try {
    assertRegularFile(file, "data file");
    buf = readRegularFile(file, PARQUET_MAX_BYTES, "data file");
  } catch (err) {
    if (err instanceof InputFileError) fail(CODES.fileMissing, `${err.withoutPath}${/larger than/.test(err.withoutPath) ? "; read one shard of it (Hugging Face splits a data set's Parquet into several files), or export JSON Lines, which is streamed" : ""}`, file);
    throw err;
  }
  recordRead(file, sha256Of(buf));
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** A file hyparquet cannot read (not Parquet, truncated, a codec it lacks): located at the file. */
function unreadable(file: string, err: unknown): never {
  const why = typeof err === "string" ? err : err instanceof Error ? err.message : String(err);
  fail(CODES.brokenLine, `not a Parquet file alignc can read (${why})`, file, undefined, /PAR1|footer|metadata/i.test(why) ? "a Parquet file ends with its footer and the bytes PAR1: one cut short (a download that stopped) or of another format does not (a JSON Lines or CSV file is read with jsonl(…) or csv(…))" : undefined);
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

/** The rows of a Parquet file (the first `limit`, where given), each record an object of its columns,
 * decoded in a worker (parquet-decode.ts says why). */
export async function readParquet(file: string, opts: { limit?: number } = {}): Promise<Row[]> {
  const bytes = readBytes(file);
  const url = new URL(import.meta.url.endsWith(".ts") ? "./parquet-decode.ts" : "./parquet-decode.js", import.meta.url);
  const request: DecodeRequest = { bytes, ...(opts.limit !== undefined ? { limit: opts.limit } : {}) };
  const worker = new Worker(url, { workerData: { parquet: request }, transferList: [bytes], ...(url.pathname.endsWith(".ts") ? { execArgv: ["--import", "tsx"] } : {}) });
  let reply: DecodeReply;
  try {
    reply = await new Promise<DecodeReply>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`the Parquet decoder stopped (exit ${code}) without an answer`)));
    });
  } finally {
    void worker.terminate();
  }
  if ("error" in reply) unreadable(file, reply.error);
  return reply.rows.map((r, i) => ({ data: r as Fields, index: i, line: i + 1, start: 0, end: 0, record: i }));
}

/** A Parquet file's row count, from its footer (no record decoded). */
export async function countParquetRows(file: string): Promise<number> {
  const bytes = readBytes(file);
  const { parquetMetadata } = await import("hyparquet");
  try {
    return Number(parquetMetadata(bytes).num_rows);
  } catch (err) {
    unreadable(file, err);
  }
}
