// `alignc diff RUN_A RUN_B` pairs each rule-judged win rate's answers prompt by prompt (right only in A,
// only in B, both, neither; a sign test), where two win rates against one baseline say nothing of which
// prompts flipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { pairedAnswers } from "../../src/run/evaluation/paired-answers.js";
import { signTest } from "../../src/run/evaluation/stats.js";
import type { SampleRow } from "../../src/run/storage/rundir.js";

const row = (prompt: string, text: string, reference: string, extra: Partial<SampleRow> = {}): SampleRow => ({ eval: "rule_judge", judge: "rule", prompt, a: { model: "policy", text }, b: { model: "sft", text: "x" }, winner: "tie", reference, ...extra });

test("answers are paired by prompt and reference, a repeated prompt by its occurrence; the preamble counts right; other evals and judges are left out", () => {
  const a = [row("2+2?", "4", "4"), row("3+3?", "Sure! Here is 6", "6"), row("1+1?", "3", "2"), row("1+1?", "2", "2"), row("only in A", "y", "y"), row("p", "q", "q", { eval: "judge", judge: "rm" })];
  const b = [row("2+2?", "5", "4"), row("3+3?", "6", "6"), row("1+1?", "2", "2"), row("1+1?", "2", "2"), row("p", "q", "q", { eval: "judge", judge: "rm" })];
  const [p, ...rest] = pairedAnswers(a, b);
  assert.equal(rest.length, 0, "the RM-judged eval is not paired: the rule is not its judge");
  assert.deepEqual(p, { eval: "rule_judge", model_a: "policy", model_b: "policy", only_a: 1, only_b: 1, both: 2, neither: 0, unmatched: 1, p_value: 1 });
});

test("for any answers right or wrong on shared prompts, the counts add up to the prompts and the p-value is the sign test's", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 60 }), (flags) => {
      const a = flags.map(([ra], i) => row(`q${i}`, ra ? "yes" : "no", "yes"));
      const b = flags.map(([, rb], i) => row(`q${i}`, rb ? "yes" : "no", "yes"));
      const p = pairedAnswers(a, b)[0];
      if (!flags.length) return p === undefined;
      const onlyA = flags.filter(([x, y]) => x && !y).length;
      const onlyB = flags.filter(([x, y]) => !x && y).length;
      return p!.only_a === onlyA && p!.only_b === onlyB && p!.only_a + p!.only_b + p!.both + p!.neither === flags.length && p!.p_value === signTest(onlyA, onlyB) && p!.unmatched === 0;
    }),
  );
});

test("the paired rows are what `alignc schema diff` says diff --json holds", async () => {
  const { newAjv } = await import("../../src/check/schema-table.js");
  const { DIFF_SCHEMA } = await import("../../src/plan/schema.js");
  const validate = newAjv().compile((DIFF_SCHEMA as unknown as { properties: { metrics: { properties: { paired: object } } } }).properties.metrics.properties.paired);
  const paired = pairedAnswers([row("q", "a", "a")], [row("q", "b", "a")]);
  assert.ok(validate(paired), JSON.stringify(validate.errors));
  assert.ok(!validate([{ ...paired[0], extra: 1 }]), "no field the schema does not name");
});
