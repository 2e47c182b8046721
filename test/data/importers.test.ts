import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFlanTemplates, loadPromptsource } from "../../src/data/flan/loaders.js";
import { renderFlan, type FlanTaskSpec } from "../../src/data/flan/render.js";
import { DataError } from "../../src/data/diag.js";
import { located } from "./located.js";
import type { Row } from "../../src/data/readers.js";
import { boolq, hasShared, rte, shared, sst2 } from "./shared-data.js";

const base = (over: Partial<FlanTaskSpec> & Pick<FlanTaskSpec, "rows" | "templates">): FlanTaskSpec => ({
  name: "t",
  file: "rows",
  options: null,
  shots: [0, 0],
  invert: 0,
  holdoutTemplates: 0,
  holdout: 0,
  withOptions: 1,
  seed: 5,
  ...over,
});

test("FLAN templates.py patterns render SST-2, RTE and BoolQ with OPTIONS, no placeholder left", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("flan/flan_templates.json");
  for (const [task, rows] of [
    ["sst2", sst2()],
    ["rte", rte()],
    ["bool_q", boolq()],
  ] as [string, Row[]][]) {
    const { templates, options } = loadFlanTemplates(file, task);
    assert.equal(templates.length, 10, task);
    assert.ok(options && options.length === 2);
    const out = renderFlan(base({ name: task, rows, templates, options, shots: [0, 1], invert: 0.2, holdoutTemplates: 1 }));
    assert.equal(out.train.length, rows.length);
    for (const e of [...out.train, ...out.heldoutTemplates]) {
      assert.ok(!/\{[a-z_]+\}/.test(e.prompt), `${task} ${e.id}: ${e.prompt}`);
      assert.ok(e.response.length > 0);
    }
    // options shown as FLAN v1 formats them, once (the patterns place {options_} themselves)
    const withOpts = out.train.filter((e) => e.meta.options && e.meta.shots === 0);
    assert.ok(withOpts.length > 0);
    for (const e of withOpts) assert.equal(e.prompt.split(`OPTIONS:\n- ${options![0]}\n- ${options![1]}`).length, 2, e.prompt);
  }
  // sst2 v1 patterns 8 and 9 ask for a review given the sentiment: inverted
  const s = loadFlanTemplates(file, "sst2").templates;
  assert.deepEqual(
    s.filter((x) => x.role === "inverted").map((x) => x.id),
    ["v1/8", "v1/9"],
  );
  const first = s[0]!.render({ sentence: "good film", options_: "OPTIONS:\n- negative\n- positive", answer: "positive" });
  assert.equal(first.input, "Review:\ngood film\nIs this movie review sentence negative or positive?\nOPTIONS:\n- negative\n- positive");
});

test("FLAN pattern placeholder not in the data → located AL3010 in flan_templates.json", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("flan/flan_templates.json");
  const { templates } = loadFlanTemplates(file, "rte");
  try {
    renderFlan(base({ rows: sst2(5), templates }));
    assert.fail("expected an error");
  } catch (e) {
    const d = (e as DataError).diagnostics.find((x) => x.message.includes("`premise`"))!;
    assert.equal(d.code, "AL3010");
    assert.equal(d.file, file);
    assert.ok(d.span && d.span.line > 1);
  }
});

test("promptsource templates.yaml (SST-2, RTE): answer_choices, ||| split, {% if %}", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const ps = loadPromptsource(shared("promptsource/glue_sst2.templates.yaml"));
  assert.equal(ps.length, 5);
  const review = ps.find((x) => x.id === "review")!;
  assert.deepEqual(review.render({ sentence: "a fine film", label: 1 }), { input: 'I\'m reading a review that says "a fine film".\n\nDo you think the review is positive or negative?', target: "positive" });
  const rtePs = loadPromptsource(shared("promptsource/super_glue_rte.templates.yaml"));
  assert.equal(rtePs.length, 10);
  const out = renderFlan(base({ rows: rte(50), templates: rtePs, options: rtePs[0]!.answerChoices! }));
  assert.ok(out.train.every((e) => e.response === "Yes" || e.response === "No" || e.response === "True" || e.response === "False"));
  const sst = renderFlan(base({ rows: sst2(50), templates: ps, options: null }));
  assert.ok(sst.train.every((e) => e.response.length > 0 && !e.prompt.includes("{{")));
});

test("promptsource renders exactly as Python's jinja2 (when python3 + jinja2 are installed)", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const probe = spawnSync("python3", ["-c", "import jinja2, yaml"], { encoding: "utf8" });
  if (probe.status !== 0) return t.skip("python3 with jinja2 and PyYAML not available");
  const rows = [...sst2(20).map((r) => ({ file: "promptsource/glue_sst2.templates.yaml", data: r.data })), ...rte(20).map((r) => ({ file: "promptsource/super_glue_rte.templates.yaml", data: r.data }))];
  const py = `
import json, sys, yaml, jinja2
class L(yaml.SafeLoader): pass
L.add_multi_constructor('!', lambda l, s, n: l.construct_mapping(n))
env = jinja2.Environment()
out = []
for item in json.load(sys.stdin):
    d = yaml.load(open(item['path']), Loader=L)
    for t in d['templates'].values():
        ctx = dict(item['data'])
        if t.get('answer_choices'): ctx['answer_choices'] = [c.strip() for c in t['answer_choices'].split('|||')]
        parts = [p.strip() for p in env.from_string(t['jinja']).render(**ctx).split('|||')]
        out.append(parts)
print(json.dumps(out))
`;
  const res = spawnSync("python3", ["-c", py], { input: JSON.stringify(rows.map((r) => ({ path: shared(r.file), data: r.data }))), encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(res.status, 0, res.stderr);
  const expected = JSON.parse(res.stdout) as string[][];
  const actual: string[][] = [];
  const cache = new Map<string, ReturnType<typeof loadPromptsource>>();
  for (const r of rows) {
    if (!cache.has(r.file)) cache.set(r.file, loadPromptsource(shared(r.file)));
    for (const tp of cache.get(r.file)!) {
      const o = tp.render(r.data);
      actual.push([o.input, o.target]);
    }
  }
  assert.deepEqual(actual, expected);
});

test("unsupported Jinja is a clear located error, never a wrong render", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-ps-"));
  const p = join(dir, "t.yaml");
  writeFileSync(
    p,
    `dataset: x
templates:
  a: !Template
    answer_choices: no ||| yes
    id: a
    jinja: '{% for w in words %}{{ w }}{% endfor %} ||| {{ answer_choices[label] }}'
    name: loop
`,
  );
  assert.throws(
    () => loadPromptsource(p),
    (e: DataError) => e.diagnostics[0]!.code === "AL3012" && /t\.yaml:6: template `loop`: `For` is not supported/.test(located(e.diagnostics[0]!)),
  );
  writeFileSync(p, `templates:\n  a: !Template\n    jinja: '{{ x | join(",") }} ||| y'\n    name: f\n`);
  assert.throws(() => loadPromptsource(p), /filter `CallExpression` is not supported|filter `join`/);
  writeFileSync(p, `templates:\n  a: !Template\n    jinja: '{{ x.y }} ||| y'\n    name: f\n`);
  assert.throws(() => loadPromptsource(p), /attribute access/);
});
