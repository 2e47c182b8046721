// For any AST: parse(print(ast)) is the same AST (spans aside), and printing is a fixed point.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseRecipe } from "../../src/lang/parse.js";
import { printRecipe } from "../../src/lang/print.js";
import { stripSpans } from "../../src/lang/strip.js";
import { recipeFile } from "./arbitraries.js";

// fixed seed: the suite is deterministic; FC_SEED=n explores other seeds by hand
const FC_SEED = Number(process.env["FC_SEED"] ?? 20261125);

test("for any AST, parseRecipe(printRecipe(ast)) gives the same AST", () => {
  fc.assert(
    fc.property(recipeFile, (ast) => {
      const text = printRecipe(ast);
      const back = parseRecipe(text, "rt.align");
      assert.deepEqual(back.diagnostics, [], text);
      assert.deepEqual(stripSpans(back.ast), stripSpans(ast), text);
    }),
    { numRuns: 400, seed: FC_SEED },
  );
});

test("for any AST, printing the parsed printout gives the same text (fmt is idempotent)", () => {
  fc.assert(
    fc.property(recipeFile, (ast) => {
      const once = printRecipe(ast);
      assert.equal(printRecipe(parseRecipe(once, "rt.align").ast), once);
    }),
    { numRuns: 300, seed: FC_SEED },
  );
});
