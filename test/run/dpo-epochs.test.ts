// DPO batches preference pairs (train/stages/dpo.ts), so its `epochs` are passes over the pairs: the
// plan's estimate and the run both take ceil(epochs × pairs / batch) steps. Both counted ranking
// groups (prompts), as a reward model's batch does: `epochs = 1` trained on 8.5 % of the pairs once
// (80 steps of 16 pairs against 15,071 pairs on the bundled rankings).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import type { Plan } from "../../src/plan/types.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

test("a DPO stage given in epochs makes that many passes over its pairs: the plan's steps and the run's are ceil(pairs / batch_size)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, "dpo.align");
    const recipe = microRecipe({ dpo: true }).replace("stage align = dpo { init = sft  data = prefs  format = chat  steps = 4  batch_size = 2", "stage align = dpo { init = sft  data = prefs  format = chat  epochs = 1  batch_size = 64");
    assert.match(recipe, /epochs = 1 {2}batch_size = 64/);
    writeFileSync(file, recipe);
    const o = outcome(await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), backend: "wasm", workers: 1, until: "align" }));
    assert.equal(o.exitCode, 0);
    const run = RunDir.open(o.runDir);
    const plan = run.readPlan() as Plan;
    const pairs = plan.nodes.find((n) => n.id === "prefs/tokenize")!.estimates.size!.comparisons!;
    const groups = plan.nodes.find((n) => n.id === "prefs/tokenize")!.estimates.size!.examples;
    assert.ok(pairs > 5 * groups, `${pairs} pairs in ${groups} groups`);
    const steps = Math.ceil(pairs / 64);
    assert.equal(plan.nodes.find((n) => n.id === "align")!.estimates.steps, steps, "the plan's estimate");
    const last = Math.max(...run.readMetrics().filter((r) => r.stage === "align").map((r) => r.step));
    assert.equal(last, steps, "the run");
  } finally {
    cleanup();
  }
});
