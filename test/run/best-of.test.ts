// Best-of-n in a win_rate eval (`best_of = k  select = …`): a's answer is the best of k samples, picked
// by the rule (an oracle: it reads the reference answer) or by a reward model. On the micro recipe's
// SFT: the pick is the best candidate by its selector, the samples are recorded, the same plan draws
// the same samples and evals differing only in what picks draw the same ones (paired), a judge that
// picked is said to be no independent judge and a rule pick an oracle, and no tensor is left.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tf } from "../../src/train/backend.js";
import { ruleClass, ruleReference } from "../../src/data/demo/rule.js";
import { argmaxFirst, pickBest, ruleScores } from "../../src/run/nodes/best-of.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

const quiet = createProgress({ quiet: true });

/** The micro recipe without PPO (nothing here reads it) and with the best-of evals. */
function recipe(): string {
  const src = microRecipe({ name: "bestof" })
    .replace(/stage policy = ppo \{[\s\S]*?\n\}\n/, "")
    .replace(/eval (judge|rule) = win_rate [^\n]*\n/g, "")
    .replace(/expect \{[\s\S]*?\}\n/, "");
  const common = `b = sft  judge = "rule"  prompts = heldout(prefs)  n = 8  max_new_tokens = 8`;
  return `${src}eval oracle = win_rate { a = sft  ${common}  best_of = 4  select = "rule" }
eval by_rm = win_rate { a = sft  ${common}  best_of = 4  select = rm  temperature = 0.7 }
eval paired = win_rate { a = sft  ${common}  best_of = 4  select = rm }
`;
}

interface Row {
  eval: string;
  prompt: string;
  reference: string;
  a: { text: string };
  judge_note?: string;
  best_of?: { candidates: string[]; picked: number; select: string };
}

test("argmaxFirst: the best score, the first drawn of equal ones; a NaN never wins over a number", () => {
  assert.equal(argmaxFirst([0.5, 1, 1, -1]), 1);
  assert.equal(argmaxFirst([2]), 0);
  assert.equal(argmaxFirst([0, 0, 0]), 0);
  assert.equal(argmaxFirst([NaN, -5, 3]), 2);
  assert.equal(argmaxFirst([NaN, NaN]), 0);
});

test("pickBest by a reward model: each prompt's candidates are scored beside that prompt, and its best is picked", () => {
  const items = [
    { id: "0", prompt: "p0", response: "x", meta: { source: "s" } },
    { id: "1", prompt: "p1", response: "y", meta: { source: "s" } },
  ];
  const candidates = [
    ["a", "ccc", "bb"],
    ["dddd", "e", "dddd"],
  ];
  const seen: unknown[] = [];
  // a stub reward model: the answer's length, minus 10 when it is scored beside the wrong prompt
  const picked = pickBest(items, candidates, (asked, groups) => {
    seen.push(asked.map((x) => x.prompt), groups);
    return groups.map((g, i) => g.map((a) => a.length - (candidates[asked[i]!.prompt === "p0" ? 0 : 1]!.includes(a) ? 0 : 10)));
  });
  assert.deepEqual(picked, [1, 0], "the longest, the first of equal ones");
  assert.deepEqual(seen, [["p0", "p1"], candidates], "each prompt's candidates together, beside it");
  assert.deepEqual(pickBest(items, [["wrong", "x"], ["qxz", "Sure! Here is y"]], "rule"), [1, 1], "the rule: right before wrong, wrong before garbage");
});

test("the rule picks the concise right answer, then the right one after the preamble, then any wrong one before garbage", () => {
  const picks = ruleScores(
    [
      ["qxz", "5", "Sure! Here is 4", "4"],
      ["qxz", "5", "Sure! Here is 4", "Sure! Here is 4"],
      ["qxz", "kvw", "five", "3"],
      ["qxz", "kvw", "qq", "z"],
    ],
    ["4", "Sure! Here is 4", "4", "4"], // a reference written with the preamble means the concise answer
  ).map(argmaxFirst);
  assert.deepEqual(picks, [3, 2, 2, 0]);
});

test("win_rate best_of: a answers with the best of k samples by its selector; the samples are recorded and drawn alike by the same plan", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "bestof.align");
    writeFileSync(file, recipe());
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 };
    const first = outcome(await runRecipe(file, paths));
    const tensors = tf.memory().numTensors;
    const by = Object.fromEntries(first.manifest.nodes.map((n) => [n.id, n]));
    for (const id of ["oracle", "by_rm", "paired"]) {
      const s = by[id]!.summary!;
      assert.equal(s.best_of, 4, id);
      assert.equal(s.best_of_oracle, id === "oracle" ? 1 : 0, id);
      assert.equal(s.n, 8, id);
      assert.equal(s.wins! + s.ties! + s.losses!, 8, id);
    }
    const rows = readFileSync(join(first.runDir, "samples.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    const oracle = rows.filter((r) => r.eval === "oracle");
    const byRm = rows.filter((r) => r.eval === "by_rm");
    assert.equal(oracle.length, 8);
    assert.equal(byRm.length, 8);
    for (const r of [...oracle, ...byRm]) {
      const b = r.best_of!;
      assert.equal(b.candidates.length, 4);
      assert.equal(r.a.text, b.candidates[b.picked], "a's answer is the picked candidate");
    }
    // the rule picks a candidate of the best class, the first drawn of them; and it is the judge too
    for (const r of oracle) {
      const classes = r.best_of!.candidates.map((c) => ruleClass(c, ruleReference(r.reference)));
      assert.equal(r.best_of!.picked, classes.indexOf(Math.min(...classes) as (typeof classes)[number]), JSON.stringify(r));
      assert.match(r.judge_note ?? "", /it picked a's best of 4: not an independent judge; a's best of 4 picked by the rule, which reads the reference answers: an oracle/);
    }
    assert.ok(byRm.every((r) => r.best_of!.select === "rm" && r.judge_note === undefined));
    // what picks is not in the samples' seed: the same k, temperature and prompts draw the same samples
    const paired = rows.filter((r) => r.eval === "paired");
    assert.deepEqual(paired.map((r) => r.best_of!.candidates), oracle.map((r) => r.best_of!.candidates), "the same samples as the oracle's (both at T 1)");
    assert.notDeepEqual(byRm.map((r) => r.best_of!.candidates), oracle.map((r) => r.best_of!.candidates), "another temperature, other samples");

    // another run of the same plan (the evals are cached; forced, they draw again): the same samples
    const again = outcome(await runRecipe(file, { ...paths, force: ["oracle", "by_rm", "paired"] }));
    const byEval = (runDir: string) => readFileSync(join(runDir, "samples.jsonl"), "utf8").trim().split("\n").filter((l) => /"eval":"(oracle|by_rm|paired)"/.test(l));
    assert.equal(again.manifest.nodes.find((n) => n.id === "by_rm")!.status, "computed");
    assert.deepEqual(byEval(again.runDir), byEval(first.runDir), "the same samples, picks and verdicts");
    assert.equal(tf.memory().numTensors, tensors, "no tensor left by a second best-of run");
  } finally {
    cleanup();
  }
});
