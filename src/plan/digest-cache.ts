// A cache of file content hashes, keyed by what the file system says about the file: device, inode,
// size, modification and status-change times in nanoseconds. A FLAN-scale recipe names ~20,000
// files; reading and hashing them all is most of a warm `alignc plan` (~0.7 s of CPU on this
// machine against ~0.2 s for one stat each). Any write to a file changes its ctime (which no user
// call can set back), so a stale hit needs a write that keeps size, mtime and ctime to the
// nanosecond: the same trust git's index puts in stat data. As git does for "racily clean" files,
// a file modified less than RACY_MS before it was hashed is hashed again next time instead of
// trusted (a write in the same clock tick would keep its times).
// One JSON file per folder of recipes under <cache>/digests/, written atomically; an unreadable
// or malformed one is an empty cache. ALIGNC_CACHE_DIR moves it (default ~/.cache/alignc).
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sha256Hex } from "./canonical.js";
import { defaultCacheDir } from "./sizes-cache.js";

const RACY_MS = 2000n;
const VERSION = 1;

export class DigestCache {
  private readonly file: string;
  private entries: Map<string, [stamp: string, sha256: string]> | undefined;
  private dirty = false;

  /** `scope`: the recipe's folder (one cache file per folder keeps each file small). */
  constructor(scope: string, root: string = defaultCacheDir()) {
    this.file = join(root, "digests", `${sha256Hex(scope).slice(0, 32)}.json`);
  }

  private load(): Map<string, [string, string]> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    try {
      const v = JSON.parse(readFileSync(this.file, "utf8")) as { version?: number; entries?: Record<string, [string, string]> };
      if (v.version === VERSION && v.entries && typeof v.entries === "object") {
        for (const [k, e] of Object.entries(v.entries)) if (Array.isArray(e) && typeof e[0] === "string" && typeof e[1] === "string") this.entries.set(k, e);
      }
    } catch {
      // no cache yet, or unreadable: every file is hashed
    }
    return this.entries;
  }

  /** The sha256 of `abs`'s contents: from the cache when its stat data match, else `read()` hashed. */
  hash(abs: string, read: (abs: string) => Buffer): string {
    const st = statSync(abs, { bigint: true });
    if (st.isDirectory()) read(abs); // throws EISDIR as a plain read would
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const entries = this.load();
    const hit = entries.get(abs);
    if (hit && hit[0] === stamp) return hit[1];
    const sha = sha256Hex(read(abs));
    const now = BigInt(Date.now()) * 1_000_000n;
    if (now - st.mtimeNs > RACY_MS * 1_000_000n && now - st.ctimeNs > RACY_MS * 1_000_000n) {
      entries.set(abs, [stamp, sha]);
      this.dirty = true;
    } else if (hit) {
      entries.delete(abs);
      this.dirty = true;
    }
    return sha;
  }

  /** Writes the cache when something changed; a cache that cannot be written costs a re-hash later. */
  save(): void {
    if (!this.dirty || !this.entries) return;
    try {
      mkdirSync(join(this.file, ".."), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: VERSION, entries: Object.fromEntries(this.entries) }));
      renameSync(tmp, this.file);
      this.dirty = false;
    } catch {
      // read-only cache folder: fine
    }
  }
}
