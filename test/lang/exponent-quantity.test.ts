// A number with an exponent followed by a unit is a quantity, as a number with an exponent is a number
// elsewhere: `budget { time <= 1e3s }` is 1000 s. It lexed as the number `1e3` then the name `s`, and
// the parse error ("expected a comparison operator, found `}`") pointed past the value.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Assignment, Declaration, Value } from "../../src/lang/ast.js";
import { parseRecipe } from "../../src/lang/parse.js";
import { printRecipe } from "../../src/lang/print.js";
import { stripSpans } from "../../src/lang/strip.js";
import { checkRecipeText } from "../../src/check/index.js";

function valueOf(text: string): Value {
  const r = parseRecipe(`a b = c { x = ${text} }`, "t.align");
  assert.deepEqual(r.diagnostics, [], text);
  return ((r.ast.items[0] as Declaration).body!.entries[0] as Assignment).value;
}

test("an exponent before a unit is part of the quantity; without a unit it stays a number", () => {
  assert.deepEqual(stripSpans(valueOf("1e3s")), { type: "Quantity", value: 1000, unit: "s", raw: "1e3s" });
  assert.deepEqual(stripSpans(valueOf("2.5E-1h")), { type: "Quantity", value: 0.25, unit: "h", raw: "2.5E-1h" });
  assert.deepEqual(stripSpans(valueOf("4e+0GiB")), { type: "Quantity", value: 4, unit: "GiB", raw: "4e+0GiB" });
  assert.deepEqual(stripSpans(valueOf("-1e2m")), { type: "Quantity", value: -100, unit: "m", raw: "-1e2m" });
  assert.deepEqual(stripSpans(valueOf("1e5")), { type: "Number", value: 1e5, isInt: false, raw: "1e5" });
  assert.deepEqual(stripSpans(valueOf("3e-4")), { type: "Number", value: 3e-4, isInt: false, raw: "3e-4" });
  // a lone `e` with no digits after it is not an exponent: the unit is `e` (an unknown unit, for the checker)
  assert.deepEqual(stripSpans(valueOf("3e")), { type: "Quantity", value: 3, unit: "e", raw: "3e" });
  assert.deepEqual(stripSpans(valueOf("[1e3s, 2e0m]")), { type: "List", items: [{ type: "Quantity", value: 1000, unit: "s", raw: "1e3s" }, { type: "Quantity", value: 2, unit: "m", raw: "2e0m" }] });
});

test("a quantity whose number is out of range is AL1006 at it, as a number's is", () => {
  const big = parseRecipe("budget { time <= 1e999s }", "t.align").diagnostics;
  assert.deepEqual(big.map((d) => [d.code, d.span?.line, d.span?.col]), [["AL1006", 1, 18]]);
  const tiny = parseRecipe("budget { time <= 1e-400s }", "t.align").diagnostics;
  assert.deepEqual(tiny.map((d) => d.code), ["AL1006"]);
  assert.match(tiny[0]!.message, /would read as 0s/);
});

test("budget { time <= 1e3s } checks clean as 1000 s, and fmt keeps it as written", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-exp-quantity-"));
  try {
    const src = "recipe r { seed = 1 }\ntokenizer t = byte_level {}\nbudget { time <= 1e3s  memory <= 2e0GiB }\n";
    const { recipe, diagnostics } = await checkRecipeText(src, join(dir, "r.align"));
    assert.deepEqual(diagnostics.filter((d) => d.severity === "error"), []);
    const plain = await checkRecipeText(src.replace("1e3s", "1000s").replace("2e0GiB", "2GiB"), join(dir, "r.align"));
    assert.deepEqual(
      recipe!.budget.map((c) => c.right),
      plain.recipe!.budget.map((c) => c.right),
      "the same budget as 1000s and 2GiB",
    );
    assert.match(printRecipe(parseRecipe(src, "r.align").ast), /time <= 1e3s {2}memory <= 2e0GiB/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
