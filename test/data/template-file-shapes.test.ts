// FLAN template JSON and promptsource YAML files of the wrong shape: `null`, a `tasks` list, a
// pattern that is not an object, a template entry that is not a mapping, and a promptsource template
// the Jinja engine throws on. Each was an internal error (exit 70, a TypeError or the engine's Error);
// each is now a located AL3011/AL3013. Found by feeding odd template files to `alignc data`.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { repoRoot } from "../repo-root.js";

const root = repoRoot();
const tmp = mkdtempSync(join(tmpdir(), "alignc-template-shapes-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function data(templates: string, file: string, text: string) {
  writeFileSync(join(tmp, file), text);
  const rows = join(root, "recipes", "data", "tasks", "addition.jsonl");
  writeFileSync(
    join(tmp, "r.align"),
    `recipe r { seed = 1 }\ntokenizer b = byte_level {}\nmodel m = gpt { tokenizer = b  layers = 1  d_model = 16  heads = 2  context = 64 }\n` +
      `task addition = flan { data = jsonl("${rows}")  templates = ${templates} }\nstage s = sft { init = m  data = addition  steps = 1 }\n`,
  );
  const r = spawnSync(process.execPath, [join(root, "bin", "alignc.js"), "data", "r.align", "--source", "addition"], { cwd: tmp, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, err: r.stderr };
}

test("a flan_templates JSON file of the wrong shape is AL3011 naming the file, not exit 70", () => {
  const cases: [string, RegExp][] = [
    ["null", /holds an object with a `tasks` object/],
    ['{"tasks": [1]}', /holds an object with a `tasks` object/],
    ['{"tasks": {"addition": "x"}}', /task `addition` is not an object of pattern lists/],
    ['{"tasks": {"addition": {"v1": [null]}}}', /pattern v1\/0 of addition is not an object with `input` and `target` strings/],
    ['{"tasks": {"addition": {"v1": [{"input": 5, "target": "{sum}"}]}}}', /pattern v1\/0/],
    ["{", /not valid JSON/],
  ];
  for (const [text, msg] of cases) {
    const r = data('flan_templates("ft.json")', "ft.json", text);
    assert.equal(r.code, 1, `${text}: ${r.err}`);
    assert.match(r.err, text === "{" ? /ft\.json:1:1: error AL3011: / : /error AL3011: ft\.json: /, text); // broken JSON at its line
    assert.match(r.err, msg, text);
  }
});

test("a promptsource entry that is not a mapping, or a template the engine throws on, is located (both were exit 70)", () => {
  const notMap = data('promptsource("t.yaml")', "t.yaml", "templates:\n  x: 5\n");
  assert.equal(notMap.code, 1, notMap.err);
  assert.match(notMap.err, /t\.yaml:2:1: error AL3011: template `x` is not a mapping/);
  const list = data('promptsource("t.yaml")', "t.yaml", "templates:\n  - a\n");
  assert.equal(list.code, 1, list.err);
  assert.match(list.err, /no `templates` mapping/);
  const engine = data('promptsource("t.yaml")', "t.yaml", 'templates:\n  x: !Template\n    jinja: "{{a}} ||| {{answer_choices[0]}}"\n    name: n\n    answer_choices: 5\n');
  assert.equal(engine.code, 1, engine.err);
  assert.match(engine.err, /t\.yaml:3:1: error AL3013: .*template fails when rendered/);
});

test("promptsource: a second template of one name, a template rendering three parts, no template, none for the target: each located; a YAML alias is read as what it names (hunt37)", () => {
  const tpl = (name: string, jinja: string, extra = "") => `  ${name}: !Template\n    jinja: "${jinja}"\n    name: ${name === "u2" ? "same" : name === "u1" ? "same" : name}\n${extra}`;
  const twice = data('promptsource("t.yaml")', "t.yaml", `templates:\n${tpl("u1", "{{a}} + {{b}} ||| {{sum}}")}${tpl("u2", "{{a}} plus {{b}} ||| {{sum}}")}`);
  assert.equal(twice.code, 1, twice.err);
  assert.match(twice.err, /t\.yaml:6:1: error AL3011: a second template named `same` \(the first is at line 3\)/);
  const three = data('promptsource("t.yaml")', "t.yaml", `templates:\n${tpl("w", "{{a}} ||| {{b}} ||| {{sum}}")}`);
  assert.equal(three.code, 1, three.err);
  assert.match(three.err, /t\.yaml:3:1: error AL3011: .*template `w` renders 3 parts separated by `\|\|\|` for this row \(the template, or a field of the row that holds/);
  const none = data('promptsource("t.yaml")', "t.yaml", "templates: {}\n");
  assert.equal(none.code, 1, none.err);
  assert.match(none.err, /r\.align:4:\d+: error AL3011: t\.yaml: the `templates` mapping holds no template/);
  const aux = data('promptsource("t.yaml")', "t.yaml", `templates:\n${tpl("x", "{{a}} + {{b}} ||| {{sum}}", "    metadata: !TemplateMetadata\n      original_task: false\n")}`);
  assert.equal(aux.code, 1, aux.err);
  assert.match(aux.err, /r\.align:4:\d+: error AL3011: t\.yaml: task `addition`: no template asks for the task's target \(x: auxiliary, original_task: false\)/);
  const alias = data('promptsource("t.yaml")', "t.yaml", `choices: &c "zero ||| one"\ntemplates:\n${tpl("y", "{{a}} + {{b}} ||| {{answer_choices[0]}}", "    answer_choices: *c\n")}`);
  assert.equal(alias.code, 0, alias.err);
});

test("FLAN template files: options that are not a list of strings, an empty pattern list, an empty target, broken JSON: located AL3011 (garbage options rendered `- [object Object]`; hunt37)", () => {
  const task = (body: string) => `{"tasks": {"addition": ${body}}}`;
  const good = '[{"input": "{a} + {b} =", "target": "{sum}"}]';
  const cases: [string, RegExp][] = [
    [task(`{"v1": ${good}, "options": [{"a": 1}, null]}`), /error AL3011: ft\.json: `options` of task `addition` must be a non-empty list of strings/],
    [task(`{"v1": ${good}, "options": "negative"}`), /`options` of task `addition` must be a non-empty list of strings/],
    [task('{"v1": []}'), /error AL3011: ft\.json: task `addition`: its v1 pattern list is empty/],
    [task('{"v1": [{"input": "{a} + {b} =", "target": "{sum}"},\n {"input": "{a} plus {b} =", "target": ""}]}'), /ft\.json:2:1: error AL3011: FLAN pattern v1\/1 of addition: its target is empty/],
    ['{"tasks":\n {"addition": {"v1": "unterminated}}', /ft\.json:2:1: error AL3011: not valid JSON \(Unterminated string/], // where JSON.parse gives a position
  ];
  for (const [text, msg] of cases) {
    const r = data('flan_templates("ft.json")', "ft.json", text);
    assert.equal(r.code, 1, `${text}: ${r.err}`);
    assert.match(r.err, msg, text);
  }
  // null options are none, as Python converters write a task without them (review37)
  const none = data('flan_templates("ft.json")', "ft.json", task(`{"v1": ${good}, "options": null}`));
  assert.equal(none.code, 0, none.err);
});
