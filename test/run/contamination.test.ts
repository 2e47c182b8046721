// "Held out" in a run is checked, not assumed: `alignc run` makes the contamination check of the
// recipe it runs (src/data/leaks.ts), warns (AL3070), records the findings in manifest.json, and its
// report marks the figures that score text a stage trained on instead of calling them held out. The
// clean case is asserted on the micro pipeline's run (e2e.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { renderReport } from "../../src/run/presentation/report.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { outcome, recipeInTempDir } from "./helpers.js";
import { repoRoot } from "../repo-root.js";

const demo = (instruction: string, response: string) => JSON.stringify({ instruction, context: "", response });

test("a run whose eval and SFT held-out split hold training prompts: AL3070 warnings, the manifest's contamination record, ⚠ in the report", async () => {
  // 24 demonstrations, half held out; \`extra\` repeats every prompt, so the SFT mixture trains on each held-out one
  const rows = Array.from({ length: 24 }, (_, i) => demo(`Add ${i} and 1.`, `${i + 1}`));
  const files = {
    "demos.jsonl": rows.join("\n") + "\n",
    "extra.jsonl": rows.join("\n") + "\n",
    "evals.jsonl": [demo("Add 3 and 1.", "4"), demo("Name a fruit.", "apple")].join("\n") + "\n",
    "corpus.txt": Array.from({ length: 40 }, (_, i) => `Line ${i} of a corpus.`).join("\n") + "\n",
  };
  const { dir, file, cleanup } = recipeInTempDir(
    files,
    `recipe leaky { seed = 3 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"  holdout = 0.5 }
source extra = jsonl("extra.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
mixture both = mix { demos: weight 1.0  extra: weight 1.0 }
source evals = jsonl("evals.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
format chat = chat_template("${join(repoRoot(), "templates", "chat", "plain.hbs")}")
stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2 }
stage sft = sft { init = pre  data = both  format = chat  steps = 2 }
eval held = lm_loss { model = sft  data = evals }
`,
    "leaky.align",
  );
  try {
    const r = await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    const warnings = r.diagnostics.filter((d) => d.code === "AL3070");
    assert.deepEqual(warnings.map((d) => [d.span?.line, d.message.split(":")[0]]), [
      [10, "stage `sft`'s held-out split"],
      [11, "eval `held`"],
    ]);
    const o = outcome(r);
    assert.equal(o.exitCode, 0);
    const c = o.manifest.contamination!;
    const pairs = Object.fromEntries(c.pairs.map((p) => [`${p.evalBlock} ∩ ${p.trainPool}`, p.count]));
    assert.equal(pairs["held ∩ sft.data (extra)"], 1, JSON.stringify(c));
    assert.ok((pairs["sft ∩ sft.data (extra)"] ?? 0) === 12, JSON.stringify(c));
    assert.equal(c.leaks, c.pairs.reduce((a, p) => a + p.count, 0));
    const html = readFileSync(join(o.runDir, "report.html"), "utf8");
    assert.match(html, /Not all held out: evaluated texts found in training pools \(13, counted per pool\)/);
    assert.ok(!html.includes("Held out, checked"));
    // the SFT stage's row and the eval's row are marked (the eval's text is one of the 12 \`extra\`
    // repeats, held out of \`demos\` by this seed's split, so it is found in \`extra\` alone); pretraining's held-out lines are clean
    const section = html.match(/<h2>What each stage gained[\s\S]*?<h2>Training/)?.[0] ?? "";
    assert.equal(section.match(/⚠ not held out: \d+ of its texts in sft\.data \(extra\)<\/span>/g)?.length, 2, section);
    // and the eval's final metrics in the plan table (figuresP41 M2: they were bare there)
    const planTable = html.split("<h2>Plan</h2>")[1] ?? "";
    assert.equal(planTable.match(/⚠ not held out: \d+ of its texts in sft\.data \(extra\)<\/span>/g)?.length, 1, planTable);
    assert.ok(section.includes("its held-out split, held out (checked)"), "pre's split is clean");
    assert.deepEqual(o.manifest.contamination!.checked, ["pre", "sft", "held"], "the blocks whose pools were compared");

    // a manifest of an earlier build (pairs, no record of the blocks compared): rendered, nothing called held out
    const file2 = join(o.runDir, "manifest.json");
    const old = JSON.parse(readFileSync(file2, "utf8"));
    delete old.contamination.checked;
    delete old.contamination.notChecked;
    writeFileSync(file2, JSON.stringify(old));
    const legacy = renderReport(RunDir.open(o.runDir));
    assert.ok(!legacy.includes("held out (checked)") && legacy.includes("(not checked for contamination)") && legacy.includes("⚠ not held out"));
  } finally {
    cleanup();
  }
});
