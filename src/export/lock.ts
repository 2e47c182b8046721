// One export at a time into a folder. Two `alignc export --out DIR` at once (to two targets, say) each
// staged and moved their files and wrote the manifest with no regard for the other, so the folder
// ended with one export's files under the other's manifest, and the next export refused them as "not
// written by alignc". The lock is the stage cache's (src/run/storage/lock.ts): a file naming its owner,
// broken at once when that owner is a dead process of this host. A second export waits for the first
// and then writes against its result, exactly as if it had been started after it.
import { realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { acquireLock, removeDeadWriters, type LockInfo } from "../run/storage/lock.js";
import { HOSTED_WRITER_TAG_RE } from "../common/writer-tag.js";
import { fsError } from "../common/fs-error.js";
import { LOCK_NAME } from "./manifest.js";
import { ExportWriteError, writeExportDir, type WriteExportOptions, type WriteExportResult } from "./write.js";

export interface LockedWriteOptions extends WriteExportOptions {
  /** called once when another export holds the folder and this one starts to wait */
  onWait?: (owner: LockInfo) => void;
  /** what the owner is doing, for another export's "waiting for …" message */
  purpose?: string;
}

/**
 * The lock file of the export folder `outDir`. Beside the folder (`.NAME.alignc-export.lock`, like the
 * staging folder), so it is never one of the folder's files; inside it (`.alignc-export.lock`) when the
 * folder is the root of another filesystem, whose parent alignc may not be allowed to write (and the
 * staging goes inside then too). Every export to the same folder, by any path to it (a symlink, `..`),
 * names the same file: the folder's real path decides, or its parent's while it does not exist yet.
 */
export function exportLockPath(outDir: string): string {
  const out = resolve(outDir);
  let real: string;
  try {
    real = realpathSync(out);
  } catch {
    // not there yet (or a dangling link, a loop, a path through a file: writeExportDir says which)
    let parent = dirname(out);
    try {
      parent = realpathSync(parent);
    } catch {
      /* the parent is missing too: the path as given */
    }
    return join(parent, `.${basename(out)}${LOCK_NAME}`);
  }
  try {
    if (statSync(real).isDirectory() && statSync(dirname(real)).dev !== statSync(real).dev) return join(real, LOCK_NAME);
  } catch {
    /* unreadable: beside it, where writeExportDir will report what is wrong */
  }
  return join(dirname(real), `.${basename(real)}${LOCK_NAME}`);
}

/** writeExportDir holding the folder's lock for the whole write: what every `alignc export` runs. */
export async function writeExportDirLocked(outDir: string, files: Parameters<typeof writeExportDir>[1], opts: LockedWriteOptions = {}): Promise<WriteExportResult> {
  const path = exportLockPath(outDir);
  // a lock being taken is first written to `<lock>.<writer>-<nonce>.tmp` (lock.ts): an export killed
  // in that instant left one in the user's folder, cleared here once its writer is gone
  const tmpOfLock = new RegExp(`^${escapeRe(basename(path))}\\.(${HOSTED_WRITER_TAG_RE})-[0-9a-f]+\\.tmp$`);
  let lock;
  try {
    removeDeadWriters(dirname(path), (name) => tmpOfLock.exec(name)?.[1] ?? null, { files: true });
    // beside the user's folder: a file there that is no lock is theirs (refused, never broken)
    lock = await acquireLock(path, { purpose: opts.purpose ?? "alignc export", foreignFile: "refuse", ...(opts.onWait ? { onWait: opts.onWait } : {}) });
  } catch (err) {
    // a read-only or full disk, a path through a file: the user's to fix, said as the write says it
    const e = fsError(err);
    if (!e) throw err;
    throw new ExportWriteError(`cannot write to ${outDir}: ${e.message}; nothing written`);
  }
  try {
    // synchronous from here to the release: a signal is handled only after both
    return writeExportDir(outDir, files, opts);
  } finally {
    lock.release();
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
