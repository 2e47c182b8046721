import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { accuracyMetrics, baselineAnswer, rmAccuracyMetrics, ruleCorrect, ruleCountsByTask, ruleJudgeCounts, ruleReference, taskLabelsOf, tasksIn, winRateByTask } from "../../src/run/evaluation/eval-metrics.js";
import { ruleOutcome } from "../../src/data/demo/rule.js";
import { PREAMBLE } from "../../src/data/demo/generate.js";

test("accuracy is reported beside the best constant answer, pooled and per task", () => {
  const items = [
    { task: "sentiment", response: "negative", answer: "negative" },
    { task: "sentiment", response: "negative", answer: "positive" },
    { task: "sentiment", response: "positive", answer: "negative" },
    { task: "addition", response: "7", answer: "7" },
  ];
  const m = accuracyMetrics(items);
  assert.equal(m.accuracy, 0.5);
  assert.equal(m.baseline, 0.75, "each task's own constant: `negative` right on 2 of 3 sentiment examples, `7` on the addition one");
  assert.equal(m.n, 4);
  assert.equal(m["accuracy/sentiment"], 1 / 3);
  assert.equal(m["baseline/sentiment"], 2 / 3);
  assert.equal(m["n/sentiment"], 3);
  assert.equal(m["accuracy/addition"], 1);
  assert.equal(m["baseline/addition"], 1);
  assert.equal(baselineAnswer(items), '"7" (addition), "negative" (sentiment)');
  assert.equal(baselineAnswer(items.slice(0, 3)), '"negative"');
});

test("copies of one example count once in the paired test (a copy repeats its outcome), every copy in the accuracy", () => {
  // 3 copies of one prompt the model gets right and the constant ("no", 4 of 7) wrong
  const copy = { task: "s", response: "yes", answer: "yes", prompt: "Is it good?" };
  const nos = ["Bad?", "Awful?", "Poor?", "Dull?"].map((prompt) => ({ task: "s", response: "no", answer: "no", prompt }));
  const items = [copy, copy, copy, ...nos];
  const m = accuracyMetrics(items);
  assert.equal(m.accuracy, 1);
  assert.equal(m.baseline, 4 / 7);
  assert.equal(m.vs_baseline_wins, 1, "three copies, one example");
  assert.equal(m.vs_baseline_losses, 0);
  // without prompts every item counts: the same items claim 3 wins
  assert.equal(accuracyMetrics(items.map(({ prompt: _, ...x }) => x)).vs_baseline_wins, 3);
  // the same prompt with another target is another example
  assert.equal(accuracyMetrics([copy, { ...copy, response: "maybe", answer: "maybe" }, ...nos]).vs_baseline_wins, 2);
});

test("the baseline answers each task's own constant: one constant for all tasks would be a weaker bar", () => {
  // one answer for all six examples is right on 2 at most; each task's constant on 4
  const items = ["x", "x", "y"].map((response) => ({ task: "a", response, answer: "?" })).concat(["z", "z", "w"].map((response) => ({ task: "b", response, answer: "?" })));
  assert.equal(accuracyMetrics(items).baseline, 4 / 6);
});

test("among equally frequent constants the paired test takes the one the model gets wrong most often", () => {
  // 2 "negative" and 2 "positive" targets; the model is wrong on one "positive" only. With "negative"
  // (first by text) it would win 1 vs 0; with "positive" 2 vs 1, the same difference on more discordant
  // examples: the larger p-value, never a tie-break in the model's favour
  const items = [
    { task: "s", response: "negative", answer: "negative" },
    { task: "s", response: "negative", answer: "negative" },
    { task: "s", response: "positive", answer: "positive" },
    { task: "s", response: "positive", answer: "negative" },
  ];
  const m = accuracyMetrics(items);
  assert.equal(baselineAnswer(items), '"positive"');
  assert.equal(m.baseline, 0.5);
  assert.deepEqual([m.vs_baseline_wins, m.vs_baseline_losses], [2, 1]);
});

test("a model that answers the majority label always scores exactly the baseline", () => {
  const items = ["negative", "negative", "positive", "negative", "positive"].map((response) => ({ task: "s", response, answer: "negative" }));
  const m = accuracyMetrics(items);
  assert.equal(m.accuracy, m.baseline);
});

test("rm accuracy weights groups as training does and isolates the pairs that differ in correctness", () => {
  // group 1: 3 pairs, all right; the correct-vs-wrong pairs are (0,2) and (1,2)
  const g1 = { responses: ["7", `${PREAMBLE}7`, "8"], pairs: [[0, 1], [0, 2], [1, 2]] as [number, number][], reference: "7", scores: [3, 2, 1] };
  // group 2: 1 pair, wrong, between two correct answers (style only)
  const g2 = { responses: ["5", `${PREAMBLE}5`], pairs: [[0, 1]] as [number, number][], reference: "5", scores: [0, 1] };
  const m = rmAccuracyMetrics([g1, g2]);
  assert.equal(m.accuracy, (1 + 0) / 2, "each group counts once");
  assert.equal(m.pooled_accuracy, 3 / 4);
  assert.equal(m.pairs, 4);
  assert.equal(m.groups, 2);
  assert.equal(m.correctness_pairs, 2);
  assert.equal(m.correctness_accuracy, 1);
  // a style-only RM (prefers the preamble) loses the pair where the preamble carries a wrong answer
  const styleOnly = rmAccuracyMetrics([{ responses: ["7", `${PREAMBLE}8`], pairs: [[0, 1]], reference: "7", scores: [0, 1] }]);
  assert.equal(styleOnly.correctness_accuracy, 0);
});

// the style pairs are what PPO's style win needs its reward model to order (styleS40: the quickstart's RM
// orders "7" above "Sure! Here is 7" at chance on addition): reported apart, beside what length alone does
test("rm accuracy isolates the style pairs: one right answer, concise against after the preamble; a wrong answer with and without it is no style pair", () => {
  const g1 = { responses: ["7", `${PREAMBLE}7`, "8", `${PREAMBLE}8`], pairs: [[0, 1], [0, 2], [1, 3], [2, 3]] as [number, number][], reference: "7", scores: [1, 2, 0, 0], task: "addition" };
  const g2 = { responses: ["positive", `${PREAMBLE}positive`], pairs: [[0, 1]] as [number, number][], reference: "positive", scores: [2, 1], task: "sentiment" };
  const m = rmAccuracyMetrics([g1, g2]);
  assert.equal(m.style_pairs, 2, "(0,1) of g1 and g2's pair; (2,3) both wrong, (0,2) and (1,3) correctness");
  assert.equal(m.style_accuracy, 1 / 2);
  assert.equal(m.correctness_pairs, 2);
  assert.equal(m.style_length_baseline, 1, "shorter alone orders every style pair");
  assert.deepEqual([m["style_accuracy/addition"], m["style_pairs/addition"], m["style_accuracy/sentiment"], m["style_pairs/sentiment"]], [0, 1, 1, 1]);
  // a reference written with the preamble means its concise answer (reviewR40 M1)
  const written = rmAccuracyMetrics([{ responses: ["7", `${PREAMBLE}7`, "8"], pairs: [[0, 1], [0, 2]], reference: `${PREAMBLE}7`, scores: [2, 1, 0] }]);
  assert.deepEqual([written.style_pairs, written.style_accuracy, written.correctness_pairs, written.correctness_accuracy], [1, 1, 1, 1]);
  const none = rmAccuracyMetrics([{ responses: ["7", "8"], pairs: [[0, 1]], reference: "7", scores: [1, 0] }]);
  assert.deepEqual([none.style_pairs, "style_accuracy" in none], [0, false], "no style pair: no style figure (not a made-up 0)");
});

test("rm accuracy beside its content-blind baseline: the better of 'prefer the shorter' and 'prefer the longer', on all pairs and on the correctness pairs", () => {
  // g1: the preferred response is the shortest in every pair; g2: the preferred one is the longer
  const g1 = { responses: ["7", `${PREAMBLE}7`, "18"], pairs: [[0, 1], [0, 2], [1, 2]] as [number, number][], reference: "7", scores: [0, 0, 0] };
  const g2 = { responses: ["x", `${PREAMBLE}5`], pairs: [[1, 0]] as [number, number][], reference: "5", scores: [0, 0] };
  const m = rmAccuracyMetrics([g1, g2]);
  assert.equal(m.accuracy, 0.5, "a constant scorer: every pair a tie, chance");
  // shorter: g1 pairs (0,1) right, (0,2) right, (1,2) wrong → 2/3; g2 wrong → 0: (2/3 + 0) / 2 = 1/3
  // longer: g1 1/3, g2 1: (1/3 + 1) / 2 = 2/3
  assert.equal(m.length_baseline, 2 / 3);
  // correctness pairs: (0,2) "7" vs "18" (shorter right), (1,2) (longer right), g2's (1,0) (longer right)
  assert.equal(m.correctness_length_baseline, 2 / 3);
  // equal lengths tie: ½, as a constant scorer
  assert.equal(rmAccuracyMetrics([{ responses: ["ab", "cd"], pairs: [[0, 1]], scores: [1, 0] }]).length_baseline, 0.5);
  assert.equal(rmAccuracyMetrics([{ responses: ["ab", "cd"], pairs: [[0, 1]], scores: [1, 0] }]).correctness_length_baseline, undefined, "no reference: no correctness figure");
});

test("rm accuracy per task: each task's groups measured alone, when the groups name more than one task", () => {
  const g1 = { responses: ["7", `${PREAMBLE}7`, "8"], pairs: [[0, 1], [0, 2], [1, 2]] as [number, number][], reference: "7", scores: [3, 2, 1], task: "addition" };
  const g2 = { responses: ["positive", "negative"], pairs: [[0, 1]] as [number, number][], reference: "positive", scores: [0, 1], task: "sentiment" };
  const m = rmAccuracyMetrics([g1, g2]);
  assert.equal(m.accuracy, 0.5, "pooled figures as before");
  assert.deepEqual(
    Object.fromEntries(Object.entries(m).filter(([k]) => k.includes("/"))),
    {
      "accuracy/addition": 1,
      "pairs/addition": 3,
      "correctness_pairs/addition": 2,
      "correctness_accuracy/addition": 1,
      "style_pairs/addition": 1,
      "style_accuracy/addition": 1,
      // each task beside what length alone orders of its own pairs (by hand: shorter-first orders "7" over
      // its preamble form, ties "7"/"8", puts the preamble form below "8"; longer-first the other way)
      "length_baseline/addition": 0.5,
      "correctness_length_baseline/addition": 0.75,
      "style_length_baseline/addition": 1,
      "accuracy/sentiment": 0,
      "pairs/sentiment": 1,
      "correctness_pairs/sentiment": 1,
      "correctness_accuracy/sentiment": 0,
      "style_pairs/sentiment": 0,
      "length_baseline/sentiment": 0.5,
      "correctness_length_baseline/sentiment": 0.5,
    },
  );
  assert.deepEqual(tasksIn(m, "pairs"), ["addition", "sentiment"]);
  assert.equal(Object.keys(rmAccuracyMetrics([g1])).some((k) => k.includes("/")), false, "one task: nothing per task");
  const { task: _, ...untagged } = g2;
  assert.equal(Object.keys(rmAccuracyMetrics([g1, untagged])).some((k) => k.includes("/")), false, "one named task beside untagged groups: nothing per task (it would read as the whole)");
});

test("a reward model that scores every response alike is at chance (ties ½), not 0", () => {
  const g = { responses: ["7", `${PREAMBLE}7`, "8", "qxz"], pairs: [[0, 1], [0, 2], [1, 2], [2, 3]] as [number, number][], reference: "7", scores: [0.3, 0.3, 0.3, 0.3] };
  const m = rmAccuracyMetrics([g]);
  // before: a tie counted as a wrong order, so a constant scorer read 0 and "beat" nothing
  assert.equal(m.accuracy, 0.5);
  assert.equal(m.pooled_accuracy, 0.5);
  assert.equal(m.correctness_accuracy, 0.5);
});

test("without reference answers there is no correctness accuracy (not a made-up 0)", () => {
  const m = rmAccuracyMetrics([{ responses: ["a", "b"], pairs: [[0, 1]], scores: [1, 0] }]);
  assert.equal(m.correctness_pairs, 0);
  assert.equal("correctness_accuracy" in m, false);
});

test("the rule's reference answer drops the preamble of a demonstration", () => {
  assert.equal(ruleReference(`${PREAMBLE}7`), "7");
  assert.equal(ruleReference(" 7 "), "7");
  assert.equal(ruleReference("Sure thing"), "Sure thing");
});

test("accuracy is paired with the constant answer: wins, losses and an exact sign test on the examples where they differ", () => {
  // constants "negative" for s (3 of 4) and "7" for t: 4 of 5; the model is right on 4: both right on 3,
  // only the model on 1 ("positive"), only the constant on 1
  const items = [
    { task: "s", response: "negative", answer: "negative" },
    { task: "s", response: "negative", answer: "negative" },
    { task: "s", response: "negative", answer: "positive" },
    { task: "s", response: "positive", answer: "positive" },
    { task: "t", response: "7", answer: "7" },
  ];
  const m = accuracyMetrics(items);
  assert.equal(m.accuracy, 4 / 5);
  assert.equal(m.baseline, 4 / 5);
  assert.equal(m.vs_baseline_wins, 1);
  assert.equal(m.vs_baseline_losses, 1);
  assert.equal(m.vs_baseline_p_value, 1, "1 vs 1 is no evidence");
  // a model that answers each task's constant: no discordant example, p 1
  const same = accuracyMetrics(items.map((x) => ({ ...x, answer: x.task === "s" ? "negative" : "7" })));
  assert.deepEqual([same.vs_baseline_wins, same.vs_baseline_losses, same.vs_baseline_p_value], [0, 0, 1]);
  // 12 wins, 0 losses: p = 2 / 2^12
  const strong = accuracyMetrics(Array.from({ length: 24 }, (_, i) => ({ task: "s", response: i < 12 ? "a" : `b${i}`, answer: i < 12 ? "a" : `b${i}` })));
  assert.equal(strong.vs_baseline_wins, 12);
  assert.equal(strong.vs_baseline_losses, 0);
  assert.ok(Math.abs(strong.vs_baseline_p_value! - 2 / 4096) < 1e-12);
});

test("the rule judge's counts: wins and losses by what decided them, ties both right or both wrong", () => {
  const pairs = [
    { a: "7", b: `${PREAMBLE}7`, answer: "7" }, // style win
    { a: "8", b: "7", answer: "7" }, // correctness loss
    { a: "7", b: "7", answer: "7" }, // tie, both right
    { a: `${PREAMBLE}7`, b: `${PREAMBLE}7`, answer: "7" }, // tie, both right (the same way)
    { a: "6", b: "8", answer: "7" }, // tie, both wrong
    { a: "6", b: "qxz", answer: "7" }, // form win
  ];
  const m = ruleJudgeCounts(pairs, pairs.map((p) => ruleOutcome(p.a, p.b, p.answer)));
  assert.deepEqual(m, { style_wins: 1, style_losses: 0, correctness_wins: 0, correctness_losses: 1, form_wins: 1, form_losses: 0, ties_both_right: 2, ties_both_wrong: 1, right_a: 3, right_b: 4, preamble_a: 1, preamble_b: 2, style_alone_win_rate: 0.5 + 2 / 12 });
});

test("for any rule-judged pairs, no a wins more than style_alone_win_rate over b without an answer b got wrong", () => {
  const answer = fc.constantFrom("7", "8", `${PREAMBLE}7`, `${PREAMBLE}8`, "qxz", "");
  fc.assert(
    fc.property(fc.array(fc.record({ a: answer, b: answer }), { minLength: 1, maxLength: 40 }), (xs) => {
      const pairs = xs.map((x) => ({ ...x, answer: "7" }));
      const outcomes = pairs.map((p) => ruleOutcome(p.a, p.b, p.answer));
      const m = ruleJudgeCounts(pairs, outcomes);
      const winRate = outcomes.reduce((t: number, o) => t + o, 0) / pairs.length;
      // a fixes nothing b got wrong: no correctness or form win
      const fixesNothing = m.correctness_wins === 0 && m.form_wins === 0;
      // and the a that only drops b's preambles reaches the bound exactly
      const dropped = pairs.map((p) => ({ ...p, a: p.b.startsWith(PREAMBLE) && ruleCorrect(p.b, p.answer) ? p.b.slice(PREAMBLE.length) : p.b }));
      const reach = dropped.map((p) => ruleOutcome(p.a, p.b, p.answer)).reduce((t: number, o) => t + o, 0) / pairs.length;
      return (!fixesNothing || winRate <= m.style_alone_win_rate! + 1e-12) && Math.abs(reach - m.style_alone_win_rate!) < 1e-12;
    }),
  );
});

test("for any rule-judged pairs, the decided counts add up to the wins and losses and the two kinds of tie to the ties", () => {
  const answer = fc.constantFrom("7", "8", `${PREAMBLE}7`, `${PREAMBLE}8`, "qxz", "");
  fc.assert(
    fc.property(fc.array(fc.record({ a: answer, b: answer }), { maxLength: 40 }), (xs) => {
      const pairs = xs.map((x) => ({ ...x, answer: "7" }));
      const outcomes = pairs.map((p) => ruleOutcome(p.a, p.b, p.answer));
      const m = ruleJudgeCounts(pairs, outcomes);
      const count = (o: number) => outcomes.filter((x) => x === o).length;
      return m.style_wins! + m.correctness_wins! + m.form_wins! === count(1) && m.style_losses! + m.correctness_losses! + m.form_losses! === count(0) && m.ties_both_right! + m.ties_both_wrong! === count(0.5);
    }),
  );
});

test("win rates are counted per task when the prompts name more than one; one task (or none) adds nothing", () => {
  const m = winRateByTask(["sentiment", "addition", "sentiment", "addition", "sentiment"], [1, 0.5, 0, 1, 0.5]);
  assert.deepEqual(m, { "wins/addition": 1, "ties/addition": 1, "losses/addition": 0, "wins/sentiment": 1, "ties/sentiment": 1, "losses/sentiment": 1 });
  assert.deepEqual(tasksIn({ win_rate: 0.5, ...m }, "wins"), ["addition", "sentiment"]);
  assert.deepEqual(winRateByTask(["addition", "addition"], [1, 0]), {});
  assert.deepEqual(winRateByTask([undefined, undefined], [1, 0]), {});
  assert.deepEqual(winRateByTask(["addition", undefined, "addition"], [1, 0, 1]), {}, "one task and untagged prompts: no breakdown that reads as the whole");
});

test("for any rule-judged pairs on two or more tasks, the correctness and style wins and losses and b's answers after the preamble per task add up to the totals; one task adds nothing", () => {
  const answer = fc.constantFrom("7", "8", `${PREAMBLE}7`, `${PREAMBLE}8`, "qxz", "");
  fc.assert(
    fc.property(fc.array(fc.record({ a: answer, b: answer, task: fc.constantFrom("addition", "sentiment", "closed_qa") }), { maxLength: 40 }), (xs) => {
      const pairs = xs.map((x) => ({ a: x.a, b: x.b, answer: "7" }));
      const tasks = xs.map((x) => x.task);
      const outcomes = pairs.map((p) => ruleOutcome(p.a, p.b, p.answer));
      const total = ruleJudgeCounts(pairs, outcomes);
      const per = ruleCountsByTask(tasks, pairs, outcomes);
      if (new Set(tasks).size < 2) return Object.keys(per).length === 0;
      const sum = (kind: string) => [...new Set(tasks)].reduce((t, k) => t + per[`correctness_${kind}/${k}`]!, 0);
      const add = (key: string) => [...new Set(tasks)].reduce((t, k) => t + per[`${key}/${k}`]!, 0);
      return sum("wins") === total.correctness_wins && sum("losses") === total.correctness_losses && add("style_wins") === total.style_wins && add("style_losses") === total.style_losses && add("preamble_b") === total.preamble_b;
    }),
  );
  // one fixed sum, one broken sentiment answer, one style win: counted where they happened
  const m = ruleCountsByTask(["addition", "sentiment", "addition"], [{ a: "7", b: "8", answer: "7" }, { a: "negative", b: "positive", answer: "positive" }, { a: "7", b: `${PREAMBLE}7`, answer: "7" }], [1, 0, 1]);
  assert.deepEqual(m, { "correctness_wins/addition": 1, "correctness_losses/addition": 0, "style_wins/addition": 1, "style_losses/addition": 0, "preamble_b/addition": 1, "correctness_wins/sentiment": 0, "correctness_losses/sentiment": 1, "style_wins/sentiment": 0, "style_losses/sentiment": 0, "preamble_b/sentiment": 0 });
});

test("per-task win rates group as accuracy does: a FLAN block and rows tagged with its name are two tasks, whatever the block is called (reviewR41 M1)", () => {
  const flan = (source: string) => ({ source, task: source, template: "t1" });
  const tagged = { source: "prefs", task: "addition" };
  const outcomes = [1, 1, 0, 0.5];
  const counts = (block: string) => winRateByTask(taskLabelsOf([flan(block), flan(block), tagged, tagged]), outcomes);
  assert.deepEqual(counts("addition"), { "wins/addition": 2, "ties/addition": 0, "losses/addition": 0, "wins/addition~2": 0, "ties/addition~2": 1, "losses/addition~2": 1 });
  // renamed, the same two groups with the same counts (they were one group of four under one name)
  assert.deepEqual(counts("addz"), { "wins/addz": 2, "ties/addz": 0, "losses/addz": 0, "wins/addition": 0, "ties/addition": 1, "losses/addition": 1 });
  // untagged prompts stay out of the breakdown
  assert.deepEqual(taskLabelsOf([{ source: "p" }, tagged]), [undefined, "addition"]);
});
