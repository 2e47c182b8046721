// The export manifest: `.alignc-export.json` in an export folder lists every file alignc wrote there
// with the SHA-256 of what it wrote. It is the only proof of ownership a re-export accepts: a file is
// alignc's to replace or remove only when the manifest names it AND its content is still what alignc
// wrote. Everything else in the folder (the cluster's `outputs/`, the user's notes, a config the user
// edited) belongs to the user and is never touched.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InputFileError, readRegularText } from "../lang/read-file.js";

export const MANIFEST_NAME = ".alignc-export.json";
/** An export manifest lists each file's path and sha256: a few KB; past this it is not one. */
const MANIFEST_MAX_BYTES = 64 << 20;
export const MANIFEST_FORMAT = "alignc-export/1";
/** The lock one export at a time holds (lock.ts): `.NAME.alignc-export.lock` beside the folder, or this
 * name inside it when the folder is a mount point. Never one of the exported files. */
export const LOCK_NAME = ".alignc-export.lock";

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** path (with /) → sha256 hex of the content alignc wrote */
  files: Record<string, string>;
  /** written before files are moved into place: a path here is alignc's with either hash, so an
   * export interrupted halfway still owns both the old and the new version of each file */
  pending?: Record<string, string>;
  /** folders (with /) alignc made inside the export folder: the only ones it removes when a re-export
   * leaves them empty (a folder the user made stays, empty or not); absent in manifests before it */
  dirs?: string[];
}

export function sha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

export class ManifestError extends Error {}

/** A path that stays inside the export folder: relative, with no empty, `.` or `..` segment. A
 * manifest is a file people can edit or copy from elsewhere; one naming `../x` or `/x` is not ours. */
export const isInsidePath = (p: string) => p !== "" && !p.startsWith("/") && !p.split("/").some((s) => s === ".." || s === "." || s === "");

/** The manifest of `dir`, undefined when there is none; a ManifestError when it is not one of ours. */
export function readManifest(dir: string): Manifest | undefined {
  const p = join(dir, MANIFEST_NAME);
  if (!existsSync(p) && !isLink(p)) return undefined;
  // alignc writes its manifest as a regular file: a symlink there (to another export's manifest, say)
  // would make files alignc never wrote in this folder look like its own, to replace or remove
  if (isLink(p)) throw new ManifestError(`${p} is a symbolic link, not the manifest alignc wrote: alignc cannot tell which files it wrote here (replace the link by the file it points to, if that is this folder's manifest)`);
  let m: unknown;
  try {
    // a regular file only: a FIFO put there blocked the export in a read no signal ended (read-file.ts)
    m = JSON.parse(readRegularText(p, MANIFEST_MAX_BYTES, "export manifest"));
  } catch (err) {
    if (err instanceof InputFileError) throw new ManifestError(`${err.message}: alignc cannot tell which files it wrote`);
    throw new ManifestError(`${p} is not valid JSON (${(err as Error).message}): alignc cannot tell which files it wrote`);
  }
  const ok = (r: unknown) =>
    r !== null && typeof r === "object" && !Array.isArray(r) && Object.entries(r as object).every(([p, h]) => isInsidePath(p) && typeof h === "string" && /^[0-9a-f]{64}$/.test(h));
  const mm = m as Partial<Manifest>;
  const okDirs = mm.dirs === undefined || (Array.isArray(mm.dirs) && mm.dirs.every((d) => typeof d === "string" && isInsidePath(d)));
  if (!m || typeof m !== "object" || mm.format !== MANIFEST_FORMAT || !ok(mm.files) || (mm.pending !== undefined && !ok(mm.pending)) || !okDirs)
    throw new ManifestError(`${p} is not an alignc export manifest (${MANIFEST_FORMAT}): alignc cannot tell which files it wrote`);
  return mm as Manifest;
}

function isLink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Is the file at `path` (relative, with /) still exactly what alignc wrote there? */
export function ownedUnchanged(dir: string, path: string, m: Manifest | undefined): boolean {
  if (!m) return false;
  const hashes = [m.files[path], m.pending?.[path]].filter((h): h is string => h !== undefined);
  if (!hashes.length) return false;
  if (!isInsidePath(path)) return false;
  const parts = path.split("/");
  const abs = join(dir, ...parts);
  let st;
  try {
    // every folder on the way must be a plain one: a folder the user replaced by a symlink leads to
    // their own files, which are never alignc's even when the content matches
    for (let i = 1; i < parts.length; i++) if (!lstatSync(join(dir, ...parts.slice(0, i))).isDirectory()) return false;
    st = lstatSync(abs);
  } catch {
    return false;
  }
  if (!st.isFile()) return false; // a symlink or folder put there since is the user's
  return hashes.includes(sha256(readFileSync(abs)));
}
