// `alignc diff RUN_A RUN_B` (metrics part): the final metrics of every node of two runs side by
// side, with the change. Nodes are matched by block name; rows are sorted so output is stable.
import { RunDir } from "../storage/rundir.js";
import { fmtNum, fmtP } from "../presentation/format.js";
import { pairedAnswers, type PairedAnswers } from "./paired-answers.js";

export interface MetricDiffRow {
  node: string;
  metric: string;
  a: number | null;
  b: number | null;
  delta: number | null; // b − a
}

export interface RunSide {
  runId: string;
  path: string;
  status: string;
  seed?: number; // absent in a manifest of an earlier build
  tiny?: boolean;
  variant?: string | null;
}

export interface RunMetricDiff {
  a: RunSide;
  b: RunSide;
  rows: MetricDiffRow[];
  /** each rule-judged win-rate eval of both runs: its model's answers paired prompt by prompt */
  paired: PairedAnswers[];
  /** why answers could not be paired (a damaged samples.jsonl), said rather than pairing nothing silently */
  unpaired: string[];
}

/** Figures whose difference means nothing (a p-value, an interval's end, a count of examples): no Δ (figures38 #5). */
const NO_DELTA = /(^|_)p_value$|(^|_)ci_(low|high)$|^n$|^split_size$|\/|^(n|split_size)\//;

function finals(run: RunDir): Map<string, Record<string, number>> {
  const m = run.readManifest();
  const out = new Map<string, Record<string, number>>();
  // a data node built in memory records its counts only when the executor built it, not when a stage's
  // handler did, which depends on what the cache held: its rows read `270 → —` between runs of one data
  // (huntD39 L1); the plan diff above says what data changed, and a draw of samples (cached) stays
  const inMemory = (kind: string) => (kind.startsWith("data.") && kind !== "data.samples") || kind.startsWith("tokenizer") || kind.startsWith("model");
  for (const n of m.nodes) if (n.summary && Object.keys(n.summary).length && !(typeof n.kind === "string" && inMemory(n.kind))) out.set(n.label, n.summary);
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
      // a difference below a double's noise at these magnitudes is none (p 1 → 1 printed +1.11e-16)
      const raw = va !== null && vb !== null && !NO_DELTA.test(metric) ? vb - va : null;
      const delta = raw !== null && Math.abs(raw) <= 1e-12 * Math.max(1, Math.abs(va!), Math.abs(vb!)) ? 0 : raw;
      rows.push({ node, metric, a: va, b: vb, delta });
    }
  }
  const ma = ra.readManifest();
  const mb = rb.readManifest();
  const side = (m: typeof ma, path: string): RunSide => ({ runId: m.runId, path, status: m.status, seed: m.seed, tiny: m.tiny, variant: m.variant });
  // a run without samples.jsonl (killed before its evals) has none to pair; a damaged one is said
  const unpaired: string[] = [];
  const samples = (r: RunDir) => {
    try {
      return r.readSamples();
    } catch (e) {
      unpaired.push(`${r.path}: ${(e as Error).message.split("\n")[0]}: no answers of it paired`);
      return [];
    }
  };
  const [sa, sb] = [samples(ra), samples(rb)];
  return { a: side(ma, ra.path), b: side(mb, rb.path), rows, paired: unpaired.length ? [] : pairedAnswers(sa, sb), unpaired };
}

/** Plain-text table: node.metric, A, B, Δ; above it what each run was, and what a Δ of two runs is not. */
export function renderRunMetricDiff(d: RunMetricDiff): string {
  // a run that did not finish (killed, interrupted, failed, still running) lacks figures, shown as — (huntD39 M4)
  const finished = (s: RunSide) => s.status === "ok" || s.status === "expectations_failed";
  const what = (s: RunSide) => `seed ${s.seed ?? "?"}${s.tiny ? ", --tiny" : ""}${s.variant ? `, ${s.variant}` : ""}, ${s.status}${finished(s) ? "" : " ⚠ not finished: what it did not compute shows as —"}`;
  const unlike = d.a.tiny !== d.b.tiny ? " ⚠ one run is --tiny, the other full size: their figures are of other sizes" : "";
  // two seeds draw other held-out splits and train other reward models: a Δ there is not a change on the
  // same examples or on one scale (figuresP41: only 63 of the quickstart's 300 judged prompts are shared)
  const seeds =
    d.a.seed !== undefined && d.b.seed !== undefined && d.a.seed !== d.b.seed
      ? " ⚠ the seeds differ: each run holds out its own examples, so a held-out figure's Δ compares other examples (the paired answers below pair the prompts both judged), and each reward model's scores (reward, greedy_reward, score_a, score_b, gain) are on its own scale"
      : "";
  const notes = [`A: ${what(d.a)}; B: ${what(d.b)}.${unlike}${seeds}`, "One run each: a Δ is one pair of runs' difference, not a tested one (no Δ for p-values, intervals and counts of examples; `accuracy { versus = M }`, the paired answers below, or two seeds compare models)."];
  const head = ["metric", `A ${d.a.runId}`, `B ${d.b.runId}`, "Δ (B − A)"];
  const body = d.rows.map((r) => [`${r.node}.${r.metric}`, r.a === null ? "—" : fmtNum(r.a), r.b === null ? "—" : fmtNum(r.b), r.delta === null ? "" : (r.delta > 0 ? "+" : "") + fmtNum(r.delta)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const paired = d.paired.map(
    (q) =>
      `${q.eval}: ${q.model_a === q.model_b ? `${q.model_a}'s` : `A's ${q.model_a} and B's ${q.model_b}`} answers on the same ${q.only_a + q.only_b + q.both + q.neither} prompts, right by the rule: only in A ${q.only_a}, only in B ${q.only_b} (sign test p ${fmtP(q.p_value)}), both ${q.both}, neither ${q.neither}${q.unmatched ? `; ${q.unmatched} prompts judged in one run only` : ""}`,
  );
  const pairs = [...paired, ...d.unpaired];
  return [...notes, line(head), ...body.map(line), ...(pairs.length ? ["", "paired answers (each rule-judged win rate's model, prompt by prompt)", ...pairs] : [])].join("\n") + "\n";
}
