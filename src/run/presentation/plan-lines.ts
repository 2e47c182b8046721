// The lines `alignc run` prints before it computes: what it reuses from the cache and what it runs.
import type { PlanNode } from "../../plan/types.js";
import type { StageCache } from "../storage/cache.js";
import type { NodeRecord } from "../storage/rundir.js";
import { fmtDuration } from "./progress.js";

/** `records` in the plan's node order (Executor.nodeRecords); `misses` as prepare() returned them. */
export function describePlan(nodes: readonly PlanNode[], records: readonly NodeRecord[], misses: readonly PlanNode[], forced: readonly string[], cache: StageCache): string[] {
  const lines: string[] = [];
  nodes.forEach((n, i) => {
    const r = records[i]!;
    const name = n.block || n.id;
    if (r.status === "cached") lines.push(`  = ${name}  cached [${n.hash.slice(0, 8)}] (saves ${fmtDuration(r.savedSeconds ?? 0)}${r.computedOn ? `, computed on ${r.computedOn}` : ""})`);
    else if (misses.includes(n)) {
      const ck = cache.latestCheckpoint(n.hash);
      lines.push(`  + ${name}  ${forced.includes(n.id) ? "forced" : "to run"} [${n.hash.slice(0, 8)}]${ck ? ` (resumes from step ${ck.step})` : ""}`);
    }
  });
  return lines;
}
