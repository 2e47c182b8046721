// A budget line whose limit is zero or negative (`time <= -5m`, `memory <= 0GiB`): it passed the
// checker and `alignc plan` then said "budget exceeded by the estimate" (AL4009), blaming the plan
// for a limit no plan can meet. Now AL2008 at the limit. Found by feeding odd budget values to plan.
import assert from "node:assert/strict";
import { test } from "node:test";
import { diagnose, expectError } from "./helpers.js";

test("a budget limit at or below zero is AL2008 at the limit; a positive one is accepted", async () => {
  const d = await expectError("budget { time <= -5m }", "AL2008", 1, 18);
  assert.match(d.message, /above zero: `time <= -5m`/);
  await expectError("budget {\n  memory <= 0GiB\n}", "AL2008", 2, 13);
  await expectError("budget { tokens <= 0 }", "AL2008", 1, 20);
  const ok = await diagnose("budget { time <= 10m  memory <= 4GiB  tokens <= 1e9 }");
  assert.deepEqual(ok.filter((x) => x.code === "AL2008"), []);
});
