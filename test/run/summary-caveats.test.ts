// `alignc run`'s closing summary says beside an eval's figure what the report says: a judge that is no
// independent one, a figure on the training split by design, one on text a training pool holds. It
// printed the figure alone, so a figure on training text read like a held-out one (figures38 #3).
import { test } from "node:test";
import assert from "node:assert/strict";
import { summaryText } from "../../src/cli/commands/run.js";
import { renderReport } from "../../src/run/presentation/report.js";
import { tempDir } from "./helpers.js";
import { makeRun } from "./fakerun.js";

test("the closing summary and the report carry the same caveats beside an eval's figure", () => {
  const { dir, cleanup } = tempDir();
  try {
    const run = makeRun(dir, { finals: { judge: { win_rate: 0.6, ci_low: 0.55, ci_high: 0.65, wins: 6, ties: 2, losses: 2, n: 10, p_value: 0.29 }, rm_train: { accuracy: 0.43, length_baseline: 0.5, n: 8 }, leaky: { loss: 2.1, baseline: 3.1, n: 5 } } });
    const m = run.readManifest();
    m.nodes = m.nodes.map((n) => ({ ...n, kind: n.id === "judge" ? "eval.win_rate" : n.id === "rm_train" ? "eval.rm_accuracy" : "eval.lm_loss" }));
    m.contamination = { leaks: 3, pairs: [{ evalBlock: "leaky", trainPool: "sft.data (demos)", count: 3 } as never], checked: ["judge", "leaky"], notChecked: ["rm_train"], tokenizerCorpora: [{ evalBlock: "judge", trainPool: "tokenizer subwords.corpus", count: 7 } as never] };
    run.writeManifest(m);
    run.appendSample({ eval: "judge", judge: "rm", judge_note: "the reward policy optimised: not an independent judge", prompt: "p", a: { model: "policy", text: "x", score: 1 }, b: { model: "sft", text: "y", score: 0 }, winner: "a" });
    const text = summaryText(m, run.path);
    assert.match(text, /judge .*sign test p 0\.29.* \(the reward policy optimised: not an independent judge\)/);
    assert.match(text, /rm_train .* \(the training split, by design: not held out\)/);
    assert.match(text, /leaky .* ⚠ not held out: 3 of its texts in sft\.data \(demos\)/);
    // held out from every model, not from a tokenizer's merges (figures38 #6)
    assert.match(text, /judge .*\(its text is in a tokenizer's corpus: 7 of its texts in tokenizer subwords\.corpus; the merges were fit on it, no model trained on it\)/);
    const html = renderReport(run);
    assert.match(html, /the reward policy optimised: not an independent judge/);
    assert.match(html, /\(the training split, by design: not held out\)/);
    assert.match(html, /<span class="bad">⚠ not held out: 3 of its texts in sft\.data \(demos\)<\/span>/);
  } finally {
    cleanup();
  }
});

// a stage's line says what each figure is measured on, on the console and in the report's plan table (reviewC39 L6)
test("the closing summary and the report's plan table print a stage's figures through its headline, never as raw key value", () => {
  const { dir, cleanup } = tempDir();
  try {
    const run = makeRun(dir, { finals: { rm: { steps: 150, loss: 0.45, batch_accuracy: 0.7309, heldout_accuracy_before: 0.5675, heldout_accuracy: 0.719, heldout_accuracy_length_baseline: 0.5116, accuracy: 0.719 } } });
    const m = run.readManifest();
    m.nodes = m.nodes.map((n) => (n.id === "rm" ? { ...n, kind: "stage.reward_model" } : n));
    run.writeManifest(m);
    const line = "held-out pair accuracy 0.5675 → 0.719 (chance 0.5, length alone 0.5116); training batches (last tenth of the steps): loss 0.45, pair accuracy 0.7309 (chance 0.5)";
    assert.ok(summaryText(m, run.path).includes(line), summaryText(m, run.path));
    assert.doesNotMatch(summaryText(m, run.path), /batch_accuracy 0\.7309/);
    assert.ok(renderReport(run).includes(line.replace(/&/g, "&amp;")));
  } finally {
    cleanup();
  }
});
