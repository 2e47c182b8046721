import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { RunDir, readJsonl, runId } from "../../src/run/storage/rundir.js";
import { JsonlError, healTail } from "../../src/run/storage/jsonl-log.js";
import { listRuns, findRun } from "../../src/run/presentation/list.js";
import { diffRunMetrics, renderRunMetricDiff } from "../../src/run/evaluation/metrics-diff.js";
import { tempDir } from "./helpers.js";
import { makeRun } from "./fakerun.js";

test("run ids are <recipe>-<YYYYmmdd-HHMMSS>-<hash8> in UTC", () => {
  assert.equal(runId("quickstart", "sha256:abcdef0123456789", new Date(Date.UTC(2026, 0, 2, 3, 4, 5))), "quickstart-20260102-030405-abcdef01");
  const t = new Date(0);
  assert.equal(runId("a b/c", "12345678ff", t), runId("a_b_c", "12345678ff", t));
});

test("two runs started in the same second get distinct folders", () => {
  const { dir, cleanup } = tempDir();
  try {
    const when = new Date(Date.UTC(2026, 0, 1));
    const a = RunDir.create(dir, "r", "deadbeef00", when);
    const b = RunDir.create(dir, "r", "deadbeef00", when);
    assert.notEqual(a.path, b.path);
    assert.equal(basename(b.path), `${basename(a.path)}-2`);
  } finally {
    cleanup();
  }
});

test("metrics.jsonl: one object per line; a torn last line (kill during append) is skipped, a torn middle line is an error", () => {
  const { dir, cleanup } = tempDir();
  try {
    const run = makeRun(dir, { steps: 3 });
    const n = run.readMetrics().length;
    appendFileSync(run.file("metrics.jsonl"), '{"stage":"sft","st');
    assert.equal(run.readMetrics().length, n);
    appendFileSync(run.file("metrics.jsonl"), '\n{"stage":"sft","step":9,"time":1}\n');
    assert.throws(() => readJsonl(run.file("metrics.jsonl")), /metrics\.jsonl:\d+/);
  } finally {
    cleanup();
  }
});

test("metrics.jsonl: a row appended after a torn tail starts on its own line (the torn bytes are cut), not glued onto them", () => {
  const { dir, cleanup } = tempDir();
  try {
    const made = makeRun(dir, { steps: 3 });
    const n = made.readMetrics().length;
    appendFileSync(made.file("metrics.jsonl"), '{"stage":"sft","st'); // a kill -9 mid-append
    const run = RunDir.open(made.path);
    run.appendMetric({ stage: "sft", step: 9, time: 1 });
    run.appendMetric({ stage: "sft", step: 10, time: 2 });
    // before: the first row was glued onto the torn bytes, and that line (the last but one) made the file unreadable
    assert.deepEqual(run.readMetrics().slice(n).map((r) => r.step), [9, 10]);
    assert.equal(run.readMetrics().length, n + 2);
    assert.ok(readFileSync(run.file("metrics.jsonl"), "utf8").endsWith('{"stage":"sft","step":10,"time":2}\n'));
  } finally {
    cleanup();
  }
});

test("healTail: cuts back to the last newline; a whole or absent file is left as it is", () => {
  const { dir, cleanup } = tempDir();
  try {
    const p = `${dir}/x.jsonl`;
    assert.equal(healTail(p), 0);
    assert.ok(!existsSync(p));
    writeFileSync(p, '{"a":1}\n{"a":2}\n');
    assert.equal(healTail(p), 0);
    appendFileSync(p, '{"a":');
    assert.equal(healTail(p), 5);
    assert.equal(readFileSync(p, "utf8"), '{"a":1}\n{"a":2}\n');
    writeFileSync(p, "x".repeat(200_000)); // one torn row, longer than a read, and nothing before it
    assert.equal(healTail(p), 200_000);
    assert.equal(readFileSync(p, "utf8"), "");
  } finally {
    cleanup();
  }
});

test("metrics.jsonl: a damaged line is a JsonlError at file:line:col; so is a row that is not an object or has no stage", () => {
  const { dir, cleanup } = tempDir();
  try {
    const run = makeRun(dir, { steps: 3 });
    const f = run.file("metrics.jsonl");
    const whole = readFileSync(f, "utf8");
    const lines = whole.split("\n").length - 1;
    writeFileSync(f, whole + '{"stage":"sft","st\n{"stage":"sft","step":9,"time":1}\n');
    assert.throws(() => run.readMetrics(), (e: unknown) => e instanceof JsonlError && e.message.startsWith(`${f}:${lines + 1}:19: not a JSON row (a torn or damaged row in the middle of the file)`));
    // a torn row that a newline follows is no kill's doing (a kill tears the row before its newline)
    writeFileSync(f, whole + '{"stage":"sft","st\n');
    assert.throws(() => run.readMetrics(), (e: unknown) => e instanceof JsonlError && e.line === lines + 1);
    writeFileSync(f, whole + "[1,2]\n");
    assert.throws(() => run.readMetrics(), new RegExp(`metrics\\.jsonl:${lines + 1}:1: not a JSON object`));
    writeFileSync(f, whole + '{"step":1}\n');
    assert.throws(() => run.readMetrics(), /a metric row without a "stage" name/);
    writeFileSync(run.file("samples.jsonl"), '{"prompt":"p"}\n');
    assert.throws(() => run.readSamples(), /samples\.jsonl:1:1: a sample row without an "eval" name/);
    // control characters from the file are shown escaped
    writeFileSync(f, '\x1b[31m\n{}\n');
    assert.throws(() => run.readMetrics(), (e: unknown) => e instanceof JsonlError && !e.message.includes("\x1b") && e.message.includes("\\x1b"));
  } finally {
    cleanup();
  }
});

test("listRuns and findRun: by path, id and unique prefix", () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = makeRun(dir, { recipe: "quickstart", when: new Date(Date.UTC(2026, 0, 1, 10)) });
    const b = makeRun(dir, { recipe: "lima", when: new Date(Date.UTC(2026, 0, 1, 11)) });
    const runs = listRuns(dir);
    assert.deepEqual(runs.map((r) => r.recipe), ["quickstart", "lima"]);
    assert.equal(runs[0]!.expectations.total, 1);
    assert.equal(findRun(a.path, dir), a.path);
    assert.equal(findRun(b.id, dir), b.path);
    assert.equal(findRun("lima", dir), b.path);
    assert.throws(() => findRun("nothing", dir), /no run "nothing"/);
    // a run killed before it recorded itself holds its plan only: said so (huntH42 L2: "no run")
    const killed = join(dir, "killed");
    mkdirSync(killed);
    writeFileSync(join(killed, "plan.json"), "{}");
    assert.throws(() => findRun(killed, dir), /killed holds a plan\.json but no manifest\.json \(a run killed before it wrote one, or not a run\)/);
    assert.deepEqual(listRuns(`${dir}/absent`), []);
  } finally {
    cleanup();
  }
});

test("diffRunMetrics puts final metrics side by side with B − A", () => {
  const { dir, cleanup } = tempDir();
  try {
    const a = makeRun(dir, { finals: { sft: { loss: 1 }, judge: { win_rate: 0.5 } }, when: new Date(Date.UTC(2026, 0, 1, 10)) });
    const b = makeRun(dir, { finals: { sft: { loss: 0.75 }, rm: { accuracy: 0.8 } }, when: new Date(Date.UTC(2026, 0, 1, 11)) });
    const d = diffRunMetrics(a.path, b.path);
    assert.deepEqual(
      d.rows.map((r) => [r.node, r.metric, r.a, r.b, r.delta]),
      [
        ["judge", "win_rate", 0.5, null, null],
        ["rm", "accuracy", null, 0.8, null],
        ["sft", "loss", 1, 0.75, -0.25],
      ],
    );
    const text = renderRunMetricDiff(d);
    assert.match(text, /sft\.loss\s+1\s+0\.75\s+-0\.25/);
    // an in-memory data node's counts, recorded or not by what the cache held, are no run's figures (huntD39 L1)
    const m = a.readManifest();
    a.writeManifest({ ...m, nodes: [...m.nodes, { ...m.nodes[0]!, id: "demos", label: "demos", kind: "data.read", summary: { examples: 270 } }] });
    assert.ok(!diffRunMetrics(a.path, b.path).rows.some((r) => r.node === "demos"));
    // a damaged samples.jsonl pairs no answers, and says so (it paired nothing silently)
    writeFileSync(join(b.path, "samples.jsonl"), '{"eval": "rule", "prom\n{"eval": 3}\n');
    const damaged = diffRunMetrics(a.path, b.path);
    assert.deepEqual(damaged.paired, []);
    assert.match(damaged.unpaired.join("\n"), /samples\.jsonl.*no answers of it paired/);
    assert.match(renderRunMetricDiff(damaged), /paired answers .*\n.*no answers of it paired/);
    assert.match(text, /rm\.accuracy\s+—\s+0\.8/);
    // two seeds: said to hold out other examples and to score on other reward models' scales (figuresP41)
    assert.doesNotMatch(text, /the seeds differ/);
    const seeded = renderRunMetricDiff({ ...d, a: { ...d.a, seed: 17 }, b: { ...d.b, seed: 18 } });
    assert.match(seeded, /⚠ the seeds differ: each run holds out its own examples, so a held-out figure's Δ compares other examples/);
  } finally {
    cleanup();
  }
});

test("RunDir.open refuses a folder without manifest.json", () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.throws(() => RunDir.open(dir), /not a run directory/);
    assert.ok(!existsSync(`${dir}/report.html`));
    const run = makeRun(dir);
    assert.equal(JSON.parse(readFileSync(run.file("manifest.json"), "utf8")).runId, run.id);
  } finally {
    cleanup();
  }
});
