// Atomic file writes, the one copy every layer uses: a reader (or a run resumed after kill -9) sees
// the old content or the new, never a torn file. The pattern is write temp → fsync file → rename over
// the target → fsync the folder, so the rename itself survives a power cut, not only a killed process.
// Caches pass `{ durable: false }`: they skip both fsyncs (a lost entry costs a recompute, and
// `alignc check`/`plan` write one on every call), and stay atomic against a killed process.
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { makeDirs } from "./make-dirs.js";

/** A sibling temp name: same folder, so the rename never crosses a filesystem. */
export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
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
}

export function writeFileAtomicSync(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const durable = opts.durable ?? true;
  makeDirs(dirname(path));
  const tmp = tempSibling(path);
  try {
    const fd = openSync(tmp, "wx", 0o644);
    try {
      const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (durable) fsyncDir(dirname(path));
}

export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  makeDirs(dirname(path));
  const tmp = tempSibling(path);
  try {
    const fh = await open(tmp, "wx", 0o644);
    try {
      // a file rewritten in place keeps its permissions (chmod, not the open mode: umask must not narrow them)
      if (opts.mode !== undefined) await fh.chmod(opts.mode);
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  fsyncDir(dirname(path));
}

/** Canonical-enough JSON for files people read: two-space indent, trailing newline. */
export function writeJsonAtomicSync(path: string, value: unknown): void {
  writeFileAtomicSync(path, JSON.stringify(value, null, 2) + "\n");
}
