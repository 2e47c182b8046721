// What an entry or a checkpoint records of its files (size and sha256 of each), and making a folder of
// them durable before it is renamed into place: shared by the stage cache (cache.ts) and checkpoints.ts.
import { closeSync, fsyncSync, openSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fsyncDir } from "../../common/atomic-write.js";
import { folderDigests } from "../../common/folder-hash.js";
import type { FileRecord } from "./entry-meta.js";

/** Size and sha256 of every file under `dir` (dot files too), but `except`: an entry's or a checkpoint's record. */
export function fileRecords(dir: string, except?: string): Record<string, FileRecord> {
  const files: Record<string, FileRecord> = {};
  for (const [rel, sha256] of folderDigests(dir, { dotFiles: true })) if (rel !== except) files[rel] = { bytes: statSync(join(dir, rel)).size, sha256 };
  return files;
}


function fsyncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function fsyncTree(dir: string): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) fsyncTree(p);
    else if (e.isFile()) fsyncFile(p);
  }
  fsyncDir(dir);
}
