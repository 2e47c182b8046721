// The worker that decodes a Parquet file's records (parquet.ts starts it): hyparquet reads a damaged
// file's column chunks in promises of which some reject after the read has failed, unobserved (a
// nested column's sibling, a row group planned before the one that threw), and an unhandled rejection
// ends a Node process; in a worker it ends the worker, and the reader reports the file's first error.
import { parentPort, workerData } from "node:worker_threads";

export interface DecodeRequest {
  bytes: ArrayBuffer;
  limit?: number;
  /** the rows' text the decode may hold (JSONL_LIMITS.heldChars, as a JSON Lines file's): a row group
   * at a time, so that a small file of highly compressed text is refused, not decoded past the heap */
  heldChars: number;
}
export type DecodeReply = { rows: Record<string, unknown>[] } | { error: string } | { tooLarge: { chars: number; rows: number } };

/** A Parquet value as JSON: 64-bit integers as numbers where exact (else their decimal text, as an id
 * is), bytes as lists of numbers, NaN and infinities as null (JSON has none: pandas writes them so),
 * absent fields left out (hyparquet's toJson would round a large id silently). Dates and timestamps
 * come as text from PARSERS. */
export function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeof v === "number") return Number.isFinite(v) ? (Object.is(v, -0) ? 0 : v) : null;
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

/** `units` since the epoch (`perMs` to a millisecond) as ISO text with every digit it has. */
function isoAt(units: bigint, perMs: bigint, digits: number): string {
  let ms = units / perMs;
  let rest = units % perMs;
  if (rest < 0n) {
    ms -= 1n;
    rest += perMs;
  }
  const base = new Date(Number(ms)).toISOString(); // a value past year 275760 throws: a damaged file
  return digits === 0 ? base : `${base.slice(0, -1)}${rest.toString().padStart(digits, "0")}Z`;
}

/** Strict UTF-8: a text column's invalid bytes are the file's error (as a JSON Lines file's are), never U+FFFD. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** hyparquet's value parsers, as JSON Lines would write the values: a text column decoded strictly, a date
 * as its day (`2024-02-29`), a timestamp to its own precision; bytes without a text annotation stay bytes
 * (`utf8: false` below: hyparquet decodes them as text by default, lossily). */
const PARSERS = {
  stringFromBytes: (b: Uint8Array | undefined) => {
    if (b === undefined) return undefined;
    try {
      return utf8.decode(b);
    } catch {
      throw new Error(`a text column holds bytes that are not UTF-8 (${Array.from(b.slice(0, 12), (x) => x.toString(16).padStart(2, "0")).join(" ")}…)`);
    }
  },
  dateFromDays: (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10),
  timestampFromMilliseconds: (ms: bigint) => isoAt(BigInt(ms), 1n, 0),
  timestampFromMicroseconds: (us: bigint) => isoAt(BigInt(us), 1000n, 3),
  timestampFromNanoseconds: (ns: bigint) => isoAt(BigInt(ns), 1_000_000n, 6),
};

/** A footer whose row count disagrees with its row groups' (or no count a number holds exactly): a damaged
 * file. The plan's count (parquet.ts countParquetRows) and the decode hold the footer to it alike. */
export function footerProblem(md: { num_rows: bigint | number; row_groups: readonly { num_rows: bigint | number }[] }): string | null {
  const total = BigInt(md.num_rows);
  const groups = md.row_groups.reduce((a, g) => a + BigInt(g.num_rows), 0n);
  return total === groups && total >= 0n && total <= BigInt(Number.MAX_SAFE_INTEGER) ? null : `the Parquet footer says ${total} rows where its row groups hold ${groups}: a damaged file`;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The characters of the strings in a JSON value (what its row holds in memory, as a JSON Lines line's text). */
function textChars(v: unknown): number {
  if (typeof v === "string") return v.length;
  if (Array.isArray(v)) return v.reduce((a: number, x) => a + textChars(x), 0);
  if (v !== null && typeof v === "object") return Object.values(v).reduce((a: number, x) => a + textChars(x), 0);
  return 0;
}

async function decode({ bytes, limit, heldChars }: DecodeRequest): Promise<DecodeReply> {
  const { parquetMetadata, parquetReadObjects } = await import("hyparquet");
  const { compressors } = await import("hyparquet-compressors");
  try {
    const metadata = parquetMetadata(bytes, { parsers: PARSERS });
    const damaged = footerProblem(metadata);
    if (damaged) return { error: damaged };
    const rows: Record<string, unknown>[] = [];
    let held = 0;
    let start = 0;
    // a row group at a time: the text held is counted before the next group is decoded
    for (const group of metadata.row_groups) {
      if (limit !== undefined && start >= limit) break;
      const end = Math.min(start + Number(group.num_rows), limit ?? Infinity);
      // an empty row group (a writer may leave one between others) decodes nothing
      if (end > start)
        for (const r of await parquetReadObjects({ file: bytes, metadata, compressors, rowStart: start, rowEnd: end, utf8: false, parsers: PARSERS })) {
          const row = jsonValue(r) as Record<string, unknown>;
          held += textChars(row);
          if (held > heldChars) return { tooLarge: { chars: held, rows: rows.length } };
          rows.push(row);
        }
      start += Number(group.num_rows);
    }
    return { rows };
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
