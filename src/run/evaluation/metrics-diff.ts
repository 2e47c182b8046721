// `alignc diff RUN_A RUN_B` (metrics part): the final metrics of every node of two runs side by
// side, with the change. Nodes are matched by block name; rows are sorted so output is stable.
import { RunDir } from "../storage/rundir.js";
import { fmtNum } from "../presentation/format.js";

export interface MetricDiffRow {
  node: string;
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null; // b − a
}

export interface RunMetricDiff {
  a: { runId: string; path: string; status: string };
  b: { runId: string; path: string; status: string };
  rows: MetricDiffRow[];
}

function finals(run: RunDir): Map<string, Record<string, number>> {
  const m = run.readManifest();
  const out = new Map<string, Record<string, number>>();
  for (const n of m.nodes) if (n.summary && Object.keys(n.summary).length) out.set(n.label, n.summary);
  return out;
}

/** a, b: run directory paths. */
export function diffRunMetrics(a: string, b: string): RunMetricDiff {
  const ra = RunDir.open(a);
  const rb = RunDir.open(b);
  const fa = finals(ra);
  const fb = finals(rb);
  const rows: MetricDiffRow[] = [];
  for (const node of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const ma = fa.get(node) ?? {};
    const mb = fb.get(node) ?? {};
    for (const metric of [...new Set([...Object.keys(ma), ...Object.keys(mb)])].sort()) {
      const va = typeof ma[metric] === "number" ? ma[metric]! : null;
      const vb = typeof mb[metric] === "number" ? mb[metric]! : null;
      rows.push({ node, metric, a: va, b: vb, delta: va !== null && vb !== null ? vb - va : null });
    }
  }
  const ma = ra.readManifest();
  const mb = rb.readManifest();
  return { a: { runId: ma.runId, path: ra.path, status: ma.status }, b: { runId: mb.runId, path: rb.path, status: mb.status }, rows };
}

/** Plain-text table: node.metric, A, B, Δ. */
export function renderRunMetricDiff(d: RunMetricDiff): string {
  const head = ["metric", `A ${d.a.runId}`, `B ${d.b.runId}`, "Δ (B − A)"];
  const body = d.rows.map((r) => [`${r.node}.${r.metric}`, r.a === null ? "—" : fmtNum(r.a), r.b === null ? "—" : fmtNum(r.b), r.delta === null ? "" : (r.delta > 0 ? "+" : "") + fmtNum(r.delta)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...body.map(line)].join("\n") + "\n";
}
