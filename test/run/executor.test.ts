// The executor on a small fake plan with fake handlers that behave like the real ones: a memory data
// node, stages that train for N steps with checkpoints and Ctrl-C, an eval, and expect gates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IRCondition } from "../../src/check/ir.js";
import type { Plan, PlanNode } from "../../src/plan/types.js";
import type { HandlerTable, NodeContext, NodeResult } from "../../src/run/handler.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runPlan, type RunPlanOptions } from "../../src/run/run-plan.js";
import { PlanError } from "../../src/run/executor.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { tempDir } from "./helpers.js";

const node = (id: string, kind: PlanNode["kind"], op: string, inputs: string[], params: PlanNode["params"] = {}): PlanNode => ({
  id,
  kind,
  op,
  params,
  inputs,
  files: [],
  hash: `h${id}${JSON.stringify(params).replace(/[^a-z0-9]/gi, "")}`,
  estimates: {},
  block: id,
});

function plan(lr = 1): Plan {
  return {
    version: 1,
    recipe: { name: "fake", file: "fake.align", seed: 1 },
    engine: { alignc: "0.1.0", epoch: 1 },
    nodes: [node("d", "data", "read", []), node("a", "stage", "sft", ["d"], { steps: 6, lr }), node("b", "stage", "sft", ["a"], { steps: 4 }), node("c", "stage", "ppo", ["a"], { steps: 2 }), node("e", "eval", "accuracy", ["b"])],
  };
}

const span = { start: 0, end: 1, line: 1, col: 1, endLine: 1, endCol: 2 };
const cond = (block: string, member: string, op: IRCondition["op"], right: number): IRCondition => ({ left: { $ref: block, member }, op, right, span, text: `${block}.${member} ${op} ${right}` });

interface Calls {
  runs: string[];
  interruptAt?: { node: string; step: number };
  badData?: boolean;
  /** added to a node's state each step: the same node computed with other bytes (another backend, say) */
  offset?: Record<string, number>;
}

/** A "training" handler: state_{t+1} = state_t + input, loss = 1/state; deterministic, resumable. */
function handlers(calls: Calls, interrupt: { requested: boolean }): HandlerTable {
  const train = async (ctx: NodeContext): Promise<NodeResult> => {
    calls.runs.push(ctx.node.id);
    const steps = ctx.node.params.steps as number;
    const input = await ctx.input(ctx.node.inputs[0]!);
    const base = input.dir ? JSON.parse(readFileSync(join(input.dir, "out.json"), "utf8")).state : (input.value as number);
    let state = base;
    let start = 0;
    const ck = ctx.latestCheckpoint();
    if (ck) {
      const saved = JSON.parse(readFileSync(join(ck.dir, "state.json"), "utf8"));
      state = saved.state;
      start = saved.step;
    }
    const bar = ctx.progress(steps, start);
    for (let s = start + 1; s <= steps; s++) {
      state += base + ((ctx.node.params.lr as number | undefined) ?? 0) + (calls.offset?.[ctx.node.id] ?? 0);
      ctx.log({ step: s, loss: 1 / state });
      bar.update(s, { loss: 1 / state });
      if (calls.interruptAt?.node === ctx.node.id && calls.interruptAt.step === s) interrupt.requested = true;
      if (ctx.interrupted() || s % 2 === 0) {
        const snapshot = { state, step: s };
        await ctx.saveCheckpoint(s, (d) => writeFileSync(join(d, "state.json"), JSON.stringify(snapshot)));
        if (ctx.interrupted()) {
          bar.done("interrupted");
          return { status: "interrupted", step: s };
        }
      }
    }
    bar.done();
    writeFileSync(join(ctx.outDir, "out.json"), JSON.stringify({ state }));
    return { status: "done", summary: { loss: 1 / state, state }, resumedFromStep: start || undefined };
  };
  return {
    "data.read": {
      storage: "memory",
      async run(ctx) {
        calls.runs.push(ctx.node.id);
        if (calls.badData) throw new Error("data/x.jsonl:3: missing field `response`");
        return { status: "done", summary: {}, value: 1 };
      },
    },
    stage: { storage: "cache", run: train },
    "eval.accuracy": {
      storage: "cache",
      async run(ctx) {
        calls.runs.push(ctx.node.id);
        const b = await ctx.input("b");
        ctx.sample({ eval: "e", prompt: "p", a: { model: "b", text: "x" } });
        return { status: "done", summary: { accuracy: Math.min(1, b.summary.state! / 100) } };
      },
    },
  };
}

function opts(dir: string, calls: Calls, extra: Partial<RunPlanOptions> = {}): RunPlanOptions {
  const interrupt = { requested: false };
  return {
    plan: plan(),
    recipe: { name: "fake", file: "fake.align", seed: 1, expects: [] },
    handlers: handlers(calls, interrupt),
    interrupt,
    backend: "fake",
    runsDir: join(dir, "runs"),
    cacheRoot: join(dir, "cache"),
    progress: createProgress({ quiet: true }),
    ...extra,
  };
}

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
    const { inputs: _, ...old } = b.meta;
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

test("bad data stops the run before a run directory exists", async () => {
  const { dir, cleanup } = tempDir();
  try {
    await assert.rejects(runPlan(opts(dir, { runs: [], badData: true })), /missing field/);
    assert.ok(!existsSync(join(dir, "runs")) || readdirSync(join(dir, "runs")).length === 0);
  } finally {
    cleanup();
  }
});

/** Node a's cache entry with its metrics.jsonl damaged at the same size (the cache's get() checks
 * sizes): damage from outside alignc, by default a row that no longer reads. Returns the entry, the
 * file and its good text. */
function damageRowsOfA(m: { nodes: { id: string; entry?: string }[] }, edit = (text: string) => text.replace('"stage"', '"st#ge"')): { entry: string; file: string; good: string } {
  const entry = m.nodes.find((n) => n.id === "a")!.entry!;
  const file = join(entry, "metrics.jsonl");
  const good = readFileSync(file, "utf8");
  const damaged = edit(good);
  assert.notEqual(damaged, good);
  assert.equal(Buffer.byteLength(damaged), Buffer.byteLength(good));
  writeFileSync(file, damaged);
  return { entry, file, good };
}

test("a cache entry whose logged rows are damaged stops the run before a run folder exists, naming the line and the folder", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const r1 = await runPlan(opts(dir, calls));
    assert.equal(r1.exitCode, 0);
    const { entry, file } = damageRowsOfA(r1.manifest);
    const before = readdirSync(join(dir, "runs")).length;
    // before: the row went into the new run's metrics.jsonl and the report crashed on it (exit 70)
    await assert.rejects(runPlan(opts(dir, calls)), (e: unknown) => e instanceof PlanError && e.message.includes(`${file}:1:1: a metric row without a "stage" name`) && e.message.includes(`remove the folder ${entry}`));
    assert.equal(readdirSync(join(dir, "runs")).length, before, "no run folder for a run that cannot report");
  } finally {
    cleanup();
  }
});

test("a cache entry whose logged figure was edited in place at the same size stops the run, naming the file's sha256 and the fix", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const r1 = await runPlan(opts(dir, calls));
    assert.equal(r1.exitCode, 0);
    // every row still reads; one figure differs (a digit for a digit: the size the entry records)
    damageRowsOfA(r1.manifest, (text) => text.replace(/"step":1,/, '"step":7,'));
    // before: a hit by its sizes, and the edited row was reported as this node's
    await assert.rejects(runPlan(opts(dir, calls)), (e: unknown) => {
      assert.ok(e instanceof PlanError, String(e));
      assert.match(e.message, /metrics\.jsonl: has sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… the entry this run read recorded/);
      assert.match(e.message, /the cache entry of a is damaged; run again with `--force a`/);
      return true;
    });
  } finally {
    cleanup();
  }
});

test("a node that throws fails the run with exit 1, recorded in the manifest and report", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const o = opts(dir, calls);
    o.handlers["stage.ppo"] = { storage: "cache", run: async () => { throw new Error("NaN loss at step 3"); } };
    const r = await runPlan(o);
    assert.equal(r.exitCode, 1);
    assert.equal(r.manifest.status, "failed");
    assert.match(r.manifest.error!, /NaN loss/);
    assert.equal(r.manifest.nodes.find((n) => n.id === "c")!.status, "failed");
    assert.ok(readFileSync(join(r.runDir, "report.html"), "utf8").includes("NaN loss"));
  } finally {
    cleanup();
  }
});

test("two runs of one plan at once: each node is computed once; the second run waits on the lock and reuses it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const slow = (o: RunPlanOptions): RunPlanOptions => {
      const inner = o.handlers.stage!;
      o.handlers.stage = { storage: "cache", run: async (ctx) => (await new Promise((r) => setTimeout(r, 30)), inner.run(ctx)) };
      return o;
    };
    const [r1, r2] = await Promise.all([runPlan(slow(opts(dir, calls))), runPlan(slow(opts(dir, calls)))]);
    assert.equal(r1.exitCode, 0);
    assert.equal(r2.exitCode, 0);
    for (const id of ["a", "b", "c", "e"]) assert.equal(calls.runs.filter((x) => x === id).length, 1, `${id} computed once: ${calls.runs.join(",")}`);
    assert.equal(r1.manifest.cache.hits + r2.manifest.cache.hits, 4);
  } finally {
    cleanup();
  }
});

test("Ctrl-C while waiting for another run's lock on a node stops the wait: exit 130, the node recorded as interrupted", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const o = opts(dir, calls);
    // another run computing `a` (a lock held by this process counts as live)
    const held = await new StageCache(o.cacheRoot!).lock(plan().nodes[1]!.hash, { purpose: "alignc run: a" });
    try {
      const interrupt = o.interrupt as { requested: boolean };
      const timer = setTimeout(() => (interrupt.requested = true), 300);
      // before: the wait went on (up to 24 h) after the first Ctrl-C; only a second one ended it
      const r = await Promise.race([runPlan(o), new Promise<null>((res) => setTimeout(() => res(null), 20_000).unref())]);
      clearTimeout(timer);
      assert.ok(r, "the run stopped waiting");
      assert.equal(r.exitCode, 130);
      assert.equal(r.manifest.status, "interrupted");
      const a = r.manifest.nodes.find((n) => n.id === "a")!;
      assert.equal(a.status, "interrupted");
      assert.match(a.reason!, new RegExp(`^stopped while pid ${process.pid} was computing it; run again`));
      assert.ok(!calls.runs.includes("a"));
    } finally {
      held.release();
    }
  } finally {
    cleanup();
  }
});

test("a node cached by another run while this one waited for its lock gives the same metrics.jsonl rows as a cache hit", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const first = await runPlan(opts(dir, calls));
    assert.equal(first.exitCode, 0);
    const hit = await runPlan(opts(dir, calls)); // every node a hit: the rows a reused node gives
    assert.equal(hit.manifest.nodes.find((n) => n.id === "a")!.status, "cached");
    const o = opts(dir, calls);
    const cache = new StageCache(o.cacheRoot!);
    const a = plan().nodes[1]!;
    // another run "computing" a: it holds a's lock and its entry is not there yet
    const held = await cache.lock(a.hash, { purpose: "alignc run: a" });
    const aside = join(dir, "a-entry");
    renameSync(cache.entryDir(a.hash), aside);
    const waiting = runPlan(o);
    await new Promise((r) => setTimeout(r, 300));
    renameSync(aside, cache.entryDir(a.hash)); // ... which it then finishes
    held.release();
    const r = await waiting;
    assert.equal(r.exitCode, 0);
    assert.equal(r.manifest.nodes.find((n) => n.id === "a")!.status, "cached");
    const rowsOf = (runDir: string, stage: string) => RunDir.open(runDir).readMetrics().filter((m) => m.stage === stage);
    // before: none of a's rows (a hit copies its entry's rows, marked cached)
    assert.ok(rowsOf(hit.runDir, "a").length > 0);
    assert.deepEqual(rowsOf(r.runDir, "a"), rowsOf(hit.runDir, "a"));
    assert.ok(rowsOf(r.runDir, "a").every((m) => m.cached === 1));
    assert.ok(!calls.runs.slice(calls.runs.lastIndexOf("d") + 1).includes("a"), "a was not computed again");
  } finally {
    cleanup();
  }
});

test("--force replaces a damaged cache entry: the run computes the node anew and the next run reuses the new entry", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const r1 = await runPlan(opts(dir, calls));
    assert.equal(r1.exitCode, 0);
    const { entry, file, good } = damageRowsOfA(r1.manifest);
    const stopped = await runPlan(opts(dir, calls)).then(() => null, (e: unknown) => e);
    assert.ok(stopped instanceof PlanError, String(stopped));
    const forced = await runPlan(opts(dir, calls, { force: ["a"] }));
    assert.equal(forced.exitCode, 0);
    assert.equal(forced.manifest.nodes.find((n) => n.id === "a")!.status, "computed");
    // before: put kept the damaged entry in place, and the next run stopped on it again
    const rows = (text: string) => text.trim().split("\n").map((l) => ({ ...JSON.parse(l), time: 0 })); // times differ run to run
    assert.deepEqual(rows(readFileSync(file, "utf8")), rows(good));
    const after = await runPlan(opts(dir, calls));
    assert.equal(after.exitCode, 0);
    assert.equal(after.manifest.nodes.find((n) => n.id === "a")!.status, "cached");
    assert.ok(new StageCache(join(dir, "cache")).verify(plan().nodes[1]!.hash));
    assert.match(stopped.message, /run again with `--force a` to compute the node anew and replace the entry/, "the damaged entry's message names the fix");
  } finally {
    cleanup();
  }
});
