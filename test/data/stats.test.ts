// countExamples: the planner's cheap sizes (src/data/stats.ts) against the full build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CheckedRecipe, IRRecord } from "../../src/check/ir.js";
import { buildExamples, buildPrompts, countExamples, loadFormat, recipeTokenizer } from "../../src/data/index.js";
import { SAMPLE_COMPONENTS } from "../../src/data/stats.js";
import { block, call, quickstart, recipe, ref } from "./recipe-fixture.js";

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test("countExamples honours opts.prop: a PPO stage's prompts are prompt-only text, its ptx_data the SFT mixture", async () => {
  const r = quickstart();
  const tok = await recipeTokenizer(r);
  const prompts = await countExamples(r, "policy", { prop: "prompts", tokenizer: tok });
  const ps = await buildPrompts(r, ref("prefs", "prompts"));
  const fmt = loadFormat(r, "chat");
  const exact = ps.train.map((p) => tok.encode(fmt.promptOnly(p.prompt, p.system ?? "")).length);
  assert.equal(prompts.kind, "prompts");
  assert.equal(prompts.examples, ps.train.length);
  assert.ok(prompts.maxTokens <= Math.max(...exact) && prompts.maxTokens >= Math.max(...exact) * 0.8, `${prompts.maxTokens} vs ${Math.max(...exact)}`);
  assert.ok(Math.abs(prompts.tokens - sum(exact)) <= sum(exact) * 0.05, `${prompts.tokens} vs ${sum(exact)}`);
  // the rankings the reward model trains on are K sequences per prompt, each with a response
  const rm = await countExamples(r, "rm", { tokenizer: tok });
  assert.equal(rm.kind, "comparisons");
  assert.equal(prompts.comparisons, undefined);
  assert.ok(rm.tokens > prompts.tokens * 4);
  const ptx = await countExamples(r, "policy", { prop: "ptx_data", tokenizer: tok });
  const mixture = await countExamples(r, "sft_data", { tokenizer: tok });
  assert.equal(ptx.kind, "sft");
  assert.equal(ptx.examples, mixture.examples);
  assert.notEqual(ptx.examples, prompts.examples);
});

test("countExamples of an SFT stage: the mixture's counts, tokens within 5% of the formatted, tokenized full build", async () => {
  const r = quickstart();
  const tok = await recipeTokenizer(r);
  const s = await countExamples(r, "sft", { tokenizer: tok });
  const full = await buildExamples(r, "sft");
  if (full.kind !== "sft") return assert.fail();
  const lengths = full.train.map((e) => tok.encode(e.text).length + 1);
  assert.ok(s.estimated);
  assert.ok(Math.abs(s.examples - full.train.length) <= full.train.length * 0.05, `${s.examples} vs ${full.train.length}`);
  assert.ok(Math.abs(s.tokens - sum(lengths)) <= sum(lengths) * 0.05, `${s.tokens} vs ${sum(lengths)}`);
  // within 5% either way: the sample reads the first rows only, so its few-shot exemplars (drawn
  // from the rows it read) are not the full build's, and its longest example may be a little longer
  assert.ok(s.maxTokens <= Math.max(...lengths) * 1.05 && s.maxTokens >= Math.max(...lengths) * 0.8, `${s.maxTokens} vs ${Math.max(...lengths)}`);
});

/** A mixture of `n` generated tasks whose example lengths grow with the task index. */
function manyTasks(dir: string, n: number, name = (i: number) => `t${i}`): CheckedRecipe {
  mkdirSync(join(dir, "templates"), { recursive: true });
  writeFileSync(join(dir, "templates", "a.hbs"), "Question: {{question}}\n|||\n{{answer}}\n");
  writeFileSync(join(dir, "templates", "b.hbs"), "Answer this. {{question}}\n|||\n{{answer}}\n");
  const blocks = [];
  const components: IRRecord = {};
  for (let i = 0; i < n; i++) {
    const file = join(dir, `task${i}.jsonl`);
    const rows = Array.from({ length: 10 + (i % 7) }, (_, k) => JSON.stringify({ question: `q${i}.${k} ${"word ".repeat(1 + i)}`, answer: `a${k}` }));
    writeFileSync(file, rows.join("\n") + "\n");
    blocks.push(block("task", name(i), "flan", { data: call("jsonl", file), templates: call("dir", join(dir, "templates")), shots: { $range: [0, 0] }, invert: 0, holdout_templates: 0, holdout: 0.1, with_options: 0.5 }));
    components[name(i)] = { proportional: true, cap: 3000 };
  }
  blocks.push(block("mixture", "mixture", "mix", { components, dedup: "exact" }));
  return recipe(blocks, 5, dir);
}

test(`countExamples of a mixture over more than ${SAMPLE_COMPONENTS} components: sampled, exact counts, tokens close, rename-invariant`, async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-stats-"));
  try {
    const n = SAMPLE_COMPONENTS + 16;
    const r = manyTasks(dir, n);
    const tok = await recipeTokenizer(r);
    const s = await countExamples(r, "mixture", { tokenizer: tok });
    const full = await buildExamples(r, "mixture");
    if (full.kind !== "sft") return assert.fail();
    const lengths = full.train.map((e) => tok.encode(e.text).length + 1);
    assert.equal(s.examples, full.train.length);
    assert.ok(s.estimated);
    assert.ok(Math.abs(s.tokens - sum(lengths)) <= sum(lengths) * 0.05, `${s.tokens} vs ${sum(lengths)}`);
    assert.equal(Object.keys(s.perTask!).length, n);
    // which components are sampled does not depend on their names
    const renamed = await countExamples(manyTasks(dir, n, (i) => `z${n - i}`), "mixture", { tokenizer: tok });
    assert.deepEqual({ ...renamed, perTask: undefined }, { ...s, perTask: undefined });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
