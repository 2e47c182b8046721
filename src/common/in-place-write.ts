// Rewriting a file that has other hard links: the atomic write (temp + rename) would give the named
// path a new inode and leave every other name with the old text. Like `gofmt -w`, the file is
// rewritten in place instead, with a backup of the old text written (and synced) first beside it and
// removed once the new text is synced: a kill or power cut mid-write leaves the backup to restore from.
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fsyncDir, writeFileAtomicSync } from "./atomic-write.js";

/** The backup's name: `.NAME.alignc-backup` beside the file (a dot-file: hidden, and skipped by folder hashes). */
export function inPlaceBackup(path: string): string {
  return join(dirname(path), `.${basename(path)}.alignc-backup`);
}

/** Replaces `path`'s content keeping its inode (its hard links, owner and mode). On an error while
 * writing (a full disk) the old bytes are put back and the backup removed; if even that fails, the
 * error says where the backup is. */
export function writeInPlaceSync(path: string, data: string): void {
  const backup = inPlaceBackup(path);
  const old = readFileSync(path);
  writeFileAtomicSync(backup, old); // durable: on disk before the original is touched
  try {
    overwrite(path, Buffer.from(data, "utf8"));
  } catch (err) {
    try {
      overwrite(path, old);
    } catch {
      throw Object.assign(err as Error, { message: `${(err as Error).message} (the file may be half-written: its old text is in ${backup})` });
    }
    rmSync(backup, { force: true });
    throw err;
  }
  rmSync(backup, { force: true });
  fsyncDir(dirname(path));
}

/** `buf` written over the file from its start, the rest cut off, synced. */
function overwrite(path: string, buf: Uint8Array): void {
  const fd = openSync(path, "r+");
  try {
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, off);
    ftruncateSync(fd, buf.length);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
