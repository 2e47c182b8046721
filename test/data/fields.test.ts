// A task's `fields = { … }`: real data sets keep their own field names and labels; derived fields are
// checked statically (unknown fields) and per row (values with no entry), with located errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import { buildExamples } from "../../src/data/index.js";
import { DataError } from "../../src/data/diag.js";
import { hasShared, shared } from "./shared-data.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-fields-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, "tpl"));
writeFileSync(join(dir, "rows.jsonl"), ['{"q": "2+2", "label": "right", "n": 1}', '{"q": "2+3", "label": "wrong", "n": 0}', '{"q": "1+1", "label": "maybe", "n": 1}'].join("\n") + "\n");
writeFileSync(join(dir, "tpl/a.hbs"), "Is {{question}} {{verdict}}?\n|||\n{{answer}}\n");

async function recipeWith(fields: string, file = "rows.jsonl") {
  const src = `recipe f { seed = 1 }\ntask t = flan {\n  data = jsonl("${file}")\n  templates = dir("tpl")\n  holdout = 0\n  fields = ${fields}\n}\n`;
  const r = await checkRecipeText(src, join(dir, "f.align"));
  return r;
}

test("fields: templates rename, lookups map labels (by text, or by integer through a list)", async () => {
  const r = await recipeWith(`{ question = "{{q}}"  verdict = { from = "n"  map = ["false", "true"] }  answer = { from = "label"  map = { right = "yes"  wrong = "no"  maybe = "no" } } }`);
  assert.deepEqual(r.diagnostics, []);
  const b = await buildExamples(r.recipe!, "t");
  if (b.kind !== "sft") return assert.fail();
  const byRow = new Map(b.train.map((e) => [e.meta.row, e]));
  assert.equal(byRow.get(0)!.prompt, "Is 2+2 true?");
  assert.equal(byRow.get(0)!.response, "yes");
  assert.equal(byRow.get(1)!.prompt, "Is 2+3 false?");
  assert.equal(byRow.get(1)!.response, "no");
});

test("fields: a value with no entry is located at the data line; an unknown source field at the recipe's fields", async () => {
  let r = await recipeWith(`{ question = "{{q}}"  verdict = "x"  answer = { from = "label"  map = { right = "yes"  wrong = "no" } } }`);
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    return d.code === "AL3004" && d.file === join(dir, "rows.jsonl") && d.span?.line === 3 && /`label` = "maybe" has no entry in fields.answer.map \(entries: right, wrong\)/.test(d.message);
  });
  r = await recipeWith(`{ question = "{{qq}}"  verdict = "x"  answer = { from = "lable"  map = { right = "yes" } } }`);
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    return d.code === "AL3010" && d.file === join(dir, "f.align") && d.span?.line === 6 && d.hint === "did you mean `q`?";
  });
  r = await recipeWith(`{ question = "{{q}}"  verdict = "x"  answer = { from = "lable"  map = { right = "yes" } } }`);
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => e.diagnostics[0]!.code === "AL3010" && /reads `lable`/.test(e.diagnostics[0]!.message));
});

test("fields: a wrong shape is a checker error (AL2006), located at the value", async () => {
  const r = await recipeWith(`{ question = 3  answer = { from = "label" } }`);
  const codes = r.diagnostics.map((d) => `${d.code}@${d.span?.line}`);
  assert.ok(codes.includes("AL2006@6"), codes.join(" "));
  assert.equal(r.recipe, null);
});

test("fields: FLAN and promptsource templates render the shared RTE and BoolQ files from a recipe", async (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const src = `recipe s { seed = 2 }
task rte = flan {
  data = jsonl("${shared("nlp/rte/val.jsonl")}")
  templates = flan_templates("${shared("flan/flan_templates.json")}")
  options = ["yes", "no"]
  fields = { answer = { from = "label"  map = { entailment = "yes"  not_entailment = "no" } } }
}
task boolq = flan {
  data = jsonl("${shared("nlp/boolq/validation.jsonl")}")
  templates = flan_templates("${shared("flan/flan_templates.json")}", "bool_q")
  fields = { text = "{{passage}}"  answer = "{{#if answer}}yes{{else}}no{{/if}}" }
  limit = 100
}
task rte_ps = flan {
  data = jsonl("${shared("nlp/rte/val.jsonl")}")
  templates = promptsource("${shared("promptsource/super_glue_rte.templates.yaml")}")
  fields = { label = { from = "label"  map = { entailment = 0  not_entailment = 1 } } }
}
`;
  const r = await checkRecipeText(src, join(dir, "s.align"));
  assert.deepEqual(r.diagnostics, []);
  for (const [name, answers] of [["rte", ["no", "yes"]], ["boolq", ["no", "yes"]]] as const) {
    const b = await buildExamples(r.recipe!, name);
    if (b.kind !== "sft") return assert.fail();
    assert.ok(b.train.length > 80);
    // answers of the direct templates (rte v1/9 "Generate a context and a hypothesis." is auxiliary: it trains, as in FLAN)
    const seen = new Set(b.train.filter((e) => !e.meta.inverted && !(name === "rte" && e.meta.template === "v1/9")).map((e) => e.response));
    assert.deepEqual([...seen].sort(), answers, name);
    for (const e of b.train) assert.ok(!/\{[a-z_]+\}|\{\{/.test(e.prompt + e.response), e.prompt);
  }
  const ps = await buildExamples(r.recipe!, "rte_ps");
  if (ps.kind !== "sft") return assert.fail();
  assert.ok(ps.train.length > 200 && ps.train.every((e) => e.response.trim() !== ""));
});
