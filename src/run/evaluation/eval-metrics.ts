// The figures an eval records beside its headline number, as pure functions of the eval's outputs
// (no TensorFlow.js), so they are tested on their own:
//   accuracy     `baseline`: the accuracy of each task's best constant answer on the same examples,
//                chosen on those examples (the most any constant scores there: a bar at least as high
//                as a model that learned only each task's answer frequencies would reach), the paired
//                test against it (over distinct examples: copies count once), and per task `accuracy/<task>`,
//                `baseline/<task>`, `n/<task>`;
//   rm_accuracy  `accuracy` weighted as training weights it (every group counts once, its pairs
//                averaged: InstructGPT's −1/C(K,2) Σ), `pooled_accuracy` (every pair once), and
//                `correctness_accuracy` on the pairs whose two responses differ in correctness by
//                the rule judge (src/run/evaluation/rule-judge.ts): one is the reference answer (concise or after
//                the preamble), the other is not. Those are the pairs a style shortcut (preamble,
//                length) cannot win; `correctness_pairs` counts them (0 when the data has no
//                reference answers, and then correctness_accuracy is absent); per task (when the
//                groups name more than one) `accuracy/<task>`, `pairs/<task>`,
//                `correctness_accuracy/<task>`, `correctness_pairs/<task>`; `style_accuracy` on the
//                `style_pairs`, both responses right, one concise and one after the preamble (what
//                PPO's style win needs the reward model to order; per task `style_accuracy/<task>`,
//                `style_pairs/<task>`; shorter alone orders every one: `style_length_baseline` 1);
//                `length_baseline`, `correctness_length_baseline` and `style_length_baseline`: the same
//                figures for a content-blind scorer that prefers the shorter response or the longer,
//                whichever does better there;
//   win_rate     per task (when the prompts name their task) `wins/<task>`, `ties/<task>`,
//                `losses/<task>`; with the rule judge, what decided each win and loss (style,
//                correctness, form) and what each tie was: `ties_both_right` (the same right
//                answer, the same way) or `ties_both_wrong` (neither right): the ties no judge
//                of correctness can break, and the ones a better policy could; each side's right
//                answers (`right_a`, `right_b`) and those after the preamble (`preamble_a`,
//                `preamble_b`), and `style_alone_win_rate`: the win rate a would reach over b by
//                dropping the preamble from b's right answers and changing nothing else (½ + preamble_b
//                / 2n). Above it, a win rate needs answers b got wrong; at or below it, style can be all.
import { ruleClass, ruleDecidedBy } from "./rule-judge.js";
import { ruleReference } from "../../data/demo/rule.js";
import { signTest } from "./stats.js";
import { groupWeightedAccuracy, pairCredit } from "../../common/pair-credit.js";

export interface Judged {
  response: string; // the target
  answer: string; // what the model produced (trimmed)
  task: string; // task or source the example came from (a label: the per-task figures' names)
  /** the group whose constant answer it is judged against (judgedTask); absent: `task` */
  group?: string;
  /** the prompt the model answered: copies of one example (the same prompt and target, which greedy
   * decoding answers alike) count once in the paired test; absent, every example counts */
  prompt?: string;
  /** the system text it was asked with: the same prompt under another system text is another example */
  system?: string;
}

const right = (x: Judged): boolean => x.answer === x.response.trim();
const groupOf = (x: Judged): string => x.group ?? x.task;

/**
 * The task an example is judged in (`task`, the label its per-task figures carry) and the group whose
 * constant answer it is judged against (`group`). A task block's examples (a template rendered them)
 * and a source's rows without a `task` field are grouped by their block; a row's own `task` field by
 * its value; the two never share a group. They did share one when a block was named like a row's
 * `task` (a FLAN task `addition` beside prompts tagged "addition": one constant for both), and renaming
 * the block, which changes no hash, split them: a cached accuracy eval then reported another baseline
 * than a fresh run of the same plan (hunt K41).
 */
export function judgedTask(meta: { source: string; task?: string; template?: string }): { task: string; group: string } {
  if (meta.template !== undefined || meta.task === undefined) return { task: meta.task ?? meta.source, group: `block\u0000${meta.source}` };
  return { task: meta.task, group: `field\u0000${meta.task}` };
}

/**
 * The best constant answer for one task's examples. Among answers equally frequent, the one the model
 * gets wrong most often (where the constant would win the paired test), then by text: the paired
 * test is never won by an arbitrary tie-break (the quickstart's seed 18 had 12 "negative" and 12
 * "positive" targets; the alphabetical choice gave the model 12 vs 3, the other 13 vs 4).
 */
function bestConstant(items: readonly Judged[]): { answer: string; hits: number } {
  const counts = new Map<string, { hits: number; modelWrong: number }>();
  for (const x of items) {
    const c = counts.get(x.response.trim()) ?? { hits: 0, modelWrong: 0 };
    c.hits++;
    if (!right(x)) c.modelWrong++;
    counts.set(x.response.trim(), c);
  }
  let best = { answer: "", hits: 0, modelWrong: 0 };
  for (const [answer, c] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    if (c.hits > best.hits || (c.hits === best.hits && c.modelWrong > best.modelWrong)) best = { answer, ...c };
  return { answer: best.answer, hits: best.hits };
}

/** The label each group's figures carry: its task's name, made unique where two groups share one (a
 * block and a row's `task` field of the same name: `addition`, `addition~2`), groups in sorted order. */
function groupLabels(named: ReadonlyMap<string, string>): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const g of [...named.keys()].sort()) {
    const name = named.get(g)!;
    let label = name;
    for (let n = 2; taken.has(label); n++) label = `${name}~${n}`;
    taken.add(label);
    out.set(g, label);
  }
  return out;
}

/** Each group's best constant answer (by groupOf), with its label (groupLabels). */
function constantsByTask(items: readonly Judged[]): Map<string, { label: string; answer: string }> {
  const labels = groupLabels(new Map(items.map((x) => [groupOf(x), x.task])));
  return new Map([...labels].map(([g, label]) => [g, { label, answer: bestConstant(items.filter((x) => groupOf(x) === g)).answer }]));
}

/** The constant answer the baseline gives each example (its task's): shown beside its samples. */
export function constantAnswers(items: readonly Judged[]): string[] {
  const constant = constantsByTask(items);
  return items.map((x) => constant.get(groupOf(x))!.answer);
}

/** The task label of each tagged example for per-task win rates (undefined: untagged, in the totals only),
 * grouped as accuracy groups them (judgedTask), so no count depends on what a block is named (reviewR41 M1). */
export function taskLabelsOf(metas: readonly { source: string; task?: string; template?: string }[]): (string | undefined)[] {
  const groups = metas.map((m) => (m.task === undefined ? undefined : judgedTask(m)));
  const labels = groupLabels(new Map(groups.filter((g) => g !== undefined).map((g) => [g.group, g.task])));
  return groups.map((g) => (g === undefined ? undefined : labels.get(g.group)));
}

/**
 * Exact-match accuracy with the constant-answer baseline, pooled and per task. The baseline answers
 * each task's most frequent target (a task is plain from its prompt): one constant for all tasks
 * would be a weaker bar (the quickstart's 48 held-out-template examples: 13 right with "negative"
 * everywhere, 16 with each task's own).
 */
export function accuracyMetrics(items: readonly Judged[]): Record<string, number> {
  const constant = constantsByTask(items);
  const constantRight = (x: Judged) => x.response.trim() === constant.get(groupOf(x))!.answer;
  // paired with the constant answer on the same examples: wins where only the model is right, losses
  // where only the constant is; an exact sign test on those (McNemar's exact test) says whether the
  // model beats the baseline beyond chance, which the two accuracies side by side do not
  // over distinct examples: a copy of one repeats its outcome, and counting it twice would make the
  // test claim more evidence than there is
  const seen = new Set<string>();
  const distinct = items.filter((x) => {
    if (x.prompt === undefined) return true;
    const key = JSON.stringify([x.prompt, x.system ?? null, x.response.trim(), groupOf(x)]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const wins = distinct.filter((x) => right(x) && !constantRight(x)).length;
  const losses = distinct.filter((x) => !right(x) && constantRight(x)).length;
  const out: Record<string, number> = {
    accuracy: items.length ? items.filter(right).length / items.length : NaN,
    baseline: items.length ? items.filter(constantRight).length / items.length : NaN,
    n: items.length,
    vs_baseline_wins: wins,
    vs_baseline_losses: losses,
    vs_baseline_p_value: signTest(wins, losses),
  };
  for (const [g, { label: t }] of constant) {
    const xs = items.filter((x) => groupOf(x) === g);
    out[`accuracy/${t}`] = xs.filter(right).length / xs.length;
    out[`baseline/${t}`] = xs.filter(constantRight).length / xs.length;
    out[`n/${t}`] = xs.length;
  }
  return out;
}

/** `a` (the eval's model) against `b` (its `versus`) on the same examples, index by index: b's accuracy,
 * the examples only a gets right (wins) and only b (losses), and the exact sign test on those (McNemar's),
 * over distinct examples as the baseline's test counts them. */
export function versusMetrics(a: readonly Judged[], b: readonly Judged[]): Record<string, number> {
  if (a.length !== b.length) throw new Error(`versus: ${a.length} answers against ${b.length}`);
  const seen = new Set<string>();
  let wins = 0;
  let losses = 0;
  a.forEach((x, i) => {
    const key = JSON.stringify([x.prompt, x.system ?? null, x.response.trim(), groupOf(x)]);
    if (x.prompt !== undefined && seen.has(key)) return;
    seen.add(key);
    const [ra, rb] = [right(x), right(b[i]!)];
    if (ra && !rb) wins++;
    else if (rb && !ra) losses++;
  });
  return { versus_accuracy: b.length ? b.filter(right).length / b.length : NaN, versus_wins: wins, versus_losses: losses, versus_p_value: signTest(wins, losses) };
}

/** The constant answers the baseline gives (for messages): `"a"`, or `"a" (task), "b" (task)` per task. */
export function baselineAnswer(items: readonly Judged[]): string {
  const constant = [...constantsByTask(items).values()];
  return constant.length === 1 ? JSON.stringify(constant[0]!.answer) : constant.map(({ label, answer }) => `${JSON.stringify(answer)} (${label})`).join(", ");
}

export interface ScoredGroup {
  responses: string[];
  pairs: [winner: number, loser: number][];
  reference?: string;
  scores: number[]; // the reward model's score of each response
  task?: string; // the task the prompt names (rankings' `task` field), for the per-task figures
}

// the answer the rule judge compares with (a reference without the preamble): the rule's own module
export { ruleReference } from "../../data/demo/rule.js";

/** A response the rule judge counts as correct: the reference answer, concise or after the preamble. */
export function ruleCorrect(response: string, reference: string): boolean {
  return ruleClass(response, reference) <= 1;
}

/** rmAccuracyMetrics pooled, and per task (when the groups name more than one) under `accuracy/<task>`,
 * `correctness_accuracy/<task>`, `correctness_pairs/<task>`, `pairs/<task>`: which tasks the reward
 * model orders by correctness, and which it does not. */
export function rmAccuracyMetrics(groups: readonly ScoredGroup[]): Record<string, number> {
  const out = { ...rmAccuracyOf(groups), ...lengthBaselines(groups) };
  // as winRateByTask: a breakdown needs two named tasks (untagged groups are in the totals only)
  const tasks = [...new Set(groups.map((g) => g.task))].filter((x): x is string => x !== undefined).sort();
  if (tasks.length < 2) return out;
  for (const t of tasks) {
    const of = groups.filter((g) => g.task === t);
    const m = rmAccuracyOf(of);
    // each task's figures beside what length alone orders of the same pairs (they were bare: figuresP41 M4)
    for (const [k, v] of Object.entries(lengthBaselines(of))) out[`${k}/${t}`] = v;
    out[`accuracy/${t}`] = m.accuracy!;
    out[`pairs/${t}`] = m.pairs!;
    out[`correctness_pairs/${t}`] = m.correctness_pairs!;
    if (m.correctness_accuracy !== undefined) out[`correctness_accuracy/${t}`] = m.correctness_accuracy;
    out[`style_pairs/${t}`] = m.style_pairs!;
    if (m.style_accuracy !== undefined) out[`style_accuracy/${t}`] = m.style_accuracy;
  }
  return out;
}

/**
 * The trivial baseline of a pair accuracy: a scorer blind to content that prefers the shorter response
 * (or the longer, whichever orders these pairs better: chosen on them, so an upper bound of the two),
 * weighted as `accuracy` is; and the same on the correctness pairs. A reward model that learned only
 * length, or a style that goes with length (a preamble), reaches it; above it, it learned more.
 */
export function lengthBaselines(groups: readonly Omit<ScoredGroup, "scores">[]): Record<string, number> {
  const by = (sign: 1 | -1) => rmAccuracyOf(groups.map((g) => ({ ...g, scores: g.responses.map((r) => sign * [...r].length) })));
  const [shorter, longer] = [by(-1), by(1)];
  const best = (k: string): number | undefined => {
    const [a, b] = [shorter[k], longer[k]];
    return a === undefined || b === undefined || Number.isNaN(a) ? b : Math.max(a, b);
  };
  const out: Record<string, number> = {};
  const acc = best("accuracy");
  if (acc !== undefined && !Number.isNaN(acc)) out.length_baseline = acc;
  const corr = best("correctness_accuracy");
  if (corr !== undefined) out.correctness_length_baseline = corr;
  const style = best("style_accuracy");
  if (style !== undefined) out.style_length_baseline = style;
  return out;
}

function rmAccuracyOf(groups: readonly ScoredGroup[]): Record<string, number> {
  let pairs = 0;
  let right = 0;
  let groupsWithPairs = 0;
  let cPairs = 0;
  let cRight = 0;
  let sPairs = 0;
  let sRight = 0;
  for (const g of groups) {
    if (g.pairs.length === 0) continue;
    // a reference written with the preamble means its concise answer, as to the rule judge, PPO's rule reward
    // and the rule labeler (reviewR40 M1: "Sure! Here is 7" made "7" wrong here, a style pair a correctness one)
    const ref = g.reference === undefined ? undefined : ruleReference(g.reference);
    let gRight = 0;
    for (const [w, l] of g.pairs) {
      const credit = pairCredit(g.scores[w]!, g.scores[l]!); // a tie ½: a constant scorer is at chance
      gRight += credit;
      if (ref !== undefined && ruleCorrect(g.responses[w]!, ref) !== ruleCorrect(g.responses[l]!, ref)) {
        cPairs++;
        cRight += credit;
      } else if (ref !== undefined && ruleDecidedBy(g.responses[w]!, g.responses[l]!, ref) === "style") {
        sPairs++;
        sRight += credit;
      }
    }
    pairs += g.pairs.length;
    right += gRight;
    groupsWithPairs++;
  }
  const out: Record<string, number> = {
    accuracy: groupWeightedAccuracy(groups), // as the RM stage's heldout_accuracy, and its training, weigh groups
    pooled_accuracy: pairs ? right / pairs : NaN,
    pairs,
    groups: groupsWithPairs,
    correctness_pairs: cPairs,
    style_pairs: sPairs,
  };
  if (cPairs > 0) out.correctness_accuracy = cRight / cPairs;
  if (sPairs > 0) out.style_accuracy = sRight / sPairs;
  return out;
}

/** Wins, ties and losses per task (outcomes 1, ½, 0), under the keys `wins/<task>` …; none when every prompt has the same task or none. */
export function winRateByTask(tasks: readonly (string | undefined)[], outcomes: readonly number[]): Record<string, number> {
  const named = [...new Set(tasks)].filter((t): t is string => t !== undefined).sort();
  const out: Record<string, number> = {};
  // one named task (with or without untagged prompts) is no breakdown: its counts would be the
  // totals, or the totals less the untagged prompts, which read as the whole
  if (named.length < 2) return out;
  for (const t of named) {
    const os = outcomes.filter((_, i) => tasks[i] === t);
    out[`wins/${t}`] = os.filter((o) => o === 1).length;
    out[`ties/${t}`] = os.filter((o) => o === 0.5).length;
    out[`losses/${t}`] = os.filter((o) => o === 0).length;
  }
  return out;
}

/** The rule judge's counts per task: `correctness_wins/<task>`, `correctness_losses/<task>` (where a policy
 * fixes and breaks answers: on the quickstart's validation prompts, nearly all sums), `style_wins/<task>`,
 * `style_losses/<task>` and `preamble_b/<task>` (b's right answers after the preamble: the style wins there
 * are to take; engine epoch 33); as winRateByTask, none for fewer than two named tasks. */
export function ruleCountsByTask(tasks: readonly (string | undefined)[], pairs: readonly { a: string; b: string; answer: string }[], outcomes: readonly number[]): Record<string, number> {
  const named = [...new Set(tasks)].filter((t): t is string => t !== undefined).sort();
  const out: Record<string, number> = {};
  if (named.length < 2) return out;
  for (const t of named) for (const k of ["correctness_wins", "correctness_losses", "style_wins", "style_losses", "preamble_b"]) out[`${k}/${t}`] = 0;
  pairs.forEach((p, i) => {
    const t = tasks[i];
    if (t === undefined) return;
    if (ruleClass(p.b, p.answer) === 1) out[`preamble_b/${t}`]!++;
    const by = outcomes[i] === 0.5 ? null : ruleDecidedBy(p.a, p.b, p.answer);
    if (by === "correctness" || by === "style") out[`${by}_${outcomes[i] === 1 ? "wins" : "losses"}/${t}`]!++;
  });
  return out;
}

/** The rule judge's wins and losses by what decided them (src/data/demo/rule.ts ruleDecidedBy): style,
 * correctness, form, which add up to the wins and the losses; its ties, both right or both wrong; each
 * side's right answers and those after the preamble, and the win rate style alone reaches over b. */
export function ruleJudgeCounts(pairs: readonly { a: string; b: string; answer: string }[], outcomes: readonly number[]): Record<string, number> {
  const out: Record<string, number> = { style_wins: 0, style_losses: 0, correctness_wins: 0, correctness_losses: 0, form_wins: 0, form_losses: 0, ties_both_right: 0, ties_both_wrong: 0, right_a: 0, right_b: 0, preamble_a: 0, preamble_b: 0 };
  pairs.forEach((p, i) => {
    for (const side of ["a", "b"] as const) {
      const c = ruleClass(p[side], p.answer);
      if (c <= 1) out[`right_${side}`]!++;
      if (c === 1) out[`preamble_${side}`]!++;
    }
    if (outcomes[i] === 0.5) {
      out[ruleCorrect(p.a, p.answer) ? "ties_both_right" : "ties_both_wrong"]!++;
      return;
    }
    const by = ruleDecidedBy(p.a, p.b, p.answer);
    if (by !== null) out[`${by}_${outcomes[i] === 1 ? "wins" : "losses"}`]!++;
  });
  // a that is b with the preamble dropped from each of b's right answers, nothing else changed, wins
  // exactly those and ties the rest: the most a policy reaches over b without fixing an answer
  if (pairs.length > 0) out.style_alone_win_rate = 0.5 + out.preamble_b! / (2 * pairs.length);
  return out;
}

/** The tasks a summary counts per task under `<key>/<task>` (accuracy's `accuracy/…`, a win rate's
 * `wins/…`, rm_accuracy's `pairs/…`), sorted. */
export function tasksIn(summary: Readonly<Record<string, number>>, key: string): string[] {
  return Object.keys(summary)
    .filter((k) => k.startsWith(`${key}/`))
    .map((k) => k.slice(key.length + 1))
    .sort();
}
