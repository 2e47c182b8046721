// The lines `alignc run` prints before it computes: what it reuses from the cache and what it runs.
import type { PlanNode } from "../../plan/types.js";
import type { StageCache } from "../storage/cache.js";
import type { NodeRecord } from "../storage/rundir.js";
import { checkpointMatches } from "../storage/entry-inputs.js";
import type { InputTracker } from "../storage/input-tracker.js";
import { fmtDuration } from "./progress.js";

/** `records` in the plan's node order (Executor.nodeRecords); `misses` as prepare() returned them;
 * `inputs`: what the misses wait on (a hit if those inputs, computed again, come out the same) and whether
 * a checkpoint was trained from the inputs this run has (resumed) or not (started anew), where known. */
export function describePlan(nodes: readonly PlanNode[], records: readonly NodeRecord[], misses: readonly PlanNode[], forced: readonly string[], cache: StageCache, inputs?: Pick<InputTracker, "awaiting" | "knownDigests">): string[] {
  const lines: string[] = [];
  nodes.forEach((n, i) => {
    const r = records[i]!;
    const name = n.block || n.id;
    if (r.status === "cached") lines.push(`  = ${name}  cached [${n.hash.slice(0, 8)}] (saves ${fmtDuration(r.savedSeconds ?? 0)}${r.computedOn ? `, computed on ${r.computedOn}` : ""})`);
    else if (misses.includes(n)) {
      const ck = cache.latestCheckpoint(n.hash);
      const on = (inputs?.awaiting(n.id) ?? []).map((id) => nodes.find((x) => x.id === id)?.block || id);
      const what = forced.includes(n.id) ? "forced" : on.length ? `to run unless ${on.join(" and ")} ${on.length === 1 ? "comes" : "come"} out the same` : "to run";
      // a checkpoint resumes only if it was trained from this run's inputs, known once they are all resolved
      const known = ck && inputs?.knownDigests(n);
      const resume = !ck || forced.includes(n.id) ? "" : !known ? ` (a checkpoint at step ${ck.step})` : checkpointMatches(ck.dir, known) ? ` (resumes from step ${ck.step})` : ` (its checkpoint at step ${ck.step} is from other inputs: starts anew)`;
      lines.push(`  + ${name}  ${what} [${n.hash.slice(0, 8)}]${resume}`);
    }
  });
  return lines;
}
