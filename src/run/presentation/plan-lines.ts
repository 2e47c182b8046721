// The lines `alignc run` prints before it computes: what it reuses from the cache and what it runs.
import type { PlanNode } from "../../plan/types.js";
import type { StageCache } from "../storage/cache.js";
import type { NodeRecord } from "../storage/rundir.js";
import { fmtDuration } from "./progress.js";

/** `records` in the plan's node order (Executor.nodeRecords); `misses` as prepare() returned them;
 * `awaiting`: the inputs a miss's cached entry waits on (a hit if they, computed again, come out the same). */
export function describePlan(nodes: readonly PlanNode[], records: readonly NodeRecord[], misses: readonly PlanNode[], forced: readonly string[], cache: StageCache, awaiting: (id: string) => string[] | undefined = () => undefined): string[] {
  const lines: string[] = [];
  nodes.forEach((n, i) => {
    const r = records[i]!;
    const name = n.block || n.id;
    if (r.status === "cached") lines.push(`  = ${name}  cached [${n.hash.slice(0, 8)}] (saves ${fmtDuration(r.savedSeconds ?? 0)}${r.computedOn ? `, computed on ${r.computedOn}` : ""})`);
    else if (misses.includes(n)) {
      const ck = cache.latestCheckpoint(n.hash);
      const on = (awaiting(n.id) ?? []).map((id) => nodes.find((x) => x.id === id)?.block || id);
      const what = forced.includes(n.id) ? "forced" : on.length ? `to run unless ${on.join(" and ")} ${on.length === 1 ? "comes" : "come"} out the same` : "to run";
      // a checkpoint resumes only if it was trained from this run's inputs (said when it is not)
      lines.push(`  + ${name}  ${what} [${n.hash.slice(0, 8)}]${ck && !forced.includes(n.id) ? ` (a checkpoint at step ${ck.step})` : ""}`);
    }
  });
  return lines;
}
