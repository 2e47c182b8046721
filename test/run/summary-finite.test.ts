// A node's summary as the gates read it is the same fresh and from the cache: JSON stores NaN and
// ±Infinity as null, so the executor keeps finite numbers only on both paths (src/run/executor.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { summaryOf } from "../../src/run/storage/entry-rows.js";
import { meanDiff } from "../../src/run/evaluation/stats.js";

test("summaryOf keeps finite numbers only, so a fresh summary reads as its cache entry will", () => {
  // meanDiff over one prompt has no interval: ±Infinity, which `score_gain_ci_high > 0` passed fresh
  // and found missing ("no metric") from the cache
  const one = meanDiff([0.5]);
  const fresh = { summary: { score_gain: one.mean, score_gain_ci_low: one.ci_low, score_gain_ci_high: one.ci_high, win_rate: NaN, n: 1, note: "x" } };
  const cached = JSON.parse(JSON.stringify(fresh)) as unknown;
  assert.deepEqual(summaryOf(fresh), { score_gain: 0.5, n: 1 });
  assert.deepEqual(summaryOf(cached), summaryOf(fresh));
});
