// Writing an export folder without ever destroying a file alignc did not write. Ownership is the
// manifest (manifest.ts): a re-export replaces or removes only files the manifest lists whose content
// is still what alignc wrote. The cluster's `outputs/`, notes, and configs the user edited stay.
// Files are staged in a sibling temp folder first, so a failure while writing changes nothing; the
// manifest records the old and the new hashes while files move into place, so even an export killed
// halfway leaves every file either owned (and replaceable next time) or untouched.
import { chmodSync, lstatSync, readdirSync, readlinkSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve, sep } from "node:path";
import { modeOfRegularFile, removeDeadTemps, writeJsonAtomicSync } from "../common/atomic-write.js";
import { trackTemp, untrackTemp } from "../common/temp-cleanup.js";
import type { ExportFile } from "./types.js";
import { LOCK_NAME, MANIFEST_FORMAT, MANIFEST_NAME, ManifestError, isInsidePath, ownedUnchanged, readManifest, sha256, type Manifest } from "./manifest.js";
import { fsError } from "../common/fs-error.js";
import { lexists, realPathOrNearest } from "../common/fs-probe.js";
import { WRITER_TAG_RE, writerGone, writerTag } from "../common/writer-tag.js";
import { makeDirs } from "../common/make-dirs.js";

/** `usage`: the command line named the wrong place (`--out` a file, a dangling or looping link): exit 2, as
 * every other misnamed output place is; otherwise the folder's contents stop the export (exit 1). */
export class ExportWriteError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export interface WriteExportOptions {
  /** write into a non-empty folder that holds no alignc manifest (the files there are still never
   * overwritten: a path the export needs that is taken is an error) */
  force?: boolean;
  /** the files and folders the exported recipe reads (absolute): one of them that an earlier export wrote
   * into this folder (its `data/…/train.jsonl`, now a recipe's data) is neither replaced nor removed */
  inputs?: readonly string[];
}

export interface WriteExportResult {
  /** files of an earlier export that this one no longer has, removed because they were unchanged */
  removed: string[];
  /** files of an earlier export the user changed since: kept in place, no longer in the manifest */
  kept: string[];
}

const isSafePath = (p: string) => isInsidePath(p) && p !== MANIFEST_NAME && !p.startsWith(LOCK_NAME);


/** Why `path` cannot be written in `out`, or undefined: taken by a file that is not alignc's
 * unchanged output, or a parent that is not a plain folder (a symlink could lead anywhere). */
function blocker(out: string, path: string, m: Manifest | undefined, readByRecipe: (path: string) => boolean = () => false): string | undefined {
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++) {
    const dir = join(out, ...parts.slice(0, i));
    if (!lexists(dir)) return undefined;
    if (!lstatSync(dir).isDirectory()) return `${parts.slice(0, i).join("/")} (not a plain folder)`;
  }
  const abs = join(out, ...parts);
  if (lexists(abs) && readByRecipe(path)) return `${path} (a file this recipe reads)`;
  if (!lexists(abs) || ownedUnchanged(out, path, m)) return undefined;
  return m?.files[path] || m?.pending?.[path] ? `${path} (changed since alignc wrote it)` : `${path} (not written by alignc)`;
}

/** Remove `dir` and its parents up to (not including) `root` while they are empty plain folders that
 * alignc made (`ours`, paths relative to root with /): a folder the user made stays, empty or not. */
function pruneEmpty(dir: string, root: string, ours: ReadonlySet<string>): void {
  while (dir !== root && dir.startsWith(root + sep) && ours.has(dir.slice(root.length + 1).split(sep).join("/")) && lexists(dir) && lstatSync(dir).isDirectory() && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = dirname(dir);
  }
}

/** The folders (relative, with /) that putting `paths` into `out` would create. */
function foldersToMake(out: string, paths: readonly string[]): string[] {
  const made = new Set<string>();
  for (const p of paths) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join("/");
      if (!made.has(rel) && !lexists(join(out, ...parts.slice(0, i)))) made.add(rel);
    }
  }
  return [...made];
}

const STAGE_PREFIX = ".alignc-export.tmp-";

/**
 * Where files are staged before they move into `out`: on the same filesystem as `out`, so every move
 * is a rename. Beside the folder normally (the folder itself holds nothing of a failed export);
 * inside it when it is a mount point or a symlink to another filesystem (a rename across would fail).
 */
function stagingFolder(out: string): string {
  const tag = `${writerTag()}-${randomBytes(4).toString("hex")}`;
  if (!lexists(out)) return join(dirname(out), `.${basename(out)}.tmp-${tag}`);
  const real = realpathSync(out);
  if (statSync(dirname(real)).dev === statSync(real).dev) return join(dirname(real), `.${basename(real)}.tmp-${tag}`);
  return join(real, `${STAGE_PREFIX}${tag}`);
}

/** Whether `out` (which exists) is a folder or a link to one; a link to nothing or a link loop is an
 * ExportWriteError naming it (statSync's ENOENT or ELOOP was an internal error, exit 70). */
function outIsFolder(out: string, outDir: string): boolean {
  try {
    return statSync(out).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ExportWriteError(`${outDir} is a symbolic link to nothing (${readlinkSafe(out)}): alignc makes no folder through it; remove the link or name another folder; nothing written`, true);
    if (code === "ELOOP") throw new ExportWriteError(`${outDir} is a symbolic link that leads back to itself (a loop): remove the link or name another folder; nothing written`, true);
    throw err;
  }
}

function readlinkSafe(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return "?";
  }
}

/** A staging folder inside `out` left by an export that was killed (its process is gone). Its name is
 * alignc's own (`.alignc-export.tmp-`), so the older bare-pid tags are still read here. */
function deadStaging(name: string): boolean {
  const m = name.startsWith(STAGE_PREFIX) ? new RegExp(`^(${WRITER_TAG_RE})-[0-9a-f]{8}$`).exec(name.slice(STAGE_PREFIX.length)) : null;
  return m !== null && writerGone(m[1]!);
}

/** Write `files` into `outDir`: an empty or missing folder, or one holding an earlier alignc export.
 * Takes no lock: two writers at once mix their files; `alignc export` calls it through
 * writeExportDirLocked (lock.ts), which holds the folder's lock around it. */
export function writeExportDir(outDir: string, files: readonly ExportFile[], opts: WriteExportOptions = {}): WriteExportResult {
  const out = resolve(outDir);
  for (const f of files) if (!isSafePath(f.path)) throw new ExportWriteError(`bad export path ${f.path}`);
  let manifest: Manifest | undefined;
  if (lexists(out)) {
    if (!outIsFolder(out, outDir)) throw new ExportWriteError(`${outDir} exists and is not a folder (--out names the folder to write)`, true);
    try {
      manifest = readManifest(out);
    } catch (err) {
      if (err instanceof ManifestError) throw new ExportWriteError(`${err.message}; nothing written`);
      throw err;
    }
    for (const name of readdirSync(out)) if (deadStaging(name)) rmSync(join(out, name), { recursive: true, force: true });
    // a manifest temp of an export killed while writing it (in a folder it had just made, that temp
    // is all there is): alignc's, not a reason to call the folder someone else's
    removeDeadTemps(join(out, MANIFEST_NAME));
    // the lock of an export into a mount point is inside it (lock.ts): alignc's, not the user's
    if (!manifest && readdirSync(out).some((n) => !n.startsWith(LOCK_NAME)) && !opts.force)
      throw new ExportWriteError(
        `${outDir} is not empty and holds no ${MANIFEST_NAME}, so it is not an alignc export folder: nothing written. ` +
          `Choose a new or empty folder, or pass --force to add the export beside the files there (alignc still overwrites none of them)`,
      );
  }
  // an earlier export's file that the recipe now reads (a variant trained on the exported rows) is the
  // recipe's input: replacing it, or removing it as stale, broke the recipe just exported (huntH42 F1)
  const inputs = new Set((opts.inputs ?? []).map(realPathOrNearest));
  const readByRecipe = (path: string): boolean => inputs.size > 0 && inputs.has(realPathOrNearest(join(out, ...path.split("/"))));
  // one entry per blocker: every file under a folder that is in the way names that folder
  const refuseBlocked = (when: string): void => {
    const blocked = [...new Set(files.map((f) => blocker(out, f.path, manifest, readByRecipe)).filter((b): b is string => b !== undefined))];
    if (blocked.length)
      throw new ExportWriteError(
        `${outDir}: alignc overwrites only files it wrote and that are unchanged since; these are in the way${when}: ${blocked.slice(0, 8).join(", ")}${blocked.length > 8 ? `, … (${blocked.length} in all)` : ""}. ` +
          `Move them away (or export to another folder); nothing written`,
      );
  };
  refuseBlocked("");

  const fresh: Record<string, string> = {};
  for (const f of files) fresh[f.path] = sha256(f.content);
  const stale = Object.keys(manifest?.files ?? {}).filter((p) => !Object.hasOwn(fresh, p));
  const removable = stale.filter((p) => ownedUnchanged(out, p, manifest) && !readByRecipe(p));
  const kept = stale.filter((p) => !removable.includes(p) && lexists(join(out, ...p.split("/"))));
  const removed: string[] = [];

  // staging folders beside `out` of exports killed before they finished (the staging's name is
  // `.NAME.tmp-HOST-PID-sSTART-…` like an atomic write's temp, NAME the folder's name or its target's)
  removeDeadTemps(out, { folders: true });
  if (lexists(out)) removeDeadTemps(realpathSync(out), { folders: true });
  const tmp = stagingFolder(out);
  // writing is synchronous: with the listener this installs, a Ctrl-C that comes while files are staged
  // or moved waits until the export is complete and its staging removed, then stops the process
  trackTemp(tmp, out);
  let createdOut = false;
  let moving = false; // once the pending manifest is written, files of this export are in place
  try {
    makeDirs(dirname(tmp));
    for (const f of files) {
      const p = join(tmp, ...f.path.split("/"));
      makeDirs(dirname(p));
      writeFileSync(p, f.content);
      if (f.path.endsWith(".sh")) chmodSync(p, 0o755);
    }
    // staging takes seconds for a large export: a file the user changed meanwhile is theirs now, so
    // the ownership checked before staging is checked again before anything in `out` is replaced
    refuseBlocked(" (changed while the export was staged)");
    createdOut = !lexists(out);
    // the folders this export makes, with those earlier exports made: alignc's to remove once empty
    const dirs = new Set([...(manifest?.dirs ?? []), ...foldersToMake(out, files.map((f) => f.path))]);
    makeDirs(out);
    // from here on both the old and the new content of every path count as alignc's
    writeJsonAtomicSync(join(out, MANIFEST_NAME), { format: MANIFEST_FORMAT, files: manifest?.files ?? {}, pending: fresh, dirs: [...dirs].sort() } satisfies Manifest);
    moving = true;
    for (const f of files) {
      const dest = join(out, ...f.path.split("/"));
      makeDirs(dirname(dest));
      const staged = join(tmp, ...f.path.split("/"));
      // a file replaced keeps the permissions the user gave it, as an atomic write does
      const mode = modeOfRegularFile(dest);
      if (mode !== undefined) chmodSync(staged, mode);
      renameSync(staged, dest);
    }
    for (const p of removable) {
      const abs = join(out, ...p.split("/"));
      // checked again at the last moment, as above: a stale file edited since the first check is kept
      if (!ownedUnchanged(out, p, manifest)) {
        if (lexists(abs)) kept.push(p);
        continue;
      }
      rmSync(abs, { force: true });
      removed.push(p);
      pruneEmpty(dirname(abs), out, dirs);
    }
    const left = [...dirs].filter((d) => lexists(join(out, ...d.split("/")))).sort();
    writeJsonAtomicSync(join(out, MANIFEST_NAME), { format: MANIFEST_FORMAT, files: fresh, dirs: left } satisfies Manifest);
  } catch (err) {
    const e = fsError(err);
    if (!e) throw err;
    // the disk is full, read-only, or the folder not ours to write: the user's to fix, not a bug
    // made just now, and nothing of this export was moved in: removed only if empty (a folder the user
    // made at that path in the moment between the check and makeDirs keeps what they put there)
    if (!moving && createdOut) rmEmptyDir(out);
    throw new ExportWriteError(
      `cannot write to ${outDir}: ${e.message}; ` +
        (moving ? "the export is incomplete: its manifest lists every file it wrote as alignc's, so the same export run again replaces them" : "nothing written"),
    );
  } finally {
    // a staging folder that could not even be made (`--out FILE/x`: ENOTDIR) has nothing to remove;
    // rmSync's own ENOTDIR here replaced the located message above with an internal error (exit 70)
    if (lexists(tmp)) rmSync(tmp, { recursive: true, force: true });
    untrackTemp(tmp);
  }
  return { removed, kept };
}


/** Removes a folder if it is empty; a folder with anything in it, or gone, is left as it is. */
function rmEmptyDir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // ENOTEMPTY (someone else's files), ENOENT: nothing of ours to remove
  }
}
