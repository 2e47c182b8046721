// Exact resume for every stage kind (issue 15, point 5): a stage stopped at step k (as Ctrl-C stops
// it: the interrupt flag is raised while step k runs, so the stage checkpoints at k and the run exits
// 130) and run again records the same metric rows and the same summary as a stage that was never
// stopped, and trains the same weights. Every kind: pretrain, sft, reward_model, dpo, ppo; several
// steps each, including steps between two logged rows and the last step. With --workers 1 and with
// --workers 2 (every stage then data-parallel on wasm, src/train/parallel).
//
// In process, through the real handlers, on the micro recipe (a few seconds per stage). The
// child-process Ctrl-C path (SIGINT → exit 130) is tested in e2e.test.ts; kill -9 in kill.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Progress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { outcome, tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

/** Node id → the steps to stop at (micro: pre 6 steps and sft 6 logging every 2, rm 4 every 2, dpo 4 every 1, ppo 3 every 1). */
const STOPS: [string, string, number[]][] = [
  ["pre", "pretrain", [1, 3, 6]],
  ["sft", "sft", [2, 5]],
  ["rm", "reward_model", [1, 3]],
  ["align", "dpo", [2, 4]],
  ["policy", "ppo", [1, 2]],
];

/** Wall-clock fields differ between any two runs; everything else must be equal. */
const timeless = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !/time|per_s|cached/.test(k)));

/** A progress sink that raises `flag` while `stage` runs step `step` (what a SIGINT then does). */
function stopAt(stage: string, step: number, flag: { requested: boolean }): Progress {
  return {
    stage: (label) => ({
      update: (s) => {
        if (label === stage && s === step) flag.requested = true;
      },
      done() {},
    }),
    info() {},
    stop() {},
  };
}
const quiet: Progress = { stage: () => ({ update() {}, done() {} }), info() {}, stop() {} };

const stageRows = (runDir: string, stage: string) => RunDir.open(runDir).readMetrics().filter((r) => r.stage === stage).map(timeless);

for (const workers of [1, 2])
  test(`every stage kind stopped at several steps and resumed records the uninterrupted rows, summary and weights (--workers ${workers})`, () => exactResume(workers));

/** With `workers` > 1 every training stage runs data-parallel (wasm), stopped and resumed on the same count. */
async function exactResume(workers: number): Promise<void> {
  const backend = workers > 1 ? { backend: "wasm", workers } : { workers };
  const { dir, cleanup } = tempDir("alignc-resume-");
  try {
    const recipe = writeMicro(dir, { dpo: true, name: "micro_resume" });
    const runsDir = join(dir, "runs");
    const cacheRoot = join(dir, "cache");
    const cache = new StageCache(cacheRoot);
    // the uninterrupted run, up to PPO (the evals are not under test here)
    const straight = outcome(await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, until: "policy", ...backend }));
    const alignStraight = outcome(await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, until: "align", ...backend }));
    assert.equal(straight.exitCode, 0);
    // DPO measured as a reward model is: its held-out pairs ordered by the implicit reward, before
    // (the policy is the reference: every margin 0, every pair a tie, exactly chance) and after
    const dpo = alignStraight.manifest.nodes.find((x) => x.id === "align")!.summary!;
    assert.equal(dpo.heldout_accuracy_before, 0.5, JSON.stringify(dpo));
    assert.ok(dpo.heldout_accuracy! >= 0 && dpo.heldout_accuracy! <= 1 && dpo.accuracy === dpo.heldout_accuracy, JSON.stringify(dpo));
    const reference = new Map<string, { rows: Record<string, unknown>[]; summary: Record<string, unknown>; weights: string; nodeLog: string; hash: string }>();
    for (const [id, op] of STOPS) {
      const run = id === "align" ? alignStraight : straight;
      const n = run.manifest.nodes.find((x) => x.id === id)!;
      assert.equal(n.status, "computed", `${id} computed in the uninterrupted run`);
      assert.equal(n.summary?.workers, workers, `${id} trained on ${workers} replica(s)`);
      const entry = cache.get(n.hash)!;
      assert.equal(entry.meta.kind, `stage.${op}`);
      reference.set(id, {
        rows: stageRows(run.runDir, id),
        summary: timeless(n.summary ?? {}),
        weights: entry.meta.files["model.safetensors"]!.sha256,
        nodeLog: nodeLog(entry.dir),
        hash: n.hash,
      });
    }
    for (const [id, , steps] of STOPS) {
      const ref = reference.get(id)!;
      assert.ok(ref.rows.length >= 2, `${id} logs rows`);
      for (const k of steps) {
        const what = `${id} stopped at step ${k}`;
        cache.remove(ref.hash);
        const flag = { requested: false };
        const stopped = outcome(await runRecipe(recipe, { runsDir, cacheRoot, progress: stopAt(id, k, flag), interrupt: flag, until: id, ...backend }));
        assert.equal(stopped.exitCode, 130, what);
        assert.equal(stopped.manifest.nodes.find((x) => x.id === id)!.status, "interrupted", what);
        assert.equal(cache.get(ref.hash), null, `${what}: no entry for the unfinished stage`);
        assert.equal(cache.latestCheckpoint(ref.hash)?.step, k, `${what}: checkpoint at the step it stopped at`);
        // the rows logged before the stop are the uninterrupted run's first rows
        const before = stageRows(stopped.runDir, id);
        assert.deepEqual(before, ref.rows.slice(0, before.length), `${what}: rows before the stop`);

        const resumed = outcome(await runRecipe(recipe, { runsDir, cacheRoot, progress: quiet, until: id, ...backend }));
        assert.equal(resumed.exitCode, 0, what);
        const n = resumed.manifest.nodes.find((x) => x.id === id)!;
        assert.equal(n.status, "resumed", what);
        assert.equal(n.resumedFromStep, k, what);
        assert.deepEqual(stageRows(resumed.runDir, id), ref.rows, `${what}: metrics.jsonl rows`);
        assert.deepEqual(timeless(n.summary ?? {}), ref.summary, `${what}: summary`);
        const entry = cache.get(ref.hash)!;
        assert.equal(entry.meta.files["model.safetensors"]!.sha256, ref.weights, `${what}: weights`);
        assert.equal(nodeLog(entry.dir), ref.nodeLog, `${what}: the metrics kept in the cache entry (a cached re-run reports them)`);
        assert.equal(cache.latestCheckpoint(ref.hash), null, `${what}: checkpoints cleared once the entry exists`);
      }
    }
  } finally {
    cleanup();
  }
}

/** The node's own metric rows as kept in its cache entry, wall-clock fields removed. */
function nodeLog(entryDir: string): string {
  return readFileSync(join(entryDir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.stringify(timeless(JSON.parse(l) as Record<string, unknown>)))
    .join("\n");
}
