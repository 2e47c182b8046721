// Run-level numTensors guards (leakL41's gaps; leaktestsT41): each path a whole run takes, run again
// with --force, must leave tf.memory().numTensors where it was. One micro recipe (the shared micro.ts,
// shrunk) is run once in full first: that is every path's run 1, so one-time caches (kernels, the
// backend's own) are made before any count is taken. Each test then forces its nodes twice more and
// compares the count after each of those runs with the count before them. The greedy generation cache
// (.generations) is emptied before each forced run, so the greedy decodes (PPO's probe, accuracy,
// win_rate's answers) really run instead of being read back.
// Covered: the dpo stage; the ppo stage with a reward-model reward (its rule monitor, greedy probe
// before/during/after); the ppo stage with `reward = "rule"`; the `samples(...)` draw; rm_accuracy and
// lm_loss on their own; accuracy; win_rate greedy (best_of 1) judged by a reward model and by the rule.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tf } from "../../src/train/backend.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

/** micro.ts with DPO, shrunk (d_model 16, 24 ranked prompts, 2 PPO steps, no expect), plus a rule-reward PPO and a samples draw. */
function recipe(): string {
  const src = microRecipe({ name: "leaks", dpo: true, policySteps: 2 })
    .replace("d_model = 32", "d_model = 16")
    .replace("limit = 100", "limit = 24")
    .replace("limit = 300", "limit = 60")
    .replace(/stage pre = pretrain \{[^\n]*\n/, "")
    .replace("stage sft = sft { init = pre ", "stage sft = sft { init = tiny ")
    .replace(/expect \{[\s\S]*?\}\n/, "");
  assert.ok(!/init = pre\b/.test(src) && /d_model = 16/.test(src), "the micro recipe changed: update this test's edits");
  return `${src}stage policy_rule = ppo { init = sft  reward = "rule"  prompts = prefs.prompts  format = chat  steps = 2  batch_size = 2  max_new_tokens = 4  max_length = 64 }
source drawn = samples(sft) as candidates { prompts = prefs  n = 4  k = 2  max_new_tokens = 4 }
`;
}

const RUNS = 2; // forced runs after run 1
let dir = "";
let cleanup = () => {};
let file = "";

const run = async (force: string[] = []) => {
  rmSync(join(dir, "cache", ".generations"), { recursive: true, force: true });
  return outcome(await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1, force }));
};

/** Force `nodes` RUNS times; the count after each run equals the one before the first. `check` looks at each run's manifest. */
async function flat(label: string, nodes: string[], check: (summary: (id: string) => Record<string, number>) => void = () => {}): Promise<void> {
  const start = tf.memory().numTensors;
  const counts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const o = await run(nodes);
    for (const id of nodes) assert.equal(o.manifest.nodes.find((n) => n.id === id)?.status, "computed", `${id} ran again`);
    check((id) => o.manifest.nodes.find((n) => n.id === id)!.summary!);
    counts.push(tf.memory().numTensors);
  }
  console.log(`# ${label}: numTensors after run 1 ${start}, after runs 2..${RUNS + 1}: ${counts.join(", ")}`);
  assert.deepEqual(counts, counts.map(() => start), `${label}: no tensor left by a run`);
}

before(async () => {
  ({ dir, cleanup } = tempDir("alignc-leaks-"));
  file = join(dir, "leaks.align");
  writeFileSync(file, recipe());
  await run(); // run 1 of every path
});
after(() => cleanup());

test("a dpo stage (trainer, reference, before/after accuracy) leaves no tensor", async () => {
  await flat("dpo stage", ["align"]);
});

test("a ppo stage with a reward-model reward, its rule monitor and its greedy probe (before, during, after) leaves no tensor", async () => {
  await flat("ppo stage (rm reward, rule monitor, probe)", ["policy"], (s) => {
    const p = s("policy");
    // the probe and the monitor ran: the RM's and the rule's greedy scores, and the rule-judged curve's end
    for (const k of ["greedy_rm_score", "greedy_rule_score", "greedy_rule_win_rate"]) assert.ok(Number.isFinite(p[k]), `${k} in ${JSON.stringify(p)}`);
  });
});

test('a ppo stage with reward = "rule" leaves no tensor', async () => {
  await flat("ppo stage (rule reward)", ["policy_rule"], (s) => {
    const p = s("policy_rule");
    assert.ok(Number.isFinite(p.greedy_rule_score) && p.greedy_rm_score === undefined, JSON.stringify(p));
  });
});

test("a samples(...) draw (K responses from a trained stage) leaves no tensor", async () => {
  await flat("samples draw", ["drawn"], (s) => assert.equal(s("drawn").k, 2));
});

test("rm_accuracy and lm_loss evals on their own leave no tensor", async () => {
  await flat("rm_accuracy + lm_loss", ["rm_acc", "held"], (s) => {
    assert.ok(Number.isFinite(s("rm_acc").accuracy));
    assert.ok(Number.isFinite(s("held").loss));
  });
});

test("an accuracy eval (greedy answers, generated again) leaves no tensor", async () => {
  await flat("accuracy", ["zs"], (s) => assert.ok(Number.isFinite(s("zs").accuracy)));
});

test("win_rate with greedy answers judged by a reward model and by the rule leaves no tensor", async () => {
  await flat("win_rate greedy (rm judge, rule judge)", ["judge", "rule"], (s) => {
    assert.ok(Number.isFinite(s("judge").score_a), "the reward model scored");
    assert.equal(s("rule").best_of, undefined, "greedy, not best-of");
  });
});
