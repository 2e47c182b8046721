// What an entry of the stage cache records of itself (entry.json: what made it, its files' sizes and
// sha256, its figures), and the error for a folder in an entry's place that alignc did not write.
import type { KeptFiles } from "./remove-own.js";

export interface FileRecord {
  bytes: number;
  sha256: string;
}

export interface EntryMeta {
  hash: string;
  kind: string; // plan node kind: "stage.sft", "data.tokenize" …
  label: string; // the block name it was computed for (names do not enter hashes: for people only)
  created: string; // ISO time
  seconds: number; // compute time, so a cache hit can say what it saved
  files: Record<string, FileRecord>;
  data: unknown; // small JSON result of the node (metrics summary, counts), also in entry.json
  /** the backend whose arithmetic the entry holds (wasm, cpu, tensorflow): figures are bit-identical on
   * one backend only, and a hit reuses an entry whatever backend made it; absent in older entries */
  backend?: string;
  /** input entry hash → digest of the output it held when this entry was computed (entry-inputs.ts); absent in older entries */
  inputs?: Record<string, string>;
  /** sha256 of the rest of entry.json (entryCheck): the figures in `data` are served by every hit, so a
   * changed byte in them makes the entry a miss; absent in entries written before 6 Dec 2026 */
  check?: string;
}

/** What a writer learns while writing (compute time, results) and wants in entry.json. */
export interface EntryExtras {
  seconds?: number;
  data?: unknown;
  backend?: string;
  inputs?: Record<string, string>;
}

export interface CacheEntry {
  hash: string;
  dir: string;
  meta: EntryMeta;
  /** put() replaced an entry a user had put a file into: that file, kept (remove-own.ts) */
  kept?: KeptFiles;
}

/** A folder at a cache entry's path that holds no entry alignc wrote: never removed (`--force` moves it
 * aside, StageCache.makeWay). Errno-shaped
 * (fs-error.ts), so every command reports it as the user's environment, exit 1. */
export class ForeignEntryError extends Error {
  readonly code = "EEXIST";
  readonly syscall = "cache";
  constructor(readonly path: string) {
    super(`${path} is in the way of a cache entry: it holds no entry.json alignc wrote; move it away and run again, or run with \`--force NODE\`, which moves it aside (kept, renamed \`<hash>.foreign-<time>\`) and computes the node anew`);
    this.name = "ForeignEntryError";
  }
}
