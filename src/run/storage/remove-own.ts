// Removing a folder alignc wrote without taking a user's file with it. A cache entry records every
// file it holds (entry.json), as a checkpoint does (DONE); removing the folder recursively also removed
// whatever a user had put inside it since (huntD39 L4: notes.txt beside a model went with a prune).
// Now only the recorded files and the record go, then the folders they leave empty; anything else
// stays, and the folder with it, under a name no reader of the cache takes for an entry or a checkpoint.
import { lstatSync, readdirSync, renameSync, rmdirSync, unlinkSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, sep } from "node:path";
import { isRealDir, lexists } from "../../common/fs-probe.js";
import { randomBytes } from "node:crypto";
import { fsyncDir } from "../../common/atomic-write.js";

/** `<path>.foreign-<time>-<rand>`: where a folder holding files alignc did not write is kept. */
export function foreignName(path: string): string {
  return `${path}.foreign-${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(2).toString("hex")}`;
}

/** A record's file name as a path inside dir, or null when it points elsewhere (a damaged record). */
function inside(dir: string, rel: string): string | null {
  if (rel === "" || isAbsolute(rel)) return null;
  const path = join(dir, rel);
  const back = relative(dir, path);
  return back === "" || back === ".." || back.startsWith(`..${sep}`) ? null : path;
}

/** Every path under dir, relative, files and folders alike (for saying what stayed). */
function listTree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      const below = listTree(join(dir, e.name), rel);
      out.push(...(below.length ? below : [`${rel}/`]));
    } else out.push(rel);
  }
  return out.sort();
}

/** Whether every folder between dir and the recorded path is a real folder, not a link: a link in the
 * middle would lead the removal outside dir (reviewR40 H1: a record naming `ln/x`, `ln` a link to a
 * user's folder, deleted the user's x; unlinkSync follows every link of a path but its last). */
function throughRealFolders(dir: string, path: string): boolean {
  for (let p = dirname(path); p !== dir; p = dirname(p)) {
    if (!p.startsWith(dir + sep)) return false;
    try {
      const st = lstatSync(p);
      if (!st.isDirectory() || st.isSymbolicLink()) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Remove the files `recorded` names inside `dir` (files and links, never a folder's contents, never
 * through a link), then the folders between them and dir that this leaves empty, then `record` (the file
 * that names them, last: a kill -9 midway leaves it to finish the removal from), then dir itself when
 * empty. What else dir holds stays: its paths, relative to dir, are returned (none: dir is gone).
 */
export function removeRecorded(dir: string, recorded: Iterable<string>, record?: string): string[] {
  const parents = new Set<string>();
  const unlink = (rel: string) => {
    const path = inside(dir, rel);
    if (path === null || !throughRealFolders(dir, path)) return;
    try {
      if (lstatSync(path).isDirectory()) return;
      unlinkSync(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
    }
    for (let p = dirname(path); p !== dir && p.startsWith(dir + sep); p = dirname(p)) parents.add(p);
  };
  for (const rel of recorded) if (rel !== record) unlink(rel);
  // deepest first, so a folder emptied by its children's removal goes too (each a real folder: checked above)
  for (const p of [...parents].sort((a, b) => b.length - a.length)) rmdirIfEmpty(p);
  if (record !== undefined) unlink(record);
  if (rmdirIfEmpty(dir)) return [];
  return listTree(dir);
}

/** rmdir when empty; false when something is still there (or it is not a folder). */
export function rmdirIfEmpty(path: string): boolean {
  try {
    rmdirSync(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return true;
    if (code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOTDIR") return false;
    throw err;
  }
}

/** What a removal kept: the folder it left (renamed `<name>.foreign-<time>`) and the files in it that alignc did not write. */
export interface KeptFiles {
  path: string;
  files: string[];
}

/**
 * Remove folder `dir` alignc wrote, whose files its `record` file names (`recorded`): those go, the record
 * last; when others remain, dir is renamed to `keptAt` (`foreignName(…)` of its place) and said. null:
 * nothing was kept.
 */
export function removeOwnFolder(dir: string, recorded: Iterable<string>, record: string, keptAt: string): KeptFiles | null {
  if (!lexists(dir)) return null;
  // a file or a link where alignc's folder was: not alignc's, kept whole
  const left = isRealDir(dir) ? removeRecorded(dir, recorded, record) : [basename(dir)];
  if (!left.length) return null;
  renameSync(dir, keptAt);
  fsyncDir(dirname(keptAt));
  return { path: keptAt, files: left };
}
