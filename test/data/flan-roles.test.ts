// FLAN template roles: a pattern is inverted when it gives the task's target and asks for an input
// field; the target field is per task (the field most of its patterns produce). Generation tasks
// (summaries, translation, concept-to-sentence) load; title-writing patterns of a classification
// task are auxiliary (trained on as FLAN does, never held out). Fixture: FLAN's public patterns
// (test/data/fixtures/flan_generation_templates.json, strings copied unchanged from flan/templates.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { flanRole, flanTargetField, loadFlanTemplates } from "../../src/data/flan/loaders.js";
import { renderFlan, renderHeldoutTask } from "../../src/data/flan/render.js";
import type { Row } from "../../src/data/readers.js";
import { ROOT } from "./recipe-fixture.js";
import { hasShared, shared } from "./shared-data.js";

const FIXTURE = resolve(ROOT, "test/data/fixtures/flan_generation_templates.json");
const rowsOf = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));

const ROWS: Record<string, Record<string, unknown>> = {
  aeslc: { body: "Please send the Q3 numbers by Friday.", subject: "Q3 numbers" },
  gigaword: { text: "the central bank raised rates by a quarter point on tuesday .", summary: "central bank raises rates" },
  cnn_dailymail: { text: "A storm hit the coast on Monday. Thousands lost power.", highlights: "Storm hits coast.\nThousands without power." },
  newsroom: { title: "Storm hits coast", text: "A storm hit the coast on Monday.", summary: "A storm hit." },
  samsum: { dialogue: "Ann: lunch?\nBen: sure, 12?", summary: "Ann and Ben will have lunch at 12." },
  wmt16_translate: { sent1: "Guten Morgen.", sent2: "Good morning.", lang1: "German", lang2: "English" },
  common_gen: { concepts: "dog, frisbee, catch", target: "The dog catches the frisbee.", concepts_newline: "dog\nfrisbee\ncatch" },
  ag_news_subset: { title: "Rates rise", text: "The central bank raised rates.", answer: "Business" },
};

test("every task's target field is the field most of its patterns produce", () => {
  const expected: Record<string, string> = { aeslc: "subject", gigaword: "summary", cnn_dailymail: "highlights", newsroom: "summary", samsum: "summary", wmt16_translate: "sent2", common_gen: "target", ag_news_subset: "answer" };
  for (const [task, field] of Object.entries(expected)) assert.equal(loadFlanTemplates(FIXTURE, task).targetField, field, task);
  assert.equal(flanTargetField([{ input: "{a}", target: "{b}" }, { input: "{b}", target: "{a}" }, { input: "x {c}", target: "{answer}" }, { input: "{c}", target: "{answer}" }]), "answer");
});

test("roles: direct = the target alone, inverted = gives the target and asks for an input, auxiliary = neither", () => {
  assert.deepEqual(flanRole({ input: "Summarize: {text}", target: "{summary}" }, "summary").role, "direct");
  assert.deepEqual(flanRole({ input: "Write a sentence based on this summary: {summary}", target: "{text}" }, "summary").role, "inverted");
  assert.deepEqual(flanRole({ input: "Write a title:\n{text}", target: "{title}" }, "answer").role, "auxiliary");
  assert.deepEqual(flanRole({ input: "Write a story that ends with this sentence.\n\n{answer}", target: "{context} {answer}" }, "answer").role, "inverted");
  const roles = (task: string) => loadFlanTemplates(FIXTURE, task).templates.map((t) => t.role);
  assert.deepEqual(roles("gigaword"), ["direct", "direct", "direct", "inverted", "inverted"]);
  assert.deepEqual(roles("wmt16_translate"), ["direct", "inverted", "inverted", "direct", "direct", "direct", "inverted"]);
  assert.deepEqual(roles("ag_news_subset"), ["direct", "direct", "direct", "auxiliary", "auxiliary"]);
  assert.deepEqual(roles("newsroom"), ["direct", "direct", "direct", "auxiliary", "auxiliary", "auxiliary"]);
});

test("generation tasks load and render: summaries, translation, concept-to-sentence, title writing", () => {
  for (const [task, data] of Object.entries(ROWS)) {
    const { templates, options } = loadFlanTemplates(FIXTURE, task);
    const rows = rowsOf(Array.from({ length: 40 }, (_, i) => ({ ...data, id: i })));
    const out = renderFlan({ name: task, file: "rows", rows, templates, options, shots: [0, 0], invert: 0.3, holdoutTemplates: 1, holdout: 0.2, withOptions: 1, seed: 3 });
    assert.ok(out.train.length > 0 && out.heldoutTemplates.length > 0, task);
    const direct = new Set(templates.filter((t) => t.role === "direct").map((t) => t.id));
    // held-out templates and held-out rows are scored on the task's target: direct templates only
    for (const e of [...out.heldoutTemplates, ...out.heldout]) assert.ok(direct.has(e.meta.template!), `${task} ${e.id}`);
    for (const e of renderHeldoutTask({ name: task, file: "rows", rows, templates, options, shots: [0, 0], invert: 0, holdoutTemplates: 0, holdout: 0, withOptions: 1, seed: 3 }))
      assert.ok(direct.has(e.meta.template!), `${task} ${e.id}`);
  }
  // title writing trains (as in FLAN) and never shows the answer's OPTIONS
  const ag = loadFlanTemplates(FIXTURE, "ag_news_subset");
  const out = renderFlan({ name: "ag", file: "rows", rows: rowsOf(Array.from({ length: 200 }, (_, i) => ({ ...ROWS.ag_news_subset, id: i }))), templates: ag.templates, options: ag.options, shots: [0, 0], invert: 0, holdoutTemplates: 0, holdout: 0, withOptions: 1, seed: 3 });
  const titles = out.train.filter((e) => e.meta.template === "v1/3" || e.meta.template === "v1/4");
  assert.ok(titles.length > 0 && titles.every((e) => e.response === "Rates rise" && !e.prompt.includes("OPTIONS") && !e.meta.options));
});

test("every FLAN task in ../shared loads with at least one direct template (v1 and v2)", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("flan/flan_templates.json");
  for (const task of ["sst2", "imdb_reviews", "rte", "anli", "mnli", "bool_q", "squad_v1", "cola"])
    for (const v of ["v1", "v2"] as const) {
      const { templates, targetField } = loadFlanTemplates(file, task, v);
      assert.equal(targetField, "answer", `${task} ${v}`);
      assert.ok(templates.filter((x) => x.role === "direct").length >= 7, `${task} ${v}`);
    }
  // squad's question and title writing are not inversions: they do not give the answer
  assert.deepEqual(
    loadFlanTemplates(file, "squad_v1").templates.slice(8).map((x) => x.role),
    ["auxiliary", "auxiliary"],
  );
});

// the CLI shows the roles
const fromSource = import.meta.url.endsWith(".ts");
const modulePath = fileURLToPath(new URL(`../../src/cli/commands/data.${fromSource ? "ts" : "js"}`, import.meta.url));
function capture(args: string[], opts: Record<string, unknown>): { code: number; out: string; err: string } {
  const script = `const m = await import(${JSON.stringify(modulePath)}); process.exitCode = await m.run(${JSON.stringify(args)}, ${JSON.stringify(opts)});`;
  const r = spawnSync(process.execPath, [...(fromSource ? ["--import", "tsx"] : []), "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test("alignc data --stats: a summarisation task loads and its table says which templates are inverted and why", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-flan-roles-"));
  writeFileSync(join(dir, "rows.jsonl"), Array.from({ length: 30 }, (_, i) => JSON.stringify({ text: `story number ${i} about rates`, summary: `rates ${i}` })).join("\n") + "\n");
  writeFileSync(
    join(dir, "r.align"),
    `recipe r { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars }
task giga = flan { data = jsonl("rows.jsonl")  templates = flan_templates(${JSON.stringify(FIXTURE)}, "gigaword")  invert = 0.2  holdout_templates = 1 }
stage sft = sft { init = tiny  data = giga  steps = 1 }
`,
  );
  const r = capture([join(dir, "r.align")], { source: "giga", preview: "0", stats: true });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /v1\/0\s+direct\s+target is \{summary\}/);
  assert.match(r.out, /v1\/2\s+direct \(held out\)/);
  assert.match(r.out, /v1\/3\s+inverted\s+gives \{summary\}, asks for text/);
});
