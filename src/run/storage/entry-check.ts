// The checksum an entry.json carries of itself. Every hit serves the figures in its `data` (a stage's
// final metrics, an eval's summary) and trusts its record of each file; a changed byte there was served
// as written (audit33 L2). Bit rot and a half-finished hand edit are what it catches; it is no seal
// (whoever edits the file can recompute it), and entries written before 6 Dec 2026 carry none.
import { statSync } from "node:fs";
import { join } from "node:path";
import { canonicalJson, sha256Hex } from "../../plan/canonical.js";
import { READ_LIMITS, readRegularText } from "../../lang/read-file.js";

/** The file of an entry folder that records it (what made it, its files' sizes and sha256). */
export const ENTRY_FILE = "entry.json";

/** sha256 of an entry.json's fields but `check`, as canonical JSON (the meta as a reader parses it). */
export function entryCheck(meta: { check?: string }): string {
  const { check: _check, ...rest } = meta;
  return sha256Hex(canonicalJson(rest));
}

/** Whether an entry.json is as written: its checksum matches, or it predates the checksum. */
export function entryIntact(meta: { check?: string }): boolean {
  if (meta.check === undefined) return true;
  try {
    return meta.check === entryCheck(meta);
  } catch {
    return false; // a field canonical JSON refuses: not what alignc wrote
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
  if (!entryIntact(meta)) return "its entry.json no longer matches its checksum: changed since it was written";
  return sizeDamage(dir, meta.files);
}

/** The first of an entry's recorded files whose size is not the recorded one (or that is missing), said; null: all whole. */
export function sizeDamage(dir: string, files: Record<string, unknown>): string | null {
  for (const [name, rec] of Object.entries(files)) {
    const bytes = (rec as { bytes?: unknown } | null)?.bytes;
    let size: number;
    try {
      size = statSync(join(dir, name)).size;
    } catch {
      return `${name} is missing`;
    }
    if (size !== bytes) return `${name} holds ${size} bytes, where ${String(bytes)} were written`;
  }
  return null;
}
