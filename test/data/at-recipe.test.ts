// A data file that is wrong as a whole (a template folder without templates, an empty data file, a
// chat template that fails or lacks its response) is reported at the recipe span that names it, the
// file named in the message; a row's problem stays at its line of the data file. No data message
// repeats the file's path (the location says where).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { checkRecipeFile } from "../../src/check/index.js";
import { buildExamples } from "../../src/data/build.js";
import { DataError } from "../../src/data/diag.js";
import type { Diagnostic } from "../../src/lang/diagnostic.js";

const HEADER = "recipe r { seed = 1 }\ntokenizer bytes = byte_level {}\nmodel m = gpt { tokenizer = bytes  layers = 1  d_model = 16  heads = 2  context = 64 }\n";
const DEMOS = '{"instruction":"Add 2 and 3.","response":"5"}\n{"instruction":"Add 1 and 4.","response":"5"}\n';
const SOURCE = 'source demos = jsonl("demos.jsonl") as demonstrations { prompt = "{{instruction}}"  response = "{{response}}" }\n';
const TASK = 'task add = flan { data = jsonl("rows.jsonl")  templates = dir("tpl") }\n';
const ROWS = '{"a":1,"b":2,"sum":3}\n{"a":4,"b":1,"sum":5}\n';
const PLUS = "{{a}} plus {{b}}?\n|||\n{{sum}}\n";

/** The data error building `block` of `recipe` (written with `files` in a folder of its own) raises. */
async function buildError(recipe: string, files: Record<string, string>, block: string): Promise<{ d: Diagnostic; dir: string; text: string }> {
  const dir = mkdtempSync(join(tmpdir(), "alignc-at-recipe-"));
  try {
    writeFileSync(join(dir, "r.align"), recipe);
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    const { recipe: r, diagnostics } = await checkRecipeFile(join(dir, "r.align"));
    assert.deepEqual(diagnostics, []);
    try {
      await buildExamples(r!, block);
    } catch (err) {
      assert.ok(err instanceof DataError, String(err));
      assert.equal(err.diagnostics.length, 1, err.message);
      return { d: err.diagnostics[0]!, dir, text: recipe };
    }
    assert.fail(`building ${block} raised nothing`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The recipe text a diagnostic's span covers. */
const spanned = (text: string, d: Diagnostic): string => text.slice(d.span!.start, d.span!.end);

test("a template folder without .hbs templates is AL3001 at `templates = dir(…)`, the folder named", async () => {
  const { d, dir, text } = await buildError(`${HEADER}${TASK}`, { "rows.jsonl": ROWS, "tpl/plus.txt": PLUS }, "add");
  assert.equal(d.code, "AL3001");
  assert.equal(d.file, join(dir, "r.align"));
  assert.equal(d.span?.line, 4);
  assert.equal(spanned(text, d), 'dir("tpl")');
  assert.equal(d.message, "tpl: no .hbs templates in the folder");
  assert.equal(d.dataFile, join(dir, "tpl"));
});

test("an empty data file is AL3005 at the path that names it: a source's argument, a task's `data`", async () => {
  const src = await buildError(`${HEADER}${SOURCE}`, { "demos.jsonl": "" }, "demos");
  assert.equal(src.d.code, "AL3005");
  assert.deepEqual([src.d.file, src.d.span?.line, spanned(src.text, src.d)], [join(src.dir, "r.align"), 4, '"demos.jsonl"']);
  assert.equal(src.d.message, "demos.jsonl: the file has no rows (source `demos`)");
  const task = await buildError(`${HEADER}${TASK}`, { "rows.jsonl": "\n", "tpl/plus.hbs": PLUS }, "add");
  assert.equal(task.d.code, "AL3005");
  assert.deepEqual([task.d.span?.line, spanned(task.text, task.d)], [4, 'jsonl("rows.jsonl")']);
  assert.equal(task.d.message, "rows.jsonl: the file has no rows (task `add`)");
});

const SFT = (format: string): string => `${HEADER}${SOURCE}stage sft = sft { init = m  data = demos  format = chat  steps = 1 }\n${format}\n`;

test("a Hugging Face chat template that raises is AL3013 at its format block, the file named", async () => {
  const cfg = JSON.stringify({ bos_token: "<s>", eos_token: "</s>", chat_template: "{{ raise_exception('a system message is required') }}" });
  const { d, dir, text } = await buildError(SFT('format chat = hf_chat_template("tok.json")'), { "demos.jsonl": DEMOS, "tok.json": cfg }, "sft");
  assert.equal(d.code, "AL3013");
  assert.deepEqual([d.file, d.span?.line, spanned(text, d)], [join(dir, "r.align"), 6, '"tok.json"']);
  assert.equal(d.message, 'tok.json: chat_template fails when rendered: the template called raise_exception("a system message is required")');
});

test("a chat template without its response is AL3031 at its format block; one that fails without a line is AL3013 there", async () => {
  const missing = await buildError(SFT('format chat = chat_template("chat.hbs")'), { "demos.jsonl": DEMOS, "chat.hbs": "User: {{prompt}}\nAssistant:\n" }, "sft");
  assert.equal(missing.d.code, "AL3031");
  assert.deepEqual([missing.d.span?.line, spanned(missing.text, missing.d)], [6, '"chat.hbs"']);
  assert.equal(missing.d.message, "chat.hbs: a chat template must place the response exactly once");
  const partial = await buildError(SFT('format chat = chat_template("chat.hbs")'), { "demos.jsonl": DEMOS, "chat.hbs": "{{> missing}}{{prompt}} {{response}}" }, "sft");
  assert.equal(partial.d.code, "AL3013");
  assert.deepEqual([partial.d.span?.line, spanned(partial.text, partial.d)], [6, '"chat.hbs"']);
  assert.match(partial.d.message, /^chat\.hbs: chat template fails when rendered: The partial missing could not be found$/);
});

test("a Handlebars chat template or FLAN-folder template that does not parse is AL3011 in its own file at the parser's line, with what the parser expected", async () => {
  const chat = await buildError(SFT('format chat = chat_template("chat.hbs")'), { "demos.jsonl": DEMOS, "chat.hbs": "User: {{prompt}}\n{{#if system}}oops\nAssistant: {{response}}" }, "sft");
  assert.equal(chat.d.code, "AL3011");
  assert.deepEqual([chat.d.file, chat.d.span?.line], [join(chat.dir, "chat.hbs"), 3]); // the parser meets the open block at the end
  assert.match(chat.d.message, /^Parse error on line 3: Expecting .*got 'EOF'$/);
  const tpl = await buildError(`${HEADER}${TASK}stage s = sft { init = m  data = add  steps = 2 }\n`, { "rows.jsonl": ROWS, "tpl/01-plus.hbs": PLUS, "tpl/02-bad.hbs": "{{a} plus {{b}}?\n|||\n{{sum}}\n" }, "add");
  assert.equal(tpl.d.code, "AL3011");
  assert.deepEqual([tpl.d.file, tpl.d.span?.line], [join(tpl.dir, "tpl", "02-bad.hbs"), 1]);
  assert.match(tpl.d.message, /^Parse error on line 1: Expecting .*got 'INVALID'$/, "the reason, not only `Parse error on line 1:`");
});

test("a row's problem stays at its line of the data file, and its message does not repeat the path", async () => {
  const { d, dir } = await buildError(`${HEADER}${SOURCE}`, { "demos.jsonl": `${DEMOS}{"instruction":"Add 6 and 1.",\n` }, "demos");
  assert.equal(d.code, "AL3002");
  assert.deepEqual([d.file, d.span?.line, d.span?.col], [join(dir, "demos.jsonl"), 3, 31]); // column 31: where the row ends, mid-object
  assert.match(d.message, /^not valid JSON \(/);
  assert.ok(!d.message.includes(dir), d.message);
  assert.equal(d.dataFile, undefined);
});
