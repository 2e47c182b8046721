// The contamination check (src/data/leaks.ts): a recipe whose eval prompts are training prompts or
// occur in its pretraining text reports them per pair of pools and warns (AL3070) on the eval; so
// does a stage whose own held-out split holds training text; a recipe with disjoint pools reports
// `leaks: 0` and no warning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import fc from "fast-check";
import { MIN_SUBSTRING, findLeaks, inCorpus, leakDiagnostics, normalizeWhitespace, type InCorpusWork } from "../../src/data/leaks.js";
import { leakText } from "../../src/data/leak-text.js";
import { repoRoot } from "../repo-root.js";
import { heldOutRecipe } from "./held-out-recipe.js";
import { demo, leakRecipe } from "./leak-fixture.js";


const CORPUS = ["The boy holds the old book.", "Cats are animals.", "What colour", "is the sky? Blue."];
const TRAIN = [demo("Add 2 and 3.", "5"), demo("Write cat in capitals.", "CAT"), demo("Feeling of very good?", "positive")];

function recipeWith(evalRows: string[], corpus = CORPUS, train = TRAIN): ReturnType<typeof leakRecipe> {
  return leakRecipe(evalRows, corpus, train);
}

test("leaks: eval prompts in the SFT data (after whitespace normalisation) and in the pretraining text are reported per pair of pools", async () => {
  const r = recipeWith([demo("Add  2 and\n3.", "5"), demo("Cats are animals.", "yes"), demo("What colour is the sky?", "Blue"), demo("Name a fruit.", "apple")]);
  try {
    const checked = await checkRecipeText(r.src, r.file);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    const rep = await findLeaks(checked.recipe);
    const pairs = rep.leaks.map((l) => `${l.evalPool.name} ∩ ${l.trainPool.name}: ${l.count}`).sort();
    assert.deepEqual(pairs, ["eval held ∩ pre.data (pretraining text): 2", "eval held ∩ sft.data (train_demos): 1"]);
    assert.equal(rep.total, 3);
    const text = leakText(rep);
    assert.match(text, /"Add 2 and 3\."/);
    assert.match(text, /"What colour is the sky\?"/, "a text spanning two corpus lines counts: whitespace normalisation joins them");
    assert.match(text, /\nleaks: 3$/);
    const ds = leakDiagnostics(checked.recipe, rep);
    assert.equal(ds.length, 1);
    assert.equal(ds[0]!.code, "AL3070");
    assert.equal(ds[0]!.severity, "warning");
    assert.equal(ds[0]!.span?.line, 9, "on the eval's data property");
  } finally {
    r.done();
  }
});

test("leaks: a recipe with disjoint pools reports leaks: 0 and no warning", async () => {
  const r = recipeWith([demo("Name a fruit.", "apple"), demo("Subtract 1 from 9.", "8")]);
  try {
    const checked = await checkRecipeText(r.src, r.file);
    const rep = await findLeaks(checked.recipe!);
    assert.equal(rep.total, 0);
    assert.equal(rep.evalPools.length, 1);
    assert.equal(rep.trainPools.length, 2);
    assert.deepEqual(rep.notChecked, []);
    assert.match(leakText(rep), /\nleaks: 0$/);
    assert.deepEqual(leakDiagnostics(checked.recipe!, rep), []);
  } finally {
    r.done();
  }
});

test("leaks: a stage's own held-out split (what val_loss and heldout_accuracy score) is checked like an eval's pool", async () => {
  // a split keeps copies of a text together (split.ts), so these leaks come from elsewhere: held-out
  // corpus lines inside longer training lines, and held-out prompts another stage trains on
  const dir = mkdtempSync(join(tmpdir(), "alignc-leaks-"));
  try {
    writeFileSync(join(dir, "corpus.txt"), Array.from({ length: 20 }, (_, i) => `Line ${i % 10} of a corpus text${i < 10 ? "." : ". And more."}`).join("\n") + "\n");
    const adds = Array.from({ length: 10 }, (_, i) => `Add ${i} and 1.`);
    const names = Array.from({ length: 10 }, (_, i) => `Name the number ${i}.`);
    writeFileSync(join(dir, "demos.jsonl"), adds.map((p, i) => demo(p, `${i + 1}`)).join("\n") + "\n");
    writeFileSync(join(dir, "more.jsonl"), [...adds, ...names].map((p) => demo(p, "ok")).join("\n") + "\n");
    writeFileSync(join(dir, "ranks.jsonl"), names.map((p, i) => JSON.stringify({ prompt: p, responses: [`${i}`, "no"], ranking: "A > B" })).join("\n") + "\n");
    const { recipe, report: rep } = await heldOutRecipe(
      dir,
      `source more = jsonl("more.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
stage sft2 = sft { init = pre  data = more  format = chat  steps = 2 }
stage align = dpo { init = sft  data = prefs  format = chat  steps = 2 }`,
    );
    assert.deepEqual(rep.evalPools.map((p) => p.name), ["stage pre (held-out split)", "stage sft (held-out split)", "stage align (held-out split)", "stage rm (held-out split)"]);
    const pairs = new Map(rep.leaks.map((l) => [`${l.evalPool.name} ∩ ${l.trainPool.name}`, l.count]));
    // every held-out prompt is one sft2 trains on; a held-out short line leaks where its longer line is trained on
    const held = (name: string) => rep.evalPools.find((p) => p.name === name)!.texts;
    assert.equal(pairs.get("stage sft (held-out split) ∩ sft2.data (more)"), held("stage sft (held-out split)").length);
    assert.equal(pairs.get("stage rm (held-out split) ∩ sft2.data (more)"), held("stage rm (held-out split)").length);
    // DPO's held-out pairs (its heldout_accuracy) are the same prompts as the reward model's
    assert.deepEqual(held("stage align (held-out split)"), held("stage rm (held-out split)"));
    assert.equal(pairs.get("stage align (held-out split) ∩ sft2.data (more)"), held("stage align (held-out split)").length);
    const trainLines = new Set(rep.trainPools.find((p) => p.name === "pre.data (pretraining text)")!.texts);
    const expected = held("stage pre (held-out split)").filter((l) => l.endsWith("corpus text.") && trainLines.has(`${l} And more.`)).length;
    assert.ok(expected > 0, "the seeded split holds out a short line whose longer line is trained on");
    assert.equal(pairs.get("stage pre (held-out split) ∩ pre.data (pretraining text)"), expected, JSON.stringify([...pairs]));
    const ds = leakDiagnostics(recipe, rep);
    assert.deepEqual(ds.map((d) => [d.code, d.span?.line, d.message.split(":")[0]]), [
      ["AL3070", 7, "stage `pre`'s held-out split"],
      ["AL3070", 8, "stage `sft`'s held-out split"],
      ["AL3070", 12, "stage `align`'s held-out split"],
      ["AL3070", 9, "stage `rm`'s held-out split"],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("leaks: against a corpus, a text shorter than MIN_SUBSTRING leaks only as a whole line; a longer one anywhere", async () => {
  assert.equal(MIN_SUBSTRING, 20);
  // "No." and "Yes, it is." are inside training lines; "Maybe." is a training line; the long text spans two lines
  const r = recipeWith(
    ["No.", "Yes, it is.", "Maybe.", "long enough to be searched"].map((t) => demo(t, "x")),
    ["No. It is not.", "Yes, it is. Said she.", "Maybe.", "A sentence long enough", "to be searched for."],
    [demo("Add 2 and 3.", "5")],
  );
  try {
    const { src, file } = r;
    const checked = await checkRecipeText(src, file);
    const rep = await findLeaks(checked.recipe!);
    assert.deepEqual(rep.leaks.map((l) => [l.evalPool.name, l.trainPool.name, l.count, [...l.examples].sort()]), [["eval held", "pre.data (pretraining text)", 2, ["Maybe.", "long enough to be searched"]]]);
  } finally {
    r.done();
  }
});

test("inCorpus finds texts at the start, the end, across lines, longer than the hash window, and nothing else", () => {
  const lines = ["alpha beta", "gamma   delta", "x".repeat(200) + " tail"];
  const long = "x".repeat(150);
  const texts = ["alpha", "beta gamma delta", "tail", long, "delta x", "absent", "alphabet"];
  assert.deepEqual(inCorpus(texts, lines), ["alpha", "beta gamma delta", "tail", long, "delta x"]);
  assert.deepEqual(inCorpus([], lines), []);
  assert.deepEqual(inCorpus(["a"], []), []);
});

test("inCorpus is linear: one hashed step per corpus character, candidate work beside it, the total doubling when corpus and texts double", () => {
  // counted, not timed (speed lives in test/bench/): a scan trying every text at every position
  // would quadruple its work when both double
  const work = (n: number): InCorpusWork & { corpus: number; total: number } => {
    const lines = Array.from({ length: 50 * n }, (_, i) => `line number ${i} of the corpus, some words follow`);
    const texts = Array.from({ length: n }, (_, i) => (i % 2 ? `line number ${i * 37} of the` : `never in the corpus ${i}`));
    const w: InCorpusWork = { positions: 0, lookups: 0, compared: 0 };
    assert.equal(inCorpus(texts, lines, w).length, n / 2);
    return { ...w, corpus: normalizeWhitespace(lines.join(" ")).length, total: w.positions + w.lookups + w.compared };
  };
  const small = work(400);
  const large = work(800);
  for (const x of [small, large]) {
    // half the texts are absent: the pass never ends early; the window is the shortest text (21 characters)
    assert.equal(x.positions, x.corpus - 21 + 1, JSON.stringify(x));
    // Map lookups and verifications happen at candidate positions only, not per position and text
    assert.ok(x.lookups + x.compared < x.positions / 100, JSON.stringify(x));
  }
  const ratio = large.total / small.total;
  assert.ok(ratio > 1.9 && ratio < 2.2, `${small.total} → ${large.total} steps (×${ratio.toFixed(2)}; linear is ×2, quadratic ×4)`);
});

test("an eval of the training split (flan-zero-shot's `seen`) is listed as not checked, not as a leak", async () => {
  const { checkRecipeFile } = await import("../../src/check/index.js");
  const { recipe } = await checkRecipeFile(join(repoRoot(), "recipes", "flan-zero-shot.align"));
  const rep = await findLeaks(recipe!);
  assert.deepEqual(rep.notChecked, ["seen"]);
  assert.ok(rep.leaks.every((l) => l.evalPool.block !== "seen"));
  assert.match(leakText(rep), /not checked \(they score the training split on purpose\): eval seen/);
});

test("normalizeWhitespace = trim + every whitespace run to one space", () => {
  const ws = fc.constantFrom(" ", "  ", "\t", "\n", " \t ", "\r\n", "\u00a0", "x", "y", "ab");
  fc.assert(fc.property(fc.array(ws, { maxLength: 12 }), (parts) => {
    const s = parts.join("");
    return normalizeWhitespace(s) === s.trim().replace(/\s+/g, " ");
  }));
});

test("every example recipe is free of contamination: no eval or held-out prompt in any training pool", async () => {
  const { checkRecipeFile } = await import("../../src/check/index.js");
  const { readdirSync } = await import("node:fs");
  const dir = join(repoRoot(), "recipes");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".align"))) {
    const { recipe, diagnostics } = await checkRecipeFile(join(dir, f));
    assert.ok(recipe, JSON.stringify(diagnostics));
    const r = await findLeaks(recipe);
    assert.equal(r.total, 0, `${f}: ${leakText(r)}`);
  }
});

// A BPE tokenizer trains on its corpus: an evaluated text there is reported beside the leaks (its merges
// are fit to it) and not counted in them (no model trains on a tokenizer's corpus). The quickstart's
// tokenizer reads the whole pretraining file, pre's held-out lines included.
test("leaks: evaluated texts in a bpe tokenizer's corpus are reported apart, not counted in leaks: N", async () => {
  const r = recipeWith([demo("Name a fruit.", "apple"), demo("Subtract 1 from 9.", "8")]);
  try {
    writeFileSync(join(r.dir, "tok.txt"), "Some words.\nName a fruit.\nMore words here.\n");
    const src = r.src.replace("tokenizer bytes = byte_level {}", 'tokenizer sub = bpe { corpus = text("tok.txt")  vocab_size = 270 }').replace("tokenizer = bytes", "tokenizer = sub");
    assert.notEqual(src, r.src);
    const checked = await checkRecipeText(src, r.file);
    assert.ok(checked.recipe, JSON.stringify(checked.diagnostics));
    const rep = await findLeaks(checked.recipe);
    assert.equal(rep.total, 0);
    assert.deepEqual(rep.tokenizerCorpora.map((l) => [l.evalPool.name, l.trainPool.name, l.count, l.found]), [["eval held", "tokenizer sub.corpus", 1, ["Name a fruit."]]]);
    const text = leakText(rep);
    assert.match(text, /eval held ∩ tokenizer sub\.corpus: 1 of 2 in the text a tokenizer trains on \(not counted in leaks/);
    assert.match(text, /\nleaks: 0$/);
    assert.deepEqual(leakDiagnostics(checked.recipe, rep), [], "no AL3070: a tokenizer's corpus is no training pool");
  } finally {
    r.done();
  }
});
