// `alignc diff RUN_A RUN_B`, paired part: for each rule-judged win-rate eval the two runs share, the eval's
// model's answers (side a) in A and in B on the same prompts, each right or not by the rule against the
// prompt's reference: right only in A, only in B, in both, in neither, and a sign test on the first two.
// Two policies' win rates against one baseline differ by a few prompts; whether the same prompts flipped is
// what this pairing says (a lab script did it once, not kept; README's "no alignc command gives it").
import type { SampleRow } from "../storage/rundir.js";
import { ruleCorrect } from "./eval-metrics.js";
import { signTest } from "./stats.js";

export interface PairedAnswers {
  eval: string;
  model_a: string; // side a's model in run A, and in run B (usually the same block name)
  model_b: string;
  only_a: number; // right in run A only
  only_b: number;
  both: number;
  neither: number;
  unmatched: number; // prompts one run judged and the other did not
  p_value: number; // sign test on only_a against only_b
}

/** A prompt's key within an eval: its text, reference and system, with its occurrence (prompts may repeat). */
function keyed(rows: readonly SampleRow[], evalName: string): Map<string, SampleRow> {
  const out = new Map<string, SampleRow>();
  const seen = new Map<string, number>();
  for (const r of rows) {
    if (r.eval !== evalName || r.judge !== "rule" || typeof r.reference !== "string" || !r.a) continue;
    const base = JSON.stringify([r.prompt, r.reference, r.system ?? ""]);
    const i = seen.get(base) ?? 0;
    seen.set(base, i + 1);
    out.set(`${base}#${i}`, r);
  }
  return out;
}

export function pairedAnswers(a: readonly SampleRow[], b: readonly SampleRow[]): PairedAnswers[] {
  const evals = [...new Set(a.filter((r) => r.judge === "rule").map((r) => r.eval))].filter((e) => b.some((r) => r.eval === e && r.judge === "rule")).sort();
  return evals.map((e) => {
    const ka = keyed(a, e);
    const kb = keyed(b, e);
    const counts = { only_a: 0, only_b: 0, both: 0, neither: 0 };
    for (const [k, ra] of ka) {
      const rb = kb.get(k);
      if (!rb) continue;
      const reference = ra.reference as string;
      const ok = [ruleCorrect(ra.a!.text, reference), ruleCorrect(rb.a!.text, reference)];
      counts[ok[0] && ok[1] ? "both" : ok[0] ? "only_a" : ok[1] ? "only_b" : "neither"]++;
    }
    const matched = counts.only_a + counts.only_b + counts.both + counts.neither;
    const first = (m: Map<string, SampleRow>) => [...m.values()][0]?.a?.model ?? "?";
    return { eval: e, model_a: first(ka), model_b: first(kb), ...counts, unmatched: ka.size + kb.size - 2 * matched, p_value: signTest(counts.only_a, counts.only_b) };
  });
}
