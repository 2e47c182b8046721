// Accuracy evals score the split they name: flan-zero-shot's unseen_task_* evals (split =
// heldout_tasks) must run the mixture's held-out task, not its held-out templates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkRecipeFile } from "../../src/check/index.js";
import type { SFTExample } from "../../src/data/types.js";
import { backendSession, type HandlerEnv } from "../../src/run/nodes/env.js";
import { evalData } from "../../src/run/nodes/eval-data.js";
import { planned, repoRoot } from "./micro.js";

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

  const unseen = await items("unseen_task_after"); // split = heldout_tasks, n = 100, heldout_tasks = [addition]
  assert.equal(unseen.length, 100);
  assert.deepEqual(tasksOf(unseen), ["addition"]);
  assert.deepEqual(
    (await items("unseen_task_before")).map((x) => x.id),
    unseen.map((x) => x.id),
  );

  const templates = await items("after"); // split = heldout_templates
  assert.ok(templates.length > 0);
  assert.ok(!tasksOf(templates).includes("addition"), `held-out templates of trained tasks only, got ${tasksOf(templates)}`);
  assert.ok(templates.every((x) => x.meta.heldout === true));

  const seen = await items("seen"); // split = train
  assert.ok(!tasksOf(seen).includes("addition"));
  assert.ok(!seen.some((x) => x.meta.heldout === true));
});
