// Gzip data files: recognised by their first two bytes (1f 8b), not by their name, so a `.jsonl` that
// is gzip, or a `.jsonl.gz` a download already decompressed, loads as it is (no file in UTF-8 or another
// ASCII-compatible encoding starts with byte 1f, a control character; a UTF-16 source is never sniffed:
// readers.ts); decompressed whole in memory within a limit (the readers of
// files read whole, and JSONL's encoding check of a file small enough to check whole first).
import { closeSync, openSync, readSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { CODES, fail } from "./diag.js";
import { READ_LIMITS } from "../lang/read-file.js";

/** Do these bytes start as a gzip stream does? */
export const gzipBytes = (buf: Uint8Array): boolean => buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;

/** Does the (regular, already checked) file start as a gzip stream does? */
export function isGzipFile(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && gzipBytes(head);
  } finally {
    closeSync(fd);
  }
}

/** A gzip file read whole: its bytes decompressed, refused past READ_LIMITS.wholeData. */
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
