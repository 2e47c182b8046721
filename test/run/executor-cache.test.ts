// The executor on a small fake plan (fake-plan.ts): bad data, damaged cache entries, a node that
// throws, and two runs of one plan at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runPlan, type RunPlanOptions } from "../../src/run/run-plan.js";
import { PlanError } from "../../src/run/executor.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { tempDir } from "./helpers.js";
import { opts, plan, type Calls } from "./fake-plan.js";


/** A temp folder where the fake plan ran once, whole: where every test of a damaged entry starts. */
async function afterFirstRun(body: (dir: string, calls: Calls, r1: Awaited<ReturnType<typeof runPlan>>) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    const calls: Calls = { runs: [] };
    const r1 = await runPlan(opts(dir, calls));
    assert.equal(r1.exitCode, 0);
    await body(dir, calls, r1);
  } finally {
    cleanup();
  }
}

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
  await afterFirstRun(async (dir, calls, r1) => {
    const { entry, file } = damageRowsOfA(r1.manifest);
    const before = readdirSync(join(dir, "runs")).length;
    // before: the row went into the new run's metrics.jsonl and the report crashed on it (exit 70)
    await assert.rejects(runPlan(opts(dir, calls)), (e: unknown) => e instanceof PlanError && e.message.includes(`${file}:1:1: a metric row without a "stage" name`) && e.message.includes(`remove the folder ${entry}`));
    assert.equal(readdirSync(join(dir, "runs")).length, before, "no run folder for a run that cannot report");
  });
});

test("a cache entry whose logged figure was edited in place at the same size stops the run, naming the file's sha256 and the fix", async () => {
  await afterFirstRun(async (dir, calls, r1) => {
    // every row still reads; one figure differs (a digit for a digit: the size the entry records)
    damageRowsOfA(r1.manifest, (text) => text.replace(/"step":1,/, '"step":7,'));
    // before: a hit by its sizes, and the edited row was reported as this node's
    await assert.rejects(runPlan(opts(dir, calls)), (e: unknown) => {
      assert.ok(e instanceof PlanError, String(e));
      assert.match(e.message, /metrics\.jsonl: has sha256 [0-9a-f]{12}…, not the [0-9a-f]{12}… the entry this run read recorded/);
      assert.match(e.message, /the cache entry of a is damaged; run again with `--force a`/);
      // damage found, not a usage error: exit 1 with its code (it exited 2, read from the words `--force`: audit35 L2)
      assert.match(e.message, /^AL5003: /);
      assert.equal(e.usage, false);
      return true;
    });
    await assert.rejects(runPlan(opts(dir, calls, { force: ["nosuch"] })), (e: unknown) => e instanceof PlanError && e.usage && /^--force nosuch: no such node/.test(e.message));
  });
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
  await afterFirstRun(async (dir, calls, r1) => {
    const { file, good } = damageRowsOfA(r1.manifest);
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
  });
});

// A damaged entry alignc wrote is computed again (a miss), and the run says why, once (review34 L1: silent)
test("an entry whose entry.json figure was changed, or whose file lost bytes, is computed again, the run saying why once; the figures are the first run's", async () => {
  await afterFirstRun(async (dir, calls, r1) => {
    const e = r1.manifest.nodes.find((n) => n.id === "e")!;
    const entryJson = join(dir, "cache", e.hash, "entry.json");
    const text = readFileSync(entryJson, "utf8");
    assert.ok(text.includes("0.65"), text);
    writeFileSync(entryJson, text.replace("0.65", "0.95"));
    const lines: string[] = [];
    const progress = { stage: () => ({ update() {}, done() {} }), info: (l: string) => lines.push(l), stop() {} };
    calls.runs = [];
    const r2 = await runPlan(opts(dir, calls, { progress }));
    assert.equal(r2.exitCode, 0, r2.error?.message);
    assert.deepEqual(calls.runs, ["e"]);
    assert.equal(r2.manifest.nodes.find((n) => n.id === "e")!.summary!.accuracy, 0.65, "the edited figure was served");
    assert.equal(lines.filter((l) => /^e: its cached entry \[\w+\] is damaged \(its entry\.json no longer matches its checksum: changed since it was written\)/.test(l)).length, 1, lines.join("\n"));
    // a file of the entry cut short: the same, naming the file
    const a = r1.manifest.nodes.find((n) => n.id === "a")!;
    const [name] = Object.keys((JSON.parse(readFileSync(join(dir, "cache", a.hash, "entry.json"), "utf8")) as { files: object }).files);
    writeFileSync(join(dir, "cache", a.hash, name!), "");
    lines.length = 0;
    calls.runs = [];
    await runPlan(opts(dir, calls, { progress }));
    assert.ok(calls.runs.includes("a"), calls.runs.join());
    assert.equal(lines.filter((l) => new RegExp(`^a: its cached entry \\[\\w+\\] is damaged \\(${name!.replace(".", "\\.")} holds 0 bytes, where \\d+ were written\\)`).test(l)).length, 1, lines.join("\n"));
  });
});

// audit35 M2, M3: an entry written before 6 Dec 2026 carries no checksum; a wrong-typed field of one was a
// TypeError (a `backend` number in the report, a file record without its sha256: exit 70) or a figure shown
// as `?`; an empty file replaced by a FIFO passed the size check and failed its read (exit 70)
test("an entry without a checksum whose fields are not alignc's types, or whose empty file became a FIFO, is computed again, said", async () => {
  await afterFirstRun(async (dir, calls, r1) => {
    const e = r1.manifest.nodes.find((n) => n.id === "e")!;
    const entryJson = join(dir, "cache", e.hash, "entry.json");
    const first = JSON.parse(readFileSync(entryJson, "utf8")) as Record<string, unknown> & { files: Record<string, { bytes: number }> };
    const older = (edit: (m: Record<string, unknown>) => void) => {
      const m = structuredClone(first) as Record<string, unknown>;
      delete m.check;
      edit(m);
      writeFileSync(entryJson, JSON.stringify(m));
    };
    const lines: string[] = [];
    const progress = { stage: () => ({ update() {}, done() {} }), info: (l: string) => lines.push(l), stop() {} };
    const rerun = async (why: RegExp) => {
      lines.length = 0;
      calls.runs = [];
      const r = await runPlan(opts(dir, calls, { progress }));
      assert.equal(r.exitCode, 0, r.error?.message);
      assert.deepEqual(calls.runs, ["e"], `${why}: ${lines.join("\n")}`);
      assert.ok(lines.some((l) => /^e: its cached entry \[\w+\] is damaged/.test(l) && why.test(l)), `${why}: ${lines.join("\n")}`);
      assert.equal(r.manifest.nodes.find((n) => n.id === "e")!.summary!.accuracy, 0.65);
    };
    older(() => {});
    calls.runs = [];
    await runPlan(opts(dir, calls));
    assert.deepEqual(calls.runs, [], "an older entry without a checksum is still a hit");
    older((m) => (m.backend = 5));
    await rerun(/its `backend` is not text/);
    const name = Object.keys(first.files)[0]!;
    older((m) => ((m.files as Record<string, object>)[name] = { bytes: first.files[name]!.bytes }));
    await rerun(new RegExp(`its record of ${name.replace(".", "\\.")} is not a size and a sha256`));
    older((m) => ((m.data as { summary: Record<string, unknown> }).summary.accuracy = "high"));
    await rerun(/a figure of its summary is not a number/);
    // an empty file of the (recomputed) entry replaced by a FIFO
    const now = JSON.parse(readFileSync(entryJson, "utf8")) as { files: Record<string, { bytes: number }> };
    const empty = Object.entries(now.files).find(([, r]) => r.bytes === 0)?.[0];
    assert.ok(empty, `the fixture's entry has an empty file: ${JSON.stringify(now.files)}`);
    rmSync(join(dir, "cache", e.hash, empty));
    assert.equal(spawnSync("mkfifo", [join(dir, "cache", e.hash, empty)]).status, 0);
    await rerun(new RegExp(`${empty.replace(".", "\\.")} is a FIFO \\(named pipe\\), not the regular file written`));
  });
});

// audit35 L4: a folder alignc did not write at a node's entry path was refused only after the node had
// been computed in full, and `--force NODE` (which the refusal suggested) deleted it with what it held
test("a stranger's folder at an entry's path: refused before the node is computed; --force moves it aside, kept, and computes the node", async () => {
  await afterFirstRun(async (dir, calls, r1) => {
    const a = r1.manifest.nodes.find((n) => n.id === "a")!;
    const at = join(dir, "cache", a.hash);
    rmSync(at, { recursive: true });
    mkdirSync(at);
    writeFileSync(join(at, "thesis.tex"), "precious\n");
    calls.runs = [];
    const refused = await runPlan(opts(dir, calls)).then((r) => r.error ?? r, (e: unknown) => e);
    assert.match(String((refused as Error).message), /is in the way of a cache entry: it holds no entry\.json alignc wrote/);
    assert.ok(!calls.runs.includes("a"), `a was computed before the refusal: ${calls.runs.join()}`);
    assert.equal(readFileSync(join(at, "thesis.tex"), "utf8"), "precious\n");
    const lines: string[] = [];
    const progress = { stage: () => ({ update() {}, done() {} }), info: (l: string) => lines.push(l), stop() {} };
    const forced = await runPlan(opts(dir, calls, { force: ["a"], progress }));
    assert.equal(forced.exitCode, 0, forced.error?.message);
    const kept = readdirSync(join(dir, "cache")).filter((n) => n.startsWith(`${a.hash}.foreign-`));
    assert.equal(kept.length, 1, readdirSync(join(dir, "cache")).join());
    assert.equal(readFileSync(join(dir, "cache", kept[0]!, "thesis.tex"), "utf8"), "precious\n", "the user's file is kept");
    assert.ok(lines.some((l) => l.includes(`holds no entry alignc wrote: moved aside to ${join(dir, "cache", kept[0]!)}, kept`)), lines.join("\n"));
    assert.ok(new StageCache(join(dir, "cache")).verify(a.hash));
    assert.equal((await runPlan(opts(dir, calls))).manifest.nodes.find((n) => n.id === "a")!.status, "cached");
  });
});
