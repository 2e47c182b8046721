// The worker that decodes a Parquet file's records (parquet.ts starts it): hyparquet reads a damaged
// file's column chunks in promises of which some reject after the read has failed, unobserved (a
// nested column's sibling, a row group planned before the one that threw), and an unhandled rejection
// ends a Node process; in a worker it ends the worker, and the reader reports the file's first error.
import { parentPort, workerData } from "node:worker_threads";

export interface DecodeRequest {
  bytes: ArrayBuffer;
  limit?: number;
}
export type DecodeReply = { rows: Record<string, unknown>[] } | { error: string };

/** A Parquet value as JSON: 64-bit integers as numbers where exact (else their decimal text, as an id
 * is), bytes as lists of numbers, timestamps as ISO text, absent fields left out (hyparquet's toJson
 * would round a large id silently). */
export function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number") return Object.is(v, -0) ? 0 : v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, jsonValue);
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = jsonValue(x);
    return out;
  }
  return v;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

async function decode({ bytes, limit }: DecodeRequest): Promise<DecodeReply> {
  const { parquetMetadata, parquetReadObjects } = await import("hyparquet");
  const { compressors } = await import("hyparquet-compressors");
  try {
    const metadata = parquetMetadata(bytes);
    const records = await parquetReadObjects({ file: bytes, metadata, compressors, ...(limit !== undefined ? { rowEnd: limit } : {}) });
    return { rows: records.map((r) => jsonValue(r) as Record<string, unknown>) };
  } catch (err) {
    return { error: messageOf(err) };
  }
}

if (parentPort && workerData && (workerData as { parquet?: unknown }).parquet) {
  const port = parentPort;
  // the first answer is the one the reader takes: a stray rejection after it is the same file's damage
  process.on("unhandledRejection", (err) => port.postMessage({ error: messageOf(err) } satisfies DecodeReply));
  port.postMessage(await decode((workerData as { parquet: DecodeRequest }).parquet));
}
