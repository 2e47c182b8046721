// Whole .gz data files decompressed in memory, within a limit (the readers of files read whole, and
// JSONL's encoding check of a file small enough to check whole first).
import { gunzipSync } from "node:zlib";
import { CODES, fail } from "./diag.js";
import { READ_LIMITS } from "../lang/read-file.js";

/** A .gz file read whole: its bytes decompressed, refused past READ_LIMITS.wholeData. */
export function gunzipWhole(file: string, buf: Buffer): Buffer {
  const out = gunzipAtMost(file, buf, READ_LIMITS.wholeData);
  if (out === null) fail(CODES.fileMissing, `it decompresses to more than ${READ_LIMITS.wholeData >> 20} MiB, the most alignc reads whole; write it as JSONL, which is streamed`, file);
  return out;
}

/** A gzip file's bytes decompressed, or null when they come to more than `limit`. */
export function gunzipAtMost(file: string, buf: Buffer, limit: number): Buffer | null {
  try {
    return gunzipSync(buf, { maxOutputLength: limit });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ERR_BUFFER_TOO_LARGE") return null;
    fail(CODES.brokenLine, `not a readable gzip file (${e.message})`, file);
  }
}
