// The files a plan reads: content hashes (remembered across processes by stat data), folder
// listings (empty folders included, as `x/`) and what each path is, read once per compilation.
import { statSync } from "node:fs";
import { hashRegularFile, listFolderFiles, readRegularFile } from "../lang/read-file.js";
import type { DigestCache } from "./digest-cache.js";

/** The files the plan reads: content hashes, folder listings and kinds, each read once per instance
 * (one instance is shared by every compilation of one recipe: variants, the sizing pass). */
export class FileHashes {
  private readonly hashes = new Map<string, string>();
  private readonly lists = new Map<string, string[]>();

  /** `digests`: content hashes remembered across processes by stat data (src/plan/digest-cache.ts). */
  constructor(private readonly digests: DigestCache | null = null) {}

  hash(abs: string): string {
    let h = this.hashes.get(abs);
    // only regular files are read (a FIFO or /dev/zero would never end): src/lang/read-file.ts
    if (h === undefined) this.hashes.set(abs, (h = this.digests ? this.digests.hash(abs, (p) => readRegularFile(p, Number.MAX_SAFE_INTEGER)) : hashRegularFile(abs)));
    return h;
  }

  /** The digest of an entry `list` gave: a file's hash, EMPTY_FOLDER for an empty folder (`x/`). */
  entryDigest(abs: string, listed: string): string {
    return listed.endsWith("/") ? EMPTY_FOLDER : this.hash(abs);
  }

  /** Keeps what was hashed for the next process (no-op without a digest cache). */
  save(): void {
    this.digests?.save();
  }

  /** Files under a folder, recursively, relative to it, sorted; dot-files skipped. */
  list(abs: string): string[] {
    let l = this.lists.get(abs);
    if (l === undefined) this.lists.set(abs, (l = listDir(abs)));
    return l;
  }

  /** null when `abs` is a readable file (or folder), else why not. Reads (and caches) it: no separate stat. */
  problem(abs: string, expect: "file" | "dir"): string | null {
    try {
      if (expect === "file") this.hash(abs);
      else this.list(abs);
      return null;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === "EISDIR") return "a folder, not a file";
      if (e.code === "ENOTDIR") return "a file, not a folder";
      if (e.code === "ENOENT") return "no such file or folder";
      return e.message.split("\n")[0] ?? String(err);
    }
  }
}

/** What an empty folder inside a `dir()` input hashes as (listDir names it `x/`). */
export const EMPTY_FOLDER = "empty folder";

/** The digest a plan records for a path it lists: a file's sha256, EMPTY_FOLDER for `x/` (an empty
 * folder, still a folder); throws as reading the file does. */
export function planFileDigest(abs: string, listed: string): string {
  if (!listed.endsWith("/")) return hashRegularFile(abs);
  if (!statSync(abs).isDirectory()) throw new Error(`${listed} is no longer a folder`);
  return EMPTY_FOLDER;
}

/** Files under a folder, recursively, relative to it, sorted, and its empty folders as `x/`; dot-files skipped; an InputFileError
 * for a folder far too large to be a template folder (src/lang/read-file.ts). */
export function listDir(abs: string): string[] {
  return listFolderFiles(abs, { dotFiles: false, emptyFolders: true, refuseBrokenLinks: true }).sort();
}
