// Splits that hold nothing (src/data/empty-splits.ts): an eval of a held-out split that rounds to no
// example is an error (AL3071) at its data property, in `alignc check` and before `alignc run` trains
// anything (it used to print "loss NaN on 0 sequences" under an "ok" run); a pretrain stage whose
// written `holdout` share (or whose gated val_loss) a small corpus rounds to no line is warned about
// (AL3072); a share that keeps something out raises neither.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import { leakCheck } from "../../src/data/leaks.js";
import { compileForRun } from "../../src/run/compile-run.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { recipeInTempDir } from "../run/helpers.js";

const DEMOS = ["Say hi.", "Say yo.", "Say no."].map((p, i) => JSON.stringify({ instruction: p, response: ["hi", "yo", "no"][i] }));

/** 3 demonstrations with `holdout` = demosHoldout, a 3-line corpus with the stage's `holdout` = preHoldout, an lm_loss of heldout(demos). */
function recipe(demosHoldout: number, preHoldout: number | null, extra = "") {
  const src = `recipe few { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 32 }
source demos = jsonl("d.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}"  holdout = ${demosHoldout} }
stage pre = pretrain { init = m  data = text("c.txt")  steps = 2${preHoldout === null ? "" : `  holdout = ${preHoldout}`} }
stage sft = sft { init = pre  data = demos  steps = 2 }
eval held = lm_loss { model = sft  data = heldout(demos) }
${extra}`;
  return { src, ...recipeInTempDir({ "d.jsonl": DEMOS.join("\n") + "\n", "c.txt": "one line here\ntwo lines here\nthree lines\n" }, src, "few.align") };
}

async function diagnostics(demosHoldout: number, preHoldout: number | null, extra = "") {
  const r = recipe(demosHoldout, preHoldout, extra);
  try {
    const checked = await checkRecipeText(r.src, r.file);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    return (await leakCheck(checked.recipe, null)).diagnostics.map((d) => `${d.severity} ${d.code} ${d.span?.line}:${d.span?.col} ${d.message}`);
  } finally {
    r.cleanup();
  }
}

test("empty splits: heldout(x) of 3 prompts at holdout 0.1 (round(0.3) = 0) is an error at the eval's data; a written 0.1 of a 3-line corpus a warning at the stage's holdout", async () => {
  assert.deepEqual(await diagnostics(0.1, 0.1), [
    "warning AL3072 5:77 stage `pre` holds no line out: its `holdout` share of the corpus's distinct lines rounds to none, so it trains on every line and reports no val_loss",
    "error AL3071 7:43 eval `held` has nothing to evaluate: its `data` holds no example",
  ]);
});

test("empty splits: the default share (0.05) on a few lines is no claim; a gate on the stage's figures makes it one", async () => {
  assert.deepEqual(await diagnostics(0.5, null), []);
  assert.deepEqual(await diagnostics(0.5, null, "expect { pre.loss < 9 }\n"), [], "the training loss needs no held-out line");
  assert.deepEqual(await diagnostics(0.5, null, "expect { pre.val_loss < 3 }\n"), [
    "warning AL3072 5:41 stage `pre` holds no line out: its `holdout` share of the corpus's distinct lines rounds to none, so it trains on every line and reports no val_loss; gated by `pre.val_loss < 3`",
  ]);
});

test("empty splits: shares that keep something out raise nothing, and holdout = 0 for pretraining is a choice, not a warning", async () => {
  assert.deepEqual(await diagnostics(0.5, 0.4), []); // round(1.5) = 2 prompts, round(1.2) = 1 line
  assert.deepEqual(await diagnostics(0.5, 0), []);
});

test("empty splits: alignc run refuses the recipe before any stage trains", async () => {
  const r = recipe(0.1, 0.4);
  try {
    const input = await compileForRun(r.file, { noBudget: true });
    assert.equal(input.plan, null, "no plan to run");
    assert.deepEqual(input.diagnostics.filter((d) => d.severity === "error").map((d) => d.code), ["AL3071"]);
  } finally {
    r.cleanup();
  }
});

test("empty splits: comparisons with no pair to order (every held-out response tied) are refused by the run before it starts, not scored NaN", async () => {
  const { dir, file, cleanup } = recipeInTempDir(
    {
      "p.jsonl": '{"prompt":"Add 1 and 1.","responses":["2","3"],"ranking":"A > B"}\n{"prompt":"Add 2 and 1.","responses":["3","4"],"ranking":"A > B"}\n',
      "t.jsonl": '{"prompt":"Add 5 and 1.","responses":["6","7"],"ranking":"A = B"}\n',
      "c.txt": "one line here\ntwo lines here\n",
    },
    `recipe tie { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 32 }
source prefs = jsonl("p.jsonl") as rankings { k = 2..2 }
source ties = jsonl("t.jsonl") as rankings { k = 2..2 }
stage pre = pretrain { init = m  data = text("c.txt")  steps = 2 }
stage rm = reward_model { init = pre  data = prefs  steps = 2 }
eval acc = rm_accuracy { model = rm  data = ties }
`,
    "tie.align",
  );
  try {
    const r = await runRecipe(file, { runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: createProgress({ quiet: true }), workers: 1 });
    assert.equal(r.ok, false);
    const errors = r.ok ? [] : r.diagnostics.filter((d) => d.severity === "error");
    assert.deepEqual(errors.map((d) => `${d.code} ${d.span?.line}:${d.span?.col} ${d.message}`), ["AL3071 8:45 eval `acc` has nothing to evaluate: its `data` holds no pair to order (its 1 group(s) rank every response alike)"]);
    assert.equal(existsSync(join(dir, "runs")) && readdirSync(join(dir, "runs")).length > 0, false, "no run directory");
  } finally {
    cleanup();
  }
});

test("empty splits: an accuracy eval of a split its task does not hold is located at `split`, with the setting that makes one", async () => {
  const src = `recipe r { seed = 1 }
tokenizer bytes = byte_level {}
model m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }
task add = flan { data = jsonl("rows.jsonl")  templates = dir("tpl") }
stage sft = sft { init = m  data = add  steps = 2 }
eval a = accuracy { model = sft  task = add  split = heldout_templates }
`;
  const { file, cleanup } = recipeInTempDir({ "rows.jsonl": '{"a":1,"b":2,"sum":3}\n{"a":4,"b":1,"sum":5}\n{"a":2,"b":6,"sum":8}\n', "tpl/plus.hbs": "{{a}} plus {{b}}?\n|||\n{{sum}}\n" }, src);
  try {
    const checked = await checkRecipeText(src, file);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    const ds = (await leakCheck(checked.recipe, null)).diagnostics;
    assert.deepEqual(ds.map((d) => `${d.code} ${d.span?.line}:${d.span?.col} ${d.message} | ${d.hint}`), [
      "AL3071 6:54 eval `a` has nothing to evaluate: its `split = heldout_templates` holds no example | give the task `holdout_templates = N` (templates kept out of training for this split)",
    ]);
  } finally {
    cleanup();
  }
});
