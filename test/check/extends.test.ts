// `recipe b extends "a.align" { block.prop = value }`: overrides applied to the base, located errors
// in the file that wrote them, sweeps kept, paths of the base resolved against the base's folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { FULL, check, expectClean, expectError, fixtureDir, writeRecipe } from "./helpers.js";

const base = writeRecipe("base.align", FULL);

test("overrides replace and add properties, header values, mixture clauses", async () => {
  const src = `recipe v extends "base.align" {\n  policy.kl_coef = 0.02\n  seed = 3\n  mixd.qa.cap = 50\n  sft.warmup = 2\n}\n`;
  const r = (await expectClean(src, "v.align")).recipe!;
  const b = (n: string) => r.blocks.find((x) => x.name === n)!;
  assert.equal(r.name, "v");
  assert.equal(r.seed, 3);
  assert.equal(r.extendsFile, base);
  assert.equal(r.file, join(fixtureDir, "v.align"));
  assert.equal(b("policy").props["kl_coef"], 0.02);
  assert.deepEqual(b("mixd").props["components"], { qa: { proportional: true, cap: 50 }, demos: { weight: 1 } });
  assert.equal(b("sft").props["warmup"], 2);
  assert.equal(b("sft").props["steps"], 10);
  // inherited blocks live in the base file; overridden properties point into the variant
  assert.equal(b("sft").file, base);
  assert.deepEqual(b("sft").propFiles, { warmup: join(fixtureDir, "v.align") });
  assert.equal(b("sft").propSpans["warmup"]!.line, 5);
  assert.equal(b("pre").propFiles, undefined);
});

test("an override that gives a stage with steps an epochs too is AL2041 where it is written: steps would win", async () => {
  const src = `recipe v extends "base.align" {\n  sft.epochs = 2\n}\n`;
  await expectError(src, "AL2041", 2, 3, "v.align");
});

test("a sweep override stays { $sweep } and each value is checked against the schema", async () => {
  const r = (await expectClean(`recipe v extends "base.align" { policy.kl_coef = sweep [0.01, 0.02, 0.05] }\n`, "v.align")).recipe!;
  assert.deepEqual(r.blocks.find((x) => x.name === "policy")!.props["kl_coef"], { $sweep: [0.01, 0.02, 0.05] });
  const d = await expectError(`recipe v extends "base.align" { policy.kl_coef = sweep [0.01, -2] }\n`, "AL2008", 1, 63, "v.align");
  assert.ok(d.file.endsWith("v.align"));
});

test("unknown override property: a located error in the variant, with did-you-mean", async () => {
  const d = await expectError(`recipe v extends "base.align" {\n  policy.kl_coeff = 0.05\n}\n`, "AL2004", 2, 10, "v.align");
  assert.equal(d.hint, "did you mean `kl_coef`?");
  assert.ok(d.file.endsWith("v.align"));
  // a wrongly typed override value is reported where the variant wrote it
  const e = await expectError(`recipe v extends "base.align" {\n  policy.kl_coef = "big"\n}\n`, "AL2006", 2, 20, "v.align");
  assert.ok(e.file.endsWith("v.align"));
});

test("diagnostics inside the base name the base file", async () => {
  writeRecipe("broken-base.align", FULL.replace("layers = 2", "layers = 0"));
  const r = await check(`recipe v extends "broken-base.align" { seed = 2 }\n`, "v.align");
  assert.equal(r.recipe, null);
  const d = r.diagnostics.find((x) => x.code === "AL2008");
  assert.ok(d);
  assert.ok(d.file.endsWith("broken-base.align"));
  assert.deepEqual([d.span?.line, d.span?.col], [3, 45]);
  assert.ok(r.sources.has(d.file), "the base's text is in sources, for the caret");
});

test("syntax errors in the base are reported in the base file, and stop the checks", async () => {
  writeRecipe("syntax-base.align", "model m = gpt {\n");
  const r = await check(`recipe v extends "syntax-base.align" {}\n`, "v.align");
  assert.equal(r.recipe, null);
  assert.ok(r.diagnostics.length > 0 && r.diagnostics.every((d) => d.code.startsWith("AL1") && d.file.endsWith("syntax-base.align")));
});

test("a variant in another folder: the base's paths resolve against the base's folder", async () => {
  mkdirSync(join(fixtureDir, "variants"), { recursive: true });
  const r = (await expectClean(`recipe deep extends "../base.align" { rm.steps = 7 }\n`, "variants/deep.align")).recipe!;
  assert.equal(r.dir, join(fixtureDir, "variants"));
  assert.deepEqual(r.blocks.find((b) => b.name === "qa")!.props["data"], { $call: "jsonl", args: [join(fixtureDir, "data/rows.jsonl")] });
});

test("chains of variants, and variants that add blocks", async () => {
  writeRecipe("v1.align", `recipe v1 extends "base.align" { policy.kl_coef = 0.3  seed = 5 }\n`);
  const src = `recipe v2 extends "v1.align" { policy.clip = 0.1 }\neval loss = lm_loss { model = sft  data = heldout(demos) }\nexpect { loss.loss < 9 }\n`;
  const r = (await expectClean(src, "v2.align")).recipe!;
  const policy = r.blocks.find((b) => b.name === "policy")!;
  assert.equal(policy.props["kl_coef"], 0.3);
  assert.equal(policy.props["clip"], 0.1);
  assert.equal(r.seed, 5);
  assert.equal(r.extendsFile, join(fixtureDir, "v1.align"));
  assert.ok(r.blocks.some((b) => b.name === "loss"));
  assert.equal(r.expects.length, 3);
  assert.equal(r.expects[2]!.file, join(fixtureDir, "v2.align"));
  // a block the variant adds may not reuse a base name
  await expectError(`recipe v3 extends "base.align" {}\nmodel m = gpt { tokenizer = bytes }\n`, "AL2001", 2, 7, "v3.align");
});

test("header overrides are checked like header properties, in the variant file", async () => {
  const d = await expectError(`recipe v extends "base.align" {\n  sed = 3\n}\n`, "AL2004", 2, 3, "v.align");
  assert.equal(d.hint, "did you mean `seed`?");
  assert.ok(d.file.endsWith("v.align"));
  const e = await expectError(`recipe v extends "base.align" { seed = "x" }\n`, "AL2006", 1, 40, "v.align");
  assert.ok(e.file.endsWith("v.align"));
});

test("an absolute extends path is taken as it is", async () => {
  const r = (await expectClean(`recipe abs extends ${JSON.stringify(base)} { seed = 9 }\n`, "variants/abs.align")).recipe!;
  assert.equal(r.extendsFile, base);
  assert.equal(r.seed, 9);
});

test("a variant's budget line replaces the base's line for the same resource; the others still hold", async () => {
  // the base (FULL) says `budget { time <= 10m  memory <= 4GiB  tokens <= 2M }`
  const r = (await expectClean(`recipe v extends "base.align" { seed = 2 }\nbudget { time <= 20m  tokens < 3M }\n`, "v.align")).recipe!;
  const lines = r.budget.map((c) => [c.left, c.op, c.right, c.file]);
  assert.deepEqual(lines, [
    ["memory", "<=", { $quantity: 4 * 1024 ** 3, unit: "B" }, base],
    ["time", "<=", { $quantity: 1200, unit: "s" }, join(fixtureDir, "v.align")],
    ["tokens", "<", { $quantity: 3_000_000, unit: "" }, join(fixtureDir, "v.align")],
  ]);
  // through a chain: the middle file's budget replaces the base's, the last file's the middle's
  writeRecipe("budget-mid.align", `recipe mid extends "base.align" {}\nbudget { memory <= 8GiB }\n`);
  const c = (await expectClean(`recipe last extends "budget-mid.align" {}\nbudget { time <= 1h }\n`, "budget-last.align")).recipe!;
  assert.deepEqual(c.budget.map((x) => [x.left, x.file]), [
    ["tokens", base],
    ["memory", join(fixtureDir, "budget-mid.align")],
    ["time", join(fixtureDir, "budget-last.align")],
  ]);
  // expect lines are not replaced: a variant's gates add to the base's
  const e = (await expectClean(`recipe v extends "base.align" {}\nexpect { acc.accuracy >= 0.2 }\n`, "v.align")).recipe!;
  assert.deepEqual(e.expects.map((x) => x.text), ["acc.accuracy >= 0.1", "wr.win_rate > 0.4", "acc.accuracy >= 0.2"]);
});
