// The rule as a labeler: K responses ranked into the rankings' string form (equal classes tie), the
// groups a `samples(…) as rankings { labeler = "rule" }` source builds from a draw (all-tie groups
// carry no comparison), and the bundled rankings, which the generator writes with the same function.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ruleRanking } from "../../src/data/demo/rule.js";
import { rankSets, ruleRanks } from "../../src/data/build-samples.js";
import type { PromptResponse } from "../../src/data/types.js";
import { repoRoot } from "../repo-root.js";

test("ruleRanking: classes best first, equal classes tied with `=`, letters in response order", () => {
  assert.equal(ruleRanking(["7", "Sure! Here is 7", "9", "qxz"], "7"), "A > B > C > D");
  assert.equal(ruleRanking(["9", "8", "7"], "7"), "C > A = B", "two wrong answers tie");
  assert.equal(ruleRanking(["Sure! Here is 9", "kvw", "7", "Sure! Here is 7", "12"], "7"), "C > D > A = E > B");
  assert.equal(ruleRanking(["1", "2", "3", "4"], "7"), "A = B = C = D", "all wrong: one level");
});

test("ruleRanks reads the reference as the rule judge does: a demonstration's preamble is not part of the answer", () => {
  assert.deepEqual(ruleRanks(["Sure! Here is 7", "7", "5"], "Sure! Here is 7"), { ranking: "B > A > C", ranks: [1, 0, 2] });
  assert.deepEqual(ruleRanks(["Sure! Here is 7", "7", "5"], "7").ranks, [1, 0, 2]);
});

const item = (prompt: string, response: string, i: number): PromptResponse => ({ id: `q:${i}`, prompt, response, meta: { source: "q", task: "addition" } });

test("rankSets: ties give no pair, an all-tie group none at all (null), a prompt not drawn is null", () => {
  const items = [item("Add 3 and 4.", "7", 0), item("Add 1 and 1.", "2", 1), item("Add 2 and 2.", "4", 2)];
  const groups = rankSets("onpolicy", items, [
    { prompt: "Add 3 and 4.", responses: ["9", "7", "8", "Sure! Here is 7"] },
    { prompt: "Add 1 and 1.", responses: ["3", "5", "6", "11"] },
    null,
  ]);
  const g = groups[0]!;
  assert.deepEqual(g.ranks, [2, 0, 2, 1]);
  // every pair of different rank, none between the two wrong answers (A = C)
  assert.deepEqual(
    [...g.pairs].sort((x, y) => x[0] - y[0] || x[1] - y[1]),
    [
      [1, 0],
      [1, 2],
      [1, 3],
      [3, 0],
      [3, 2],
    ],
  );
  assert.equal(g.reference, "7");
  assert.deepEqual([g.id, g.prompt, g.meta.source, g.meta.row, g.meta.task], ["onpolicy:0", "Add 3 and 4.", "onpolicy", 0, "addition"]);
  assert.equal(groups[1], null, "four wrong answers: one rule class, no comparison");
  assert.equal(groups[2], null, "not drawn");
});

test("the bundled rankings are ranked by the same function (the generator's rows agree with the labeler's)", () => {
  const rows = readFileSync(join(repoRoot(), "recipes", "data", "rankings.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { responses: string[]; ranking: string; answer: string });
  assert.ok(rows.length > 1000);
  for (const r of rows) assert.equal(ruleRanking(r.responses, r.answer), r.ranking);
});
