// The example recipes in recipes/ check clean (they are also the plan and run regression tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { checkRecipeFile } from "../../src/check/index.js";
import { repoRoot } from "./helpers.js";

const recipesDir = join(repoRoot(), "recipes");
const files = readdirSync(recipesDir).filter((f) => f.endsWith(".align")).sort();

test("the example recipes are there", () => {
  for (const f of ["quickstart.align", "lima.align", "flan-zero-shot.align", "quickstart-kl.align"]) assert.ok(files.includes(f), f);
});

for (const f of files) {
  test(`recipes/${f} checks clean`, async () => {
    const r = await checkRecipeFile(join(recipesDir, f));
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.file}:${d.span?.line}:${d.span?.col} ${d.code} ${d.message}`),
      [],
    );
    assert.ok(r.recipe);
  });
}

test("quickstart: the whole InstructGPT pipeline", async () => {
  const r = (await checkRecipeFile(join(recipesDir, "quickstart.align"))).recipe!;
  const kinds = new Set(r.blocks.filter((b) => b.keyword === "stage").map((b) => b.kind));
  assert.deepEqual([...kinds].sort(), ["ppo", "pretrain", "reward_model", "sft"]);
  const ppo = r.blocks.find((b) => b.kind === "ppo")!;
  assert.ok((ppo.props["kl_coef"] as number) > 0 && (ppo.props["ptx_coef"] as number) > 0, "PPO-ptx with a KL penalty");
  assert.ok(r.expects.length > 0 && r.budget.length > 0);
  assert.ok(r.blocks.some((b) => b.keyword === "eval"));
});

test("quickstart-kl: the quickstart with policy.kl_coef swept", async () => {
  const r = (await checkRecipeFile(join(recipesDir, "quickstart-kl.align"))).recipe!;
  assert.equal(r.extendsFile, join(recipesDir, "quickstart.align"));
  assert.deepEqual(r.blocks.find((b) => b.name === "policy")!.props["kl_coef"], { $sweep: [0.02, 0.05] });
  const base = (await checkRecipeFile(join(recipesDir, "quickstart.align"))).recipe!;
  assert.deepEqual(r.blocks.map((b) => b.name), base.blocks.map((b) => b.name));
});

test("flan-zero-shot: SFT on a task mixture, held-out-template accuracy before and after", async () => {
  const r = (await checkRecipeFile(join(recipesDir, "flan-zero-shot.align"))).recipe!;
  const evals = r.blocks.filter((b) => b.kind === "accuracy" && b.props["split"] === "heldout_templates");
  assert.equal(evals.length, 2);
  assert.ok(r.blocks.filter((b) => b.kind === "flan").every((t) => (t.props["holdout_templates"] as number) > 0));
  assert.ok(!r.blocks.some((b) => b.kind === "ppo" || b.kind === "reward_model"));
});

// A mixture's response bounds were called min_length / max_length, the name a stage's token window has:
// renamed, and the old names say so where they are written (in a block or in an `extends` override).
test("a mixture's old min_length / max_length are refused with the new name and why", async () => {
  const { checkRecipeText } = await import("../../src/check/index.js");
  const text = `tokenizer bytes = byte_level {}\nsource demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\nmixture m = mix {\n  demos: weight 1.0\n  max_length = 12\n}\n`;
  const r = await checkRecipeText(text, "/tmp/renamed.align");
  const d = r.diagnostics.find((x) => x.code === "AL2004");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.span?.line, 5);
  assert.match(d.hint ?? "", /a mixture's `max_length` is now `max_response_chars` \(it counts a response's characters and drops the row; a stage's `max_length` counts tokens and truncates\)/);
});

test("the old name in an extends override gets the same hint", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const dir = mkdtempSync(join(tmpdir(), "alignc-renamed-"));
  const file = join(dir, "x.align");
  writeFileSync(file, `recipe x extends ${JSON.stringify(join(repoRoot(), "recipes", "lima.align"))} { curated.max_length = 20 }\n`);
  const r = await checkRecipeFile(file);
  const d = r.diagnostics.find((x) => x.code === "AL2004");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.match(d.hint ?? "", /a mixture's `max_length` is now `max_response_chars`/);
});
