// PPO's greedy probe (src/run/nodes/ppo-stage.ts): the rule reward reads a reference written with the
// preamble as its concise answer (as the rule judge does), and the probe logs the policy's rule-judged
// win rate over the starting model on its prompts during training: 0.5 exactly at step 0, then every
// tenth of the run, the last point equal to the summary's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RAW_FORMAT } from "../../src/data/chat.js";
import { byteLevel } from "../../src/data/tokenizers.js";
import { ruleScorer } from "../../src/run/nodes/ppo-stage.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

test("the rule reward reads a reference written with the preamble as its concise answer, as the rule judge does", () => {
  const tok = byteLevel();
  const score = ruleScorer({ answers: ["Sure! Here is 7", "4", "CAT"], tok, fmt: RAW_FORMAT })!;
  const ids = (s: string) => [...tok.encode(s), tok.eos];
  // concise right 1, right after the preamble 0.5, wrong 0
  assert.deepEqual(score([0, 0, 1, 2], [ids("7"), ids("Sure! Here is 7"), ids("Sure! Here is 4"), ids("DOG")]), [1, 0.5, 0.5, 0]);
  assert.equal(ruleScorer({ answers: ["7", undefined], tok, fmt: RAW_FORMAT }), null, "no rule without every reference");
});

test("PPO logs the rule-judged win rate of its greedy answers over the starting model's on its probe prompts", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "probe.align");
    writeFileSync(file, microRecipe({ name: "probe", policySteps: 20 }));
    const run = outcome(await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1, until: "policy" }));
    const rows = readFileSync(join(run.runDir, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { stage: string; step: number; greedy_rule_win_rate?: number; greedy_rule_wins?: number; greedy_rule_ties?: number; greedy_rule_losses?: number; greedy_rule_p_value?: number })
      .filter((r) => r.stage === "policy" && r.greedy_rule_win_rate !== undefined);
    // every tenth of 20 steps (log_every 1): steps 0, 2, 4, … 20
    assert.deepEqual(rows.map((r) => r.step), [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    assert.equal(rows[0]!.greedy_rule_win_rate, 0.5, "the starting model against itself: every prompt a tie");
    for (const r of rows) assert.ok(r.greedy_rule_win_rate! >= 0 && r.greedy_rule_win_rate! <= 1, JSON.stringify(r));
    // every point with its counts and sign test (mid-run points were bare until engine epoch 29): the rate is what they say
    const probe = rows[0]!.greedy_rule_wins! + rows[0]!.greedy_rule_ties! + rows[0]!.greedy_rule_losses!;
    assert.ok(probe > 0);
    for (const r of rows) {
      assert.equal(r.greedy_rule_wins! + r.greedy_rule_ties! + r.greedy_rule_losses!, probe, JSON.stringify(r));
      assert.equal(r.greedy_rule_win_rate, (r.greedy_rule_wins! + r.greedy_rule_ties! / 2) / probe, JSON.stringify(r));
      assert.ok(r.greedy_rule_p_value! > 0 && r.greedy_rule_p_value! <= 1, JSON.stringify(r));
    }
    const summary = run.manifest.nodes.find((n) => n.id === "policy")!.summary!;
    assert.equal(summary.greedy_rule_win_rate, rows.at(-1)!.greedy_rule_win_rate, "the summary's is the last point's");
  } finally {
    cleanup();
  }
});
