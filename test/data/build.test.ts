import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildExamples, buildPrompts, countExamples, recipeTokenizer, tokenizeExample } from "../../src/data/index.js";
import { generateDemoFiles, PREAMBLE } from "../../src/data/demo/generate.js";
import { DataError } from "../../src/data/diag.js";
import { block, call, lima, quickstart, recipe, ref, RECIPES, ROOT } from "./recipe-fixture.js";

test("quickstart: every data block builds; SFT text carries exact spans in the plain chat format", async () => {
  const r = quickstart();
  const sft = await buildExamples(r, "sft");
  assert.equal(sft.kind, "sft");
  if (sft.kind !== "sft") return;
  assert.ok(sft.train.length > 1500);
  for (const e of sft.train) {
    assert.equal(e.text.slice(...e.responseSpan), e.response);
    assert.equal(e.text.slice(...e.promptSpan), e.prompt);
    assert.ok(e.text.startsWith("User: "));
  }
  const sources = new Set(sft.train.map((e) => e.meta.source));
  assert.deepEqual([...sources].sort(), ["addition", "demos", "sentiment", "uppercase"]);
  assert.ok(sft.heldoutTemplates.length > 0 && sft.heldoutTemplates.every((e) => e.meta.heldout));
  const rm = await buildExamples(r, "rm");
  assert.equal(rm.kind, "comparisons");
  if (rm.kind === "comparisons") {
    assert.equal(rm.train.length + rm.heldout.length, 1600);
    assert.equal(rm.heldout.length, 320);
  }
  const pre = await buildExamples(r, "pre");
  assert.equal(pre.kind, "text");
  const prompts = await buildPrompts(r, ref("prefs", "prompts"));
  assert.equal(prompts.heldout.length, 320);
  assert.ok(prompts.heldout.every((p) => !p.response.startsWith(PREAMBLE)));
  const tok = await recipeTokenizer(r);
  assert.equal(tok.name, "byte_level");
  const t = tokenizeExample(sft.train[0]!, tok, { maxLength: 64 });
  assert.ok(t.tokens.length <= 64 && t.lossMask.includes(1));
});

test("same recipe and seed → identical examples; another seed → another order", async () => {
  const a = await buildExamples(quickstart(17), "sft_data");
  const b = await buildExamples(quickstart(17), "sft_data");
  const c = await buildExamples(quickstart(18), "sft_data");
  const ids = (x: typeof a) => (x.kind === "sft" ? x.train.map((e) => `${e.id}|${e.text}`) : []);
  assert.deepEqual(ids(a), ids(b));
  assert.notDeepEqual(ids(a), ids(c));
});

test("LIMA: 800 of the demonstrations after normalised dedup, length bound (concise answers only) and category quota", async () => {
  const r = lima();
  const out = await buildExamples(r, "curated");
  assert.equal(out.kind, "sft");
  if (out.kind !== "sft") return;
  assert.equal(out.train.length, 800);
  assert.ok(out.train.every((e) => e.response.length <= 12 && !e.response.startsWith(PREAMBLE)));
  const perCat = new Map<string, number>();
  for (const e of out.train) perCat.set(e.meta.category!, (perCat.get(e.meta.category!) ?? 0) + 1);
  assert.ok([...perCat.values()].every((n) => n <= 400));
  const demos = readFileSync(resolve(RECIPES, "data/demos.jsonl"), "utf8").trim().split("\n");
  assert.ok(demos.length >= 1200, "the selection is a real choice");
});

test("countExamples: cheap sizes that agree with the full build", async () => {
  const r = quickstart();
  for (const name of ["prefs", "pre", "sentiment", "sft_data"]) {
    const s = await countExamples(r, name);
    const full = await buildExamples(quickstart(), name);
    const n = full.kind === "text" ? full.train.lines.length : full.train.length;
    // mixtures are estimated before dedup: within 5%
    assert.ok(Math.abs(s.examples - n) <= Math.max(1, n * 0.05), `${name}: ${s.examples} vs ${n}`);
    assert.ok(s.tokens > 0 && s.meanTokens > 0 && s.maxTokens >= s.meanTokens);
  }
  const p = await countExamples(r, "prefs");
  assert.ok(p.comparisons! > p.examples * 6);
});

test("a field mapping that names no field is AL3010 located in the recipe", async () => {
  const span = { start: 10, end: 25, line: 4, col: 7, endLine: 4, endCol: 22 };
  const src = block("source", "demos", "jsonl", { prompt: "{{instrction}}", response: "{{response}}", holdout: 0 }, { args: [resolve(RECIPES, "data/demos.jsonl")], role: "demonstrations" });
  src.propSpans.prompt = span;
  const r = recipe([src]);
  await assert.rejects(buildExamples(r, "demos"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    return d.code === "AL3010" && d.file === r.file && d.span === span && d.hint === "did you mean `instruction`?";
  });
});

test("held-out tasks (opts.heldoutTasks) are kept out of training and evaluated zero-shot", async () => {
  const r = quickstart();
  const out = await buildExamples(r, "sft_data", { heldoutTasks: ["uppercase"] });
  if (out.kind !== "sft") return assert.fail();
  assert.ok(!out.train.some((e) => e.meta.source === "uppercase"));
  assert.ok(!out.heldout.some((e) => e.meta.source === "uppercase") && !out.heldoutTemplates.some((e) => e.meta.source === "uppercase"));
  assert.equal(out.heldoutTasks.length, 140); // every row of uppercase.jsonl, once
  assert.ok(out.heldoutTasks.every((e) => e.meta.source === "uppercase" && e.meta.heldout && e.meta.shots === 0 && !e.meta.inverted));
});

/** The quickstart with `heldout_tasks = [...]` on its mixture and an accuracy eval on them. */
function withHeldoutTasks(names: string[], seed = 17) {
  const r = quickstart(seed);
  const mix = r.blocks.find((b) => b.name === "sft_data")!;
  mix.props = { ...mix.props, heldout_tasks: names.map((n) => ref(n)) };
  r.blocks.push(block("eval", "unseen", "accuracy", { model: ref("sft"), task: ref("sft_data"), split: "heldout_tasks", n: 300 }));
  return r;
}

test("heldout_tasks in a recipe: excluded from the mixture's training, scored zero-shot over all their templates by split = heldout_tasks", async () => {
  const r = withHeldoutTasks(["addition"]);
  const mixed = await buildExamples(r, "sft_data");
  if (mixed.kind !== "sft") return assert.fail();
  assert.ok(!mixed.train.some((e) => e.meta.source === "addition"));
  assert.ok(mixed.train.some((e) => e.meta.source === "sentiment"));
  // the training stage sees the same mixture
  const sft = await buildExamples(r, "sft");
  if (sft.kind !== "sft") return assert.fail();
  assert.ok(!sft.train.some((e) => e.meta.source === "addition"));
  // the eval's examples: every addition row, zero-shot, over all 10 templates (training and held-out ones)
  const ev = await buildExamples(r, "unseen", { format: "chat" });
  if (ev.kind !== "sft") return assert.fail();
  assert.equal(ev.train.length, 100);
  assert.deepEqual(new Set(ev.train.map((e) => e.meta.row)).size, 100);
  assert.ok(ev.train.every((e) => e.meta.source === "addition" && e.meta.shots === 0 && !e.meta.inverted && e.meta.heldout));
  assert.equal(new Set(ev.train.map((e) => e.meta.template)).size, 10);
  for (const e of ev.train) assert.equal(e.text.slice(...e.responseSpan), e.response);
  // deterministic in the seed; another seed, another order over the same rows
  const again = await buildExamples(withHeldoutTasks(["addition"]), "unseen", { format: "chat" });
  assert.deepEqual(again, ev);
  const other = await buildExamples(withHeldoutTasks(["addition"], 18), "unseen", { format: "chat" });
  if (other.kind !== "sft") return assert.fail();
  assert.notDeepEqual(other.train.map((e) => e.meta.row), ev.train.map((e) => e.meta.row));
  assert.deepEqual(other.train.map((e) => e.meta.row).sort(), ev.train.map((e) => e.meta.row).sort());
  // planner sizes leave the held-out task out
  const full = await countExamples(quickstart(), "sft_data");
  const held = await countExamples(r, "sft_data");
  assert.equal(held.perTask?.["addition"], undefined);
  assert.equal(held.examples, full.examples - full.perTask!["addition"]!);
  // a demonstrations source can be held out too: all its rows
  const d = await buildExamples(withHeldoutTasks(["demos"]), "unseen");
  if (d.kind !== "sft") return assert.fail();
  assert.ok(d.train.length > 0 && d.train.every((e) => e.meta.source === "demos" && e.meta.heldout));
});

test("heldout_tasks naming a non-component, or every component, is a located data error", async () => {
  await assert.rejects(buildExamples(quickstart(), "sft_data", { heldoutTasks: ["adition"] }), (e: DataError) => e.diagnostics[0]!.code === "AL3040" && /`adition` is not one of its components/.test(e.diagnostics[0]!.message));
  await assert.rejects(buildExamples(withHeldoutTasks(["sentiment", "addition", "uppercase", "demos"]), "sft"), (e: DataError) => /nothing is left to train on/.test(e.diagnostics[0]!.message));
});

test("a bpe tokenizer block trains on its corpus, deterministically", async () => {
  const mk = () => recipe([block("tokenizer", "bpe", "bpe", { corpus: call("text", resolve(RECIPES, "data/corpus.txt")), vocab_size: 400 })]);
  const a = await recipeTokenizer(mk(), "bpe");
  const b = await recipeTokenizer(mk(), "bpe");
  assert.equal(a.name, b.name);
  assert.ok(a.vocabSize > 300 && a.vocabSize <= 400);
  assert.equal(a.decode(a.encode("4 plus 3 is 7.")), "4 plus 3 is 7.");
  assert.ok(a.encode("4 plus 3 is 7.").length < 14);
});

test("the committed demo data is what the generator makes (deterministic, no generation step needed)", () => {
  const files = generateDemoFiles();
  for (const [name, text] of Object.entries(files)) assert.equal(readFileSync(resolve(ROOT, "recipes/data", name), "utf8"), text, `${name} differs: run npm run data:generate`);
  const demos = files["demos.jsonl"].trim().split("\n").map((l) => JSON.parse(l) as { response: string; context: string });
  const share = demos.filter((d) => d.response.startsWith(PREAMBLE)).length / demos.length;
  assert.ok(share > 0.25 && share < 0.35, `preamble share ${share}`);
  const corpus = files["corpus.txt"].trim().split("\n");
  const facts = corpus.filter((l) => / is |=/.test(l) && !/^(The|A|My|Her) [a-z ]+ (sees|likes|finds|has|wants|holds|makes|takes|reads|keeps) /.test(l)).length / corpus.length;
  assert.ok(facts > 0.25 && facts < 0.35, `fact share ${facts}`);
});

test("recipes checked by src/check build the same data as the hand-lowered fixture", async (t) => {
  let check: typeof import("../../src/check/index.js");
  try {
    check = await import("../../src/check/index.js");
  } catch {
    return t.skip("src/check not available");
  }
  const { recipe: checked, diagnostics } = await check.checkRecipeFile(resolve(RECIPES, "quickstart.align"));
  assert.ok(checked, JSON.stringify(diagnostics));
  const a = await buildExamples(checked!, "sft");
  const b = await buildExamples(quickstart(checked!.seed), "sft");
  if (a.kind !== "sft" || b.kind !== "sft") return assert.fail();
  assert.deepEqual(
    a.train.map((e) => e.text),
    b.train.map((e) => e.text),
  );
  const acc = await buildExamples(checked!, "zero_shot_after");
  assert.ok(acc.kind === "sft" && acc.train.length > 0 && acc.train.every((e) => e.meta.heldout));
  const lc = await check.checkRecipeFile(resolve(RECIPES, "lima.align"));
  assert.ok(lc.recipe, JSON.stringify(lc.diagnostics));
  const la = await buildExamples(lc.recipe, "curated");
  const lb = await buildExamples(lima(lc.recipe.seed), "curated");
  if (la.kind !== "sft" || lb.kind !== "sft") return assert.fail();
  assert.deepEqual(
    la.train.map((e) => e.text),
    lb.train.map((e) => e.text),
  );
});
