// What a node that never ran by itself was, once a run is over: an in-memory data node a computed stage's
// handler built through the data layer (not through the executor's output()) was part of that stage's
// work; one that only cached stages read was not needed. A cold run said "skipped: not needed: every
// consumer was cached" of the quickstart's data nodes (auditB39 #19).
import type { PlanNode } from "../plan/types.js";
import type { NodeRecord } from "./storage/rundir.js";

/** Records still pending: computed "in memory, by what read it: …", or skipped as not needed. */
export function settlePending(nodes: readonly PlanNode[], records: Map<string, NodeRecord>, inMemory: (n: PlanNode) => boolean, label: (n: PlanNode) => string): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  // each computed cached node's in-memory inputs and theirs, down to the cached nodes it reads as outputs
  const readBy = new Map<string, string[]>();
  for (const n of nodes) {
    if (!["computed", "resumed"].includes(records.get(n.id)!.status) || inMemory(n)) continue;
    const seen = new Set<string>();
    const walk = (ids: readonly string[]): void => {
      for (const i of ids) {
        const m = byId.get(i);
        if (!m || seen.has(i) || !inMemory(m)) continue;
        seen.add(i);
        readBy.set(i, [...(readBy.get(i) ?? []), label(n)]);
        walk(m.inputs);
      }
    };
    walk(n.inputs);
  }
  for (const n of nodes) {
    const rec = records.get(n.id)!;
    if (rec.status !== "pending") continue;
    const by = readBy.get(n.id);
    if (by) {
      rec.status = "computed";
      rec.reason = `in memory, by what read it: ${by.slice(0, 3).join(", ")}${by.length > 3 ? ` and ${by.length - 3} more` : ""}`;
    } else {
      rec.status = "skipped";
      rec.reason = "not needed: every consumer was cached";
    }
  }
}
