// Hostile inputs (issue 15): template runtime errors are located data errors (never a crash),
// runaway templates stop within their budget, and special files are refused at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handlebarsChat, hfChat } from "../../src/data/chat.js";
import { DataError } from "../../src/data/diag.js";
import { compileHandlebars } from "../../src/data/flan/template.js";
import { readJsonl, readTextLines, countRows } from "../../src/data/readers.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { compile } from "../../src/compile.js";
import { MAX_FOLDER_ENTRIES } from "../../src/lang/read-file.js";
import { microRecipe } from "../run/micro.js";
import { mix } from "../../src/data/mix.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-hostile-"));

function dataError(fn: () => unknown, code: string, pattern: RegExp): DataError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof DataError, `a DataError, got ${(err as Error).stack}`);
    const d = err.diagnostics[0]!;
    assert.equal(d.code, code, d.message);
    assert.match(d.message, pattern);
    return err;
  }
  assert.fail("no error");
}

function hf(name: string, template: string): string {
  const p = join(dir, `${name}.json`);
  writeFileSync(p, JSON.stringify({ bos_token: "<s>", eos_token: "</s>", chat_template: template }));
  return p;
}

test("a HF chat template that calls raise_exception is a located error", () => {
  const p = hf("raise", "{% if messages[0]['role'] == 'user' %}{{ raise_exception('Conversation roles must alternate') }}{% endif %}{{ messages[0]['content'] }}");
  const e = dataError(() => hfChat(p).format("hi", "there"), "AL3013", /raise_exception\("Conversation roles must alternate"\)/);
  assert.equal(e.diagnostics[0]!.file, p);
});

test("a Jinja type error in a chat template is a located error", () => {
  const p = hf("type", "{{ messages[0]['content'] - 1 }}{{ messages[1]['content'] }}");
  dataError(() => hfChat(p).format("hi", "there"), "AL3013", /fails when rendered: Unknown operator "-"/);
});

test("range(100000000) in a chat template stops at once with a budget error", () => {
  const p = hf("loop", "{% for i in range(100000000) %}x{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}");
  const t0 = Date.now();
  dataError(() => hfChat(p).format("hi", "there"), "AL3013", /range\(\) of 100000000 elements/);
  assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
  const nested = hf("nested", "{% for i in range(9000) %}{% for j in range(9000) %}x{% endfor %}{% endfor %}{% for m in messages %}{{ m['content'] }}{% endfor %}");
  const t1 = Date.now();
  dataError(() => hfChat(nested).format("hi", "there"), "AL3013", /evaluation steps|longer than|characters/);
  assert.ok(Date.now() - t1 < 5000, `took ${Date.now() - t1} ms`);
});

test("a Handlebars chat template with an unknown partial, helper, decorator or a bare #each is a located error", () => {
  for (const [name, body] of [
    ["partial", "{{> missing}}{{prompt}}{{response}}"],
    ["decorator", "{{* deco}}{{prompt}}{{response}}"],
    ["each", "{{#each}}x{{/each}}{{prompt}}{{response}}"],
    ["call", "{{prompt 1}}{{response}}"],
  ]) {
    const p = join(dir, `${name}.hbs`);
    writeFileSync(p, body!);
    const e = dataError(() => handlebarsChat(p).format("hi", "there"), "AL3013", /^chat template fails when rendered/);
    // the engine does not say which line: the file alone (no made-up line 1), which the recipe's
    // format block then locates (test/data/at-recipe.test.ts)
    assert.equal(e.diagnostics[0]!.file, p);
    assert.equal(e.diagnostics[0]!.span, null, `${name}: no line of its own`);
  }
  // an unknown helper is a name the template uses that a chat format is not given: AL3010 when the
  // template is loaded, at its line and column (before any render)
  const p = join(dir, "helper.hbs");
  writeFileSync(p, "{{prompt}}\n{{shout prompt}}{{response}}");
  const e = dataError(() => handlebarsChat(p), "AL3010", /uses `shout`, which is neither a variable .* nor a helper/);
  assert.deepEqual([e.diagnostics[0]!.file, e.diagnostics[0]!.span?.line, e.diagnostics[0]!.span?.col], [p, 2, 1]);
});

test("a task template's runtime error names the template file and line", () => {
  const part = compileHandlebars("Say\n{{> nope}}", 0, { file: "t/01.hbs", span: { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 } });
  const e = dataError(() => part.render({}), "AL3013", /partial nope could not be found/);
  assert.equal(e.diagnostics[0]!.file, "t/01.hbs");
});

test("{{log}} prints nothing", () => {
  assert.equal(compileHandlebars("a{{log 'x'}}b").render({}), "ab");
});

test("/dev/zero, /dev/urandom and a FIFO are refused at once, never read", async () => {
  const fifo = join(dir, "pipe");
  execFileSync("mkfifo", [fifo]);
  for (const p of ["/dev/zero", "/dev/urandom", fifo]) {
    const t0 = Date.now();
    dataError(() => readTextLines(p), "AL3001", /not a regular file/);
    await assert.rejects(readJsonl(p), (e: unknown) => e instanceof DataError && /not a regular file/.test(e.diagnostics[0]!.message));
    await assert.rejects(countRows(p, "text"), DataError);
    dataError(() => handlebarsChat(p), "AL3001", /not a regular file/);
    dataError(() => hfChat(p), "AL3001", /not a regular file/);
    const r = await checkRecipeFile(p);
    assert.equal(r.diagnostics[0]?.code, "AL2016");
    assert.match(r.diagnostics[0]!.message, /not a regular file/);
    assert.ok(Date.now() - t0 < 2000, `${p}: ${Date.now() - t0} ms`);
  }
});

test("a corrupt .gz is a data error (it was a plan warning, then a crash)", async () => {
  const p = join(dir, "broken.jsonl.gz");
  writeFileSync(p, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5]));
  await assert.rejects(readJsonl(p), DataError);
  await assert.rejects(countRows(p, "jsonl"), DataError);
  const t = join(dir, "broken.txt.gz");
  writeFileSync(t, "not gzip at all");
  dataError(() => readTextLines(t), "AL3002", /not a readable gzip file/);
});

test("a UTF-8 BOM at the start of a JSONL file is accepted, as recipes and the other readers accept it", async () => {
  const p = join(dir, "bom.jsonl");
  writeFileSync(p, '\uFEFF{"a":"1"}\n{"a":"2"}\n');
  const rows = await readJsonl(p);
  assert.deepEqual(rows.map((r) => r.data.a), ["1", "2"]);
  assert.equal(rows[1]!.start, '\uFEFF{"a":"1"}\n'.length);
});

// Found by test/cli/fuzz.test.ts's fixture (seeds 20261202, 3 and 4): exit 70, a hang, exit 70.
test("a NUL in a path string is a located error (it was a TypeError from fs, exit 70)", async () => {
  const p = join(dir, "nul.align");
  writeFileSync(p, microRecipe().replace('jsonl("', 'jsonl("\u0000'));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL2016");
  assert.ok(d && d.span, JSON.stringify(r.diagnostics));
  assert.match(d.message, /does not exist/);
});

test("dir() naming a huge folder (dir(\"/\"), a home folder) is a located plan error, not a walk of the whole disk", async () => {
  const big = join(dir, "big");
  mkdirSync(join(big, "sub"), { recursive: true });
  for (let i = 0; i <= MAX_FOLDER_ENTRIES; i++) writeFileSync(join(big, "sub", `f${i}`), "");
  const p = join(dir, "big.align");
  writeFileSync(p, microRecipe().replace(/templates = dir\("[^"]*"\)/, `templates = dir("${big}")`));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL4010");
  assert.ok(d && d.span && d.file === p, JSON.stringify(r.diagnostics));
  assert.match(d.message, /holds more than 10,000 files and folders/);
  assert.equal(d.severity, "error");
});

test("a mixture weight past its bound is AL2008 at check; a mixture past 100M examples is a located AL3040, not a RangeError", async () => {
  const p = join(dir, "weight.align");
  writeFileSync(p, microRecipe().replace("demos: weight 1.0", "demos: weight 1e12"));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL2008");
  assert.ok(d && d.span, JSON.stringify(r.diagnostics));
  assert.match(d.message, /`weight` must be <= 10000/);
  // within every bound, weights can still multiply past what a mixture holds: refused before any row is drawn
  const examples = Array.from({ length: 20_000 }, (_, i) => ({ id: `e${i}`, prompt: `p${i}`, response: "r", meta: {} }) as never);
  const where = { file: p, span: { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 } };
  const e = dataError(() => mix([{ name: "big", examples, weight: 10_000 }], { seed: 1, dedup: "exact", where }), "AL3040", /would hold 2\.00e\+8 examples, over the 100,000,000/);
  assert.equal(e.diagnostics[0]!.file, p);
});

test("holdout_templates past the template count points at the recipe's holdout_templates (it had no line, at a template file)", async () => {
  const p = join(dir, "holdout.align");
  writeFileSync(p, microRecipe().replace("holdout_templates = 2", "holdout_templates = 50"));
  const r = await compile(p, { cache: false });
  const d = r.diagnostics.find((x) => x.code === "AL3011");
  assert.ok(d, JSON.stringify(r.diagnostics));
  assert.equal(d.file, p);
  assert.equal(d.span?.line, 7);
  assert.match(d.message, /holdout_templates = 50 leaves no training template/);
});
