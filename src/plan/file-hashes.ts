// The files a plan reads: content hashes (remembered across processes by stat data), template folder
// listings and what each path is, read once per compilation.
import { hashRegularFile } from "../lang/read-file.js";
import { templateFiles } from "../common/template-folder.js";
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
    if (h === undefined) this.hashes.set(abs, (h = this.digests ? this.digests.hash(abs, (p) => hashRegularFile(p)) : hashRegularFile(abs)));
    return h;
  }

  /** Keeps what was hashed for the next process (no-op without a digest cache). */
  save(): void {
    this.digests?.save();
  }

  /** The templates of a `dir(…)` template folder, sorted: the files its loader reads, and no other
   * (src/common/template-folder.ts). */
  list(abs: string): string[] {
    let l = this.lists.get(abs);
    if (l === undefined) this.lists.set(abs, (l = templateFiles(abs)));
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
