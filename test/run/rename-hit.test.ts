// A renamed block keeps its nodes' hashes (src/plan/hash.ts: names never enter), so a cache hit after a
// rename must give what a fresh run of the renamed recipe gives, and say it under the new names
// (hunt K41): an accuracy eval's constant baseline was chosen over a task block's examples together
// with rows whose `task` field read like the block's name, so renaming the block changed the baseline
// (0.5 → 1) under one hash; a hit's replayed metric and sample rows kept the computing run's names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { repoRoot } from "../repo-root.js";
import { outcome, recipeInTempDir } from "./helpers.js";

const rows = (n: number, f: (i: number) => object) => Array.from({ length: n }, (_, i) => JSON.stringify(f(i))).join("\n") + "\n";

// twelve sums that are all 8 (the FLAN task), twelve prompts tagged "addition" whose answer is 17
const FILES = {
  "data/corpus.txt": Array.from({ length: 40 }, (_, i) => `line ${i} of the corpus, with a few words and 1 2 3 numbers.`).join("\n") + "\n",
  "data/sums.jsonl": rows(12, (i) => ({ a: i % 9, b: 8 - (i % 9), sum: 8 })),
  "data/tagged.jsonl": rows(12, (i) => ({ prompt: `What is ${i} plus ${17 - i}?`, response: "17", task: "addition" })),
};

const recipe = (task: string, evalName = "acc", stage = "pre") => `recipe renamed { seed = 5 }
tokenizer bt = bpe { corpus = text("data/corpus.txt")  vocab_size = 300 }
model m = gpt { tokenizer = bt  layers = 1  d_model = 16  heads = 2  context = 64 }
task ${task} = flan {
  data = jsonl("data/sums.jsonl")
  templates = dir(${JSON.stringify(join(repoRoot(), "templates", "flan", "addition"))})
  holdout = 0
}
source tagged = jsonl("data/tagged.jsonl") as demonstrations { prompt = "{{prompt}}"  response = "{{response}}" }
mixture mx = mix {
  ${task}: proportional
  tagged: weight 1.0
}
stage ${stage} = pretrain { init = m  data = text("data/corpus.txt")  steps = 2  batch_size = 4  log_every = 1 }
eval ${evalName} = accuracy { model = m  task = mx  split = train  n = 60 }
`;

test("a renamed task block gives the same accuracy baseline, fresh or from the cache, and a hit's rows carry this run's names", async () => {
  const fx = recipeInTempDir(FILES, recipe("addition"), "a.align");
  try {
    const write = (name: string, src: string) => {
      const file = join(fx.dir, name);
      writeFileSync(file, src);
      return file;
    };
    const b = write("b.align", recipe("addz"));
    const c = write("c.align", recipe("addition", "renamed_acc", "pre2"));
    const lines: string[] = [];
    const progress = { ...createProgress({ quiet: true }), info: (l: string) => void lines.push(l) };
    const run = async (file: string, cache: string) => outcome(await runRecipe(file, { runsDir: join(fx.dir, "runs"), cacheRoot: join(fx.dir, cache), progress, workers: 1, backend: "wasm" }));
    const summary = (o: Awaited<ReturnType<typeof run>>, id: string) => o.manifest.nodes.find((n) => n.id === id)!;

    // fresh runs of the two names: one computation (the hashes are one), so one baseline; each group of
    // twelve answers its own constant
    const freshA = await run(fx.file, "cache-a");
    // its live line says what the report and the closing summary say: the training split, not held out (figuresP41)
    assert.ok(lines.some((l) => /^acc: accuracy .* \(the training split, by design: not held out\)$/.test(l)), lines.join("\n"));
    const freshB = await run(b, "cache-b");
    assert.equal(summary(freshA, "acc").hash, summary(freshB, "acc").hash, "a rename moves no hash");
    assert.equal(summary(freshA, "acc").summary!.baseline, 1, JSON.stringify(summary(freshA, "acc").summary));
    assert.equal(summary(freshB, "acc").summary!.baseline, summary(freshA, "acc").summary!.baseline);

    // b from a's cache: a hit, with the figure a fresh run of b gives
    const hitB = await run(b, "cache-a");
    assert.equal(summary(hitB, "acc").status, "cached");
    // (the figures, that is: the per-task entries are labelled with the names of the run that computed them)
    const figures = (o: Awaited<ReturnType<typeof run>>) => Object.fromEntries(Object.entries(summary(o, "acc").summary!).filter(([k]) => !k.includes("/")));
    assert.deepEqual(figures(hitB), figures(freshB));

    // c renames the eval and the stage: both hits, their replayed rows under this run's names
    const hitC = await run(c, "cache-a");
    assert.deepEqual([summary(hitC, "renamed_acc").status, summary(hitC, "pre2").status], ["cached", "cached"]);
    const jsonl = (f: string) => readFileSync(join(hitC.runDir, f), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const samples = jsonl("samples.jsonl");
    assert.ok(samples.length > 0);
    assert.deepEqual([...new Set(samples.map((s) => s.eval))], ["renamed_acc"]);
    // each sample carries its task's constant answer, which the report shows beside it (figuresP41: the
    // report left out the console's "the constant: always …"): 8 for the sums, 17 for the tagged rows
    assert.deepEqual([...new Set(samples.map((s) => `${String(s.reference).trim()}→${String(s.constant)}`))].sort(), ["17→17", "8→8"]);
    const stages = [...new Set(jsonl("metrics.jsonl").filter((r) => r.cached === 1 && typeof r.stage === "string").map((r) => r.stage))];
    assert.ok(stages.length > 0);
    assert.ok(!stages.includes("pre") && !stages.includes("acc"), `rows under the computing run's names: ${JSON.stringify(stages)}`);
  } finally {
    fx.cleanup();
  }
});
