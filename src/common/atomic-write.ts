// Atomic file writes, the one copy every layer uses: a reader (or a run resumed after kill -9) sees
// the old content or the new, never a torn file. The pattern is write temp → fsync file → rename over
// the target → fsync the folder, so the rename itself survives a power cut, not only a killed process.
// Caches pass `{ durable: false }`: they skip both fsyncs (a lost entry costs a recompute, and
// `alignc check`/`plan` write one on every call), and stay atomic against a killed process.
// The temp file sits beside the target, often in the user's folder: a signal that stops the process
// mid-write removes it (temp-cleanup.ts), and a durable write first removes the temps a killed
// (SIGKILL) writer of the same target left there.
import { randomBytes } from "node:crypto";
import { closeSync, fchmodSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { HOSTED_WRITER_TAG_RE, writerGone, writerTag } from "./writer-tag.js";
import { makeDirs } from "./make-dirs.js";
import { trackTemp, untrackTemp } from "./temp-cleanup.js";

const TEMP_TAG = new RegExp(`^(${HOSTED_WRITER_TAG_RE})-[0-9a-f]{8}$`);

/** A sibling temp name: same folder, so the rename never crosses a filesystem. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${writerTag()}-${randomBytes(4).toString("hex")}`);
}

/**
 * Remove the temp siblings of `path` (`.NAME.tmp-HOST-PID-sSTART-XXXXXXXX`, tempSibling's names, and
 * the older `.NAME.tmp-HOST-PID-XXXXXXXX`) whose writer is no longer running: what a process killed
 * mid-write left. A temp of a live process or of another host (writer-tag.ts), and any other name, is
 * kept; so is a folder, unless `folders` (an export's staging folder is one: export/write.ts), and only
 * then is anything removed with what it holds. Returns the names removed.
 */
export function removeDeadTemps(path: string, opts: { folders?: boolean } = {}): string[] {
  const prefix = `.${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return []; // no folder yet (or not readable): nothing of ours there
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? TEMP_TAG.exec(name.slice(prefix.length)) : null;
    if (!m || !writerGone(m[1]!)) continue;
    const p = join(dirname(path), name);
    let folder: boolean;
    try {
      folder = lstatSync(p).isDirectory();
    } catch {
      continue; // gone meanwhile
    }
    if (folder && !opts.folders) continue; // an atomic write's temp is a file: a folder is not ours
    rmSync(p, { recursive: folder, force: true });
    removed.push(name);
  }
  return removed;
}

/** fsync a folder so a rename inside it is durable. Some filesystems refuse: that is not an error. */
export function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL/EPERM on filesystems that do not fsync folders: durability is best effort there
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export interface AtomicWriteOptions {
  /** fsync the file and its folder (default true); false for caches, whose loss costs only time */
  durable?: boolean;
  /** the new file's permissions (set by chmod, not the open mode, which umask would narrow); by
   * default a regular file a durable write replaces keeps its rwx bits (a user's `chmod 600` on an export
   * survives the next one) and any other file gets 0o644 less the umask */
  mode?: number;
}

/** The permission bits of `path` when it is a regular file (not through a link), else undefined; read,
 * write and execute only (setuid, setgid and sticky are not carried over, as `cp` without -p). */
export function modeOfRegularFile(path: string): number | undefined {
  try {
    const st = lstatSync(path);
    return st.isFile() ? st.mode & 0o777 : undefined;
  } catch {
    return undefined; // no file yet
  }
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  writePiecesAtomicSync(path, [data], opts);
}

/** Text gathered into one write of about this many characters: a row per syscall was slow, and one
 * string of every row passed V8's limit (~512 Mi characters) on a large `data --export`. */
const BATCH_CHARS = 1 << 20;

/**
 * writeFileAtomicSync for content of any size: `pieces` go into the temp file as they come, so no
 * more than a batch of them is held at once. `beforeRename` runs once the temp file is whole (and
 * synced) and before it replaces `path`; if it throws, nothing is replaced and the temp is removed.
 */
export function writePiecesAtomicSync(path: string, pieces: Iterable<string | Uint8Array>, opts: AtomicWriteOptions & { beforeRename?: () => void } = {}): void {
  const durable = opts.durable ?? true;
  makeDirs(dirname(path));
  if (durable) removeDeadTemps(path); // caches sweep their own folders (and their writes must stay cheap)
  // a cache's file (not durable) is alignc's own: a fresh 0o644, so one made unreadable is mended, not kept
  const mode = opts.mode ?? (durable ? modeOfRegularFile(path) : undefined);
  const tmp = tempSibling(path);
  trackTemp(tmp, path);
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      if (mode !== undefined) fchmodSync(fd, mode);
      const writeAll = (buf: Uint8Array): void => {
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      };
      let batch: string[] = [];
      let chars = 0;
      const flush = (): void => {
        if (batch.length) writeAll(Buffer.from(batch.length === 1 ? batch[0]! : batch.join(""), "utf8"));
        [batch, chars] = [[], 0];
      };
      for (const piece of pieces) {
        if (typeof piece !== "string") {
          flush();
          writeAll(piece);
          continue;
        }
        if (chars + piece.length > BATCH_CHARS) flush(); // so a batch is one piece, or pieces within its size
        batch.push(piece);
        chars += piece.length;
      }
      flush();
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    opts.beforeRename?.();
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    untrackTemp(tmp);
  }
  if (durable) fsyncDir(dirname(path));
}

/** Canonical-enough JSON for files people read: two-space indent, trailing newline. */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  writeFileAtomicSync(path, JSON.stringify(value, null, 2) + "\n");
}
