// A cache of file content hashes, keyed by what the file system says about the file: device, inode,
// size, modification and status-change times in nanoseconds. A FLAN-scale recipe names ~20,000
// files; reading and hashing them all is most of a warm `alignc plan` (~0.7 s of CPU on this
// machine against ~0.2 s for one stat each). Any write to a file changes its ctime (which no user
// call can set back), so a stale hit needs a write that keeps size, mtime and ctime to the
// nanosecond: the same trust git's index puts in stat data. As git does for "racily clean" files,
// a file modified less than RACY_MS before it was hashed is hashed again next time instead of
// trusted (a write in the same clock tick would keep its times). That rule needs the wall clock
// (the file system's times are wall-clock times); tests give the cache their own clock instead.
// One file per folder of recipes under <cache>/digests/, written atomically; an unreadable or
// malformed one is an empty cache. ALIGNC_CACHE_DIR moves it (default ~/.cache/alignc).
// Format: a header line, then one line per file: `<absolute path>\t<stamp>\t<sha256>`. Lines, not
// JSON: a FLAN-scale cache (20,000 files, 3.6 MB) is read on every plan, and splitting lines costs
// a third of JSON.parse into a 20,000-key object; each line is split further only when looked up.
// A path holding a tab or a line break is never remembered (hashed every time instead).
import { statSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../common/atomic-write.js";
import { readRegularText } from "../lang/read-file.js";
import { sha256Hex } from "./canonical.js";
import { defaultCacheDir } from "./sizes-cache.js";

/** A file changed this recently (mtime or ctime) when hashed is not remembered. */
export const RACY_MS = 2000n;

/** Now, in nanoseconds since the epoch (the unit of a bigint stat's times). */
export type NowNs = () => bigint;
const wallClockNs: NowNs = () => BigInt(Date.now()) * 1_000_000n;
const HEADER = "alignc digests 2";
/** Past this the cache file is not read (hashed afresh instead): a FLAN-scale one is 3.6 MB. */
const MAX_FILE_BYTES = 256 << 20;

export class DigestCache {
  private readonly file: string;
  /** path → the rest of its line: `<stamp>\t<sha256>` */
  private entries: Map<string, string> | undefined;
  private dirty = false;

  /** `scope`: the recipe's folder (one cache file per folder keeps each file small); `now`: the
   * clock the racily-clean rule reads (tests pass one set against a file's stat times). */
  constructor(
    scope: string,
    root: string = defaultCacheDir(),
    private readonly now: NowNs = wallClockNs,
  ) {
    this.file = join(root, "digests", `${sha256Hex(scope).slice(0, 32)}.tsv`);
  }

  private load(): Map<string, string> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    let text = "";
    try {
      // a regular file only, as sizes-cache.ts reads its entries: a FIFO put in its place hung check and plan
      text = readRegularText(this.file, MAX_FILE_BYTES, "digest cache");
    } catch {
      // no cache yet, or unreadable: every file is hashed
    }
    const lines = text.split("\n");
    if (lines[0] !== HEADER) return this.entries;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const tab = line.indexOf("\t");
      if (tab > 0) this.entries.set(line.slice(0, tab), line.slice(tab + 1));
    }
    return this.entries;
  }

  /** The sha256 of `abs`'s contents: from the cache when its stat data match, else `digest(abs)` (which
   * hashes the file in chunks: reading it whole held a 3 GiB data file in memory before any reader
   * refused its size). */
  hash(abs: string, digest: (abs: string) => string): string {
    const st = statSync(abs, { bigint: true });
    if (st.isDirectory()) digest(abs); // throws EISDIR as a plain read would
    const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const entries = this.load();
    const hit = entries.get(abs);
    // a well-formed rest of line is the stamp, a tab and 64 hex digits
    if (hit !== undefined && hit.length === stamp.length + 65 && hit.startsWith(stamp) && hit[stamp.length] === "\t") return hit.slice(stamp.length + 1);
    const sha = digest(abs);
    const now = this.now();
    if (now - st.mtimeNs > RACY_MS * 1_000_000n && now - st.ctimeNs > RACY_MS * 1_000_000n && !/[\t\n\r]/.test(abs)) {
      entries.set(abs, `${stamp}\t${sha}`);
      this.dirty = true;
    } else if (hit !== undefined) {
      entries.delete(abs);
      this.dirty = true;
    }
    return sha;
  }

  /** Writes the cache when something changed; a cache that cannot be written costs a re-hash later. */
  save(): void {
    if (!this.dirty || !this.entries) return;
    try {
      let text = HEADER;
      for (const [path, rest] of this.entries) text += `\n${path}\t${rest}`;
      writeFileAtomicSync(this.file, text, { durable: false });
      this.dirty = false;
    } catch {
      // read-only cache folder: fine
    }
  }
}
