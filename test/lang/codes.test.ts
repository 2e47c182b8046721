// Every AL1xxx code on an inline snippet, with its line:col; and the table has exactly these codes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SYNTAX_CODES } from "../../src/lang/codes.js";
import { printRecipe } from "../../src/lang/print.js";
import { parseRecipe } from "../../src/lang/parse.js";
import { checkRecipeFile } from "../../src/check/index.js";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectError } from "./helpers.js";

const tested = new Set<string>();
function code(c: keyof typeof SYNTAX_CODES, name: string, fn: () => void | Promise<void>): void {
  tested.add(c);
  test(`${c} ${name}`, fn);
}

code("AL1001", "unexpected character", () => {
  const d = expectError("model m = gpt {\n  layers = 2 $\n}", "AL1001", 2, 14);
  assert.match(d.message, /`\$`/);
  // an invisible character is named by code point, not printed as the blank it looks like
  const nbsp = expectError("model m = gpt {\n  layers = 2\u00a0\n}", "AL1001", 2, 13);
  assert.match(nbsp.message, /U\+00A0/);
  assert.doesNotMatch(nbsp.message, /\u00a0/);
  assert.match(nbsp.hint ?? "", /no-break space/);
  assert.match(expectError("model m = gpt {\u200b}", "AL1001", 1, 16).message, /U\+200B/);
});

code("AL1002", "unterminated string", () => {
  expectError('source s = jsonl("data.jsonl) as text', "AL1002", 1, 18);
});

code("AL1003", "unterminated multi-line string", () => {
  expectError('recipe r {\n  description = """\n  text that never ends\n}', "AL1003", 2, 17);
});

code("AL1004", "unterminated block comment", () => {
  expectError("model m = gpt {}\n  /* never closed\n", "AL1004", 2, 3);
});

code("AL1005", "invalid escape sequence", () => {
  const d = expectError('format f = x { sep = "a\\qb" }', "AL1005", 1, 24);
  assert.equal(d.span!.endCol - d.span!.col, 2); // the caret covers `\q`
  // a lone surrogate is no character (it was accepted and written out as U+FFFD)
  const s = expectError('format f = x { sep = "a\\u{D800}b" }', "AL1005", 1, 24);
  assert.match(s.hint ?? "", /surrogates/);
  expectError('format f = x { sep = "\\u{dfff}" }', "AL1005", 1, 23);
});

code("AL1006", "number out of range", () => {
  expectError("stage s = sft {\n  lr = 1e999\n}", "AL1006", 2, 8);
  // too small for a double: it read as 0 without a word (`holdout = 1e-400` was then "holdout = 0")
  assert.match(expectError("source s = x {\n  holdout = 1e-400\n}", "AL1006", 2, 13).message, /would read as 0/);
  expectError("source s = x { holdout = -2.5e-999 }", "AL1006", 1, 26);
  const zeros = parseRecipe("source s = x { a = 0e-999  b = 0.0  c = 5e-324 }", "snippet.align").diagnostics;
  assert.deepEqual(zeros.map((d) => d.code), []);
});

code("AL1008", "a number written as other languages write it (hex, octal, binary, `_` separators)", () => {
  // one diagnostic at the number and nothing after it: lexed as `0` + `x10` it was "expected `=` after the name" past it (huntZ40 L4)
  for (const [raw, col] of [["0x10", 8], ["0o17", 8], ["0b101", 8], ["0b2", 8], ["0xg", 8], ["1_000", 8], ["-1_000.5", 8], ["1e1_0", 8]] as const) {
    const { diagnostics } = parseRecipe(`stage s = sft {\n  lr = ${raw}\n  steps = 10\n}`, "snippet.align");
    assert.deepEqual(diagnostics.map((d) => [d.code, d.span?.line, d.span?.col, d.span!.endCol - d.span!.col]), [["AL1008", 2, col, raw.length]], raw);
    assert.match(diagnostics[0]!.hint ?? "", /decimal/);
  }
  // as a map key and a range bound too: a key `0x10` was kept as its text, passing check (reviewR41 H1)
  for (const src of ["fields = { n = { from = \"k\"  map = { 0x10 = \"a\" } } }", "fields = { n = { from = \"k\"  map = { 1_6 = \"a\" } } }", "shots = 0x1..2"]) {
    const ds = parseRecipe(`task t = flan { ${src} }`, "snippet.align").diagnostics;
    assert.deepEqual(ds.map((d) => d.code), ["AL1008"], src);
  }
  // what stays a number, a range or a quantity
  for (const ok of ["a = 0", "a = 0.5", "a = 1e3", "a = 0..2", "a = 10m", "a = 0B", "a = 1e3s"]) assert.deepEqual(parseRecipe(`source s = x { ${ok} }`, "snippet.align").diagnostics, [], ok);
});

code("AL1007", "the file is not UTF-8 (was read with U+FFFD in its place)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-al1007-"));
  try {
    const f = join(dir, "r.align");
    writeFileSync(f, Buffer.concat([Buffer.from('recipe r { seed = 1 }\nsource d = jsonl("d.jsonl") as demonstrations { prompt = "caf'), Buffer.from([0xe9]), Buffer.from(' {{x}}" }\n')]));
    const ds = (await checkRecipeFile(f)).diagnostics;
    assert.deepEqual(ds.map((d) => [d.code, d.span?.line, d.span?.col]), [["AL1007", 2, 62]]);
    assert.match(ds[0]!.message, /byte 0xe9 at byte offset 83/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

code("AL1010", "a specific token expected", () => {
  const d = expectError("model m gpt { layers = 2 }", "AL1010", 1, 9);
  assert.match(d.message, /expected `=`, found `gpt`/);
});

code("AL1011", "no construct starts with the token", () => {
  const d = expectError("stage s = sft {\n  lr = )\n}", "AL1011", 2, 8);
  assert.match(d.message, /expected a value/);
});

code("AL1012", "stray token between items", () => {
  const d = expectError("model m = gpt {}\n}\nstage s = sft {}", "AL1012", 2, 1);
  assert.match(d.message, /expected a declaration/);
});

code("AL1013", "too many syntax errors", () => {
  const src = "model m = gpt {\n" + "  $\n".repeat(150) + "}";
  const { diagnostics } = parseRecipe(src, "snippet.align");
  assert.equal(diagnostics.length, 101);
  const d = expectError(src, "AL1013", 101, 3);
  assert.match(d.message, /50 more/);
});

code("AL1014", "too deeply nested (was: internal parser error at 1:1 past ~300 levels)", () => {
  const deep = (n: number) => `recipe r { seed = 1 }\nmodel m = gpt { x = ${"[".repeat(n)}${"]".repeat(n)} }`;
  // the 64th bracket (one brace already open) crosses the limit: col of "model m = gpt { x = " + 63
  expectError(deep(400), "AL1014", 2, 21 + 63);
  expectError(deep(100_000), "AL1014", 2, 21 + 63);
  assert.ok(!parseRecipe(deep(60), "snippet.align").diagnostics.some((d) => d.code === "AL1014" || d.code === "AL1999"));
});

code("AL1015", "too many entries in one block (150,000 overflowed the checker's stack)", () => {
  const entries = Array.from({ length: 150_000 }, (_, i) => `  a${i} = ${i}`).join("\n");
  const d = expectError(`recipe r { seed = 1 }\nmixture m = mix {\n${entries}\n}`, "AL1015", 20_003, 10);
  assert.match(d.message, /at most 20000 \(this one opens at line 2\)/);
});

// huntZ40: a list's elements were counted by its commas, so 20,001 values without a trailing comma passed,
// and fmt (one per line, a comma after each) then refused its own output as "internal error"
test("AL1015 counts a list's elements, with or without a trailing comma: 20,000 pass, 20,001 do not, and fmt's layout of a list that passes passes", () => {
  const list = (n: number, trailing: boolean) => `recipe r { seed = 1 }\nstage s = sft { init = m  data = d  format = f  lr = sweep [${Array.from({ length: n }, (_, i) => `0.${i + 1}`).join(", ")}${trailing ? "," : ""}] }`;
  const codes = (src: string) => parseRecipe(src, "s.align").diagnostics.map((d) => d.code);
  for (const trailing of [false, true]) {
    assert.ok(!codes(list(20_000, trailing)).includes("AL1015"), `20,000${trailing ? " and a trailing comma" : ""}`);
    assert.ok(codes(list(20_001, trailing)).includes("AL1015"), `20,001${trailing ? " and a trailing comma" : ""}`);
  }
  const printed = printRecipe(parseRecipe(list(20_000, false), "s.align").ast!);
  assert.ok(!codes(printed).includes("AL1015"), "fmt's own layout of an accepted list is accepted");
});

code("AL1020", "second recipe header", () => {
  expectError("recipe a { seed = 1 }\nrecipe b { seed = 2 }", "AL1020", 2, 1);
});

code("AL1999", "internal error becomes a located diagnostic", () => {
  // a caller passing a non-string is the one way to reach the catch-all from outside
  const r = parseRecipe(null as unknown as string, "x.align");
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0]!.code, "AL1999");
  assert.deepEqual([r.diagnostics[0]!.span!.line, r.diagnostics[0]!.span!.col], [1, 1]);
  assert.deepEqual(r.ast.items, []);
});

test("every code in src/lang/codes.ts has a test here", () => {
  assert.deepEqual([...tested].sort(), Object.keys(SYNTAX_CODES).sort());
});

test("hints: single quotes, # comments, reserved words, commas between entries", () => {
  assert.match(expectError("model m = gpt { layers = 2, heads = 4 }", "AL1010", 1, 27).hint ?? "", /not commas/);
  assert.match(expectError("model m = gpt { name = 'x' }", "AL1001", 1, 24).hint ?? "", /double quotes/);
  assert.match(expectError("# comment\nmodel m = gpt {}", "AL1001", 1, 1).hint ?? "", /\/\//);
  assert.match(expectError("model m = gpt { as = 1 }", "AL1010", 1, 17).hint ?? "", /reserved/);
  assert.match(expectError("model true = gpt {}", "AL1010", 1, 7).hint ?? "", /reserved/);
});
