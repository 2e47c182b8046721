import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { parseTemplateFile, loadTemplateDir } from "../../src/data/flan/loaders.js";
import { DERIVED_INVERSION, SHOT_SEPARATOR, renderFlan, renderHeldoutTask, type FlanTaskSpec } from "../../src/data/flan/render.js";
import { DataError } from "../../src/data/diag.js";
import type { Row } from "../../src/data/readers.js";
import type { TaskTemplate } from "../../src/data/flan/template.js";
import { ROOT } from "./recipe-fixture.js";
import { located } from "./located.js";

const dir = mkdtempSync(join(tmpdir(), "alignc-flan-"));
let n = 0;
function tpl(text: string, name = `t${n++}`): TaskTemplate {
  const p = join(dir, `${name}.hbs`);
  writeFileSync(p, text);
  return parseTemplateFile(p, text);
}
const rowsOf = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));
const spec = (over: Partial<FlanTaskSpec>): FlanTaskSpec => ({
  name: "t",
  file: "data.jsonl",
  rows: rowsOf([{ q: "a", y: "A" }]),
  templates: [tpl("Q: {{q}}\n|||\n{{y}}")],
  options: null,
  shots: [0, 0],
  invert: 0,
  holdoutTemplates: 0,
  holdout: 0,
  withOptions: 0,
  seed: 1,
  ...over,
});

test("template file: input part, ||| line, target part; inverted marker", () => {
  const t = tpl("{{!-- inverted --}}\nWrite a {{label}} phrase.\n|||\n{{phrase}}\n");
  assert.equal(t.role, "inverted");
  assert.deepEqual(t.render({ label: "good", phrase: "very nice" }), { input: "Write a good phrase.", target: "very nice" });
  assert.deepEqual(
    t.placeholders.map((p) => [p.name, p.line]),
    [
      ["label", 2],
      ["phrase", 4],
    ],
  );
  assert.throws(() => tpl("no separator {{x}}"), (e: DataError) => e.diagnostics[0]!.code === "AL3011");
});

test("unknown placeholder: located error naming the template file, line and the data file; did-you-mean", () => {
  const t = tpl("Line one\nSay {{phrse}}\n|||\n{{label}}", "bad");
  try {
    renderFlan(spec({ rows: rowsOf([{ phrase: "x", label: "y" }]), templates: [t] }));
    assert.fail("expected an error");
  } catch (e) {
    const d = (e as DataError).diagnostics[0]!;
    assert.equal(d.code, "AL3010");
    assert.equal(d.file, t.file);
    assert.equal(d.span?.line, 2);
    assert.match(located(d), /bad\.hbs:2: .*`phrse`.*data\.jsonl/);
    assert.equal(d.span?.col, 5);
    assert.equal(d.hint, "did you mean `phrase`?");
  }
});

test("a field tested by {{#if}} may be missing from a row; elsewhere it may not", () => {
  const t = tpl("{{#if ctx}}Context: {{ctx}}\n{{/if}}Q: {{q}}\n|||\n{{y}}");
  assert.deepEqual(
    t.placeholders.map((p) => [p.name, p.optional ?? false]),
    [
      ["ctx", true],
      ["ctx", true],
      ["q", false],
      ["y", false],
    ],
  );
  const out = renderFlan(spec({ rows: rowsOf([{ q: "a", y: "A", ctx: "C" }, { q: "b", y: "B" }]), templates: [t] }));
  assert.deepEqual(out.train.map((e) => e.prompt).sort(), ["Context: C\nQ: a", "Q: b"]);
});

test("a row missing a field is located at the data file line", () => {
  assert.throws(
    () => renderFlan(spec({ rows: rowsOf([{ q: "a", y: "A" }, { q: "b" }]) })),
    (e: DataError) => e.diagnostics[0]!.code === "AL3003" && /data\.jsonl:2: missing field `y`/.test(located(e.diagnostics[0]!)),
  );
});

// ---------------------------------------------------------------- properties
const word = fc.stringMatching(/^[a-z]{1,8}$/);
const rowsArb = fc.uniqueArray(fc.record({ q: word, y: word }), { minLength: 3, maxLength: 25, selector: (r) => r.q });
const templatesArb = fc.array(fc.constantFrom("Q: {{q}}\n|||\n{{y}}", "{{q}}?\n{{options_}}\n|||\n{{y}}", "Say {{q}} now\n|||\nIt is {{y}}", "{{#if q}}Has {{q}}{{/if}}\n|||\n{{y}}"), { minLength: 1, maxLength: 4 }).map((ts) => ts.map((t) => tpl(t)));

test("property: for any rows and templates, every placeholder is filled and no `{` is left", () => {
  fc.assert(
    fc.property(rowsArb, templatesArb, fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (rows, templates, seed, withOptions) => {
      const out = renderFlan(spec({ rows: rowsOf(rows), templates, seed, withOptions, options: ["x", "z"], shots: [0, 2] }));
      for (const ex of [...out.train, ...out.heldout]) {
        assert.ok(!ex.prompt.includes("{") && !ex.response.includes("{"), ex.prompt);
        assert.ok(ex.response.length > 0);
      }
    }),
    { numRuns: 60 },
  );
});

test("property: for any template, rendering succeeds iff every placeholder is a field; else AL3010 at each offender's line", () => {
  const names = fc.constantFrom("q", "y", "qq", "why", "options_", "zz");
  const lineArb = fc.tuple(fc.constantFrom("Say", "Then", ""), names).map(([w, nm]) => `${w} {{${nm}}}`);
  fc.assert(
    fc.property(fc.array(lineArb, { minLength: 1, maxLength: 4 }), names, (inputLines, target) => {
      const src = `${inputLines.join("\n")}\n|||\n{{${target}}}`;
      const t = tpl(src);
      const known = new Set(["q", "y", "options_"]);
      const bad = t.placeholders.filter((p) => !known.has(p.name));
      const run = () => renderFlan(spec({ rows: rowsOf([{ q: "a", y: "b" }, { q: "c", y: "d" }]), templates: [t], withOptions: 1, options: ["o1", "o2"] }));
      if (bad.length === 0) {
        try {
          for (const e of run().train) assert.ok(!e.prompt.includes("{") && !e.response.includes("{"));
        } catch (e) {
          // a target that renders empty (only the options placeholder, hidden) is the one other error
          assert.ok(e instanceof DataError && e.diagnostics[0]!.code === "AL3030", String(e));
        }
        return;
      }
      try {
        run();
        assert.fail("expected AL3010");
      } catch (e) {
        const ds = (e as DataError).diagnostics;
        assert.deepEqual(
          ds.map((d) => [d.code, d.span?.line]),
          bad.map((p) => ["AL3010", p.line]),
        );
        ds.forEach((d, i) => assert.ok(d.message.includes(`\`${bad[i]!.name}\``)));
      }
    }),
    { numRuns: 100 },
  );
});

test("property: same seed → identical examples; another seed → same multiset (full pass), another order", () => {
  fc.assert(
    fc.property(rowsArb, fc.integer(), fc.integer(), (rows, s1, s2) => {
      fc.pre(s1 !== s2);
      const mk = (seed: number) => renderFlan(spec({ rows: rowsOf(rows), seed })).train.map((e) => `${e.prompt}→${e.response}`);
      assert.deepEqual(mk(s1), mk(s1));
      assert.deepEqual([...mk(s1)].sort(), [...mk(s2)].sort());
    }),
    { numRuns: 50 },
  );
  const many = rowsOf(Array.from({ length: 30 }, (_, i) => ({ q: `q${i}`, y: `y${i}` })));
  const order = (seed: number) => renderFlan(spec({ rows: many, seed })).train.map((e) => e.id);
  assert.notDeepEqual(order(1), order(2));
});

test("property: inversion swaps the roles of input and target", () => {
  fc.assert(
    fc.property(rowsArb, fc.integer(), (rows, seed) => {
      const t = tpl("Q: {{q}}\n|||\n{{y}}");
      const plain = renderFlan(spec({ rows: rowsOf(rows), templates: [t], seed }));
      const inv = renderFlan(spec({ rows: rowsOf(rows), templates: [t], seed, invert: 1 }));
      const byId = new Map(plain.train.map((e) => [e.meta.row, e]));
      for (const e of inv.train) {
        const p = byId.get(e.meta.row)!;
        assert.equal(e.meta.inverted, true);
        assert.equal(e.response, p.prompt); // the input is what is asked for
        assert.equal(e.prompt, `${p.response}\n${DERIVED_INVERSION}`); // from the target
      }
    }),
    { numRuns: 40 },
  );
  // explicit inverted templates are used for the inverted share
  const inv = tpl("{{!-- inverted --}}\nGive a {{y}} thing\n|||\n{{q}}");
  const out = renderFlan(spec({ rows: rowsOf([{ q: "cat", y: "pet" }, { q: "oak", y: "tree" }]), templates: [tpl("Q: {{q}}\n|||\n{{y}}"), inv], invert: 1 }));
  assert.deepEqual(out.train.map((e) => [e.prompt, e.response]).sort(), [
    ["Give a pet thing", "cat"],
    ["Give a tree thing", "oak"],
  ]);
});

test("property: few-shot exemplars never contain the query", () => {
  fc.assert(
    fc.property(rowsArb, fc.integer(), fc.integer({ min: 1, max: 4 }), (rows, seed, k) => {
      let out: ReturnType<typeof renderFlan>;
      try {
        out = renderFlan(spec({ rows: rowsOf(rows), templates: [tpl("Q: {{q}}\n|||\n{{y}}")], seed, shots: [k, k] }));
      } catch (e) {
        // fewer other training rows than k: refused, never a prompt short of its exemplars
        assert.match((e as Error).message, /needs at least/);
        return;
      }
      for (const e of out.train) {
        const parts = e.prompt.split(SHOT_SEPARATOR);
        const query = parts.pop()!;
        assert.ok(parts.length <= k);
        for (const shot of parts) assert.notEqual(shot, `${query}\n${e.response}`);
        assert.ok(!parts.some((s) => s.split("\n")[0] === query), `exemplar repeats the query ${query}`);
      }
    }),
    { numRuns: 50 },
  );
  // with distinct rows there are always k exemplars
  const rows = rowsOf(Array.from({ length: 10 }, (_, i) => ({ q: `q${i}`, y: `y${i}` })));
  const out = renderFlan(spec({ rows, shots: [3, 3] }));
  assert.ok(out.train.every((e) => e.meta.shots === 3));
  // an inverted template that renders many rows alike never shows the query's own input as an exemplar
  const inv = tpl("{{!-- inverted --}}\nWrite a {{y}} one\n|||\n{{q}}");
  const same = renderFlan(spec({ rows: rowsOf([{ q: "a", y: "pos" }, { q: "b", y: "pos" }, { q: "c", y: "neg" }]), templates: [tpl("Q: {{q}}\n|||\n{{y}}"), inv], invert: 1, shots: [1, 1] }));
  for (const e of same.train) assert.ok(!e.prompt.split(SHOT_SEPARATOR).slice(0, -1).some((s) => s.startsWith(e.prompt.split(SHOT_SEPARATOR).pop()!)));
});

test("held-out templates never appear in training; held-out rows are not trained on", async () => {
  const templates = loadTemplateDir(resolve(ROOT, "templates/flan/sentiment"));
  const { readJsonl } = await import("../../src/data/readers.js");
  const rows = await readJsonl(resolve(ROOT, "recipes/data/tasks/sentiment.jsonl"));
  const out = renderFlan(spec({ name: "sentiment", rows, templates, options: ["negative", "positive"], holdoutTemplates: 2, holdout: 0.1, invert: 0.1, withOptions: 0.5, shots: [0, 1] }));
  assert.deepEqual(out.evalTemplates, ["07-tone", "08-is-it"]);
  assert.ok(out.train.every((e) => !out.evalTemplates.includes(e.meta.template!.replace(/~inv$/, ""))));
  assert.ok(out.heldoutTemplates.every((e) => out.evalTemplates.includes(e.meta.template!) && e.meta.shots === 0));
  const trainRows = new Set(out.train.map((e) => e.meta.row));
  assert.ok(out.heldout.every((e) => !trainRows.has(e.meta.row)));
  assert.ok(out.train.some((e) => e.meta.inverted) && out.train.some((e) => e.meta.options));
  assert.ok(out.train.some((e) => e.prompt.includes("OPTIONS:\n- negative\n- positive")));
  assert.throws(() => renderFlan(spec({ templates: [tpl("Q: {{q}}\n|||\n{{y}}")], holdoutTemplates: 1 })), /leaves no training template/);
});

test("every bundled template checks against its task's fields", async () => {
  const { readJsonl } = await import("../../src/data/readers.js");
  for (const task of ["sentiment", "addition", "uppercase"]) {
    const templates = loadTemplateDir(resolve(ROOT, `templates/flan/${task}`));
    assert.equal(templates.length, 10);
    const rows = await readJsonl(resolve(ROOT, `recipes/data/tasks/${task}.jsonl`));
    const out = renderFlan(spec({ name: task, rows, templates, holdoutTemplates: 2, invert: 0.2 }));
    assert.ok(out.train.length > 50);
  }
});

test("property: a held-out task gives every row once, zero-shot, never inverted, on its non-inverted templates; deterministic in the seed", () => {
  const inverted = tpl("{{!-- inverted --}}\nGive a question for {{y}}.\n|||\n{{q}}\n");
  fc.assert(
    fc.property(rowsArb, templatesArb, fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (rows, templates, seed, withOptions) => {
      const s = spec({ rows: rowsOf(rows), templates: [...templates, inverted], seed, withOptions, options: ["x", "z"], shots: [0, 2], invert: 0.5, holdoutTemplates: 1, holdout: 0.3 });
      const out = renderHeldoutTask(s);
      assert.deepEqual(out.map((e) => e.meta.row).sort((a, b) => a! - b!), rows.map((_, i) => i));
      const ids = new Set(templates.map((t) => t.id));
      for (const e of out) {
        assert.ok(e.meta.shots === 0 && !e.meta.inverted && e.meta.heldout && ids.has(e.meta.template!), e.id);
        assert.ok(!e.prompt.includes(SHOT_SEPARATOR + "Q:") && !e.prompt.includes("{{"));
        assert.equal(e.response.startsWith("It is ") ? e.response.slice(6) : e.response, rows[e.meta.row!]!.y);
      }
      assert.deepEqual(renderHeldoutTask(s), out);
    }),
    { numRuns: 50 },
  );
});

test("train_templates = 1 trains on the first training template only; the held-out templates and rows stay the same", () => {
  const templates = ["A", "B", "C", "D"].map((x, i) => ({ ...tpl(`${x}: {{q}}\n|||\n{{y}}`), id: `0${i + 1}-${x}` }));
  const rows = rowsOf(Array.from({ length: 40 }, (_, i) => ({ q: `q${i}`, y: `y${i}` })));
  const all = renderFlan(spec({ rows, templates, holdoutTemplates: 1, holdout: 0.2 }));
  const one = renderFlan(spec({ rows, templates, holdoutTemplates: 1, holdout: 0.2, trainTemplates: 1 }));
  assert.deepEqual(one.trainTemplates, ["01-A"]);
  assert.deepEqual(all.trainTemplates, ["01-A", "02-B", "03-C"]);
  assert.ok(one.train.every((x) => x.prompt.startsWith("A: ")));
  assert.ok(new Set(all.train.map((x) => x.prompt[0])).size === 3);
  assert.deepEqual(one.heldoutTemplates, all.heldoutTemplates);
  assert.deepEqual(one.train.map((x) => x.response), all.train.map((x) => x.response), "same training rows");
});

test("a derived inversion of a row whose input renders empty is AL3030 at the row: it would train on nothing", () => {
  const t = tpl("{{q}}\n|||\n{{y}}");
  const rows = rowsOf([{ q: "a", y: "A" }, { q: " ", y: "B" }]);
  // every example inverted: the second row's inversion would take its empty input as the target
  assert.throws(
    () => renderFlan(spec({ rows, templates: [t], invert: 1 })),
    (e: DataError) => e.diagnostics.length === 1 && e.diagnostics[0]!.code === "AL3030" && e.diagnostics[0]!.file === "data.jsonl" && e.diagnostics[0]!.span?.line === 2 && /renders an empty input for this row, which its derived inversion/.test(e.diagnostics[0]!.message),
  );
  // not inverted, the same rows render (an empty prompt is allowed; the target is there)
  assert.equal(renderFlan(spec({ rows, templates: [t], invert: 0 })).train.length, 2);
});

// An inverted template that places {{options_}} is filled as any other that does (FLAN's inverted
// patterns are; it rendered the list empty until 6 Dec 2026, review33 L7), on the with_options share;
// one that does not place it never gets the list appended (that is for direct templates).
test("an inverted .hbs template that places {{options_}} shows the options on the with_options share; one that does not, never", () => {
  const placing = tpl("{{!-- inverted --}}\nWrite a {{label}} phrase.\n{{options_}}\n|||\n{{phrase}}\n");
  const plain = tpl("{{!-- inverted --}}\nGive a {{label}} phrase.\n|||\n{{phrase}}\n");
  const direct = tpl("Mood of {{phrase}}?\n|||\n{{label}}\n");
  const rows = rowsOf(Array.from({ length: 12 }, (_, i) => ({ phrase: `p${i}`, label: i % 2 ? "positive" : "negative" })));
  const render = (templates: TaskTemplate[], withOptions: number) => renderFlan(spec({ rows, templates, invert: 1, withOptions, options: ["negative", "positive"], holdout: 0 })).train;
  const shown = render([direct, placing], 1);
  assert.ok(shown.length > 0 && shown.every((e) => e.id.endsWith(":inv")));
  for (const e of shown) assert.match(e.prompt, /^Write a (negative|positive) phrase\.\nOPTIONS:\n- negative\n- positive$/);
  for (const e of render([direct, placing], 0)) assert.match(e.prompt, /^Write a (negative|positive) phrase\.$/);
  for (const e of render([direct, plain], 1)) assert.match(e.prompt, /^Give a (negative|positive) phrase\.$/);
});
