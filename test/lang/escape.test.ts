// Terminal injection (issue 15): control characters from a recipe or data never reach the terminal
// raw, in the message, the caret line or the hint; the carets still line up with the escaped text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeControl } from "../../src/lang/escape.js";
import { parseRecipe } from "../../src/lang/parse.js";
import { renderDiagnostics } from "../../src/lang/render.js";

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test("escapeControl makes ESC, BEL, NUL, DEL, C1 and bidi overrides visible, keeps tabs", () => {
  assert.equal(escapeControl("a\x1b]0;pwned\x07b\x00\x7f\u009b\u202e\tz"), "a\\x1b]0;pwned\\x07b\\x00\\x7f\\x9b\\u202e\tz");
  assert.equal(escapeControl("plain ⟦ünïcode⟧"), "plain ⟦ünïcode⟧");
});

test("an OSC title sequence and a screen clear in a recipe are shown escaped in the caret line", () => {
  const text = 'recipe r { seed = 1 }\nmodel m = gpt { name = "\x1b]0;pwned\x07\x1b[2J\x00" ) }\n';
  const r = parseRecipe(text, "evil\x1b[31m.align");
  assert.ok(r.diagnostics.length > 0);
  const out = renderDiagnostics(r.diagnostics, new Map([["evil\x1b[31m.align", text]]), { color: false });
  assert.doesNotMatch(out, RAW, "no raw control character in the output");
  assert.match(out, /\\x1b\]0;pwned\\x07\\x1b\[2J\\x00/);
  assert.match(out, /^evil\\x1b\[31m\.align:2:/);
  // the caret sits under the `)` as the terminal shows the escaped line
  const lines = out.split("\n");
  const src = lines.find((l) => l.startsWith("2 | "))!;
  const caret = lines[lines.indexOf(src) + 1]!;
  assert.equal(src[caret.indexOf("^")], ")");
});

test("a message quoting user text is escaped too", () => {
  const out = renderDiagnostics([{ code: "AL0000", severity: "error", message: "bad \x1b[2J", file: "f", span: null, hint: "try \x07" }], new Map(), { color: false });
  assert.doesNotMatch(out, RAW);
  assert.match(out, /bad \\x1b\[2J/);
  assert.match(out, /try \\x07/);
});
