// Bytes → text for the readers. A data file is UTF-8 unless its source declares an `encoding`
// (kinds.ts ENCODINGS); bytes that are not valid in that encoding are an error naming the line and
// byte offset, never a silent U+FFFD. "latin1" is ISO-8859-1 as Python reads it (every byte is the
// code point of its value); the other encodings go through the WHATWG TextDecoder with fatal: true
// (whose own "latin1" label would mean windows-1252, hence the separate path).
import { CODES, fail, rowSpan } from "./diag.js";
import { firstInvalidUtf8 } from "../lang/utf8.js";
import { isUtf8 as isUtf8Bytes } from "node:buffer";

export { firstInvalidUtf8 };

/** Whether `encoding` names UTF-8 (the default when a source declares none). */
export function isUtf8(encoding: string | undefined): boolean {
  return encoding === undefined || encoding === "utf-8";
}

/** Offset of the first byte that `encoding` cannot decode, or -1. Found by bisection over prefixes
 * decoded in streaming mode (a sequence cut off by the prefix's end waits for more bytes, so a
 * prefix fails exactly when it holds an invalid sequence); only run once a whole decode has failed. */
function firstUndecodable(b: Uint8Array, encoding: string): number {
  const ok = (n: number): boolean => {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(b.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  if (!ok(b.length)) {
    let lo = 0; // the longest prefix known to decode
    let hi = b.length; // a prefix known to fail
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ok(mid)) lo = mid;
      else hi = mid;
    }
    return lo; // byte `lo` completes the first invalid sequence
  }
  try {
    const d = new TextDecoder(encoding, { fatal: true });
    d.decode(b, { stream: true });
    d.decode();
    return -1;
  } catch {
    return Math.max(0, b.length - 1); // the file ends inside a character
  }
}

/** Offset of the first byte not valid in `encoding` (UTF-8 when undefined), or -1. */
export function firstInvalid(b: Uint8Array, encoding: string | undefined): number {
  if (isUtf8(encoding)) return firstInvalidUtf8(b);
  if (encoding === "latin1") return -1; // every byte is a character
  return firstUndecodable(b, encoding!);
}

/** Bytes not valid in the file's encoding are an error naming the line and byte offset. */
export function checkEncoding(file: string, buf: Uint8Array, encoding?: string, gz = false): void {
  const at = firstInvalid(buf, encoding);
  if (at < 0) return;
  let line = 1;
  let lineStart = 0;
  // lines by the LF byte: exact for UTF-8 and the ASCII-compatible encodings; approximate in UTF-16
  for (let i = 0; i < at; i++) if (buf[i] === 10) [line, lineStart] = [line + 1, i + 1];
  notEncoded(file, encoding, buf[at]!, at, line, lineStart, gz);
}

/** The error for byte `byte` at file offset `at` (on `line`, which starts at offset `lineStart`); `gz`: the
 * offset and line are the decompressed text's, which the message says (the .gz file has no such offset). */
function notEncoded(file: string, encoding: string | undefined, byte: number, at: number, line: number, lineStart: number, gz = false): never {
  const name = isUtf8(encoding) ? "UTF-8" : encoding!;
  const hint = isUtf8(encoding) ? 'declare the file\'s encoding on its source (e.g. encoding = "latin1"), or convert it to UTF-8 (iconv -f latin1 -t utf-8)' : `check the source's \`encoding\`, or convert the file to UTF-8`;
  fail(CODES.brokenLine, `not ${name}: byte 0x${byte.toString(16).padStart(2, "0")} at byte offset ${at}${gz ? " of the decompressed text" : ""}`, file, rowSpan(line, lineStart, at + 1, at - lineStart + 1), hint);
}

/** How many bytes at the end of `b` begin a UTF-8 character that the next chunk completes (0–3). */
function cutOffTail(b: Uint8Array): number {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k]!;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const need = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
    return need > k ? k : 0;
  }
  return 0; // three continuation bytes: a whole 4-byte character, or invalid (the check finds it)
}

/**
 * Text chunks of a UTF-8 byte stream, checked as they pass: the first invalid byte is the error
 * checkEncoding gives for a whole file (its line and byte offset), at any file size. (A file too
 * large to check whole was decoded by setEncoding("utf8"), which turns invalid bytes into U+FFFD
 * without a word.) A character split between chunks is carried over whole; lines are counted by
 * the LF byte, as checkEncoding counts them.
 */
export async function* utf8Stream(chunks: AsyncIterable<Buffer>, file: string, gz = false): AsyncGenerator<string> {
  let carry = Buffer.alloc(0); // the start of a character the previous chunk cut off
  let offset = 0; // file offset of the next byte to check (carry[0] when there is a carry)
  let line = 1;
  let lineStart = 0;
  for await (const chunk of chunks) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const body = buf.subarray(0, buf.length - cutOffTail(buf));
    if (!isUtf8Bytes(body)) {
      const at = Math.max(0, firstInvalidUtf8(body)); // the two checks agree; never an index of -1
      for (let i = body.indexOf(10); i >= 0 && i < at; i = body.indexOf(10, i + 1)) [line, lineStart] = [line + 1, offset + i + 1];
      notEncoded(file, undefined, body[at]!, offset + at, line, lineStart, gz);
    }
    for (let i = body.indexOf(10); i >= 0; i = body.indexOf(10, i + 1)) [line, lineStart] = [line + 1, offset + i + 1];
    offset += body.length;
    carry = Buffer.from(buf.subarray(body.length)); // a copy: the chunk itself is not kept
    if (body.length) yield body.toString("utf8");
  }
  if (carry.length) notEncoded(file, undefined, carry[0]!, offset, line, lineStart, gz); // the file ends inside a character
}

/** The text of a whole file's bytes in `encoding` (checked first; a leading BOM is dropped). */
export function decodeWhole(file: string, buf: Buffer, encoding?: string, gz = false): string {
  checkEncoding(file, buf, encoding, gz);
  if (isUtf8(encoding)) return buf.toString("utf8").replace(/^\uFEFF/, "");
  if (encoding === "latin1") return buf.toString("latin1");
  // in streaming mode, then flushed: Node 20's one-shot decode takes a Latin-1 shortcut for
  // windows-1252 (0x80 → U+0080, not €); the streaming path decodes through ICU. Drops a BOM.
  const d = new TextDecoder(encoding, { fatal: true });
  return d.decode(buf, { stream: true }) + d.decode();
}

/** Text chunks of a byte stream in `encoding` (for large JSONL files; a character split between
 * chunks is kept whole by the decoder's streaming mode). */
export async function* decodeStream(chunks: AsyncIterable<Buffer>, file: string, encoding: string, gz = false): AsyncGenerator<string> {
  if (encoding === "latin1") {
    for await (const c of chunks) yield c.toString("latin1");
    return;
  }
  const d = new TextDecoder(encoding, { fatal: true });
  let offset = 0;
  for await (const c of chunks) {
    let text: string;
    try {
      text = d.decode(c, { stream: true });
    } catch {
      fail(CODES.brokenLine, `not ${encoding}: an invalid byte at or after byte offset ${offset}${gz ? " of the decompressed text" : ""}`, file, null, "check the source's `encoding`, or convert the file to UTF-8");
    }
    offset += c.length;
    yield text;
  }
  let rest: string;
  try {
    rest = d.decode();
  } catch {
    fail(CODES.brokenLine, `not ${encoding}: the file ends inside a character`, file, null, "check the source's `encoding`");
  }
  if (rest) yield rest;
}
