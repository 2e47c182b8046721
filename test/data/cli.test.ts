import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { RECIPES } from "./recipe-fixture.js";
import { writeMicro } from "../run/micro.js";

// The command runs in a child process (it writes to stdout/stderr, which the test runner owns).
const fromSource = import.meta.url.endsWith(".ts");
const modulePath = fileURLToPath(new URL(`../../src/cli/commands/data.${fromSource ? "ts" : "js"}`, import.meta.url));

async function capture(args: string[], opts: Record<string, unknown>): Promise<{ code: number; out: string; err: string }> {
  const script = `const m = await import(${JSON.stringify(modulePath)}); process.exitCode = await m.run(${JSON.stringify(args)}, ${JSON.stringify(opts)});`;
  const r = spawnSync(process.execPath, [...(fromSource ? ["--import", "tsx"] : []), "--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test("alignc data: preview marks the response, stats count per source and template", async () => {
  const r = await capture([resolve(RECIPES, "quickstart.align")], { source: "sft_data", preview: "2", stats: true });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /sft_data: \d+ training examples/);
  assert.match(r.out, /sentiment\s+\d+\s+[\d.]+%/);
  assert.match(r.out, /01-pos-or-neg|02-options/);
  assert.match(r.out, /Assistant: ⟦[^⟧]+⟧/);
  assert.match(r.out, /over context \d+: \d+/);
});

test("alignc data: token lengths are measured with the tokenizer and context of the stage that trains on the block", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-tok-"));
  const demos = resolve(RECIPES, "data", "demos.jsonl");
  writeFileSync(
    join(dir, "two.align"),
    `recipe two { seed = 3 }
tokenizer chars = byte_level {}
tokenizer g2 = gpt2 {}
model a = gpt { tokenizer = chars  layers = 1  d_model = 16  heads = 2  context = 128 }
model b = gpt { tokenizer = g2  layers = 1  d_model = 16  heads = 2  context = 32 }
source demos = jsonl(${JSON.stringify(demos)}) as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
stage sa = sft { init = a  data = demos  steps = 5 }
stage sb = sft { init = b  data = demos  steps = 5 }
`,
  );
  const r = await capture([join(dir, "two.align")], { stats: true, preview: "0" });
  assert.equal(r.code, 0, r.err);
  // not the first model's byte-level tokenizer and context for both
  assert.match(r.out, /# sa {2}\(sft; tokenizer byte_level\)[\s\S]*over context 128:/);
  assert.match(r.out, /# sb {2}\(sft; tokenizer gpt2\)\n[^#]*over context 32:/);
  const src = await capture([join(dir, "two.align")], { source: "demos", stats: true, preview: "0" });
  assert.match(src.out, /# demos {2}\(sft; tokenizer byte_level, as stage sa reads it; also read by sb: [^)]*\)[\s\S]*over context 128:/);
});

// A block no stage trains on is measured in the recipe's default tokenizer and against the context of a
// model on it, both chosen blind to names (review34 M2: the tokens came from the most models' tokenizer
// and the context from the first model by id, so lengths were held to another model's context)
test("alignc data: a block no stage trains on is measured with the default tokenizer and a context of a model on it, whatever the names", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-unread-"));
  const demos = resolve(RECIPES, "data", "demos.jsonl");
  for (const [a, b, c] of [["a", "b", "c"], ["zz", "b", "c"], ["c", "a", "b"]]) {
    writeFileSync(
      join(dir, "r.align"),
      `recipe r { seed = 3 }
tokenizer chars = byte_level {}
tokenizer g2 = gpt2 {}
model ${a} = gpt { tokenizer = chars  layers = 1  d_model = 16  heads = 2  context = 128 }
model ${b} = gpt { tokenizer = g2  layers = 1  d_model = 16  heads = 2  context = 32 }
model ${c} = gpt { tokenizer = g2  layers = 1  d_model = 16  heads = 2  context = 32 }
source demos = jsonl(${JSON.stringify(demos)}) as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
`,
    );
    const r = await capture([join(dir, "r.align")], { source: "demos", stats: true, preview: "0" });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /tokenizer gpt2[\s\S]*over context 32:/, `models ${a}/${b}/${c}:\n${r.out}`);
  }
});

// A block is shown as one stage reads it: its tokenizer and its chat format came from two rules (the
// first stage in plan order; the first with a written format in block order), so the header could name
// one stage and the examples carry another's format, and a stage that inherits its init's format showed raw
test("alignc data: a block is shown in the format of the stage it names (inherited formats too); --stage picks another", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-stage-"));
  const demos = resolve(RECIPES, "data", "demos.jsonl");
  const chat = (f: string) => JSON.stringify(resolve(RECIPES, "..", "templates", "chat", f));
  writeFileSync(
    join(dir, "fmt.align"),
    `recipe fmt { seed = 3 }
tokenizer chars = byte_level {}
model a = gpt { tokenizer = chars  layers = 1  d_model = 16  heads = 2  context = 128 }
source demos = jsonl(${JSON.stringify(demos)}) as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }
format plain = chat_template(${chat("plain.hbs")})
format chatml = chat_template(${chat("chatml.hbs")})
stage s1 = sft { init = a  data = demos  format = chatml  steps = 5 }
stage s2 = sft { init = s1  data = demos  steps = 5 }
stage s3 = sft { init = a  data = demos  format = plain  steps = 5 }
`,
  );
  const first = await capture([join(dir, "fmt.align")], { source: "demos", preview: "1" });
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /as stage s1 reads it; also read by s2, s3: --stage NAME/);
  assert.match(first.out, /<\|im_start\|>/, "s1's format, chatml");
  const inherited = await capture([join(dir, "fmt.align")], { source: "demos", stage: "s2", preview: "1" });
  assert.equal(inherited.code, 0, inherited.err);
  assert.match(inherited.out, /as stage s2 reads it[\s\S]*<\|im_start\|>/, "s2 declares no format: it trains in s1's");
  const plain = await capture([join(dir, "fmt.align")], { source: "demos", stage: "s3", preview: "1" });
  assert.match(plain.out, /as stage s3 reads it[\s\S]*User: /);
  assert.doesNotMatch(plain.out, /im_start/);
  const wrong = await capture([join(dir, "fmt.align")], { source: "demos", stage: "nope", preview: "1" });
  assert.equal(wrong.code, 2);
  assert.match(wrong.err, /stage `nope` does not train on `demos` \(stages that do: s1, s2, s3\)/);
  const noSource = await capture([join(dir, "fmt.align")], { stage: "s1", preview: "1" });
  assert.equal(noSource.code, 2);
  assert.match(noSource.err, /name the block with --source/);
  // --split without --export was accepted and ignored (huntA39 F4)
  const splitAlone = await capture([join(dir, "fmt.align")], { source: "demos", split: "heldout", preview: "1" });
  assert.equal(splitAlone.code, 2);
  assert.match(splitAlone.err, /--split chooses the split --export writes/);
});

test("alignc data --export writes the final examples as JSONL", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-cli-"));
  const out = join(dir, "prefs.jsonl");
  const r = await capture([resolve(RECIPES, "quickstart.align")], { source: "prefs", preview: "0", export: out });
  assert.equal(r.code, 0, r.err);
  const rows = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { prompt: string; responses: string[]; pairs: number[][] });
  assert.equal(rows.length, 1280);
  assert.ok(rows.every((x) => x.responses.length >= 4 && x.pairs.length > 0));
  const usage = await capture([resolve(RECIPES, "quickstart.align")], { export: out });
  assert.equal(usage.code, 2);
  const missing = await capture([resolve(RECIPES, "quickstart.align")], { source: "nope" });
  assert.equal(missing.code, 2);
});

test("alignc data: a template naming a missing field is reported at the template's file:line", async () => {
  const dir = badTemplateRecipe("alignc-data-bad-");
  const r = await capture([join(dir, "bad.align")], { preview: "1" });
  assert.equal(r.code, 1);
  assert.match(r.err, /AL3010/);
  assert.match(r.err, /01\.hbs:2:1/);
  assert.match(r.err, /did you mean `phrase`/);
});

test("alignc data --export --split: held-out, held-out-template and held-out-task examples, each line naming its split", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-split-"));
  const out = join(dir, "x.jsonl");
  const read = () => readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { split: string; meta: { source: string; template?: string; row?: number } });
  const counts: Record<string, number> = {};
  for (const split of ["train", "heldout", "heldout_templates"]) {
    const r = await capture([resolve(RECIPES, "quickstart.align")], { source: "sentiment", preview: "0", export: out, split });
    assert.equal(r.code, 0, r.err);
    const rows = read();
    assert.ok(rows.length > 0 && rows.every((x) => x.split === split && x.meta.source === "sentiment" && x.meta.template && Number.isInteger(x.meta.row)), split);
    counts[split] = rows.length;
  }
  const all = await capture([resolve(RECIPES, "quickstart.align")], { source: "sentiment", preview: "0", export: out, split: "all" });
  assert.equal(all.code, 0, all.err);
  assert.equal(read().length, counts.train! + counts.heldout! + counts.heldout_templates!);
  const bad = await capture([resolve(RECIPES, "quickstart.align")], { source: "sentiment", preview: "0", export: out, split: "test" });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--split must be one of train, heldout, heldout_templates, heldout_tasks, all/);
  // a split that holds nothing is said and nothing is written (it wrote an empty file, "wrote 0 rows", exit 0)
  const before = readFileSync(out, "utf8");
  const none = await capture([resolve(RECIPES, "quickstart.align")], { source: "sentiment", preview: "0", export: out, split: "heldout_tasks" });
  assert.equal(none.code, 1);
  assert.match(none.err, /--split heldout_tasks of `sentiment` holds no row \(its heldout_tasks share is empty\): nothing written/);
  // with --json the document still comes, saying nothing was written (it came as text alone: close36)
  const noneJson = await capture([resolve(RECIPES, "quickstart.align")], { source: "sentiment", preview: "0", export: out, split: "heldout_tasks", json: true });
  assert.equal(noneJson.code, 1);
  const exported = (JSON.parse(noneJson.out) as { data: { name: string; exported: { rows: number; written: boolean; reason: string } }[] }).data.at(-1)!;
  assert.equal(exported.name, "sentiment");
  assert.deepEqual([exported.exported.rows, exported.exported.written], [0, false]);
  assert.match(exported.exported.reason, /holds no row/);
  const text = await capture([resolve(RECIPES, "quickstart.align")], { source: "prefs", preview: "0", export: out, split: "heldout_templates" });
  assert.equal(text.code, 1);
  assert.match(text.err, /comparisons have the splits train and heldout/);
  assert.equal(readFileSync(out, "utf8"), before);
});

test("alignc data --json: one JSON document with the diagnostics, each block's stats and preview, or the leak report", async () => {
  const r = await capture([resolve(RECIPES, "quickstart.align")], { source: "sft_data", preview: "2", stats: true, json: true });
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out) as { diagnostics: unknown[]; data: { name: string; kind: string; stats: { train: number; tokens: { n: number } }; preview: { split: string }[] }[] };
  assert.ok(Array.isArray(doc.diagnostics));
  assert.equal(doc.data.length, 1);
  const d = doc.data[0]!;
  assert.equal(d.name, "sft_data");
  assert.equal(d.kind, "sft");
  assert.ok(d.stats.train > 0);
  assert.equal(d.stats.tokens.n, d.stats.train);
  assert.equal(d.preview.length, 2);
  assert.equal(d.preview[0]!.split, "train");
  const leaks = await capture([resolve(RECIPES, "quickstart.align")], { leaks: true, json: true });
  assert.equal(leaks.code, 0, leaks.err);
  const l = JSON.parse(leaks.out) as { diagnostics: unknown[]; leaks: { total: number; pairs: unknown[] } };
  assert.equal(typeof l.leaks.total, "number");
  assert.ok(Array.isArray(l.leaks.pairs));
});

test("alignc data --json: data errors are JSON diagnostics on stdout with a span, exit 1", async () => {
  const dir = badTemplateRecipe("alignc-data-json-");
  const r = await capture([join(dir, "bad.align")], { json: true });
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.out) as { diagnostics: { code: string; file: string; span: { line: number } | null }[] };
  const d = doc.diagnostics.find((x) => x.code === "AL3010");
  assert.ok(d, r.out);
  assert.match(d.file, /01\.hbs$/);
  assert.equal(d.span?.line, 2);
});

test("alignc data --variant: a swept recipe's data is its variant's (without it the first, said on stderr); an unknown variant is AL4011", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-data-variant-"));
  writeMicro(dir);
  const file = join(dir, "held.align");
  writeFileSync(file, `recipe held extends "micro.align" { demos.holdout = sweep [0.1, 0.5] }\n`);
  const trainRows = async (opts: Record<string, unknown>) => {
    const r = await capture([file], { source: "demos", preview: "0", stats: true, json: true, ...opts });
    assert.equal(r.code, 0, r.err);
    const d = (JSON.parse(r.out) as { data: { variant?: string; stats: { train: number } }[] }).data[0]!;
    return { variant: d.variant, train: d.stats.train };
  };
  assert.deepEqual(await trainRows({ variant: "holdout=0.1" }), { variant: "held[holdout=0.1]", train: 270 });
  assert.deepEqual(await trainRows({ variant: "held[holdout=0.5]" }), { variant: "held[holdout=0.5]", train: 150 });
  const first = await capture([file], { source: "demos", preview: "0", stats: true });
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /sweeps 2 variants; showing held\[holdout=0\.1\] \(choose one with --variant: holdout=0\.1, holdout=0\.5\)/);
  assert.match(first.out, /demos: 270 training examples/);
  const unknown = await capture([file], { variant: "holdout=0.3", json: true });
  assert.equal(unknown.code, 1);
  assert.match(unknown.out, /"code": "AL4011"/);
  const none = await capture([resolve(RECIPES, "quickstart.align")], { variant: "x=1", json: true });
  assert.equal(none.code, 1);
  assert.match(none.out, /has no sweep/);
});

/** A folder with bad.align, whose only template names a field the rows lack (`phrse`, at 01.hbs line 2). */
function badTemplateRecipe(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, "t"));
  writeFileSync(join(dir, "t", "01.hbs"), "Say\n{{phrse}}\n|||\n{{label}}\n");
  writeFileSync(join(dir, "rows.jsonl"), '{"phrase": "very good", "label": "positive"}\n');
  writeFileSync(
    join(dir, "bad.align"),
    `recipe bad { seed = 1 }
tokenizer chars = byte_level {}
model tiny = gpt { tokenizer = chars }
task s = flan { data = jsonl("rows.jsonl")  templates = dir("t") }
stage sft = sft { init = tiny  data = s  steps = 1 }
`,
  );
  return dir;
}
