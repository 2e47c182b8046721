// The checksum an entry.json carries of itself. Every hit serves the figures in its `data` (a stage's
// final metrics, an eval's summary) and trusts its record of each file; a changed byte there was served
// as written (audit33 L2). Bit rot and a half-finished hand edit are what it catches; it is no seal
// (whoever edits the file can recompute it), and entries written before 6 Dec 2026 carry none.
import { canonicalJson, sha256Hex } from "../../plan/canonical.js";

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
