// The checksum an entry.json carries of itself. Every hit serves the figures in its `data` (a stage's
// final metrics, an eval's summary) and trusts its record of each file; a changed byte there was served
// as written (audit33 L2). Bit rot and a half-finished hand edit are what it catches; it is no seal
// (whoever edits the file can recompute it), and entries written before 6 Dec 2026 carry none.
import { lstatSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../../plan/canonical.js";
import { READ_LIMITS, readRegularText, specialKind } from "../../lang/read-file.js";

/** The file of an entry folder that records it (what made it, its files' sizes and sha256). */
export const ENTRY_FILE = "entry.json";

/** sha256 of an entry.json's fields but `check`, as canonical JSON (the meta as a reader parses it). */
export function entryCheck(meta: { check?: string }): string {
  const { check: _check, ...rest } = meta;
  return sha256Hex(canonicalJson(rest));
}

/** Whether an entry.json is as written: its fields have the types alignc writes, and its checksum
 * matches (or it predates the checksum). */
export function entryIntact(meta: { check?: string }): boolean {
  return entryFieldDamage(meta as Record<string, unknown>) === null;
}

const SHA256 = /^[0-9a-f]{64}$/;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * Why an entry.json's fields are not as alignc wrote them, or null. Its types are checked whether or not
 * it carries a checksum: an entry written before 6 Dec 2026 carries none, and a wrong-typed field of one
 * (a `backend` number, a file record without its sha256, a figure that is text) was a TypeError of the
 * run or its report (exit 70), or a figure shown as `?` without a word (audit35 M3).
 */
export function entryFieldDamage(meta: Record<string, unknown>): string | null {
  for (const key of ["hash", "kind", "label", "created"]) if (typeof meta[key] !== "string") return `its \`${key}\` is not text`;
  if (typeof meta.seconds !== "number" || !Number.isFinite(meta.seconds)) return "its `seconds` is not a number";
  if (meta.backend !== undefined && typeof meta.backend !== "string") return "its `backend` is not text";
  if (meta.inputs !== undefined && !(isObject(meta.inputs) && Object.values(meta.inputs).every((d) => typeof d === "string" && SHA256.test(d)))) return "its `inputs` are not digests by entry";
  if (!isObject(meta.files)) return "its `files` are not a record by name";
  for (const [name, rec] of Object.entries(meta.files))
    if (!isObject(rec) || !Number.isSafeInteger(rec.bytes) || (rec.bytes as number) < 0 || typeof rec.sha256 !== "string" || !SHA256.test(rec.sha256)) return `its record of ${name} is not a size and a sha256`;
  if (meta.data !== null && !isObject(meta.data)) return "its `data` is not an object";
  const summary = isObject(meta.data) ? meta.data.summary : undefined;
  // a figure alignc could not compute is written null (canonical JSON has no NaN); text is no figure
  if (summary !== undefined && summary !== null && !(isObject(summary) && Object.values(summary).every((v) => v === null || typeof v === "number"))) return "a figure of its summary is not a number";
  if (meta.check === undefined) return null;
  try {
    return meta.check === entryCheck(meta) ? null : "its entry.json no longer matches its checksum: changed since it was written";
  } catch {
    return "its entry.json no longer matches its checksum: a field canonical JSON refuses"; // not what alignc wrote
  }
}

/** Whether parsed entry.json text has an entry's shape: an object whose `files` is an object (older entries too). */
export function isEntryShaped(meta: unknown): meta is { hash: unknown; files: Record<string, unknown>; check?: string } {
  if (meta === null || typeof meta !== "object" || Array.isArray(meta)) return false;
  const files = (meta as { files?: unknown }).files;
  return files !== null && typeof files === "object" && !Array.isArray(files);
}

/**
 * Why an entry alignc wrote for `hash` (its entry.json names it) is no hit: its entry.json changed since
 * it was written, or a file's size differs from its record; null when there is no such entry, or none
 * alignc wrote (put() names a foreign folder itself). A run says it before computing the node again,
 * which it did silently (review34 L1).
 */
export function entryDamage(dir: string, hash: string): string | null {
  let meta: unknown;
  try {
    meta = JSON.parse(readRegularText(join(dir, ENTRY_FILE), READ_LIMITS.wholeData, "cache file"));
  } catch {
    return null;
  }
  if (!isEntryShaped(meta) || meta.hash !== hash) return null;
  return entryFieldDamage(meta) ?? sizeDamage(dir, meta.files);
}

/** The first of an entry's recorded files that is missing, not a regular file, or not of the recorded
 * size, said; null: all whole. alignc writes regular files only: a FIFO or a device (size 0, as an empty
 * samples.jsonl) passed the size check and failed its read, exit 70 (audit35 M2). */
export function sizeDamage(dir: string, files: Record<string, unknown>): string | null {
  for (const [name, rec] of Object.entries(files)) {
    const bytes = (rec as { bytes?: unknown } | null)?.bytes;
    let st;
    try {
      st = lstatSync(join(dir, name));
    } catch {
      return `${name} is missing`;
    }
    if (!st.isFile()) return `${name} is ${st.isSymbolicLink() ? "a symbolic link" : specialKind(st)}, not the regular file written`;
    if (st.size !== bytes) return `${name} holds ${st.size} bytes, where ${String(bytes)} were written`;
  }
  return null;
}
