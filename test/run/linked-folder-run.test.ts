// A recipe reached through a linked folder reads `../data/…` from the target's folder (recipe-folder.ts),
// and so must the run: its guard against inputs changing under it and a saved plan's check of its inputs
// resolved the plan's paths against the link's own folder, so `check` passed and `run` failed (a false
// AL5004, or a missing file the run never read) and `run plan.json` refused the plan (reviewR42 H1).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import { sortKeysDeep } from "../../src/plan/canonical.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { runSavedPlan } from "../../src/run/run-saved-plan.js";
import { tempDir } from "./helpers.js";

const RECIPE = `recipe linked { seed = 3 }
tokenizer bt = bpe { corpus = text("../data/corpus.txt")  vocab_size = 280 }
model m = gpt { tokenizer = bt  layers = 1  d_model = 16  heads = 2  context = 32 }
stage pre = pretrain { init = m  data = text("../data/corpus.txt")  steps = 2  batch_size = 2  log_every = 1 }
`;

test("a recipe in a linked folder that reads ../data runs, and so does its saved plan", async () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, "real", "recipes"), { recursive: true });
    mkdirSync(join(dir, "real", "data"));
    mkdirSync(join(dir, "elsewhere"));
    writeFileSync(join(dir, "real", "recipes", "r.align"), RECIPE);
    writeFileSync(join(dir, "real", "data", "corpus.txt"), Array.from({ length: 30 }, (_, i) => `line ${i} of a small corpus with words.`).join("\n") + "\n");
    symlinkSync(join(dir, "real", "recipes"), join(dir, "elsewhere", "rec"));
    const file = join(dir, "elsewhere", "rec", "r.align");
    const paths = { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 };
    const first = await runRecipe(file, paths);
    if (!first.ok) throw new Error(first.message ?? JSON.stringify(first.diagnostics));
    assert.equal(first.outcome.exitCode, 0, String(first.outcome.error));
    const planned = await compile(file);
    assert.ok(planned.plan, JSON.stringify(planned.diagnostics));
    const plan = join(dir, "p.json");
    writeFileSync(plan, `${JSON.stringify(sortKeysDeep(planned.plan), null, 2)}\n`);
    const again = await runSavedPlan(plan, { ...paths, recipe: file });
    if (!again.ok) throw new Error(again.message ?? JSON.stringify(again.diagnostics));
    assert.equal(again.outcome.exitCode, 0, String(again.outcome.error));
    assert.equal(again.outcome.manifest.nodes.find((n) => n.id === "pre")!.status, "cached");
  } finally {
    cleanup();
  }
});
