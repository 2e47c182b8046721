// Which runs folders use a stage cache: each run records its runs folder in the cache it uses
// (`<cache>/.runs/<sha256 of the path, 16 hex>.json`), so `alignc cache prune` keeps what every one of
// them names, not only the runs folder it was pointed at: ALIGNC_CACHE lets run folders anywhere share
// one cache, and pruning it from one of them removed the others' entries.
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "../../common/atomic-write.js";
import { makeDirs } from "../../common/make-dirs.js";
import { readRegularText } from "../../lang/read-file.js";

const DIR = ".runs";

/** Record `runsDir` as a user of the cache at `cacheRoot` (once). Best effort: a cache this process may
 * only read (every node a hit) is still usable, and its runs are then not the prune's to protect. */
export function recordCacheUser(cacheRoot: string, runsDir: string): void {
  const path = resolve(runsDir);
  const file = join(cacheRoot, DIR, `${createHash("sha256").update(path).digest("hex").slice(0, 16)}.json`);
  try {
    if (existsSync(file)) return;
    makeDirs(join(cacheRoot, DIR));
    writeFileAtomicSync(file, JSON.stringify({ runs: path }) + "\n");
  } catch {
    // read-only or full: the run goes on; `alignc cache prune` names the folders it keeps
  }
}

/** The runs folders recorded as users of the cache at `cacheRoot` (absolute paths, sorted). */
export function cacheUsers(cacheRoot: string): string[] {
  const dir = join(cacheRoot, DIR);
  if (!existsSync(dir)) return [];
  const out = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (!/^[0-9a-f]{16}\.json$/.test(name)) continue;
    try {
      const runs = (JSON.parse(readRegularText(join(dir, name), 1 << 16, "cache user record")) as { runs?: unknown }).runs;
      if (typeof runs === "string") out.add(runs);
    } catch {
      // a torn or foreign file names no folder
    }
  }
  return [...out].sort();
}
