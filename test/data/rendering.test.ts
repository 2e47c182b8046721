// Byte-exact rendering: every FLAN pattern (v1 and v2) and every promptsource template in
// ../shared, over every row of the public data there, through the same path training takes
// (renderPair: options, target check), compared with the reference engines — Python's str.format
// for FLAN, jinja2 + promptsource's `|||` split and str.strip() for promptsource. The reference
// side runs python3 (skipped when python3/jinja2/PyYAML are absent); a few known renderings below
// need neither python nor ../shared.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFlanTemplates, loadPromptsource, parseTemplateFile } from "../../src/data/flan/loaders.js";
import { renderPair, renderFlan, type FlanTaskSpec } from "../../src/data/flan/render.js";
import { parsePythonFormat, pyStrip, segmentRenderer, type TaskTemplate } from "../../src/data/flan/template.js";
import type { Fields, Row } from "../../src/data/readers.js";
import { hasShared, shared } from "./shared-data.js";

const spec = (over: Partial<FlanTaskSpec> & Pick<FlanTaskSpec, "rows" | "templates">): FlanTaskSpec => ({
  name: "t",
  file: "rows",
  options: null,
  shots: [0, 0],
  invert: 0,
  holdoutTemplates: 0,
  holdout: 0,
  withOptions: 1,
  seed: 1,
  ...over,
});
const row = (data: Fields, index = 0): Row => ({ data, index, line: index + 1, start: 0, end: 0 });

function lines(p: string): string[] {
  return readFileSync(shared(p), "utf8").split("\n").filter(Boolean);
}

/** Rows for every FLAN task of ../shared/data/flan, from the public rows there (tasks without their
 * own data borrow text of the same kind: imdb/cola take SST-2 sentences, anli/mnli RTE pairs,
 * squad BoolQ passages). The python side receives exactly these fields. */
function flanRows(): Record<string, Fields[]> {
  const sst = lines("nlp/sst2/stsa.binary.dev").map((l) => ({ label: Number(l[0]), sentence: l.slice(2) }));
  const rte = lines("nlp/rte/val.jsonl").map((l) => JSON.parse(l) as { premise: string; hypothesis: string; label: string });
  const bq = lines("nlp/boolq/validation.jsonl").map((l) => JSON.parse(l) as { question: string; title: string; passage: string; answer: boolean });
  return {
    sst2: sst.map((r) => ({ sentence: r.sentence, answer: ["negative", "positive"][r.label]! })),
    imdb_reviews: sst.map((r) => ({ text: r.sentence, answer: ["negative", "positive"][r.label]! })),
    cola: sst.map((r) => ({ sentence: r.sentence, answer: ["unacceptable", "acceptable"][r.label]! })),
    rte: rte.map((r) => ({ premise: r.premise, hypothesis: r.hypothesis, answer: r.label === "entailment" ? "yes" : "no" })),
    anli: rte.map((r) => ({ context: r.premise, hypothesis: r.hypothesis, answer: r.label === "entailment" ? "Yes" : "No" })),
    mnli: rte.map((r) => ({ premise: r.premise, hypothesis: r.hypothesis, answer: r.label === "entailment" ? "yes" : "no" })),
    bool_q: bq.map((r) => ({ text: r.passage, question: r.question, title: r.title, answer: r.answer ? "yes" : "no" })),
    squad_v1: bq.map((r) => ({ context: r.passage, question: r.question, title: r.title, answer: r.answer ? "yes" : "no" })),
  };
}

function python(code: string, input: string, modules: string): { out?: string; skip?: string } {
  const probe = spawnSync("python3", ["-c", `import ${modules}`], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return { skip: `python3 with ${modules} is not available` };
  const r = spawnSync("python3", ["-c", code], { input, encoding: "utf8", maxBuffer: 1 << 28 });
  assert.equal(r.status, 0, r.stderr);
  return { out: r.stdout };
}

function digest(input: string, target: string): string {
  return createHash("sha256").update(`${input}\0${target}`, "utf8").digest("hex").slice(0, 24);
}

/** Compare rendering lists; on a difference name the template and row and show both sides. */
function sameRenderings(actual: string[][], expected: string[][], labels: string[]): void {
  assert.equal(actual.length, expected.length);
  let diffs = 0;
  let first = "";
  for (let i = 0; i < actual.length; i++) {
    if (JSON.stringify(actual[i]) === JSON.stringify(expected[i])) continue;
    if (!diffs) first = `${labels[i]}:\n  alignc ${JSON.stringify(actual[i])}\n  python ${JSON.stringify(expected[i])}`;
    diffs++;
  }
  assert.equal(diffs, 0, `${diffs} of ${actual.length} renderings differ from the reference; first: ${first}`);
}

test("FLAN v1/v2 patterns over every public row render as upstream's str.format: options filled wherever a pattern places them, hidden by FLAN v2's no-options chain", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("flan/flan_templates.json");
  const all = flanRows();
  const json = JSON.parse(readFileSync(file, "utf8")) as { tasks: Record<string, { options?: string[] }> };
  assert.deepEqual(Object.keys(all).sort(), Object.keys(json.tasks).sort(), "a row set for every FLAN task in ../shared");
  // the python side gets each task's rows once and nothing of alignc's reading (not its template
  // roles: upstream fills {options_} in every pattern that places it, inverted ones included, and with
  // the options hidden drops "\n\n{options_}" / "\n{options_}" / "{options_}" from the pattern, FLAN v2's
  // PATTERNS_NO_OPTIONS chain); both sides hash each rendering (sha256 of input NUL target)
  const actual: string[][] = [];
  const labels: string[] = [];
  for (const [task, rows] of Object.entries(all)) {
    for (const version of ["v1", "v2"] as const) {
      const { templates, options } = loadFlanTemplates(file, task, version);
      const s = spec({ name: task, rows: rows.map((d, i) => row(d, i)), templates, options });
      for (const tpl of templates)
        s.rows.forEach((r, ri) => {
          // every other row with the options hidden: {options_} renders as "" then
          const p = renderPair(s, tpl, r, ri % 2 === 0, false);
          actual.push([digest(p.input, p.target)]);
          labels.push(`${task} ${tpl.id} row ${ri}`);
        });
    }
  }
  const py = `
import json, sys, hashlib
spec = json.load(open(${JSON.stringify(file)}))
req = json.load(sys.stdin)
out = []
for task, rows in req['rows'].items():
    for version in ('v1', 'v2'):
        opts = spec['tasks'][task].get('options')
        for p in spec['tasks'][task][version]:
            for ri, row in enumerate(rows):
                show = ri % 2 == 0 and opts
                ctx = dict(row, options_=('OPTIONS:\\n- ' + '\\n- '.join(opts)) if show else '')
                inp = p['input'] if show else p['input'].replace('\\n\\n{options_}', '').replace('\\n{options_}', '').replace('{options_}', '')
                s = inp.format(**ctx) + '\\0' + p['target'].format(**ctx)
                out.append([hashlib.sha256(s.encode('utf-8')).hexdigest()[:24]])
print(json.dumps(out))
`;
  const r = python(py, JSON.stringify({ rows: all }), "json, hashlib");
  if (r.skip) return t.skip(r.skip);
  const expected = JSON.parse(r.out!) as string[][];
  assert.ok(actual.length > 40_000, `${actual.length} renderings`);
  sameRenderings(actual, expected, labels);
});

test("promptsource templates over every public row render exactly as jinja2 + promptsource's split/strip", (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const sst = lines("nlp/sst2/stsa.binary.dev").map((l) => ({ label: Number(l[0]), sentence: l.slice(2), idx: 0 }));
  const rte = lines("nlp/rte/val.jsonl").map((l) => {
    const r = JSON.parse(l) as { premise: string; hypothesis: string; label: string; idx: number };
    return { premise: r.premise, hypothesis: r.hypothesis, label: r.label === "entailment" ? 0 : 1, idx: r.idx };
  });
  const sets = [
    { file: "promptsource/glue_sst2.templates.yaml", rows: sst },
    { file: "promptsource/super_glue_rte.templates.yaml", rows: rte },
  ];
  const actual: string[][] = [];
  const labels: string[] = [];
  for (const set of sets) {
    const templates = loadPromptsource(shared(set.file));
    const s = spec({ rows: set.rows.map((d, i) => row(d, i)), templates, withOptions: 0.5 });
    for (const tpl of templates)
      s.rows.forEach((r, ri) => {
        // with_options does not apply to promptsource: the template's own text, whatever the share
        const p = renderPair(s, tpl, r, true, false);
        actual.push([p.input, p.target]);
        labels.push(`${set.file} ${tpl.id} row ${ri}`);
      });
  }
  const py = `
import json, sys, yaml, jinja2
class L(yaml.SafeLoader): pass
L.add_multi_constructor('!', lambda l, s, n: l.construct_mapping(n))
env = jinja2.Environment()
out = []
for s in json.load(sys.stdin):
    d = yaml.load(open(s['path']), Loader=L)
    for t in d['templates'].values():
        tpl = env.from_string(t['jinja'])
        for row in s['rows']:
            ctx = dict(row)
            if t.get('answer_choices'):
                ctx['answer_choices'] = [c.strip() for c in env.from_string(t['answer_choices']).render(**row).split('|||')]
            parts = [p.strip() for p in tpl.render(**ctx).split('|||')]
            out.append([parts[0], parts[1] if len(parts) > 1 else ''])
print(json.dumps(out))
`;
  const r = python(py, JSON.stringify(sets.map((s) => ({ path: shared(s.file), rows: s.rows }))), "jinja2, yaml");
  if (r.skip) return t.skip(r.skip);
  sameRenderings(actual, JSON.parse(r.out!) as string[][], labels);
});

test("known renderings: FLAN's spaces before a newline, blank-line runs and edges are kept byte for byte", () => {
  // rte v1/7 has "context? \n\n" and v1/5 an upstream typo "{hypothesis}n\n": str.format keeps both
  const pattern = "Can we draw the following hypothesis from the context? \n\nContext:\n\n{premise}\n\nHypothesis: {hypothesis}n\n{options_}";
  const segs = parsePythonFormat(pattern).segs;
  const tpl: TaskTemplate = {
    id: "v1/7",
    file: "f.json",
    line: 1,
    role: "direct",
    roleReason: "",
    format: "flan",
    usesOptions: true,
    placeholders: [{ name: "premise", line: 1, col: 1 }, { name: "hypothesis", line: 1, col: 1 }, { name: "options_", line: 1, col: 1 }],
    render: (ctx) => ({ input: segmentRenderer(segs)(ctx), target: segmentRenderer([{ field: "answer" }])(ctx) }),
  };
  const r = row({ premise: "  A man\n\n\n\nsleeps. ", hypothesis: "He sleeps.", answer: " yes" });
  const s = spec({ rows: [r], templates: [tpl], options: ["yes", "no"] });
  assert.deepEqual(renderPair(s, tpl, r, false, false), {
    input: "Can we draw the following hypothesis from the context? \n\nContext:\n\n  A man\n\n\n\nsleeps. \n\nHypothesis: He sleeps.n\n",
    target: " yes",
  });
  assert.equal(renderPair(s, tpl, r, true, false).input.endsWith("He sleeps.n\nOPTIONS:\n- yes\n- no"), true);
  // the whole pipeline (renderFlan) gives the same bytes
  const out = renderFlan(s);
  assert.equal(out.train[0]!.prompt, "Can we draw the following hypothesis from the context? \n\nContext:\n\n  A man\n\n\n\nsleeps. \n\nHypothesis: He sleeps.n\nOPTIONS:\n- yes\n- no");
  assert.equal(out.train[0]!.response, " yes");
});

test("known renderings: promptsource parts are stripped as Python's str.strip(), not JS's trim()", () => {
  assert.equal(pyStrip("\uFEFFa b\u0085"), "\uFEFFa b");
  assert.equal(pyStrip(" \t\n x \u3000"), "x");
});

test("alignc .hbs templates: the file's input part up to its last non-space, nothing else cleaned", () => {
  const t = parseTemplateFile("t.hbs", "Say {{x}}  \n\n\n\nnow\n|||\n{{y}}\n");
  const r = row({ x: "hi", y: "ok" });
  assert.deepEqual(renderPair(spec({ rows: [r], templates: [t] }), t, r, false, false), { input: "Say hi  \n\n\n\nnow", target: "ok" });
});

// Without ../shared: the two upstream behaviours the reference above checks, inline. An inverted
// pattern that places {options_} is filled as any other (it rendered "()"), and a hidden list takes
// the newlines before it away (they were left before an empty list).
test("FLAN options: an inverted pattern that places {options_} is filled; a hidden list leaves no blank lines behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-flan-opts-"));
  try {
    const file = join(dir, "flan.json");
    writeFileSync(file, JSON.stringify({ tasks: { sst2: { options: ["negative", "positive"], v2: [
      { input: "Review:\n{sentence}\nIs this movie review sentence negative or positive?\n\n{options_}", target: "{answer}" },
      { input: 'Write a "{answer}" movie review ({options_}).', target: "{sentence}" },
      { input: "{sentence}\n{options_}\nPick one.\n\n{options_}", target: "{answer}" },
    ] } } }));
    const { templates, options } = loadFlanTemplates(file, "sst2", "v2");
    assert.deepEqual(templates.map((t) => t.role), ["direct", "inverted", "direct"]);
    const s = spec({ rows: [row({ sentence: "fine", answer: "positive" })], templates, options });
    const r = s.rows[0]!;
    assert.equal(renderPair(s, templates[1]!, r, true, false).input, 'Write a "positive" movie review (OPTIONS:\n- negative\n- positive).');
    assert.equal(renderPair(s, templates[1]!, r, false, false).input, 'Write a "positive" movie review ().');
    assert.equal(renderPair(s, templates[0]!, r, true, false).input, "Review:\nfine\nIs this movie review sentence negative or positive?\n\nOPTIONS:\n- negative\n- positive");
    assert.equal(renderPair(s, templates[0]!, r, false, false).input, "Review:\nfine\nIs this movie review sentence negative or positive?");
    // every occurrence, as Python's str.replace takes them
    assert.equal(renderPair(s, templates[2]!, r, false, false).input, "fine\nPick one.");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
