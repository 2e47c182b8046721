// The export manifest: `.alignc-export.json` in an export folder lists every file alignc wrote there
// with the SHA-256 of what it wrote. It is the only proof of ownership a re-export accepts: a file is
// alignc's to replace or remove only when the manifest names it AND its content is still what alignc
// wrote. Everything else in the folder (the cluster's `outputs/`, the user's notes, a config the user
// edited) belongs to the user and is never touched.
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const MANIFEST_NAME = ".alignc-export.json";
export const MANIFEST_FORMAT = "alignc-export/1";

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** path (with /) → sha256 hex of the content alignc wrote */
  files: Record<string, string>;
  /** written before files are moved into place: a path here is alignc's with either hash, so an
   * export interrupted halfway still owns both the old and the new version of each file */
  pending?: Record<string, string>;
}

export function sha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

export class ManifestError extends Error {}

/** The manifest of `dir`, undefined when there is none; a ManifestError when it is not one of ours. */
export function readManifest(dir: string): Manifest | undefined {
  const p = join(dir, MANIFEST_NAME);
  if (!existsSync(p)) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(p, "utf8"));
  } catch (err) {
    throw new ManifestError(`${p} is not valid JSON (${(err as Error).message}): alignc cannot tell which files it wrote`);
  }
  const ok = (r: unknown) => r !== null && typeof r === "object" && !Array.isArray(r) && Object.values(r as object).every((h) => typeof h === "string" && /^[0-9a-f]{64}$/.test(h));
  const mm = m as Partial<Manifest>;
  if (!m || typeof m !== "object" || mm.format !== MANIFEST_FORMAT || !ok(mm.files) || (mm.pending !== undefined && !ok(mm.pending)))
    throw new ManifestError(`${p} is not an alignc export manifest (${MANIFEST_FORMAT}): alignc cannot tell which files it wrote`);
  return mm as Manifest;
}

/** Is the file at `path` (relative, with /) still exactly what alignc wrote there? */
export function ownedUnchanged(dir: string, path: string, m: Manifest | undefined): boolean {
  if (!m) return false;
  const hashes = [m.files[path], m.pending?.[path]].filter((h): h is string => h !== undefined);
  if (!hashes.length) return false;
  const abs = join(dir, ...path.split("/"));
  let st;
  try {
    st = lstatSync(abs);
  } catch {
    return false;
  }
  if (!st.isFile()) return false; // a symlink or folder put there since is the user's
  return hashes.includes(sha256(readFileSync(abs)));
}
