import { test } from "node:test";
import assert from "node:assert/strict";
import { readDemonstrations } from "../../src/data/demos.js";
import { readJsonl, type Row } from "../../src/data/readers.js";
import { DataError } from "../../src/data/diag.js";
import { hasShared, shared } from "./shared-data.js";
import { located } from "./located.js";

const rowsOf = (data: Record<string, unknown>[]): Row[] => data.map((d, i) => ({ data: d, index: i, line: i + 1, start: 0, end: 0 }));

test("Alpaca shape: instruction + input after a blank line; output is the response", () => {
  const out = readDemonstrations({ name: "alp", file: "a.jsonl", rows: rowsOf([{ instruction: "Sum these", input: "2 3", output: "5" }, { instruction: "Say hi", input: "", output: "hi" }]) });
  assert.deepEqual(
    out.map((e) => [e.prompt, e.response]),
    [
      ["Sum these\n\n2 3", "5"],
      ["Say hi", "hi"],
    ],
  );
});

test("Dolly shape with category filters and custom mappings; context = \"\" turns the context off", () => {
  const rows = rowsOf([
    { instruction: "Q1", context: "C1", response: "A1", category: "closed_qa" },
    { instruction: "Q2", context: "", response: "A2", category: "open_qa" },
    { instruction: "Q3", context: "", response: "A3", category: "brainstorming" },
  ]);
  const kept = readDemonstrations({ name: "d", file: "d.jsonl", rows, categories: ["closed_qa", "open_qa"] });
  assert.deepEqual(kept.map((e) => e.prompt), ["Q1\n\nC1", "Q2"]);
  assert.deepEqual(kept.map((e) => e.meta.category), ["closed_qa", "open_qa"]);
  const mapped = readDemonstrations({ name: "d", file: "d.jsonl", rows, prompt: "Question: {{instruction}}", response: "{{response}}!", context: "" });
  assert.deepEqual(mapped[0], { id: "d:0", prompt: "Question: Q1", response: "A1!", meta: { source: "d", row: 0, line: 1, category: "closed_qa" } });
});

test("a row's `task` field names its task, as a ranking's does (per-task win rates and accuracy baselines); a non-string one is not a task", () => {
  const rows = rowsOf([{ prompt: "8 plus 9 equals?", response: "17", task: "addition" }, { prompt: "Feeling of so cool?", response: "positive", task: 3 }, { prompt: "Hi", response: "hi" }]);
  const out = readDemonstrations({ name: "p", file: "p.jsonl", rows, prompt: "{{prompt}}", response: "{{response}}" });
  assert.deepEqual(out.map((e) => e.meta.task), ["addition", undefined, undefined]);
  assert.deepEqual(out[0]!.meta, { source: "p", row: 0, line: 1, task: "addition" });
});

test("a field tested by {{#if}} in a mapping may be null in a row (regression: null failed even when optional)", () => {
  const rows = rowsOf([{ q: "Q1", hint: null, a: "A1" }, { q: "Q2", hint: "H2", a: "A2" }]);
  const out = readDemonstrations({ name: "d", file: "d.jsonl", rows, prompt: "{{q}}{{#if hint}} ({{hint}}){{/if}}", response: "{{a}}" });
  assert.deepEqual(out.map((e) => e.prompt), ["Q1", "Q2 (H2)"]);
  assert.throws(() => readDemonstrations({ name: "d", file: "d.jsonl", rows, prompt: "{{q}} {{hint}}", response: "{{a}}" }), (e: DataError) => e.diagnostics[0]!.code === "AL3004" && /field `hint` is null; the template needs a value/.test(e.diagnostics[0]!.message) && e.diagnostics[0]!.span?.line === 1);
});

// a printed list rendered `x,[object Object]` and trained on it; a null was "missing field", among the fields present (hunt37)
test("a list or object printed by a template, or a null a reader needs, is a located AL3004 at its row", () => {
  const rows = rowsOf([{ instruction: "ok", response: ["x", { y: 1 }] }]);
  assert.throws(() => readDemonstrations({ name: "d", file: "d.jsonl", rows, prompt: "{{instruction}}", response: "{{response}}" }), (e: DataError) => e.diagnostics[0]!.code === "AL3004" && /`response` is a list; a template prints strings, numbers and booleans/.test(e.diagnostics[0]!.message));
  // iterated or tested, a list is what the template means
  const each = readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf([{ instruction: "ok", items: ["a", "b"], response: "r" }]), prompt: "{{instruction}}{{#each items}} {{this}}{{/each}}", response: "{{response}}" });
  assert.equal(each[0]!.prompt, "ok a b");
  assert.throws(() => readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf([{ instruction: "ok", response: null }]), shape: "dolly" }), (e: DataError) => /field `response` is null; a string is needed/.test(e.diagnostics[0]!.message) && e.diagnostics[0]!.code === "AL3004");
});

// Handlebars renders a path that leads nowhere as "": `{{instruction.text}}` on a text field, or
// `{{a.b}}` into a number, gave every example an empty prompt with exit 0 (audit 32)
test("a template path into a field reads what is there, and a path that leads nowhere is a located error, not empty text", () => {
  const rows = rowsOf([{ instruction: { text: "Q1", lang: "en" }, response: "A1" }]);
  assert.deepEqual(readDemonstrations({ name: "d", file: "d.jsonl", rows, prompt: "{{instruction.text}}", response: "{{response}}" }).map((e) => e.prompt), ["Q1"]);
  for (const [data, prompt, message] of [
    [{ instruction: "Q", response: "A" }, "{{instruction.text}}", /d\.jsonl:1: `\{\{instruction\.text\}\}` reads `text` of `instruction`, which is a string/],
    [{ instruction: { lang: "en" }, response: "A" }, "{{instruction.text}}", /d\.jsonl:1: `\{\{instruction\.text\}\}`: `instruction` has no `text` \(it has: lang\)/],
    [{ instruction: { text: null }, response: "A" }, "{{instruction.text.x}}", /`instruction\.text`, which is null/],
  ] as const) {
    assert.throws(
      () => readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf([data]), prompt, response: "{{response}}" }),
      (e: DataError) => e.diagnostics.length === 1 && e.diagnostics[0]!.code === "AL3004" && message.test(located(e.diagnostics[0]!)),
      prompt,
    );
  }
});

test("an empty response and a missing field are located errors", () => {
  assert.throws(
    () => readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf([{ instruction: "Q", response: "A" }, { instruction: "Q", response: " " }]) }),
    (e: DataError) => e.diagnostics[0]!.code === "AL3030" && /d\.jsonl:2: empty response/.test(located(e.diagnostics[0]!)),
  );
  assert.throws(
    () => readDemonstrations({ name: "d", file: "d.jsonl", rows: rowsOf([{ instruction: "Q", response: "A" }, { instruction: "Q" }]), prompt: "{{instruction}}", response: "{{response}}" }),
    (e: DataError) => e.diagnostics[0]!.code === "AL3003" && /d\.jsonl:2: missing field `response`/.test(located(e.diagnostics[0]!)),
  );
});

test("the shared Dolly slice (category null) reads in the Dolly shape", async (t) => {
  if (!hasShared) return t.skip("../shared/data is absent");
  const file = shared("instruct/dolly_slice_151.jsonl");
  const rows = await readJsonl(file);
  const out = readDemonstrations({ name: "dolly", file, rows });
  assert.equal(out.length, 151);
  assert.equal(out.filter((e) => e.prompt.includes("\n\n") && rows[e.meta.row!]!.data.context).length, 47);
  assert.ok(out.every((e) => e.meta.category === undefined && e.response.length > 0));
  assert.equal(readDemonstrations({ name: "dolly", file, rows, categories: ["open_qa"] }).length, 0);
});
