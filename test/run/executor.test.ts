// The executor on a small fake plan (fake-plan.ts): caching, --force/--until, stale entries, resume
// after Ctrl-C, expect gates. Damaged cache entries, failures and concurrent runs: executor-cache.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runPlan } from "../../src/run/run-plan.js";
import { PlanError } from "../../src/run/executor.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { tempDir } from "./helpers.js";
import { cond, node, opts, plan, type Calls } from "./fake-plan.js";

test("first run computes every node; an unchanged re-run is all cache hits; changing a parameter re-runs exactly the descendants", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const r1 = await runPlan(opts(dir, calls));
    assert.equal(r1.exitCode, 0, r1.error?.message);
    assert.deepEqual(calls.runs, ["d", "a", "b", "c", "e"]);
    assert.deepEqual(r1.manifest.nodes.map((n) => n.status), ["computed", "computed", "computed", "computed", "computed"]);
    assert.equal(r1.manifest.nodes.find((n) => n.id === "e")!.summary!.accuracy, 0.65);
    // peak RSS: recorded for the run and for each computed node, and shown in the report
    const rss = process.resourceUsage().maxRSS * 1024;
    assert.ok(r1.manifest.peakRssBytes! > 10 * 2 ** 20 && r1.manifest.peakRssBytes! <= rss, String(r1.manifest.peakRssBytes));
    for (const n of r1.manifest.nodes) assert.ok(n.peakRssBytes! > 0 && n.peakRssBytes! <= r1.manifest.peakRssBytes!, `${n.id}: ${n.peakRssBytes}`);
    assert.match(readFileSync(join(r1.runDir, "report.html"), "utf8"), /peak RSS \d+ MiB/);
    for (const f of ["plan.json", "manifest.json", "metrics.jsonl", "samples.jsonl", "report.html"]) assert.ok(existsSync(join(r1.runDir, f)), f);
    const rows = RunDir.open(r1.runDir).readMetrics();
    assert.deepEqual(rows.filter((r) => r.stage === "a").map((r) => r.step), [1, 2, 3, 4, 5, 6]);

    calls.runs = [];
    const r2 = await runPlan(opts(dir, calls));
    assert.equal(r2.exitCode, 0);
    assert.deepEqual(calls.runs, [], "nothing recomputed, not even the data");
    assert.equal(r2.manifest.cache.hits, 4);
    assert.equal(r2.manifest.nodes.find((n) => n.id === "d")!.status, "skipped");
    assert.equal(r2.manifest.nodes.find((n) => n.id === "e")!.summary!.accuracy, 0.65);
    assert.notEqual(r2.runDir, r1.runDir);
    // the reused nodes' curves and samples are in the new run too, marked cached
    const reused = RunDir.open(r2.runDir).readMetrics().filter((r) => r.stage === "a");
    assert.deepEqual(reused.map((r) => [r.step, r.cached]), [1, 2, 3, 4, 5, 6].map((s) => [s, 1]));
    assert.equal(RunDir.open(r2.runDir).readSamples().length, 1);

    calls.runs = [];
    const p = plan();
    // b's parameters change: its hash and its descendant e's hash change (as PLAN computes them)
    p.nodes[2] = node("b", "stage", "sft", ["a"], { steps: 5 });
    p.nodes[4] = { ...p.nodes[4]!, hash: "he-changed" };
    const r3 = await runPlan(opts(dir, calls, { plan: p }));
    assert.deepEqual(calls.runs, ["b", "e"]);
    assert.equal(r3.manifest.nodes.find((n) => n.id === "a")!.status, "cached");
  } finally {
    cleanup();
  }
});

test("--force re-runs the named node only; --until stops after a node and its inputs", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const r1 = await runPlan(opts(dir, calls, { until: "a" }));
    assert.equal(r1.exitCode, 0);
    assert.deepEqual(calls.runs, ["d", "a"]);
    assert.deepEqual(r1.manifest.nodes.map((n) => n.status), ["computed", "computed", "skipped", "skipped", "skipped"]);
    await runPlan(opts(dir, calls));
    calls.runs = [];
    const r2 = await runPlan(opts(dir, calls, { force: ["b"] }));
    assert.deepEqual(calls.runs, ["b"]);
    assert.equal(r2.manifest.nodes.find((n) => n.id === "e")!.status, "cached");
    await assert.rejects(runPlan(opts(dir, calls, { force: ["bb"] })), (e: unknown) => e instanceof PlanError && /--force bb: no such node \(did you mean b\?\)/.test(e.message));
    await assert.rejects(runPlan(opts(dir, calls, { until: "zz" })), PlanError);
    // a --force that would recompute nothing is refused as usage (it was ignored: exit 0, nothing recomputed)
    await assert.rejects(runPlan(opts(dir, calls, { force: ["d"] })), (e: unknown) => e instanceof PlanError && e.usage && /^--force d: d is built in memory by every run, never cached/.test(e.message));
    await assert.rejects(runPlan(opts(dir, calls, { force: ["e"], until: "a" })), (e: unknown) => e instanceof PlanError && e.usage && /^--force e: it does not run with --until a/.test(e.message));
  } finally {
    cleanup();
  }
});

test("an entry computed from another output of its input than the one cached now is stale: computed again; the same output keeps it a hit", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    await runPlan(opts(dir, calls));
    const status = (r: { manifest: { nodes: { id: string; status: string }[] } }) => Object.fromEntries(r.manifest.nodes.map((n) => [n.id, n.status]));
    // a forced node that comes out different (another backend): everything computed from it is computed again
    calls.runs = [];
    calls.offset = { a: 0.5 };
    const other = await runPlan(opts(dir, calls, { force: ["a"] }));
    assert.equal(other.exitCode, 0, other.error?.message);
    assert.deepEqual(calls.runs, ["d", "a", "b", "c", "e"]);
    assert.deepEqual(status(other), { d: "computed", a: "computed", b: "computed", c: "computed", e: "computed" });
    // forced again, the same output: what was computed from it stays a hit, and the run says why
    calls.runs = [];
    const lines: string[] = [];
    const progress = { stage: () => ({ update() {}, done() {} }), info: (l: string) => lines.push(l), stop() {} };
    const same = await runPlan(opts(dir, calls, { force: ["a"], progress }));
    assert.deepEqual(calls.runs, ["d", "a"]);
    assert.ok(lines.some((l) => /\+ b  to run unless a comes out the same/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /= b  cached \[\w{8}\] \(a unchanged\)/.test(l)), lines.join("\n"));
    assert.deepEqual(status(same), { d: "computed", a: "computed", b: "cached", c: "cached", e: "cached" });
    // across runs: a forced alone (--until) with other bytes leaves b, c and e stale for the next run
    calls.offset = {};
    await runPlan(opts(dir, calls, { force: ["a"], until: "a" }));
    calls.runs = [];
    lines.length = 0;
    const next = await runPlan(opts(dir, calls, { progress }));
    assert.equal(lines.filter((l) => /^b: its cached entry \[\w{8}\] was computed from another output of a than the one cached now/.test(l)).length, 1, lines.join("\n"));
    assert.deepEqual(calls.runs, ["b", "c", "e"]);
    assert.deepEqual(status(next), { d: "skipped", a: "cached", b: "computed", c: "computed", e: "computed" });
    assert.equal(next.manifest.nodes.find((n) => n.id === "e")!.summary!.accuracy, 0.65, "the figures of the first run again");
    calls.runs = [];
    await runPlan(opts(dir, calls));
    assert.deepEqual(calls.runs, [], "the recomputed entries are hits");
    // an entry written before entries recorded their inputs says nothing: a hit, as it always was
    const cache = new StageCache(join(dir, "cache"));
    const b = cache.get(plan().nodes[2]!.hash)!;
    const { inputs: _, check: _check, ...old } = b.meta; // an entry of then had neither field
    writeFileSync(join(b.dir, "entry.json"), JSON.stringify(old));
    calls.offset = { a: 0.25 };
    await runPlan(opts(dir, calls, { force: ["a"], until: "a" }));
    calls.runs = [];
    await runPlan(opts(dir, calls));
    assert.deepEqual(calls.runs, ["c"], "c recorded its input and is computed again; b did not");
  } finally {
    cleanup();
  }
});

test("a stale node's recompute resumes from its own checkpoint after Ctrl-C; a checkpoint trained from another output of its input starts anew", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    await runPlan(opts(dir, calls));
    // a forced with other bytes; b, computed again from the new a, is stopped at step 3
    calls.offset = { a: 0.7 };
    calls.interruptAt = { node: "b", step: 3 };
    const stopped = await runPlan(opts(dir, calls, { force: ["a"] }));
    assert.equal(stopped.exitCode, 130);
    calls.interruptAt = undefined;
    // b's old entry is still in place (stale): the next run resumes b's recompute where it stopped, and says so first
    const lines: string[] = [];
    const progress = { stage: () => ({ update() {}, done() {} }), info: (l: string) => lines.push(l), stop() {} };
    const resumed = await runPlan(opts(dir, calls, { progress }));
    const b = resumed.manifest.nodes.find((n) => n.id === "b")!;
    assert.deepEqual([b.status, b.resumedFromStep], ["resumed", 3]);
    assert.ok(lines.some((l) => /\+ b  to run \[\w{8}\] \(resumes from step 3\)/.test(l)), lines.join("\n"));
    // again: b stopped at step 3 from one a, then a computed again with other bytes: b starts anew
    calls.offset = { a: 0.9 };
    calls.interruptAt = { node: "b", step: 3 };
    assert.equal((await runPlan(opts(dir, calls, { force: ["a"] }))).exitCode, 130);
    calls.interruptAt = undefined;
    calls.offset = { a: 0.3 };
    await runPlan(opts(dir, calls, { force: ["a"], until: "a" }));
    lines.length = 0;
    const anew = (await runPlan(opts(dir, calls, { progress }))).manifest.nodes.find((n) => n.id === "b")!;
    assert.deepEqual([anew.status, anew.resumedFromStep], ["computed", undefined]);
    assert.ok(lines.some((l) => /\+ b  to run \[\w{8}\] \(its checkpoint at step 3 is from other inputs: starts anew\)/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^b: its checkpoint at step 3 was trained from other outputs of its inputs than this run's: starting anew/.test(l)), lines.join("\n"));
  } finally {
    cleanup();
  }
});

test("Ctrl-C: the stage checkpoints and exits 130; the re-run resumes there and ends where an uninterrupted run ends", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [], interruptAt: { node: "a", step: 3 } };
    const r1 = await runPlan(opts(dir, calls));
    assert.equal(r1.exitCode, 130);
    assert.equal(r1.manifest.status, "interrupted");
    assert.equal(r1.manifest.nodes.find((n) => n.id === "a")!.status, "interrupted");
    assert.deepEqual(readdirSync(join(dir, "cache")).filter((n) => !n.startsWith(".")), [], "no cache entry for an unfinished node");
    const calls2: Calls = { runs: [] };
    const r2 = await runPlan(opts(dir, calls2));
    assert.equal(r2.exitCode, 0);
    const a = r2.manifest.nodes.find((n) => n.id === "a")!;
    assert.equal(a.status, "resumed");
    assert.equal(a.resumedFromStep, 3);
    const steps = RunDir.open(r2.runDir).readMetrics().filter((r) => r.stage === "a").map((r) => r.step);
    assert.deepEqual(steps, [4, 5, 6]);
    // same final state as a run that was never interrupted
    const { dir: dir2, cleanup: c2 } = tempDir();
    try {
      const clean = await runPlan(opts(dir2, { runs: [] }));
      assert.deepEqual(clean.manifest.nodes.map((n) => n.summary), r2.manifest.nodes.map((n) => n.summary));
    } finally {
      c2();
    }
  } finally {
    cleanup();
  }
});

test("a failed expectation blocks the stages downstream of its block and exits 3; others still run", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const expects = [cond("a", "loss", "<=", 0.01), cond("e", "accuracy", ">=", 0.1)];
    const r = await runPlan(opts(dir, calls, { recipe: { name: "fake", file: "f", seed: 1, expects } }));
    assert.equal(r.exitCode, 3);
    assert.equal(r.manifest.status, "expectations_failed");
    assert.deepEqual(calls.runs, ["d", "a"]);
    const st = Object.fromEntries(r.manifest.nodes.map((n) => [n.id, n.status]));
    assert.deepEqual(st, { d: "computed", a: "computed", b: "blocked", c: "blocked", e: "blocked" });
    assert.match(r.manifest.nodes.find((n) => n.id === "b")!.reason!, /expectation failed: a\.loss <= 0\.01/);
    assert.deepEqual(r.manifest.expectations.map((e) => e.ok), [false, false]);
    assert.match(r.manifest.expectations[1]!.message, /e did not run/);
    // passing gates: exit 0
    const ok = await runPlan(opts(dir, { runs: [] }, { recipe: { name: "fake", file: "f", seed: 1, expects: [cond("a", "loss", "<=", 0.5), cond("e", "accuracy", ">=", 0.1)] } }));
    assert.equal(ok.exitCode, 0);
    assert.deepEqual(ok.manifest.expectations.map((e) => e.ok), [true, true]);
    // all cached: conditions over cached nodes are decided from their recorded metrics
    const cached = await runPlan(opts(dir, { runs: [] }, { recipe: { name: "fake", file: "f", seed: 1, expects: [cond("e", "accuracy", ">=", 0.1), cond("a", "loss", "<=", 0.5)] } }));
    assert.equal(cached.exitCode, 0, cached.manifest.expectations.map((e) => e.message).join("\n"));
    assert.equal(cached.manifest.cache.hits, 4);
  } finally {
    cleanup();
  }
});


// an in-memory node a computed stage's data was built from (by its handler, through the data layer, not
// through the executor) read "skipped: not needed: every consumer was cached" in a cold run (auditB39 #19)
test("an in-memory node behind a computed stage is said to be built in memory for it; behind cached stages only, not needed", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const p = plan();
    p.nodes = [node("r", "data", "read", []), { ...p.nodes[0]!, inputs: ["r"] }, ...p.nodes.slice(1)];
    const cold = await runPlan(opts(dir, calls, { plan: p }));
    const r = (m: typeof cold) => m.manifest.nodes.find((n) => n.id === "r")!;
    assert.equal(r(cold).status, "computed");
    assert.equal(r(cold).reason, "in memory, by what read it: a");
    const warm = await runPlan(opts(dir, calls, { plan: p }));
    assert.equal(r(warm).status, "skipped");
    assert.equal(r(warm).reason, "not needed: every consumer was cached");
  } finally {
    cleanup();
  }
});
