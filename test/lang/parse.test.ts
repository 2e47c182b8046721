// The parser on the example recipes and on one snippet per construct: AST shape and spans.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { Assignment, BlockValue, ComponentEntry, Declaration, RecipeFile, Span, Value } from "../../src/lang/ast.js";
import { parseRecipe } from "../../src/lang/parse.js";
import { stripSpans } from "../../src/lang/strip.js";
import { expectClean, repoRoot } from "./helpers.js";

function parseClean(src: string): RecipeFile {
  const r = parseRecipe(src, "t.align");
  assert.deepEqual(r.diagnostics, []);
  return r.ast;
}

/** The value of `x = …` inside `a b = c { x = … }`. */
function valueOf(text: string): Value {
  const ast = parseClean(`a b = c { x = ${text} }`);
  const d = ast.items[0] as Declaration;
  return (d.body!.entries[0] as Assignment).value;
}

const slice = (src: string, s: Span): string => src.slice(s.start, s.end);

test("the example recipes parse clean", () => {
  for (const name of ["quickstart.align", "lima.align"]) {
    const src = readFileSync(join(repoRoot(), "recipes", name), "utf8");
    const { ast, diagnostics } = parseRecipe(src, name);
    assert.deepEqual(diagnostics, [], name);
    assert.ok(ast.items.length > 5);
    assert.ok(ast.comments.length >= 1);
  }
});

test("quickstart: header, declarations, components, expect and budget", () => {
  const src = readFileSync(join(repoRoot(), "recipes", "quickstart.align"), "utf8");
  const ast = parseClean(src);
  const header = ast.items[0]!;
  assert.equal(header.type, "RecipeHeader");
  const decls = ast.items.filter((i): i is Declaration => i.type === "Declaration");
  const demos = decls.find((d) => d.name.name === "demos")!;
  assert.equal(demos.keyword.name, "source");
  assert.equal(demos.kind.name, "jsonl");
  assert.equal(demos.role?.name, "demonstrations");
  assert.deepEqual(stripSpans(demos.args), [{ type: "String", value: "data/demos.jsonl", multiline: false }]);
  const mix = decls.find((d) => d.name.name === "sft_data")!;
  const comp = mix.body!.entries[0] as ComponentEntry;
  assert.equal(comp.type, "Component");
  assert.deepEqual(
    comp.clauses.map((c) => [c.name.name, c.arg && stripSpans(c.arg)]),
    [["proportional", null], ["cap", { type: "Number", value: 600, isInt: true, raw: "600" }]],
  );
  assert.equal(slice(src, comp.span), "sentiment: proportional cap 600");
  const policy = decls.find((d) => d.name.name === "policy")!;
  const prompts = policy.body!.entries.find((e) => e.type === "Assignment" && e.path[0]!.name === "prompts") as Assignment;
  assert.deepEqual(stripSpans(prompts.value), { type: "Ref", path: [{ type: "Ident", name: "ppo_prompts" }] });
  const conds = ast.items.filter((i) => i.type === "Conditions");
  assert.deepEqual(conds.map((c) => c.type === "Conditions" && [c.keyword, c.scope?.name ?? null, c.items.length]), [["expect", null, 11], ["expect", "full_size", 10], ["budget", null, 2]]);
  // `x >= y + 0.1`: a term on the right
  const withTerms = conds.flatMap((c) => (c.type === "Conditions" ? c.items : [])).filter((c) => c.rightTerms?.length);
  assert.deepEqual(
    withTerms.map((c) => slice(src, c.span)),
    ["rm.heldout_accuracy >= rm.heldout_accuracy_before + 0.1", "zero_shot_after.accuracy >= zero_shot_after.baseline + 0.2"],
  );
  for (const item of ast.items) assert.ok(slice(src, item.span).length > 0);
});

test("every node has a span whose text is the node as written", () => {
  const src = 'stage s = ppo { kl = sweep [0.01, 0.02]  k = 4..9  t = 10m  f = heldout(prefs)  o = { a = true } }';
  const d = parseClean(src).items[0] as Declaration;
  assert.equal(slice(src, d.span), src);
  assert.equal(slice(src, d.keyword.span), "stage");
  const texts = d.body!.entries.map((e) => slice(src, (e as Assignment).value.span));
  assert.deepEqual(texts, ["sweep [0.01, 0.02]", "4..9", "10m", "heldout(prefs)", "{ a = true }"]);
  const sweep = (d.body!.entries[0] as Assignment).value;
  assert.equal(sweep.type, "Sweep");
  if (sweep.type === "Sweep") assert.deepEqual([sweep.values.span.line, sweep.values.span.col, sweep.values.span.endCol], [1, 28, 40]);
});

test("values: numbers, quantities, strings, bools, ranges, lists, refs, calls, sweeps", () => {
  assert.deepEqual(stripSpans(valueOf("3e-4")), { type: "Number", value: 3e-4, isInt: false, raw: "3e-4" });
  assert.deepEqual(stripSpans(valueOf("-12")), { type: "Number", value: -12, isInt: true, raw: "-12" });
  assert.deepEqual(stripSpans(valueOf("4GiB")), { type: "Quantity", value: 4, unit: "GiB", raw: "4GiB" });
  assert.deepEqual(stripSpans(valueOf("1.5h")), { type: "Quantity", value: 1.5, unit: "h", raw: "1.5h" });
  assert.deepEqual(stripSpans(valueOf('"a\\n\\t\\"\\\\\\u{1F600}"')), { type: "String", value: 'a\n\t"\\\u{1F600}', multiline: false });
  assert.deepEqual(stripSpans(valueOf("false")), { type: "Bool", value: false });
  const range = valueOf("0..2");
  assert.equal(range.type, "Range");
  assert.deepEqual(stripSpans(valueOf("[1, 2,]")), stripSpans(valueOf("[1, 2]")));
  assert.deepEqual(stripSpans(valueOf("[]")), { type: "List", items: [] });
  const call = valueOf('dir("t/flan", 2)');
  assert.equal(call.type, "Call");
  if (call.type === "Call") assert.deepEqual([call.callee.name, call.args.length], ["dir", 2]);
  assert.equal(valueOf("sweep [1, 2]").type, "Sweep");
  assert.equal(valueOf("{ a = 1  b.c = 2  d: weight 1.0 }").type, "Block");
});

test('multi-line strings drop the first newline, the closing line and common indentation', () => {
  const v = valueOf('"""\n    Answer:\n      {{x}}\n\n    done\n    """');
  assert.deepEqual(stripSpans(v), { type: "String", value: "Answer:\n  {{x}}\n\ndone", multiline: true });
  assert.deepEqual(stripSpans(valueOf('"""one line"""')), { type: "String", value: "one line", multiline: true });
});

test("recipe header with extends and dotted overrides", () => {
  const ast = parseClean('recipe b extends "a.align" { policy.kl_coef = 0.05  seed = 2 }');
  const h = ast.items[0]!;
  assert.equal(h.type, "RecipeHeader");
  if (h.type !== "RecipeHeader") return;
  assert.equal(h.extends?.value, "a.align");
  const first = h.body.entries[0] as Assignment;
  assert.deepEqual(first.path.map((p) => p.name), ["policy", "kl_coef"]);
});

test("declarations with and without args, role and body", () => {
  const ast = parseClean('format chat = chat_template("t.hbs")\ntokenizer t = byte_level\nsource s = csv() as pairs');
  const [a, b, c] = ast.items as Declaration[];
  assert.deepEqual([a!.args?.length, a!.body], [1, null]);
  assert.deepEqual([b!.args, b!.role, b!.body], [null, null, null]);
  assert.deepEqual([c!.args, c!.role?.name], [[], "pairs"]);
});

test("mixture components: clauses end where the next entry begins", () => {
  const ast = parseClean("mixture m = mix { a: proportional cap 3000 weight 1.0 total = 5  b: c:\n d.e = 1 }");
  const entries = (ast.items[0] as Declaration).body!.entries;
  assert.deepEqual(
    entries.map((e) => (e.type === "Component" ? `${e.name.name}:${e.clauses.map((c) => c.name.name).join(",")}` : e.path.map((p) => p.name).join("."))),
    ["a:proportional,cap,weight", "total", "b:", "c:", "d.e"],
  );
});

test("comparisons in expect and budget blocks", () => {
  const ast = parseClean("expect { rm.accuracy >= 0.7  policy.reward > sft.reward  a == 1  b != 2  c < 3  d <= 4 }");
  const e = ast.items[0]!;
  assert.equal(e.type, "Conditions");
  if (e.type === "Conditions") assert.deepEqual(e.items.map((c) => c.op), [">=", ">", "==", "!=", "<", "<="]);
});

test("comments are collected with their spans", () => {
  const src = "// one\nmodel m = gpt { /* two\n three */ layers = 2 } // four";
  const ast = parseClean(src);
  assert.deepEqual(ast.comments.map((c) => [c.text, c.span.line, c.span.col]), [["// one", 1, 1], ["/* two\n three */", 2, 17], ["// four", 3, 24]]);
});

test("three independent syntax errors are all reported, and the rest of the file is kept", () => {
  const src = "model a = gpt { layers = }\nstage b = sft { lr 3 }\neval c = x { a = [1, 2 }\ntokenizer t = byte_level {}\n";
  const r = parseRecipe(src, "bad.align");
  // `3 }` after `lr` also reads as a table key without its `= value` (keys may be numbers: `1 = "World"`)
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.span!.line, d.span!.col]), [["AL1011", 1, 26], ["AL1010", 3, 24], ["AL1011", 2, 20], ["AL1011", 2, 22]].sort((x, y) => (x[1] as number) - (y[1] as number) || (x[2] as number) - (y[2] as number)));
  assert.deepEqual(r.ast.items.map((i) => (i as Declaration).name.name), ["a", "b", "c", "t"]);
});

test("an empty file and a comment-only file parse to an empty AST (the checker, not the parser, refuses them: AL2039)", () => {
  expectClean("");
  expectClean("// nothing yet\n/* still nothing */");
  assert.deepEqual(parseClean("  \n").items, []);
});

test("reserved words cannot be names", () => {
  const r = parseRecipe("model true = gpt {}", "t.align");
  assert.equal(r.diagnostics[0]?.code, "AL1010");
  // …but a longer name that starts with one can
  const d = parseClean("model truely = gpt { expected = recipes }").items[0] as Declaration;
  assert.equal(d.name.name, "truely");
  assert.equal(((d.body as BlockValue).entries[0] as Assignment).path[0]!.name, "expected");
});

test("a lexical error is not echoed by a parse error at the next token", () => {
  for (const src of ['source s = jsonl("data.jsonl) as text\nmodel m = gpt {}', "stage s = sft { lr = $ }", 'a b = c { x = "abc']) {
    const r = parseRecipe(src, "t.align");
    assert.equal(r.diagnostics.length, 1, r.diagnostics.map((d) => d.message).join("\n"));
  }
});
