// Hostile inputs (issue 15): template runtime errors are located data errors (never a crash),
// runaway templates stop within their budget, and special files are refused at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { handlebarsChat, hfChat } from "../../src/data/chat.js";
import { DataError } from "../../src/data/diag.js";
import { compileHandlebars } from "../../src/data/flan/template.js";
import { readJsonl, readTextLines, countRows } from "../../src/data/readers.js";
import { checkRecipeFile } from "../../src/check/index.js";

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
    ["helper", "{{shout prompt}}{{prompt}}{{response}}"],
    ["decorator", "{{* deco}}{{prompt}}{{response}}"],
    ["each", "{{#each}}x{{/each}}{{prompt}}{{response}}"],
    ["call", "{{prompt 1}}{{response}}"],
  ]) {
    const p = join(dir, `${name}.hbs`);
    writeFileSync(p, body!);
    const e = dataError(() => handlebarsChat(p).format("hi", "there"), "AL3013", /fails when rendered/);
    assert.equal(e.diagnostics[0]!.file, p);
    assert.ok(e.diagnostics[0]!.span, `${name}: located`);
  }
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
