// `ptx_data = train(pre)`: PPO's ptx term on the pretraining text the pretrain stage trained on
// (InstructGPT's pretraining mix), which leaves out the share heldout(pre) measures the alignment tax
// on. The corpus itself as ptx_data would train on that share: the contamination check says so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import { dataPlanOf, examplesOf } from "../../src/data/build.js";
import { findLeaks } from "../../src/data/leaks.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { repoRoot } from "../repo-root.js";

const LINES = Array.from({ length: 40 }, (_, i) => `Line ${i + 1} of the corpus says something.`);

function recipe(ptxData: string, prompts = "demos"): string {
  return `recipe r { seed = 3 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
format chat = chat_template("${join(repoRoot(), "templates", "chat", "plain.hbs")}")
stage pre = pretrain { init = m  data = text("corpus.txt")  steps = 2  batch_size = 2  holdout = 0.25 }
stage sft = sft { init = pre  data = demos  format = chat  steps = 2  batch_size = 2 }
stage policy = ppo { init = sft  reward = "rule"  prompts = ${prompts}  format = chat  steps = 2  batch_size = 4  samples_per_prompt = 2  advantages = "rloo"  ptx_coef = 1  ptx_data = ${ptxData}  max_new_tokens = 4 }
eval tax = lm_loss { model = policy  data = heldout(pre) }
`;
}

function folder(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-ptx-"));
  writeFileSync(join(dir, "corpus.txt"), LINES.join("\n") + "\n");
  const demos = [["Add 2 and 3.", "5"], ["Add 1 and 1.", "2"], ["Add 4 and 1.", "5"], ["Add 2 and 2.", "4"]];
  writeFileSync(join(dir, "demos.jsonl"), demos.map(([instruction, response]) => JSON.stringify({ instruction, response })).join("\n") + "\n");
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test("ptx_data = train(pre): the pretraining text without heldout(pre)'s share; the corpus itself is reported as a leak", async () => {
  const { dir, done } = folder();
  try {
    const file = join(dir, "r.align");
    const checked = await checkRecipeText(recipe("train(pre)"), file);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    assert.deepEqual(checked.diagnostics.filter((d) => d.severity === "error"), []);
    const dp = dataPlanOf(checked.recipe);
    const ptx = await examplesOf(dp, "policy", { prop: "ptx_data" });
    const held = await examplesOf(dp, "tax");
    assert.equal(ptx.kind, "text");
    assert.equal(held.kind, "text");
    if (ptx.kind !== "text" || held.kind !== "text") return;
    const trained = new Set(ptx.train.lines);
    const measured = held.train.lines; // heldout(pre) hands its held-out share over as the eval's lines
    assert.equal(measured.length, 10, "holdout = 0.25 of 40 lines");
    assert.deepEqual(measured.filter((l) => trained.has(l)), [], "no held-out line is trained on by ptx");
    assert.deepEqual([...trained, ...measured].sort(), [...LINES].sort(), "together they are the corpus");
    assert.equal((await findLeaks(checked.recipe)).total, 0);

    // the corpus itself as ptx_data trains on the text the tax is measured on: 10 leaks, found twice,
    // as the tax eval's lines and as the pretrain stage's own held-out split (its val_loss's)
    const whole = await checkRecipeText(recipe(`text("corpus.txt")`), file);
    assert.ok(whole.recipe);
    const leaks = await findLeaks(whole.recipe);
    assert.deepEqual(leaks.leaks.map((l) => [l.evalPool.name, l.count]).sort(), [["eval tax", 10], ["stage pre (held-out split)", 10]]);
    assert.ok(leaks.leaks.every((l) => l.trainPool.name.includes("ptx_data")), JSON.stringify(leaks.leaks.map((l) => l.trainPool.name)));
  } finally {
    done();
  }
});

test("ptx_data = train(pre) runs: PPO logs a finite ptx loss; a pretrain stage's split where prompts are read is AL2011 at the reference", async () => {
  const { dir, done } = folder();
  try {
    const file = join(dir, "r.align");
    writeFileSync(file, recipe("train(pre)"));
    const r = await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.diagnostics));
    if (!r.ok) return;
    assert.equal(r.outcome.error ?? null, null, String(r.outcome.error));
    const policy = r.outcome.manifest.nodes.find((n) => n.id === "policy");
    const ptxLoss = (policy?.summary as Record<string, unknown> | undefined)?.ptx_loss;
    assert.ok(typeof ptxLoss === "number" && Number.isFinite(ptxLoss) && ptxLoss > 0, `ptx_loss ${String(ptxLoss)}`);

    // a corpus has no prompts: refused where the recipe names it (it was an unlocated data error at plan)
    for (const call of ["heldout(pre)", "train(pre)"]) {
      const text = recipe("train(pre)", call);
      const bad = await checkRecipeText(text, file);
      const d = bad.diagnostics.find((x) => x.code === "AL2011");
      assert.ok(d, `${call}: ${JSON.stringify(bad.diagnostics)}`);
      const line = text.split("\n").findIndex((l) => l.includes(`prompts = ${call}`));
      assert.equal(d.span?.line, line + 1);
      assert.equal(d.span?.col, text.split("\n")[line]!.indexOf(`prompts = ${call}`) + `prompts = ${call.split("(")[0]}(`.length + 1);
    }
  } finally {
    done();
  }
});
