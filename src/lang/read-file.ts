// Reading a file the user named (a recipe, a template, a data file) without hanging or exhausting
// memory: only regular files are read (a FIFO, /dev/zero or /dev/urandom would block forever or never
// end), the type is taken from the open descriptor (no swap between check and read), a FIFO is opened
// non-blocking so even the open cannot hang, and at most `maxBytes` are read (files under /proc claim
// size 0, so the cap is enforced on what is read, not only on the size reported).
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { isUtf8 } from "node:buffer";
import { firstInvalidUtf8, utf8Position } from "./utf8.js";
import type { Span } from "./ast.js";

/** Size caps, each with its reason. */
export const READ_LIMITS = {
  /** a recipe or base recipe: the largest real one is ~10 KB; 16 MiB is far past any hand-written file */
  recipe: 16 << 20,
  /** a template or chat template file: real ones are under 20 KB */
  template: 4 << 20,
  /** a data file read whole (JSON array, CSV/TSV, text; a .gz after decompression): V8 cannot hold a
   * string over ~512 MiB, and the rows then take several times the text; JSONL is streamed instead */
  wholeData: 256 << 20,
} as const;

export class InputFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }

  /** The message without the path, for a diagnostic whose location already names the file. */
  get withoutPath(): string {
    return this.message.split(` ${this.path}`).join("");
  }
}

/** A text file (a recipe, a template, a plan) holding bytes that are not UTF-8: toString("utf8") would
 * turn them into U+FFFD, and `alignc fmt` would then write the replacement over the user's byte. */
export class NotUtf8Error extends InputFileError {
  constructor(
    path: string,
    what: string,
    readonly offset: number,
    readonly byte: number,
    readonly line: number,
    readonly col: number,
    /** the text with the bad bytes as U+FFFD: for showing the line under a diagnostic, never for use */
    readonly lossyText: string,
  ) {
    super(`${what} ${path} is not UTF-8: byte 0x${byte.toString(16).padStart(2, "0")} at line ${line}, column ${col} (byte offset ${offset})`, path);
  }

  /** The short form for a diagnostic located at the byte (see span). */
  get located(): string {
    return `not UTF-8: byte 0x${this.byte.toString(16).padStart(2, "0")} at byte offset ${this.offset}`;
  }

  /** Where the byte is, as a one-character span of lossyText. */
  get span(): Span {
    let start = 0;
    for (let l = 1; l < this.line; l++) start = this.lossyText.indexOf("\n", start) + 1;
    start += this.col - 1;
    return { start, end: start + 1, line: this.line, col: this.col, endLine: this.line, endCol: this.col + 1 };
  }
}

/** "a character device", "a FIFO" … for a stat that is not a regular file or a folder. */
export function specialKind(st: Stats): string {
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isFIFO()) return "a FIFO (named pipe)";
  if (st.isSocket()) return "a socket";
  if (st.isDirectory()) return "a folder";
  return "not a regular file";
}

const mib = (n: number) => `${(n / (1 << 20)).toFixed(n % (1 << 20) ? 1 : 0)} MiB`;

function openRegular(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputFileError(e.code === "ENOENT" ? `${what} ${path} does not exist` : e.code === "EISDIR" ? `${what} ${path} is a folder` : `${what} ${path} cannot be read (${e.message})`, path);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new InputFileError(`${what} ${path} is ${specialKind(st)}, not a regular file: alignc reads only regular files`, path);
  }
  return { fd, size: st.size };
}

/** One read of an open regular file; a read that fails (EIO: a bad disk, or /proc/self/mem, which stat
 * calls a regular file) is an InputFileError naming the file, not an internal error. */
function readChunk(fd: number, buf: Buffer, path: string, what: string): number {
  try {
    return readSync(fd, buf, 0, buf.length, null);
  } catch (err) {
    throw new InputFileError(`${what} ${path} cannot be read (${(err as Error).message})`, path);
  }
}

/** The bytes of a regular file of at most `maxBytes`; an InputFileError otherwise. */
export function readRegularFile(path: string, maxBytes: number, what = "file"): Buffer {
  const { fd, size } = openRegular(path, what);
  try {
    const tooLarge = () => new InputFileError(`${what} ${path} is larger than the ${mib(maxBytes)} alignc reads from one such file`, path);
    if (size > maxBytes) throw tooLarge();
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - total) || 1);
      const n = readChunk(fd, buf, path, what);
      if (n === 0) break;
      chunks.push(buf.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** A regular file as UTF-8 text (a leading BOM kept: callers that accept one strip it); a NotUtf8Error
 * when it holds bytes that are not UTF-8. */
export function readRegularText(path: string, maxBytes: number, what = "file"): string {
  const buf = readRegularFile(path, maxBytes, what);
  if (!isUtf8(buf)) {
    const at = Math.max(0, firstInvalidUtf8(buf));
    const { line, col } = utf8Position(buf, at);
    throw new NotUtf8Error(path, what, at, buf[at] ?? 0, line, col, buf.toString("utf8"));
  }
  return buf.toString("utf8");
}

/** Throws an InputFileError unless `path` is a regular file (for readers that stream it). */
export function assertRegularFile(path: string, what = "file"): void {
  closeSync(openRegular(path, what).fd);
}

/** SHA-256 (hex) of a regular file, read in chunks: no size cap (a regular file ends), no whole
 * copy in memory. */
export function hashRegularFile(path: string, what = "file"): string {
  const { fd } = openRegular(path, what);
  try {
    const h = createHash("sha256");
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = readChunk(fd, buf, path, what);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
    return h.digest("hex");
  } finally {
    closeSync(fd);
  }
}

/** A folder walked whole (a cache entry, the code fingerprint's src/): past this many entries it is not
 * the folder meant but something like `/` or a home folder, whose walk would read the whole disk. (A
 * recipe's `dir(…)` template folder is listed, not walked: src/common/template-folder.ts.) */
export const MAX_FOLDER_ENTRIES = 10_000;

/** What a symlink in a walked folder leads to: a symlink to a regular file is listed (and hashed
 * through the link); links to folders are not followed (a link to `.` would loop). A link that leads
 * nowhere (broken, or a loop) is its errno, and skipped: an editor's lock file, a dangling `.#name`
 * link, is normal in the code fingerprint's walk of src/. (A template folder is listed by name
 * instead, src/common/template-folder.ts, and every template read.) */
function linkTarget(path: string): Stats | string {
  try {
    return statSync(path);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? "unreadable";
  }
}

/**
 * The regular files under folder `abs`, recursively, as `/`-separated paths relative to it, in walk
 * order (callers sort); symlinks to files are listed, links to folders skipped, dot-entries too unless
 * `dotFiles`; a FIFO, socket or device is an InputFileError.
 * An InputFileError once more than MAX_FOLDER_ENTRIES entries (files and folders) have been seen.
 */
export function listFolderFiles(abs: string, opts: { dotFiles: boolean }, what = "folder"): string[] {
  const out: string[] = [];
  let seen = 0;
  const entries = (rel: string) => {
    try {
      return readdirSync(rel ? join(abs, rel) : abs, { withFileTypes: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      // the folder itself keeps its errno (callers tell a missing folder from a file by it)
      if (!rel) throw err;
      throw new InputFileError(`${what} ${abs}: ${rel} cannot be read (${e.code ?? e.message})`, abs);
    }
  };
  const walk = (rel: string): void => {
    for (const e of entries(rel)) {
      if (!opts.dotFiles && e.name.startsWith(".")) continue;
      if (++seen > MAX_FOLDER_ENTRIES)
        throw new InputFileError(`${what} ${abs} holds more than ${MAX_FOLDER_ENTRIES.toLocaleString("en-US")} files and folders, more than alignc walks`, abs);
      const r = rel ? `${rel}/${e.name}` : e.name;
      const target = e.isSymbolicLink() ? linkTarget(join(abs, r)) : undefined;
      if (typeof target === "string") continue; // broken, or a loop: never read
      const st = target;
      if (e.isDirectory()) walk(r); else if (e.isFile() || st?.isFile()) out.push(r);
      else if (!e.isSymbolicLink() || (st && !st.isDirectory()))
        // a FIFO, socket or device in the folder: never read, and not hashed either, so a cached
        // answer could hide it; refused, as the same path named alone is
        throw new InputFileError(`${what} ${abs}: ${r} is ${st ? specialKind(st) : e.isFIFO() ? "a FIFO (named pipe)" : e.isSocket() ? "a socket" : "a device"}, not a regular file: alignc reads only regular files`, abs);
    }
  };
  walk("");
  return out;
}
