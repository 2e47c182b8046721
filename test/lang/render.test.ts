// renderDiagnostics / diagnosticsJson / useColor.
import assert from "node:assert/strict";
import { test } from "node:test";
import { dirname, join } from "node:path";
import type { Diagnostic } from "../../src/lang/diagnostic.js";
import { parseRecipe } from "../../src/lang/parse.js";
import { diagnosticsJson, renderDiagnostics, summarize, useColor } from "../../src/lang/render.js";

const src = "model m = gpt {\n  layers = 2\n  hedas = 4\n}\n";
const d: Diagnostic = {
  code: "AL2003",
  severity: "error",
  message: "unknown property `hedas` of gpt",
  file: "r.align",
  span: { start: 31, end: 36, line: 3, col: 3, endLine: 3, endCol: 8 },
  hint: "did you mean `heads`?",
};
const sources = new Map([["r.align", src]]);

test("file:line:col: severity code: message, the source line, carets under the whole span, the hint", () => {
  assert.equal(
    renderDiagnostics([d], sources, { color: false }),
    ["r.align:3:3: error AL2003: unknown property `hedas` of gpt", "3 |   hedas = 4", "  |   ^^^^^", "hint: did you mean `heads`?"].join("\n"),
  );
});

test("a data file below the working directory is shown relative to it, as the recipe's path is; one outside it stays absolute", () => {
  const inside = { ...d, file: join(process.cwd(), "data", "d.jsonl") };
  const outside = { ...d, file: join(dirname(process.cwd()), "elsewhere", "d.jsonl") };
  const head = (x: Diagnostic): string => renderDiagnostics([x], sources, { color: false }).split("\n")[0]!;
  assert.equal(head(inside), `${join("data", "d.jsonl")}:3:3: error AL2003: unknown property \`hedas\` of gpt`);
  assert.equal(head(outside), `${outside.file}:3:3: error AL2003: unknown property \`hedas\` of gpt`);
  assert.equal(JSON.parse(diagnosticsJson([inside]))[0].file, inside.file); // --json keeps the absolute path
});

test("a parse error renders with its caret at the offending token", () => {
  const text = "stage s = sft { lr = ) }";
  const r = parseRecipe(text, "s.align");
  const out = renderDiagnostics(r.diagnostics, new Map([["s.align", text]]), { color: false });
  assert.equal(out.split("\n").slice(0, 3).join("\n"), ["s.align:1:22: error AL1011: expected a value (number, string, list, block, name or call), found `)`", `1 | ${text}`, `  | ${" ".repeat(21)}^`].join("\n"));
});

test("tabs before the span are kept so the caret lines up; a span running past its line gets carets to the line end", () => {
  const text = "\tx = 1\n";
  const t: Diagnostic = { ...d, file: "t.align", span: { start: 1, end: 9, line: 1, col: 2, endLine: 2, endCol: 1 }, hint: undefined };
  delete t.hint;
  assert.equal(renderDiagnostics([t], new Map([["t.align", text]]), { color: false }).split("\n")[2], "  | \t^^^^^");
});

test("a diagnostic without a span or without its source prints the header line only", () => {
  const noSpan: Diagnostic = { code: "AL3001", severity: "warning", message: "no data", file: "x.align", span: null };
  assert.equal(renderDiagnostics([noSpan], new Map(), { color: false }), "x.align: warning AL3001: no data");
  assert.equal(renderDiagnostics([{ ...d, hint: undefined }].map(({ hint: _h, ...rest }) => rest), new Map(), { color: false }), "r.align:3:3: error AL2003: unknown property `hedas` of gpt");
});

test("colour: ANSI codes only when asked; useColor needs a TTY and no NO_COLOR", () => {
  assert.doesNotMatch(renderDiagnostics([d], sources, { color: false }), /\u001b\[/);
  assert.match(renderDiagnostics([d], sources, { color: true }), /\u001b\[31merror AL2003\u001b\[0m/);
  assert.equal(useColor({ isTTY: true }, {}), true);
  assert.equal(useColor({ isTTY: true }, { NO_COLOR: "1" }), false);
  assert.equal(useColor({ isTTY: false }, {}), false);
  assert.equal(useColor({}, {}), false);
});

test("diagnosticsJson is the Diagnostic array as JSON; summarize counts", () => {
  assert.deepEqual(JSON.parse(diagnosticsJson([d])), [d]);
  assert.equal(diagnosticsJson([]), "[]");
  assert.equal(summarize([d, d, { ...d, severity: "warning" }]), "2 errors, 1 warning");
  assert.equal(summarize([]), "");
});

test("the source line shown is the one the span's line counts, whatever the line endings (huntZ40 L1: a lone CR)", () => {
  // the lexer ends a line at LF, CRLF and a lone CR; the excerpt used to split on LF only and showed `}` here
  for (const eol of ["\n", "\r\n", "\r"]) {
    const text = ["stage s = sft {", "  description = \"a\"", "  lr = )", "}", ""].join(eol);
    const r = parseRecipe(text, "s.align");
    const out = renderDiagnostics(r.diagnostics, new Map([["s.align", text]]), { color: false }).split("\n");
    assert.match(out[0]!, /^s\.align:3:8: error AL1011/, JSON.stringify(eol));
    assert.deepEqual(out.slice(1, 3), ["3 |   lr = )", "  |        ^"], JSON.stringify(eol));
  }
  // a file of lone CRs only: each line still shown
  const cr = "recipe r {\r  seed = )\r}\r";
  const out = renderDiagnostics(parseRecipe(cr, "c.align").diagnostics, new Map([["c.align", cr]]), { color: false }).split("\n");
  assert.equal(out[1], "2 |   seed = )");
});
