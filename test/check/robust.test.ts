// For any random mutation of the example recipes — of their words, of their characters, or of their
// AST values — the checker never throws: it returns diagnostics, each located in a file it read,
// and a CheckedRecipe exactly when there is no error, with its blocks in dependency order.
//
// Deterministic: every property runs under a fixed seed (ROBUST_SEED=n overrides it, for exploring
// by hand, never in CI). A checker that turns slow fails instead of hanging: fast-check stops between
// runs after TIME_LIMIT_MS and counts that as a failure, and node:test's timeout reports the test.
// (One check that never returns blocks the event loop; only `node --test --test-timeout` ends that.)
// Inputs the fuzzer found slow are pinned below as `examples` and as named regression tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { checkRecipeAst, checkRecipeText, type CheckResult } from "../../src/check/index.js";
import { parseRecipe } from "../../src/lang/parse.js";
import { hasErrors } from "../../src/lang/diagnostic.js";
import type { Span, Value } from "../../src/lang/ast.js";
import { KINDS } from "../../src/check/kinds.js";
import { repoRoot } from "./helpers.js";

const dir = join(repoRoot(), "recipes");
const names = ["quickstart.align", "lima.align", "flan-zero-shot.align", "quickstart-kl.align"];
const recipes = names.map((f) => ({ file: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
const LIMA = names.indexOf("lima.align");
const QUICKSTART_KL = names.indexOf("quickstart-kl.align");

const seed = process.env["ROBUST_SEED"] ? Number(process.env["ROBUST_SEED"]) : 20261125;
const TIME_LIMIT_MS = 30_000; // normally ~1 s per property on 2 busy cores
const runOptions = { seed, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true };
const testOptions = { timeout: 2 * TIME_LIMIT_MS };

function assertSound(r: CheckResult): void {
  for (const d of r.diagnostics) {
    assert.match(d.code, /^AL[12]\d{3}$/);
    assert.ok(d.span, `${d.code} has no span: ${d.message}`);
    const text = r.sources.get(d.file);
    assert.ok(text !== undefined, `${d.code} names a file that was not read: ${d.file}`);
    assert.ok(d.span.line >= 1 && d.span.col >= 1 && d.span.end <= text.length, `${d.code} span out of its file`);
    assert.notEqual(d.code, "AL1999", d.message);
  }
  assert.equal(r.recipe === null, hasErrors(r.diagnostics), "a recipe exactly when there is no error");
  if (r.recipe) {
    const seen = new Set<string>();
    for (const b of r.recipe.blocks) {
      for (const dep of b.deps) assert.ok(seen.has(dep), `${b.name} comes before its dependency ${dep}`);
      seen.add(b.name);
    }
  }
}

// Words that keep the text parseable while changing its meaning: names of the recipes' blocks,
// keywords, kinds, properties, members, enum words, and names that are special in JavaScript.
const words = [
  ...new Set([
    ...recipes.flatMap((r) => r.text.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []),
    ...Object.keys(KINDS),
    ...Object.values(KINDS).flatMap((ks) => Object.keys(ks)),
    "constructor", "__proto__", "toString", "hasOwnProperty", "prompts", "zz", "all", "rule",
  ]),
].filter((w) => !["recipe", "extends", "as", "sweep", "expect", "budget", "true", "false"].includes(w));
const numbers = ["0", "-1", "1", "2", "3", "0.5", "1e999", "-1e999", "100000000", "3e-4", "64", "7"];
const strings = ['""', '"data/corpus.txt"', '"../templates/flan/sentiment"', '"nope.jsonl"', '"quickstart.align"', '"lima.align"', '"quickstart-kl.align"', '"/"', '"."'];
const tokenRe = /"(?:[^"\\\n]|\\.)*"|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z]*|[A-Za-z_][A-Za-z0-9_]*/g;

/** The word-level edit that replaces the token starting `skip` characters into `needle` by `pool[w]`. */
function editAt(which: number, needle: string, skip: number, w: number): [number, [number, number][]] {
  const { text } = recipes[which]!;
  const at = text.indexOf(needle) + skip;
  const t = [...text.matchAll(tokenRe)].findIndex((m) => m.index === at);
  assert.ok(text.includes(needle) && t >= 0, `no token at \`${needle}\`+${skip} in ${names[which]}`);
  return [which, [[t, w]]];
}

test("for any word-level mutation of the example recipes, the checker never throws", testOptions, async () => {
  await fc.assert(
    fc.asyncProperty(fc.nat(recipes.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }), async (which, edits) => {
      const { file, text } = recipes[which]!;
      const tokens = [...text.matchAll(tokenRe)];
      let out = text;
      // apply from the last token backwards so earlier offsets stay valid
      const picks = edits.map(([t, w]) => ({ tok: tokens[t % tokens.length]!, w })).sort((a, b) => b.tok.index! - a.tok.index!);
      let last = Infinity;
      for (const { tok, w } of picks) {
        if (tok.index! >= last) continue;
        last = tok.index!;
        const s = tok[0];
        const pool = s.startsWith('"') ? strings : /^\d/.test(s) ? numbers : words;
        out = out.slice(0, tok.index) + pool[w % pool.length]! + out.slice(tok.index! + s.length);
      }
      assertSound(await checkRecipeText(out, file));
    }),
    {
      ...runOptions,
      numRuns: 250,
      examples: [
        editAt(LIMA, "heads = 4", 8, numbers.indexOf("100000000")), // took 2.3 s: the did-you-mean counted up to heads
        editAt(QUICKSTART_KL, '"quickstart.align"', 0, strings.indexOf('"data/corpus.txt"')), // took 1.3 s: a 100 KB corpus parsed as a base recipe
      ],
    },
  );
});

test("for any character-level mutation of the example recipes, the checker never throws", testOptions, async () => {
  const fragments = ["{", "}", "=", ".", "..", " ", "\n", "x", "sweep [", "]", "1", ":", "//"];
  await fc.assert(
    fc.asyncProperty(fc.nat(recipes.length - 1), fc.nat(), fc.nat(40), fc.constantFrom(...fragments), async (which, at, del, ins) => {
      const { file, text } = recipes[which]!;
      const i = at % (text.length + 1);
      assertSound(await checkRecipeText(text.slice(0, i) + ins + text.slice(i + del), file));
    }),
    { ...runOptions, numRuns: 100 },
  );
});

// Random values for the AST-level mutation, built with fc.letrec (lists, sweeps and calls nest).
function valueArb(span: Span): fc.Arbitrary<Value> {
  const ident = (name: string) => ({ type: "Ident" as const, name, span });
  const num = fc.oneof(fc.integer({ min: -3, max: 300 }), fc.double({ noNaN: true }), fc.constantFrom(0, 1, 4, 1e308 * 10)).map((value) => ({ type: "Number" as const, value, isInt: Number.isInteger(value), raw: String(value), span }));
  return fc.letrec<{ value: Value }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      num,
      fc.constantFrom(...strings).map((s) => ({ type: "String" as const, value: JSON.parse(s) as string, multiline: false, span })),
      fc.boolean().map((value) => ({ type: "Bool" as const, value, span })),
      fc.tuple(fc.integer({ min: -2, max: 100 }), fc.constantFrom("s", "m", "GiB", "k", "x", "")).map(([value, unit]) => ({ type: "Quantity" as const, value, unit, raw: `${value}${unit}`, span })),
      fc.tuple(num, num).map(([lo, hi]) => ({ type: "Range" as const, lo, hi, span })),
      fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 3 }).map((path) => ({ type: "Ref" as const, path: path.map(ident), span })),
      fc.array(tie("value"), { maxLength: 3 }).map((items) => ({ type: "List" as const, items, span })),
      fc.tuple(fc.constantFrom("jsonl", "text", "dir", "heldout", "train", "nope", "safetensors"), fc.array(tie("value"), { maxLength: 2 })).map(([callee, args]) => ({ type: "Call" as const, callee: ident(callee), args, span })),
      fc.array(tie("value"), { maxLength: 3 }).map((items) => ({ type: "Sweep" as const, values: { type: "List" as const, items, span }, span })),
    ),
  })).value;
}

type Slot = [Record<string, unknown> | unknown[], string | number];
/** Where the grammar allows any Value: property values, clause arguments, comparison sides, list items, call arguments. */
function valueSlots(node: unknown, out: Slot[] = []): Slot[] {
  if (node === null || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    for (const n of node) valueSlots(n, out);
    return out;
  }
  const n = node as Record<string, unknown>;
  const slotKeys: Record<string, string[]> = { Assignment: ["value"], Clause: ["arg"], Comparison: ["left", "right"] };
  for (const k of slotKeys[n["type"] as string] ?? []) if (n[k]) out.push([n, k]);
  if (n["type"] === "List") (n["items"] as unknown[]).forEach((_, i) => out.push([n["items"] as unknown[], i]));
  if (n["type"] === "Call") (n["args"] as unknown[]).forEach((_, i) => out.push([n["args"] as unknown[], i]));
  for (const [k, v] of Object.entries(n)) if (k !== "span") valueSlots(v, out);
  return out;
}

/** The index among lima's value slots of `heads = 4`'s value. */
function limaHeadsSlot(): number {
  const { text, file } = recipes[LIMA]!;
  const slots = valueSlots(parseRecipe(text, file).ast);
  const at = slots.findIndex(([holder, key]) => key === "value" && (holder as { path?: { name: string }[] }).path?.[0]?.name === "heads");
  assert.ok(at >= 0, "lima.align has no heads property");
  return at;
}

test("for any AST-level mutation of the example recipes (values replaced by random ones), the checker never throws", testOptions, () => {
  const someSpan: Span = { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 };
  fc.assert(
    fc.property(fc.nat(recipes.length - 1), fc.array(fc.tuple(fc.nat(), valueArb(someSpan)), { minLength: 1, maxLength: 3 }), (which, edits) => {
      const { file, text } = recipes[which]!;
      const { ast } = parseRecipe(text, file);
      const slots = valueSlots(ast);
      for (const [i, v] of edits) {
        const [holder, key] = slots[i % slots.length]!;
        const old = (holder as Record<string | number, { span: Span }>)[key]!;
        // the new value takes the old one's span, so diagnostics stay inside the text
        const withSpan = JSON.parse(JSON.stringify(v, (k, x) => (k === "span" ? old.span : x))) as Value;
        (holder as Record<string | number, unknown>)[key] = withSpan;
      }
      assertSound(checkRecipeAst(text, file, ast));
    }),
    {
      ...runOptions,
      numRuns: 200,
      // never returned (the 14-minute hang): heads = 1.8e308 and a did-you-mean counting up to it
      examples: [[LIMA, [[limaHeadsSlot(), { type: "Number", value: Number.MAX_VALUE, isInt: true, raw: String(Number.MAX_VALUE), span: someSpan }]]]],
    },
  );
});

// Regression tests for the inputs the fuzzer found slow (each took seconds, or never returned).
test("heads far above d_model: AL2012 with a hint drawn from d_model's divisors, however large heads is", testOptions, async () => {
  const { file, text } = recipes[LIMA]!;
  // as text (the word-level find), and as an AST holding the largest integral double (the AST-level hang)
  const cases: CheckResult[] = [await checkRecipeText(text.replace("heads = 4", "heads = 100000000"), file)];
  const { ast } = parseRecipe(text, file);
  const [holder, key] = valueSlots(ast)[limaHeadsSlot()]!;
  const old = (holder as Record<string | number, { span: Span }>)[key]!;
  (holder as Record<string | number, Value>)[key] = { type: "Number", value: Number.MAX_VALUE, isInt: true, raw: String(Number.MAX_VALUE), span: old.span };
  cases.push(checkRecipeAst(text, file, ast));
  for (const r of cases) {
    assertSound(r);
    const d = r.diagnostics.find((x) => x.code === "AL2012");
    assert.ok(d, "no AL2012");
    assert.equal(d.hint, "heads = 128 divides 128");
  }
});

test("extends a data file: AL2029 names it as not a recipe, without reading it", testOptions, async () => {
  const { file, text } = recipes[QUICKSTART_KL]!;
  assert.ok(text.includes('"quickstart.align"'));
  const r = await checkRecipeText(text.replace('"quickstart.align"', '"data/corpus.txt"'), file);
  assertSound(r);
  const d = r.diagnostics.find((x) => x.code === "AL2029");
  assert.ok(d, "no AL2029");
  assert.match(d.message, /`data\/corpus\.txt` is not a recipe: `extends` takes a \.align file/);
  assert.deepEqual([...r.sources.keys()], [file]);
});
