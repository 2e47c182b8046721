import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { IRCondition } from "../../src/check/ir.js";
import type { CompareOp } from "../../src/lang/ast.js";
import { conditionBlocks, evaluateCondition, readyConditions, type MetricTable } from "../../src/run/evaluation/expect.js";
import { meanDiff, winRate, wilson } from "../../src/run/evaluation/stats.js";
import { fmtP } from "../../src/run/presentation/format.js";

const span = { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 };
const cond = (left: IRCondition["left"], op: CompareOp, right: IRCondition["right"], text: string): IRCondition => ({ left, op, right, span, text });

test("conditions compare metrics with constants and with each other", () => {
  const metrics: MetricTable = new Map<string, Record<string, number>>([
    ["rm_acc", { accuracy: 0.72 }],
    ["policy", { reward: 1.5 }],
    ["sft", { reward: 0.5 }],
  ]);
  const a = evaluateCondition(cond({ $ref: "rm_acc", member: "accuracy" }, ">=", 0.6, "rm_acc.accuracy >= 0.6"), metrics);
  assert.equal(a.ok, true);
  assert.equal(a.left, 0.72);
  const b = evaluateCondition(cond({ $ref: "policy", member: "reward" }, "<", { $ref: "sft", member: "reward" }, "policy.reward < sft.reward"), metrics);
  assert.equal(b.ok, false);
  assert.match(b.message, /FAILED.*policy\.reward = 1\.5 < sft\.reward = 0\.5/);
});

test("a gate on a win rate or an accuracy shows its counts beside the figure, never the figure bare", () => {
  const metrics: MetricTable = new Map<string, Record<string, number>>([
    ["rule_judge", { win_rate: 0.5433, wins: 54, ties: 218, losses: 28, n: 300, p_value: 0.0054 }],
    ["zs", { accuracy: 0.3125, baseline: 0.3333, n: 48 }],
  ]);
  const w = evaluateCondition(cond({ $ref: "rule_judge", member: "win_rate" }, ">=", 0.6, "rule_judge.win_rate >= 0.6"), metrics);
  assert.match(w.message, /^FAILED: rule_judge\.win_rate >= 0\.6 {2}\(rule_judge\.win_rate = 0\.5433 \[W54\/T218\/L28 of 300, p 0\.0054\] >= 0\.6\)$/);
  const a = evaluateCondition(cond({ $ref: "zs", member: "accuracy" }, ">", { $ref: "zs", member: "baseline" }, "zs.accuracy > zs.baseline"), metrics);
  assert.match(a.message, /zs\.accuracy = 0\.3125 \[of 48; baseline 0\.3333\] > zs\.baseline = 0\.3333/);
});

test("a gate on a pair accuracy, a probe's win rate or a versus accuracy shows its chance, baselines and counts, never the figure bare (figures38 #4)", () => {
  const metrics: MetricTable = new Map<string, Record<string, number>>([
    ["rm_acc", { accuracy: 0.9, length_baseline: 0.55, correctness_accuracy: 0.7071, correctness_pairs: 99, correctness_length_baseline: 0.5929 }],
    ["policy", { greedy_rule_win_rate: 0.51, greedy_rule_wins: 9, greedy_rule_ties: 50, greedy_rule_losses: 5, greedy_rule_p_value: 0.42 }],
  ]);
  const show = (ref: string, member: string) => evaluateCondition(cond({ $ref: ref, member }, ">=", 0.5, `${ref}.${member} >= 0.5`), metrics).message;
  assert.match(show("rm_acc", "correctness_accuracy"), /rm_acc\.correctness_accuracy = 0\.7071 \[of 99 pairs; chance 0\.5, length alone 0\.5929\] >= 0\.5/);
  assert.match(show("rm_acc", "accuracy"), /= 0\.9 \[chance 0\.5, length alone 0\.55\]/);
  assert.match(show("policy", "greedy_rule_win_rate"), /= 0\.51 \[probe of its training prompts: W9\/T50\/L5, p 0\.42\]/);
});

test("a p-value is never rounded across a threshold a gate reads (0.0498 was printed 0.050; figures38 #9)", () => {
  assert.equal(fmtP(0.04982), "0.0498");
  assert.equal(fmtP(0.009971), "0.00997");
  assert.equal(fmtP(4.33e-12), "4.3e-12");
  assert.equal(fmtP(1), "1");
});

test("a metric that was not produced fails the condition and says which", () => {
  const metrics: MetricTable = new Map([["rm_acc", { loss: 0.3 }]]);
  const r = evaluateCondition(cond({ $ref: "rm_acc", member: "accuracy" }, ">=", 0.6, "rm_acc.accuracy >= 0.6"), metrics);
  assert.equal(r.ok, false);
  assert.match(r.message, /no metric `accuracy` \(it has: loss\)/);
  const s = evaluateCondition(cond({ $ref: "judge", member: "win_rate" }, ">=", 0.5, "judge.win_rate >= 0.5"), metrics);
  assert.match(s.message, /judge did not run/);
});

test("a condition is ready once every block it names is done", () => {
  const c1 = cond({ $ref: "a", member: "x" }, ">", { $ref: "b", member: "y" }, "a.x > b.y");
  const c2 = cond({ $ref: "a", member: "x" }, ">", 1, "a.x > 1");
  assert.deepEqual(conditionBlocks(c1), ["a", "b"]);
  assert.deepEqual(readyConditions([c1, c2], new Set(["a"]), new Set()), [c2]);
  assert.deepEqual(readyConditions([c1, c2], new Set(["a", "b"]), new Set([c2])), [c1]);
});

test("for any comparison of two finite numbers, the condition agrees with JavaScript's operator (a side past a double's range fails: below)", () => {
  const ops: CompareOp[] = ["<", "<=", ">", ">=", "==", "!="];
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...ops), fc.double({ noNaN: true, noDefaultInfinity: true }), (l, op, r) => {
      const res = evaluateCondition(cond({ $ref: "m", member: "v" }, op, r, `m.v ${op} ${r}`), new Map([["m", { v: l }]]));
      const expected = { "<": l < r, "<=": l <= r, ">": l > r, ">=": l >= r, "==": l === r, "!=": l !== r }[op];
      return res.ok === expected;
    }),
  );
});

test("win rate: ties count half; for any outcomes, the Wilson interval contains the rate and stays in [0, 1]", () => {
  const w = winRate([1, 1, 0, 0.5]);
  assert.deepEqual([w.wins, w.losses, w.ties, w.win_rate], [2, 1, 1, 0.625]);
  fc.assert(
    fc.property(fc.array(fc.constantFrom(0, 0.5, 1), { minLength: 1, maxLength: 500 }), (os) => {
      const r = winRate(os);
      return r.ci_low >= 0 && r.ci_high <= 1 && r.ci_low <= r.win_rate + 1e-12 && r.win_rate <= r.ci_high + 1e-12;
    }),
  );
  // n = 300 at p = 0.5 gives about ±0.056 (DESIGN: evaluate on ≥ 300 prompts)
  const [lo, hi] = wilson(150, 300);
  assert.ok(Math.abs(hi - lo - 0.112) < 0.002, `${lo} ${hi}`);
});

test("score gain: for any paired differences, the interval contains the mean and narrows as n grows", () => {
  const d = meanDiff([1, 2, 3, 4]);
  assert.equal(d.mean, 2.5);
  // sd 1.291, t(3 df) 3.182 · 1.291 / 2 = 2.054 (z's 1.96 gave 1.265: a 0.83 interval at n = 4)
  assert.ok(Math.abs(d.ci_high - d.ci_low - 2 * 2.0540) < 1e-3, `${d.ci_low} ${d.ci_high}`);
  fc.assert(
    fc.property(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 200 }), (xs) => {
      const r = meanDiff(xs);
      const four = meanDiff([...xs, ...xs, ...xs, ...xs]);
      return r.ci_low <= r.mean + 1e-9 && r.mean <= r.ci_high + 1e-9 && four.ci_high - four.ci_low <= r.ci_high - r.ci_low + 1e-9;
    }),
  );
});

test("a side adds and subtracts terms: accuracy against its baseline plus a margin", () => {
  const metrics: MetricTable = new Map([["after", { accuracy: 0.62, baseline: 0.4 }]]);
  const c: IRCondition = { ...cond({ $ref: "after", member: "accuracy" }, ">=", { $ref: "after", member: "baseline" }, "after.accuracy >= after.baseline + 0.2"), rightTerms: [{ op: "+", value: 0.2 }] };
  const ok = evaluateCondition(c, metrics);
  assert.equal(ok.ok, true);
  assert.ok(Math.abs(ok.right! - 0.6) < 1e-12);
  assert.match(ok.message, /after\.accuracy = 0\.62 >= \(after\.baseline = 0\.4 \+ 0\.2\) = 0\.6/);
  const fails = evaluateCondition(c, new Map([["after", { accuracy: 0.55, baseline: 0.4 }]]));
  assert.equal(fails.ok, false, "a model that only learned the answer distribution (+0.15) fails");
  const minus = evaluateCondition({ ...cond({ $ref: "after", member: "accuracy" }, ">", 0.3, "after.accuracy - after.baseline > 0.3"), leftTerms: [{ op: "-", value: { $ref: "after", member: "baseline" } }] }, metrics);
  assert.equal(minus.ok, false);
  assert.deepEqual(conditionBlocks({ ...c, rightTerms: [{ op: "+", value: { $ref: "other", member: "x" } }] }), ["after", "other"]);
  const missing = evaluateCondition({ ...c, rightTerms: [{ op: "+", value: { $ref: "after", member: "nope" } }] }, metrics);
  assert.match(missing.message, /no metric `nope`/);
  // a sum past a double's range fails, said (1e308 + 1e308 passed as Infinity, shown "= -"; hunt38)
  const huge = evaluateCondition({ ...cond({ $ref: "after", member: "accuracy" }, "<=", 1e308, "after.accuracy <= 1e308 + 1e308"), rightTerms: [{ op: "+", value: 1e308 }] }, metrics);
  assert.equal(huge.ok, false);
  assert.match(huge.message, /overflows a double's range \(Infinity\): no figure to compare/);
});

test("sides equal but for their sums' rounding compare equal: `x >= 0.1 + 0.2` with x = 0.3 holds (figures38 #9)", () => {
  const metrics: MetricTable = new Map([["m", { x: 0.3, base: 0.1 }]]);
  const sum = (op: CompareOp, text: string): IRCondition => ({ ...cond({ $ref: "m", member: "x" }, op, { $ref: "m", member: "base" }, text), rightTerms: [{ op: "+", value: 0.2 }] });
  assert.notEqual(0.1 + 0.2, 0.3, "the double sum this guards against");
  const ge = evaluateCondition(sum(">=", "m.x >= m.base + 0.2"), metrics);
  assert.equal(ge.ok, true);
  assert.match(ge.message, /equal but for the sums' rounding/);
  assert.equal(evaluateCondition(sum(">", "m.x > m.base + 0.2"), metrics).ok, false, "equal is not more");
  assert.equal(evaluateCondition(sum("==", "m.x == m.base + 0.2"), metrics).ok, true);
  // a real difference, however small against the figures, is not rounding
  assert.equal(evaluateCondition(sum(">=", "m.x >= m.base + 0.2"), new Map([["m", { x: 0.3 - 1e-9, base: 0.1 }]])).ok, false);
  // a side without terms compares exactly, as JavaScript does (the property above)
  assert.equal(evaluateCondition(cond({ $ref: "m", member: "x" }, "<", 0.30000000000000004, "m.x < 0.30000000000000004"), metrics).ok, true);
});

test("for any metrics a, b and margin c, `a >= b + c` agrees with the exact rational comparison whenever they differ by more than rounding", () => {
  // integers over a common denominator, as accuracies are: the exact answer is an integer comparison
  fc.assert(
    // a drawn next to b + c (one apart or equal), the only place rounding can decide: drawn freely, a = b + c
    // almost never came up and the property held without the fix (reviewC39 L2)
    fc.property(fc.integer({ min: -1, max: 1 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 1000 }), (near, b, c, d) => {
      const a = b + c + near;
      const c1: IRCondition = { ...cond({ $ref: "m", member: "a" }, ">=", { $ref: "m", member: "b" }, "m.a >= m.b + m.c"), rightTerms: [{ op: "+", value: { $ref: "m", member: "c" } }] };
      return evaluateCondition(c1, new Map([["m", { a: a / d, b: b / d, c: c / d }]])).ok === a >= b + c;
    }),
  );
});

test("a gate on any of PPO's probe figures says it reads its own training prompts (auditB39 #7: greedy_reward was printed bare)", () => {
  const metrics: MetricTable = new Map([["policy", { greedy_reward: 6.67, greedy_reward_before: 5.774 }]]);
  const r = evaluateCondition(cond({ $ref: "policy", member: "greedy_reward" }, ">", { $ref: "policy", member: "greedy_reward_before" }, "policy.greedy_reward > policy.greedy_reward_before"), metrics);
  assert.equal(r.ok, true);
  assert.equal(r.message, "ok: policy.greedy_reward > policy.greedy_reward_before  (policy.greedy_reward = 6.67 [probe of its own training prompts: not held out] > policy.greedy_reward_before = 5.774 [probe of its own training prompts: not held out])");
});

test("a gate on `loss` says which of its two figures it reads: a stage's training batches or an eval's held-out sequences (figures38 #8)", () => {
  const metrics: MetricTable = new Map<string, Record<string, number>>([["sft", { loss: 1.084, steps: 150 }], ["lm_sft", { loss: 0.8712, baseline: 3.238, n: 145 }]]);
  const r = evaluateCondition(cond({ $ref: "lm_sft", member: "loss" }, "<", { $ref: "sft", member: "loss" }, "lm_sft.loss < sft.loss"), metrics);
  assert.equal(r.message, "ok: lm_sft.loss < sft.loss  (lm_sft.loss = 0.8712 [nats/token on 145 sequences; best constant distribution 3.238] < sft.loss = 1.084 [its training batches' mean over the last tenth of the steps: not held out])");
});
