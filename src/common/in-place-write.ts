// Rewriting a user's own file (a recipe under `fmt`, a golden under `test --update`) so that it stays
// their file: refused when read-only or when an interrupted rewrite left its backup; through the
// atomic rename with its permissions; or, with other hard links or another owner (a rename would give
// the named path a new inode, leaving every other name with the old text, and our owner), rewritten in
// place like `gofmt -w`, with a backup of the old text written (and synced) first beside it and
// removed once the new text is synced: a kill or power cut mid-write leaves the backup to restore from.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { lexists } from "./fs-probe.js";
import { basename, dirname, join } from "node:path";
import { fsyncDir, writeFileAtomicSync, writePiecesAtomicSync } from "./atomic-write.js";

/** The backup's name: `.NAME.alignc-backup` beside the file (a dot-file: hidden, and skipped by folder hashes). */
export function inPlaceBackup(path: string): string {
  return join(dirname(path), `.${basename(path)}.alignc-backup`);
}

/** Replaces `path`'s content keeping its inode (its hard links, owner and mode). On an error while
 * writing (a full disk) the old bytes are put back and the backup removed; if even that fails, the
 * error says where the backup is. */
export function writeInPlaceSync(path: string, data: string, beforeWrite?: () => void): void {
  // opened for writing first: a file this user may not write (another owner's, read-only) fails here,
  // with nothing done; the backup was written first before, then left behind with a false "the file
  // may be half-written", and it refused the next fmt until removed
  const fd = openSync(path, "r+");
  try {
    const backup = inPlaceBackup(path);
    const old = readFileSync(fd);
    // durable: on disk before the original is touched; with the file's permissions, since it holds the
    // file's text (a private 0600 recipe's backup was 0644, world-readable, and a kill -9 leaves it: huntH42 F4)
    writeFileAtomicSync(backup, old, { mode: fstatSync(fd).mode & 0o777 });
    try {
      beforeWrite?.(); // the caller's last check; if it throws, nothing was written (the backup goes)
    } catch (err) {
      rmSync(backup, { force: true });
      throw err;
    }
    try {
      overwrite(fd, Buffer.from(data, "utf8"));
    } catch (err) {
      try {
        overwrite(fd, old);
      } catch {
        throw Object.assign(err as Error, { message: `${(err as Error).message} (the file may be half-written: its old text is in ${backup})` });
      }
      rmSync(backup, { force: true });
      throw err;
    }
    rmSync(backup, { force: true });
  } finally {
    closeSync(fd);
  }
  fsyncDir(dirname(path));
}

/** `buf` written over the open file from its start, the rest cut off, synced. */
function overwrite(fd: number, buf: Uint8Array): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, off);
  ftruncateSync(fd, buf.length);
  fsyncSync(fd);
}

/** Why a user's existing file must not be rewritten, or null: read-only (a rename would replace it
 * regardless), or a backup left by a rewrite that was killed mid-write (the user's text may be only there). */
export function rewriteRefusal(path: string): string | null {
  const st = statSync(path);
  if ((st.mode & 0o200) === 0) return "is read-only (make it writable first)";
  if (lexists(inPlaceBackup(path))) return `has a backup beside it: ${inPlaceBackup(path)} exists (an earlier rewrite was interrupted while writing; compare the two and remove the backup first)`;
  return null;
}

/** Rewrites a user's existing file as the user would: through the atomic rename with its permissions,
 * or, when it has other hard links or another owner or group than ours (a rename would leave the
 * links with the old text, and give the file our owner), in place behind a backup. `beforeWrite`
 * runs last, once the new text is staged and just before it replaces the old; if it throws, the file
 * is left as it was. Synchronous: a signal waits until the file is written (temp-cleanup.ts). */
export function rewriteKeepingIdentity(path: string, data: string, beforeWrite?: () => void): void {
  const st = statSync(path);
  if (st.nlink > 1 || !ownedByUs(st)) writeInPlaceSync(path, data, beforeWrite);
  else writePiecesAtomicSync(path, [data], { mode: st.mode & 0o7777, ...(beforeWrite ? { beforeRename: beforeWrite } : {}) });
}

/** Whether a file has this process's owner and group (what a file it creates gets); true where there are no uids. */
function ownedByUs(st: { uid: number; gid: number }): boolean {
  return process.geteuid === undefined || process.getegid === undefined || (st.uid === process.geteuid() && st.gid === process.getegid());
}
