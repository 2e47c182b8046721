// The checkpoints of a node whose cache entry is in place, left by a run killed after the entry's rename
// and before it removed them (executor.ts computeCached): every later run reads the node as a hit, which
// removes none, and prune keeps them while a run names the node (determE43). Apart from cache.ts, which
// entry-inputs.ts reaches back to through entry-rows.ts: importing it there made a cycle in which a
// module read an import not yet evaluated (ReferenceError at load, in one test's import order).
import { join } from "node:path";
import { lexists } from "../../common/fs-probe.js";
import type { StageCache } from "./cache.js";
import { checkpointMatches } from "./entry-inputs.js";
import type { KeptFiles } from "./remove-own.js";

/** Removes them under the node's lock, taken without waiting (a live owner, a --force recompute, keeps
 * its own; a dead one's lock is broken, and released with ours), when the newest was trained from the
 * outputs of its inputs that the entry records, or none is complete; a recompute from other outputs,
 * stopped, stays to be resumed. Best effort (a cache this process may only read): nothing removed,
 * nothing thrown. */
export async function clearFinishedCheckpoints(cache: StageCache, hash: string): Promise<KeptFiles[]> {
  if (!lexists(join(cache.root, ".partial", hash)) && !lexists(cache.lockPath(hash))) return [];
  try {
    const lock = await cache.lock(hash, { waitMs: 0, purpose: "alignc run: removing a finished node's checkpoints" });
    try {
      const entry = cache.get(hash);
      const ck = cache.latestCheckpoint(hash);
      return entry && (!ck || checkpointMatches(ck.dir, entry.meta.inputs ?? {})) ? cache.clearCheckpoints(hash) : [];
    } finally {
      lock.release();
    }
  } catch {
    return [];
  }
}
