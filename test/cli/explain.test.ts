// Every example of `alignc explain` is true: its snippet raises the code, its fix does not; every code
// of every table is explained.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRecipeText } from "../../src/check/index.js";
import { allCodes, EXAMPLES, explain, renderExplanation } from "../../src/cli/explain.js";

test("for every recorded example, the snippet raises its code and the fix raises none", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-explain-"));
  try {
    for (const [code, ex] of Object.entries(EXAMPLES)) {
      const bad = await checkRecipeText(ex.bad, join(dir, "bad.align"));
      assert.ok(bad.diagnostics.some((d) => d.code === code), `${code}: the example raises ${bad.diagnostics.map((d) => d.code).join(", ") || "nothing"}`);
      const fixed = await checkRecipeText(ex.fix, join(dir, "fix.align"));
      assert.deepEqual(fixed.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.message}`), [], `${code}: the fix is clean`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every code is explained; an unknown one is not", () => {
  const codes = allCodes();
  assert.ok(codes.length > 80);
  for (const c of codes) assert.ok(explain(c)?.meaning, c);
  assert.equal(explain("AL9999"), null);
  assert.match(renderExplanation(explain("al2004")!), /AL2004: unknown property[\s\S]*raised by:[\s\S]*layer = 2[\s\S]*fix:/);
});
