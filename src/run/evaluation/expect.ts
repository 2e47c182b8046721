// `expect { rm_acc.accuracy >= 0.6  policy.reward > sft.reward }`: each condition is evaluated as
// soon as every block it names has finished, so a failed gate stops the stages that depend on those
// blocks before they spend compute. A metric that was never produced fails the condition and says so.
// A side may add or subtract terms: `after.accuracy >= after.baseline + 0.2`.
import type { IRCondition, IRTerm, IRValue } from "../../check/ir.js";
import type { ExpectationRecord } from "../storage/rundir.js";
import { fmtNum, fmtP } from "../presentation/format.js";
import { compare } from "../../common/compare-op.js";

/** Final metrics per block name: `metrics.get("rm_acc")?.accuracy`. */
export type MetricTable = Map<string, Record<string, number>>;

function isRef(v: IRValue): v is { $ref: string; member?: string } {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { $ref?: unknown }).$ref === "string";
}

/** Block names a condition reads. */
export function conditionBlocks(c: IRCondition): string[] {
  const values = [c.left, c.right, ...(c.leftTerms ?? []).map((t) => t.value), ...(c.rightTerms ?? []).map((t) => t.value)];
  return [...new Set(values.filter(isRef).map((r) => r.$ref))].sort();
}

function describe(v: IRValue): string {
  if (isRef(v)) return v.member ? `${v.$ref}.${v.member}` : v.$ref;
  return JSON.stringify(v);
}

function resolveValue(v: IRValue, metrics: MetricTable): { value: number | null; missing?: string } {
  if (typeof v === "number") return { value: v };
  if (isRef(v)) {
    const block = metrics.get(v.$ref);
    // the checker requires `block.metric` (AL2020); a bare block names no metric to compare
    if (v.member === undefined) return { value: null, missing: `${v.$ref} names no metric (write ${v.$ref}.<metric>)` };
    const member = v.member;
    const x = block?.[member];
    if (typeof x === "number" && !Number.isNaN(x)) return { value: x };
    return { value: null, missing: block ? `${v.$ref} has no metric \`${member}\` (it has: ${Object.keys(block).sort().join(", ") || "none"})` : `${v.$ref} did not run` };
  }
  if (typeof v === "object" && v !== null && "$quantity" in v) return { value: (v as { $quantity: number }).$quantity };
  return { value: null, missing: `cannot compare ${describe(v)}` };
}

/** A win rate or an accuracy never shown bare: its counts beside it (` [W54/T218/L28 of 300, p 0.0054]`). */
function countsOf(v: { $ref: string; member?: string }, metrics: MetricTable): string {
  const s = metrics.get(v.$ref);
  if (!s) return "";
  if (v.member === "win_rate" && s.wins !== undefined) return ` [W${s.wins}/T${s.ties}/L${s.losses} of ${s.n}${s.p_value !== undefined ? `, p ${fmtP(s.p_value)}` : ""}]`;
  if (v.member === "accuracy" && s.baseline !== undefined && s.n !== undefined) return ` [of ${s.n}; baseline ${fmtNum(s.baseline)}]`;
  // a pair accuracy beside chance and what response length alone orders (figures38 #4)
  const byLength = (b: number | undefined) => (b === undefined ? "" : `, length alone ${fmtNum(b)}`);
  if (v.member === "accuracy" && s.length_baseline !== undefined) return ` [chance 0.5${byLength(s.length_baseline)}]`;
  if (v.member === "style_accuracy") return ` [${s.style_pairs !== undefined ? `of ${s.style_pairs} pairs; ` : ""}chance 0.5${byLength(s.style_length_baseline)}]`;
  if (v.member === "correctness_accuracy") return ` [${s.correctness_pairs !== undefined ? `of ${s.correctness_pairs} pairs; ` : ""}chance 0.5${byLength(s.correctness_length_baseline)}]`;
  if (v.member === "heldout_accuracy") return ` [chance 0.5${s.heldout_accuracy_before !== undefined ? `, before ${fmtNum(s.heldout_accuracy_before)}` : ""}${byLength(s.heldout_accuracy_length_baseline)}]`;
  if (v.member === "greedy_rule_win_rate" && s.greedy_rule_wins !== undefined) return ` [probe of its training prompts: W${s.greedy_rule_wins}/T${s.greedy_rule_ties}/L${s.greedy_rule_losses}, p ${fmtP(s.greedy_rule_p_value)}]`;
  // `loss` names two figures: a stage's mean over its last training batches, an lm_loss eval's held-out nats/token (figures38 #8)
  if (v.member === "loss" && s.steps !== undefined) return " [its training batches' mean over the last tenth of the steps: not held out]";
  if (v.member === "loss" && s.n !== undefined) return ` [nats/token on ${s.n} sequences${s.baseline !== undefined ? `; best constant distribution ${fmtNum(s.baseline)}` : ""}]`;
  // PPO's other probe figures (its greedy answers' reward and scores, before and after) read the same training prompts
  if (v.member?.startsWith("greedy_")) return " [probe of its own training prompts: not held out]";
  if (v.member === "versus_accuracy" && s.versus_wins !== undefined) return ` [only the eval's model right on ${s.versus_wins}, only the other on ${s.versus_losses}, p ${fmtP(s.versus_p_value)}]`;
  return "";
}

/** A side: its value plus or minus its terms; `shown` names each metric with its value; `magnitude`
 * sums the terms' absolute values and `terms` counts them, which bound the rounding of the sum. */
function resolveSide(v: IRValue, terms: readonly IRTerm[] | undefined, metrics: MetricTable): { value: number | null; missing?: string; shown: string; magnitude: number; terms: number } {
  const parts = [{ op: "+" as const, value: v }, ...(terms ?? [])];
  let total = 0;
  let magnitude = 0;
  const shown: string[] = [];
  for (const [i, t] of parts.entries()) {
    const r = resolveValue(t.value, metrics);
    if (r.value === null) return { value: null, missing: r.missing, shown: "", magnitude: 0, terms: 0 };
    total += t.op === "-" ? -r.value : r.value;
    magnitude += Math.abs(r.value);
    shown.push(`${i > 0 ? `${t.op} ` : ""}${isRef(t.value) ? `${describe(t.value)} = ${fmtNum(r.value)}${countsOf(t.value, metrics)}` : fmtNum(r.value)}`);
  }
  // with terms, the sum the comparison used is shown too; a sum past a double's range is no figure to
  // compare (1e308 + 1e308 passed as Infinity, shown "= -"; hunt38)
  if (!Number.isFinite(total)) return { value: null, missing: `${shown.join(" ")} overflows a double's range (${total}): no figure to compare`, shown: "", magnitude: 0, terms: 0 };
  return { value: total, shown: parts.length > 1 ? `(${shown.join(" ")}) = ${fmtNum(total)}` : shown[0]!, magnitude, terms: parts.length };
}

/** Two sides that differ by no more than their sums' rounding are equal: `x >= 0.1 + 0.2` with x =
 * 0.3 failed, the right side being 0.30000000000000004 (figures38 #9). Each addition rounds by at most
 * half an ulp of its result, so n terms stay within n · ε · Σ|terms| of the exact sum. A side without
 * terms is the metric or the literal as it is, compared exactly. */
function equalToRounding(l: { value: number; magnitude: number; terms: number }, r: { value: number; magnitude: number; terms: number }): boolean {
  if (l.terms + r.terms <= 2) return false;
  const bound = Number.EPSILON * (l.terms + r.terms) * (l.magnitude + r.magnitude);
  return Math.abs(l.value - r.value) <= bound;
}

export function evaluateCondition(c: IRCondition, metrics: MetricTable): ExpectationRecord {
  const l = resolveSide(c.left, c.leftTerms, metrics);
  const r = resolveSide(c.right, c.rightTerms, metrics);
  if (l.value === null || r.value === null) {
    return { text: c.text, ok: false, left: l.value, right: r.value, message: `${c.text}: ${l.missing ?? r.missing}` };
  }
  const rounding = equalToRounding({ ...l, value: l.value }, { ...r, value: r.value });
  const ok = rounding ? compare(0, c.op, 0) : compare(l.value, c.op, r.value);
  const shown = `${l.shown} ${c.op} ${r.shown}${rounding && l.value !== r.value ? ", equal but for the sums' rounding" : ""}`;
  return { text: c.text, ok, left: l.value, right: r.value, message: `${ok ? "ok" : "FAILED"}: ${c.text}  (${shown})` };
}

/** Conditions whose blocks have all finished (in `done`) and that were not evaluated yet. */
export function readyConditions(conds: readonly IRCondition[], done: ReadonlySet<string>, evaluated: ReadonlySet<IRCondition>): IRCondition[] {
  return conds.filter((c) => !evaluated.has(c) && conditionBlocks(c).every((b) => done.has(b)));
}
