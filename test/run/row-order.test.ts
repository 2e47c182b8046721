// A run's metrics.jsonl and samples.jsonl hold their rows in plan order whatever the cache held
// (determD42 F1): a reused node's rows (marked cached) used to be written first, before the rows of
// every node computed in the run, so a run with a cache hit after a miss in plan order (a forced or
// changed stage, a variant of a sweep, a resumed run) logged another order than a cold run of the
// same plan.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runPlan } from "../../src/run/run-plan.js";
import { tempDir } from "./helpers.js";
import { node, opts, plan, type Calls } from "./fake-plan.js";

/** The fake plan (d, a, b, c, e) with a stage f after them that reads a: a node with metric rows after c in plan order. */
function planF() {
  const p = plan();
  p.nodes.push(node("f", "stage", "sft", ["a"], { steps: 3 }));
  return p;
}

/** The rows of a run's log with what may differ between runs (wall time, the cached mark) left out. */
function rows(runDir: string, file: string): Record<string, unknown>[] {
  return readFileSync(join(runDir, file), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const { time: _t, cached: _c, ...rest } = JSON.parse(l) as Record<string, unknown>;
      return rest;
    });
}

test("a run that reuses nodes logs the same rows in the same order as a cold run of the plan", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const cold = await runPlan(opts(dir, calls, { plan: planF() }));
    assert.equal(cold.exitCode, 0);
    // plan order d, a, b, c, e, f: c computed again, a, b, e and f (e and f after c in plan order) reused
    const forced = await runPlan(opts(dir, calls, { plan: planF(), force: ["c"] }));
    assert.equal(forced.exitCode, 0);
    assert.deepEqual(forced.manifest.nodes.filter((n) => n.status === "cached").map((n) => n.id), ["a", "b", "e", "f"]);
    const stages = (r: Record<string, unknown>[]) => r.map((x) => x.stage);
    assert.deepEqual(stages(rows(cold.runDir, "metrics.jsonl")), ["a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "c", "c", "f", "f", "f"]);
    // it was a, b, f, then c: every reused node's rows first
    assert.deepEqual(rows(forced.runDir, "metrics.jsonl"), rows(cold.runDir, "metrics.jsonl"));
    assert.deepEqual(rows(forced.runDir, "samples.jsonl"), rows(cold.runDir, "samples.jsonl"));
    // and every reused row still says so
    const marked = readFileSync(join(forced.runDir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as { stage: string; cached?: number });
    assert.deepEqual(marked.map((r) => [r.stage, r.cached ?? 0]), [...Array(6).fill(["a", 1]), ...Array(4).fill(["b", 1]), ["c", 0], ["c", 0], ...Array(3).fill(["f", 1])]);
  } finally {
    cleanup();
  }
});

test("an interrupted run still logs every reused node's rows, and its resume logs a cold run's order", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const cold = await runPlan(opts(dir, calls, { plan: planF() }));
    assert.equal(cold.exitCode, 0);
    // c's entry gone: c computed again and stopped at its first step; a, b, e and f reused, e and f after c in plan order
    rmSync(cold.manifest.nodes.find((n) => n.id === "c")!.entry!, { recursive: true });
    const stopped = await runPlan(opts(dir, { runs: [], interruptAt: { node: "c", step: 1 } }, { plan: planF() }));
    assert.equal(stopped.exitCode, 130);
    const seen = rows(stopped.runDir, "metrics.jsonl").map((r) => r.stage);
    assert.deepEqual(seen, ["a", "a", "a", "a", "a", "a", "b", "b", "b", "b", "c", "f", "f", "f"]);
    assert.equal(rows(stopped.runDir, "samples.jsonl").length, 1, "e's sample, reused, is logged though the run stopped before e's place (so are f's rows)");
    const resumed = await runPlan(opts(dir, { runs: [] }, { plan: planF() }));
    assert.equal(resumed.exitCode, 0);
    assert.equal(resumed.manifest.nodes.find((n) => n.id === "c")!.status, "resumed");
    // the fake stage logs only the steps after its checkpoint when it resumes: c's second row only
    assert.deepEqual(rows(resumed.runDir, "metrics.jsonl").map((r) => [r.stage, r.step]), [...[1, 2, 3, 4, 5, 6].map((s) => ["a", s]), ...[1, 2, 3, 4].map((s) => ["b", s]), ["c", 2], ...[1, 2, 3].map((s) => ["f", s])]);
    assert.deepEqual(rows(resumed.runDir, "samples.jsonl"), rows(cold.runDir, "samples.jsonl"));
  } finally {
    cleanup();
  }
});
