// The plan table's size column for an eval is what it scores, not the whole data it names: before,
// `rm_accuracy { data = heldout(prefs) }` showed prefs' training rows (1.3k in the quickstart, where
// it scores the 320 held out) and a win rate over 300 of them the same. A split the sizes do not
// count (held-out templates) shows nothing rather than a wrong figure.
import { test } from "node:test";
import assert from "node:assert/strict";
import { planRecipe } from "../../src/plan/compile.js";
import { renderPlan, si } from "../../src/plan/render.js";
import type { DataSize } from "../../src/plan/types.js";
import { QUICK_FILES, quickRecipe, tempFiles } from "./fixture.js";

const root = tempFiles(QUICK_FILES);

function row(table: string, id: string): string {
  return table.split("\n").find((l) => l.startsWith(`${id} `)) ?? "";
}

test("for any held-out share, the eval rows show the held-out count (capped by n), tokens only where whole rows are read", () => {
  for (const heldout of [40, 320, 500]) {
    const sizes = new Map<string, DataSize>([
      ["prefs", { examples: 1280, heldout, tokens: 256000, max_tokens: 55, comparisons: 15000, estimated: true }],
      ["sft_data/tokenize", { examples: 1500, heldout: 150, tokens: 60000, max_tokens: 61, estimated: true }],
    ]);
    const table = renderPlan(planRecipe(quickRecipe({ root }), { sizes, backend: "wasm", flopsPerSecond: 1e10 }).plan!);
    assert.ok(row(table, "rm_acc").includes(` ${si(heldout)} ex / ≈${si(heldout * 200)} tok `), row(table, "rm_acc"));
    assert.match(row(table, "judge"), new RegExp(` ${Math.min(heldout, 300)} ex  `), row(table, "judge"));
    assert.ok(!row(table, "judge").includes(" tok "), "a win rate reads prompts: no token figure from whole groups");
    assert.match(row(table, "zero_shot"), / - {2,}/, "held-out templates: not counted by the sizes, so nothing is shown");
  }
});
