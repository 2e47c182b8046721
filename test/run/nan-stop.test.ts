// A stage whose loss goes NaN (issue 15, point 5): the run stops with a located AL5001 at the stage's
// `lr`, exit 1; the last good state is a checkpoint on disk; running the same recipe again resumes
// from that step. The cause is a real one, not a hook: lr = 10 with weight_decay = 10 makes AdamW's
// decoupled decay multiply the weights by 1 − lr·wd = −99 each step, so the activations overflow
// float32 after a few steps (step 10 on the micro recipe, deterministically).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DiagnosticError } from "../../src/lang/diagnostic.js";
import type { Progress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { tempDir } from "./helpers.js";
import { microRecipe, repoRoot } from "./micro.js";

const PRE = "steps = 6  batch_size = 4  log_every = 2 }";
const DIVERGES = 'steps = 40  batch_size = 4  log_every = 2  lr = 10  weight_decay = 10  schedule = "constant" }';
const quiet: Progress = { stage: () => ({ update() {}, done() {} }), info() {}, stop() {} };

test("a stage that goes NaN stops with a located AL5001, saves its last good state, and a second run resumes from it", async () => {
  const { dir, cleanup } = tempDir("alignc-nan-");
  try {
    const text = microRecipe({ name: "micro_nan" });
    assert.ok(text.includes(PRE), "the micro recipe's pretrain stage changed: update PRE");
    const recipe = join(dir, "micro_nan.align");
    writeFileSync(recipe, text.replace(PRE, DIVERGES));
    const runsDir = join(dir, "runs");
    const cacheRoot = join(runsDir, ".cache");

    // 1. the library entry: a failed run (exit 1) whose error is one located diagnostic
    const first = await runRecipe(recipe, { runsDir, cacheRoot, until: "pre", progress: quiet, workers: 1 });
    assert.ok(first.ok, first.ok ? "" : first.message ?? first.diagnostics.map((d) => d.message).join("; "));
    const { outcome } = first;
    assert.equal(outcome.exitCode, 1);
    assert.ok(outcome.error instanceof DiagnosticError, `a located diagnostic, got ${outcome.error}`);
    const [d] = outcome.error.diagnostics;
    assert.equal(d?.code, "AL5001");
    assert.equal(d.file, recipe);
    const line = text.split("\n").findIndex((l) => l.startsWith("stage pre")) + 1;
    const col = text.replace(PRE, DIVERGES).split("\n")[line - 1]!.indexOf("lr = 10") + "lr = ".length + 1;
    assert.deepEqual([d.span?.line, d.span?.col], [line, col], "at the stage's lr");
    const m = /non-finite loss \(NaN\) at step (\d+), the update was not applied; the last good state \(step (\d+)\) is saved as a checkpoint/.exec(d.message);
    assert.ok(m, d.message);
    const [failedAt, savedAt] = [Number(m[1]), Number(m[2])];
    assert.equal(savedAt, failedAt - 1);
    assert.ok(savedAt >= 1 && failedAt < 40);

    // the checkpoint is on disk, complete, at the saved step, with the rows logged before it
    const pre = outcome.manifest.nodes.find((n) => n.id === "pre")!;
    assert.equal(pre.status, "failed");
    const ck = new StageCache(cacheRoot).latestCheckpoint(pre.hash);
    assert.equal(ck?.step, savedAt);
    const progress = JSON.parse(readFileSync(join(ck.dir, "progress.json"), "utf8")) as { history: unknown[]; logged: { step: number }[] };
    assert.equal(progress.history.length, savedAt);
    const rows = RunDir.open(outcome.runDir).readMetrics().filter((r) => r.stage === "pre").map((r) => r.step);
    assert.deepEqual(progress.logged.map((r) => r.step), rows);

    // 2. the command, run again: exit 1 with the rendered location, after resuming at the saved step
    const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "alignc.js"), "run", "--workers", "1", "--until", "pre", recipe], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, ALIGNC_CACHE: cacheRoot, NO_COLOR: "" },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`pre: resuming from the checkpoint at step ${savedAt}\\n`));
    // run in dir: the recipe is shown relative to it (src/lang/render.ts displayPath)
    assert.ok(r.stderr.includes(`${relative(dir, recipe)}:${line}:${col}: error AL5001: stage \`pre\`: non-finite loss (NaN) at step ${failedAt}`), r.stderr);
    assert.match(r.stderr, /\n\s*\|\s+\^\^\nhint: a learning rate too high/);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, "no stack trace");
    assert.equal(new StageCache(cacheRoot).latestCheckpoint(pre.hash)?.step, savedAt, "the checkpoint is still there");
  } finally {
    cleanup();
  }
});
