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
    assert.match(r.err, /error AL3011: ft\.json: /, text);
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
