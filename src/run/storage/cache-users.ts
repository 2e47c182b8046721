// Who uses a stage cache, for `alignc cache prune`:
// - each run records its runs folder in the cache it uses (`<cache>/.runs/<sha256 of the path, 16 hex>.json`),
//   so prune keeps what every one of them names, not only the runs folder it was pointed at: ALIGNC_CACHE
//   lets run folders anywhere share one cache, and pruning it from one of them removed the others' entries;
// - a run in progress marks its plan's node hashes (`.runs/active/<writer>-<nonce>.json`) from before it
//   reads any entry until it ends, since its run folder (with plan.json) is made only after it has decided
//   which entries it reuses: an entry pruned in between would be read later as damaged or missing.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeFileAtomicSync } from "../../common/atomic-write.js";
import { makeDirs } from "../../common/make-dirs.js";
import { readRegularText } from "../../lang/read-file.js";
import { WRITER_TAG_RE, writerGone, writerTag } from "../../common/writer-tag.js";

const DIR = ".runs";

const recordFile = (cacheRoot: string, runsDir: string): string => join(cacheRoot, DIR, `${createHash("sha256").update(resolve(runsDir)).digest("hex").slice(0, 16)}.json`);

/** Drop the record of a runs folder that is gone for good (`alignc cache prune --forget-gone`). */
export function forgetCacheUser(cacheRoot: string, runsDir: string): void {
  rmSync(recordFile(cacheRoot, runsDir), { force: true });
}

/** Record `runsDir` as a user of the cache at `cacheRoot` (once). Best effort: a cache this process may
 * only read (every node a hit) is still usable, and its runs are then not the prune's to protect. */
export function recordCacheUser(cacheRoot: string, runsDir: string): void {
  const path = resolve(runsDir);
  const file = recordFile(cacheRoot, path);
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

const ACTIVE = join(DIR, "active");
const ACTIVE_NAME = new RegExp(`^(${WRITER_TAG_RE})-[0-9a-f]{8}\\.json$`);

/** Mark the node hashes of a run starting on the cache at `cacheRoot`; the returned function unmarks
 * them (a process killed before it does leaves a mark whose writer is gone, which no one reads). */
export function markActive(cacheRoot: string, hashes: readonly string[]): () => void {
  const file = join(cacheRoot, ACTIVE, `${writerTag()}-${randomBytes(4).toString("hex")}.json`);
  try {
    makeDirs(join(cacheRoot, ACTIVE));
    writeFileAtomicSync(file, JSON.stringify({ hashes }) + "\n");
  } catch {
    return () => {}; // a cache this process may only read: nothing here for a prune to remove either
  }
  return () => rmSync(file, { force: true });
}

/** Node hashes that runs in progress on this cache have marked (marks of writers that are gone are
 * skipped, and with `clearDead` removed). */
export function activeHashes(cacheRoot: string, opts: { clearDead?: boolean } = {}): Set<string> {
  const dir = join(cacheRoot, ACTIVE);
  const out = new Set<string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const tag = ACTIVE_NAME.exec(name)?.[1];
    if (tag === undefined) continue;
    if (writerGone(tag)) {
      if (opts.clearDead) rmSync(join(dir, name), { force: true });
      continue;
    }
    try {
      const hashes = (JSON.parse(readRegularText(join(dir, name), 1 << 26, "active run mark")) as { hashes?: unknown }).hashes;
      if (Array.isArray(hashes)) for (const h of hashes) if (typeof h === "string") out.add(h);
    } catch {
      // being written (renamed into place whole, so not torn) or removed meanwhile: nothing to keep
    }
  }
  return out;
}
