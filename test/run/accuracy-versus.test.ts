// `accuracy { … versus = M }`: a second model answers the same examples and the comparison is paired
// (examples only one of the two gets right, and the exact sign test on those), so "more templates
// transfer better" (flan-zero-shot's after against after_one) is a test, not two numbers side by side.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tf } from "../../src/train/backend.js";
import { versusMetrics } from "../../src/run/evaluation/eval-metrics.js";
import { signTest } from "../../src/run/evaluation/stats.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { checkRecipeText } from "../../src/check/index.js";
import { outcome, tempDir } from "./helpers.js";
import { microRecipe } from "./micro.js";

const j = (response: string, answer: string, prompt: string) => ({ response, answer, task: "t", prompt });

test("versusMetrics: only-a and only-b counts over distinct examples, the sign test on them; a failing count would show", () => {
  const a = [j("1", "1", "p1"), j("2", "2", "p2"), j("3", "x", "p3"), j("4", "4", "p4"), j("4", "4", "p4")];
  const b = [j("1", "y", "p1"), j("2", "2", "p2"), j("3", "3", "p3"), j("4", "z", "p4"), j("4", "z", "p4")];
  const m = versusMetrics(a, b);
  assert.deepEqual([m.versus_wins, m.versus_losses], [2, 1], "p4 is one example, copies count once");
  assert.equal(m.versus_accuracy, 2 / 5);
  assert.equal(m.versus_p_value, signTest(2, 1));
  assert.throws(() => versusMetrics(a, b.slice(1)), /5 answers against 4/);
});

test("an accuracy eval with versus: the other model answers the same examples (a model against itself ties every one), the figures are nameable in expect, no tensor is left", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = microRecipe({ name: "versus" })
      .replace(/stage policy = ppo \{[\s\S]*?\n\}\n/, "")
      .replace(/eval (judge|rule) = win_rate [^\n]*\n/g, "")
      .replace(/expect \{[\s\S]*?\}\n/, "")
      .replace("eval zs = accuracy { model = sft  task = sft_data  split = heldout_templates  n = 8 }", "eval zs = accuracy { model = sft  task = sft_data  split = heldout_templates  n = 8  versus = pre  base_format = chat }\neval same = accuracy { model = sft  task = sft_data  split = heldout_templates  n = 8  versus = sft }\nexpect { same.versus_p_value >= 0.99 }\n");
    const file = join(dir, "versus.align");
    writeFileSync(file, src);
    const checked = await checkRecipeText(src, file);
    assert.deepEqual(checked.diagnostics.filter((d) => d.severity === "error"), []);
    const run = (cache: string) => runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, cache), progress: createProgress({ quiet: true }), workers: 1, backend: "wasm" });
    const o = outcome(await run("cache"));
    assert.equal(o.exitCode, 0);
    // a second run from an empty cache computes every model and answer again: no tensor may be left
    const tensors = tf.memory().numTensors;
    assert.equal(outcome(await run("cache2")).exitCode, 0);
    assert.equal(tf.memory().numTensors, tensors);
    const rows = readFileSync(join(o.runDir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { node?: string; summary?: Record<string, number> });
    const summary = (id: string) => o.manifest.nodes.find((n) => n.id === id)!.summary!;
    const same = summary("same");
    assert.deepEqual([same.versus_wins, same.versus_losses, same.versus_p_value, same.versus_accuracy], [0, 0, 1, same.accuracy]);
    const zs = summary("zs");
    assert.ok(Number.isInteger(zs.versus_wins) && Number.isInteger(zs.versus_losses) && zs.versus_p_value! > 0 && zs.versus_p_value! <= 1, JSON.stringify(zs));
    assert.ok(rows.length > 0);
  } finally {
    cleanup();
  }
});
