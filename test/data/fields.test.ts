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

test("fields: a mapping that fails on every row reports the rows, not \"the file has no rows\"; on_error = \"skip\" says every row was left out; an empty file is AL3005 whatever fields says (hunt37)", async () => {
  const every = `{ question = "{{q}}"  verdict = "x"  answer = { from = "label"  map = ["yes", "no"] } }`;
  let r = await recipeWith(every);
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
    assert.deepEqual(e.diagnostics.map((d) => [d.code, d.span?.line]), [["AL3004", 1], ["AL3004", 2], ["AL3004", 3]], JSON.stringify(e.diagnostics));
    assert.match(e.diagnostics[0]!.hint ?? "", /every one of the 3 rows fails, so how the recipe reads them \(the source's shape, a fields mapping, a template\) is likely at fault/);
    return true;
  });
  const src = `recipe f { seed = 1 }\ntask t = flan {\n  data = jsonl("rows.jsonl")\n  templates = dir("tpl")\n  holdout = 0\n  on_error = "skip"\n  fields = ${every}\n}\n`;
  r = await checkRecipeText(src, join(dir, "f.align"));
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    assert.equal(d.code, "AL3005");
    assert.equal(d.span?.line, 7);
    assert.match(d.message, /`fields` left out every one of the 3 rows of rows\.jsonl \(on_error = "skip"; line 1: /);
    return true;
  });
  writeFileSync(join(dir, "empty.jsonl"), "");
  r = await recipeWith(`{ question = "{{q}}"  verdict = "x"  answer = { from = "label"  map = { right = "yes" } } }`, "empty.jsonl");
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => e.diagnostics[0]!.code === "AL3005" && /the file has no rows/.test(e.diagnostics[0]!.message));
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

test("fields: map keys may be quoted strings, numbers and true/false; a derived field may read another one", async () => {
  writeFileSync(join(dir, "keys.jsonl"), ['{"q": "a", "topic": "Science/Tech", "n": 1, "ok": true}', '{"q": "b", "topic": "World", "n": 2, "ok": false}'].join("\n") + "\n");
  // `verdict` reads `answer`, which is derived after it in the text: derived in dependency order
  const r = await recipeWith(
    `{ question = "{{q}} {{num}}"  num = { from = "n"  map = { 1 = "one"  2 = "two" } }  verdict = "[{{answer}}]"  answer = { from = "ok"  map = { true = "{{topic}}"  false = "no" } }  topic_id = { from = "topic"  map = { "Science/Tech" = 3  World = 0 } } }`,
    "keys.jsonl",
  );
  assert.deepEqual(r.diagnostics, []);
  const b = await buildExamples(r.recipe!, "t");
  if (b.kind !== "sft") return assert.fail();
  const byRow = new Map(b.train.map((e) => [e.meta.row, e]));
  assert.equal(byRow.get(0)!.prompt, "Is a one [{{topic}}]?");
  assert.equal(byRow.get(1)!.prompt, "Is b two [no]?");
});

test("fields: derived fields that read each other in a cycle are a located error naming the cycle", async () => {
  const r = await recipeWith(`{ question = "{{verdict}}"  verdict = "{{answer}}"  answer = "{{question}}" }`);
  assert.deepEqual(r.diagnostics, []);
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    return d.code === "AL3010" && /question → verdict → answer → question/.test(d.message) && d.file === join(dir, "f.align") && d.span?.line === 6;
  });
});

test("fields: a string label where a promptsource template indexes answer_choices is a located error, not an empty target", async (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const src = `recipe s { seed = 2 }
task rte_ps = flan {
  data = jsonl("${shared("nlp/rte/val.jsonl")}")
  templates = promptsource("${shared("promptsource/super_glue_rte.templates.yaml")}")
}
`;
  const r = await checkRecipeText(src, join(dir, "ps.align"));
  assert.deepEqual(r.diagnostics, []);
  await assert.rejects(buildExamples(r.recipe!, "rte_ps"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    return d.code === "AL3004" && d.file === shared("nlp/rte/val.jsonl") && d.span?.line === 1 && /`label` = "not_entailment", but promptsource template .* reads answer_choices\[label\], which needs an integer index 0\.\.1/.test(d.message) && /answer_choices: 0 = "\w+", 1 = "\w+"\): fields = \{ label = \{ from = "label"  map = \{ not_entailment = \? … \} \} \}/.test(d.hint ?? "");
  });
});

test("a FLAN pattern or .hbs template printing a list is a located AL3004 at the row (it rendered `a,b,[object Object]`; hunt37)", async () => {
  writeFileSync(join(dir, "lists.jsonl"), ['{"q": "2+2", "label": "right"}', '{"q": ["a", "b", {"z": 2}], "label": "wrong"}'].join("\n") + "\n");
  writeFileSync(join(dir, "ft.json"), JSON.stringify({ tasks: { t: { v1: [{ input: "Is {q} right?", target: "{label}" }] } } }));
  for (const templates of ['flan_templates("ft.json", "t")', 'dir("tpl2")']) {
    mkdirSync(join(dir, "tpl2"), { recursive: true });
    writeFileSync(join(dir, "tpl2/a.hbs"), "Is {{q}} right?\n|||\n{{label}}\n");
    const src = `recipe f { seed = 1 }\ntask t = flan {\n  data = jsonl("lists.jsonl")\n  templates = ${templates}\n  holdout = 0\n}\n`;
    const r = await checkRecipeText(src, join(dir, "f.align"));
    assert.deepEqual(r.diagnostics, [], templates);
    await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
      const d = e.diagnostics[0]!;
      assert.deepEqual([d.code, d.span?.line], ["AL3004", 2], templates);
      assert.match(d.message, /`q` is a list; a template prints strings, numbers and booleans/);
      return true;
    });
  }
});

test("shots asking for more exemplars than a task has other training rows is located at `shots` (it trained zero-shot without a word; hunt37)", async () => {
  writeFileSync(join(dir, "one.jsonl"), '{"q": "2+2", "label": "right"}\n{"q": "2+3", "label": "wrong"}\n');
  const src = (shots: string) => `recipe f { seed = 1 }\ntask t = flan {\n  data = jsonl("one.jsonl")\n  templates = dir("tpl2")\n  holdout = 0\n  shots = ${shots}\n}\n`;
  mkdirSync(join(dir, "tpl2"), { recursive: true });
  writeFileSync(join(dir, "tpl2/a.hbs"), "Is {{q}} right?\n|||\n{{label}}\n");
  const r = await checkRecipeText(src("2..3"), join(dir, "f.align"));
  await assert.rejects(buildExamples(r.recipe!, "t"), (e: DataError) => {
    const d = e.diagnostics[0]!;
    assert.deepEqual([d.code, d.file, d.span?.line], ["AL3005", join(dir, "f.align"), 6]);
    assert.match(d.message, /shots = 2\.\.3 needs at least 3 training rows \(each example's exemplars are other rows\); it has 2/);
    return true;
  });
  const ok = await buildExamples((await checkRecipeText(src("1..1"), join(dir, "f.align"))).recipe!, "t");
  assert.ok(ok.kind === "sft" && ok.train.every((e) => e.meta.shots === 1));
});
