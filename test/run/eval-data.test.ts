// Evals build the data their plan node names: accuracy evals score the split they name (flan-zero-shot's
// unseen_task_* evals, split = heldout_tasks, run the mixture's held-out task, not its held-out
// templates); rm_accuracy cuts pairs as its reward model trained; lm_loss reads its plan's n.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeFile } from "../../src/check/index.js";
import { expandVariants } from "../../src/plan/variants.js";
import type { SFTExample } from "../../src/data/types.js";
import { backendSession, type HandlerEnv } from "../../src/run/nodes/env.js";
import { evalData } from "../../src/run/nodes/eval-data.js";
import { samplesPrompts } from "../../src/run/nodes/samples.js";
import { stageData } from "../../src/run/nodes/stage-data.js";
import { tempDir } from "./helpers.js";
import { planned, repoRoot, writeMicro } from "./micro.js";

test("accuracy evals run the examples of their split: heldout_tasks = the held-out task, heldout_templates and train = the trained tasks", async () => {
  const { recipe, diagnostics } = await checkRecipeFile(join(repoRoot(), "recipes", "flan-zero-shot.align"));
  assert.ok(recipe, JSON.stringify(diagnostics));
  const env: HandlerEnv = { recipe, backend: backendSession("cpu") };
  const { plan, node } = await planned(recipe);
  const items = async (name: string) => {
    const d = await evalData(env, plan, node(name));
    assert.equal(d.kind, "accuracy");
    return d.kind === "accuracy" ? d.items : [];
  };
  const tasksOf = (xs: SFTExample[]) => [...new Set(xs.map((x) => String(x.meta.task)))].sort();

  const unseen = await items("unseen_task"); // split = heldout_tasks, n = 100, heldout_tasks = [addition]
  assert.equal(unseen.length, 100);
  assert.deepEqual(tasksOf(unseen), ["addition"]);

  const templates = await items("after"); // split = heldout_templates
  assert.ok(templates.length > 0);
  // the one-template tuning is scored on exactly the same examples
  assert.deepEqual(
    (await items("after_one")).map((x) => x.id),
    templates.map((x) => x.id),
  );
  assert.ok(!tasksOf(templates).includes("addition"), `held-out templates of trained tasks only, got ${tasksOf(templates)}`);
  assert.ok(templates.every((x) => x.meta.heldout === true));

  const seen = await items("seen"); // split = train
  assert.ok(!tasksOf(seen).includes("addition"));
  assert.ok(!seen.some((x) => x.meta.heldout === true));
});

test("evals and samples build from the plan being run, not from the recipe beside it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "held.align");
    // the swept holdout changes what heldout(prefs) holds: 20% or 50% of the rankings
    writeFileSync(file, `recipe held extends "micro.align" { prefs.holdout = sweep [0.2, 0.5] }\nsource drawn = samples(sft) as candidates { prompts = heldout(prefs)  k = 2  n = 100  labels = labeled }\nsource labeled = jsonl("labels.jsonl") as rankings {}\n`);
    const { recipe, diagnostics } = await checkRecipeFile(file);
    assert.ok(recipe, JSON.stringify(diagnostics));
    // the handlers get the recipe of the first variant; the plans of both variants are run with it
    const env: HandlerEnv = { recipe: expandVariants(recipe)[0]!.recipe, backend: backendSession("cpu") };
    const sizes = [];
    for (const v of expandVariants(recipe)) {
      const { plan, node } = await planned(v.recipe);
      const rm = await evalData(env, plan, node("rm_acc"));
      const judge = await evalData(env, plan, node("judge"));
      const prompts = await samplesPrompts(env, plan, node("drawn"));
      assert.ok(rm.kind === "rm_accuracy" && judge.kind === "win_rate");
      sizes.push({ rm: rm.raw.length, judge: judge.items.length, samples: prompts.length });
    }
    assert.equal(sizes[0]!.rm, 20, "holdout 0.2 of 100 rankings");
    assert.equal(sizes[1]!.rm, 50, "holdout 0.5 of 100 rankings: the second plan's, though the recipe beside it says 0.2");
    assert.deepEqual([sizes[0]!.samples, sizes[1]!.samples], [20, 50], "samples(sft) draws from its plan's prompts");
    assert.deepEqual([sizes[0]!.judge, sizes[1]!.judge], [8, 8], "n = 8 of either");
  } finally {
    cleanup();
  }
});

test("rm_accuracy cuts its pairs as the reward model's stage cut its own (max_length, truncate), so both held-out figures score the same sequences", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "cut.align");
    // 20 tokens and cut from the left: most of the micro data's pairs are longer than that
    writeFileSync(file, `recipe cut extends "micro.align" { rm.max_length = 20  rm.truncate = "left" }\n`);
    const { recipe, diagnostics } = await checkRecipeFile(file);
    assert.ok(recipe, JSON.stringify(diagnostics));
    const env: HandlerEnv = { recipe, backend: backendSession("cpu") };
    const { plan, node } = await planned(recipe);
    const evalGroups = await evalData(env, plan, node("rm_acc"));
    const stage = await stageData(env, plan, node("rm"));
    assert.ok(evalGroups.kind === "rm_accuracy" && stage.kind === "rm");
    const seqs = (gs: { prompt: number[]; responses: number[][] }[]) => gs.map((g) => g.responses.map((r) => [...g.prompt, ...r]));
    assert.ok(seqs(stage.heldout).flat().every((s) => s.length <= 20), "the stage's held-out pairs are cut to its max_length");
    assert.deepEqual(seqs(evalGroups.groups), seqs(stage.heldout), "the eval scores exactly the stage's held-out sequences");
  } finally {
    cleanup();
  }
});

test("lm_loss scores the first n sequences of its data, n from the plan (default 1,000)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "lm.align");
    writeFileSync(file, `recipe lm extends "micro.align" {}\neval held3 = lm_loss { model = sft  data = heldout(demos)  n = 3 }\n`);
    const { recipe, diagnostics } = await checkRecipeFile(file);
    assert.ok(recipe, JSON.stringify(diagnostics));
    const env: HandlerEnv = { recipe, backend: backendSession("cpu") };
    const { plan, node } = await planned(recipe);
    assert.equal(node("held").params.n, 1000, "the kinds table's default is in the plan");
    const all = await evalData(env, plan, node("held"));
    const three = await evalData(env, plan, node("held3"));
    assert.ok(all.kind === "lm_loss" && three.kind === "lm_loss");
    assert.ok(all.seqs.length > 3, `the micro data holds more than 3 held-out demonstrations (${all.seqs.length})`);
    assert.deepEqual(three.seqs, all.seqs.slice(0, 3));
  } finally {
    cleanup();
  }
});
