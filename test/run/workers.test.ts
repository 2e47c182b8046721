// `--workers` through the real handlers on the micro recipe (wasm): 2 replicas record themselves in
// the manifest and in each pretrain, SFT, reward-model, DPO and PPO stage's summary, and give the metrics
// 1 replica gives within the documented tolerance (float32 sums in another order: relative 1e-3 on
// the stages' final figures after 4–6 steps); a bad --workers value is a usage error (exit 2) before anything is written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe, type RunRecipeResult } from "../../src/run/run-recipe.js";
import { repoRoot } from "../repo-root.js";
import { tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });

function outcome(r: RunRecipeResult) {
  if (!r.ok) throw new Error(`run did not start: ${r.message ?? r.diagnostics.map((d) => d.message).join("; ")}`);
  if (r.outcome.error) throw r.outcome.error;
  return r.outcome;
}

test("--workers 2 and --workers 1: recorded, and the same pretrain/SFT metrics within 1e-3 relative", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    const run = async (workers: number) =>
      outcome(await runRecipe(recipe, { runsDir: join(dir, `runs${workers}`), cacheRoot: join(dir, `cache${workers}`), progress: quiet, backend: "wasm", workers, until: "sft" }));
    const one = await run(1);
    const two = await run(2);
    assert.equal(one.manifest.workers, 1);
    assert.equal(two.manifest.workers, 2);
    for (const id of ["pre", "sft"]) {
      const a = one.manifest.nodes.find((n) => n.id === id)!.summary!;
      const b = two.manifest.nodes.find((n) => n.id === id)!.summary!;
      assert.equal(a.workers, 1);
      assert.equal(b.workers, 2, `${id} ran on 2 replicas`);
      // the held-out loss is scored across the replicas bit-identically: before pretraining, the weights are the same
      if (id === "pre") assert.equal(b.val_loss_before, a.val_loss_before, "pre.val_loss_before");
      for (const k of ["loss", "val_loss", "val_loss_before"]) {
        assert.equal(typeof a[k], "number", `${id}.${k}`);
        assert.ok(Math.abs(a[k]! - b[k]!) <= 1e-3 * Math.abs(a[k]!), `${id}.${k}: ${a[k]} with 1 replica, ${b[k]} with 2`);
      }
    }
  } finally {
    cleanup();
  }
});

test("--workers 2: the reward model, DPO and PPO stages run on 2 replicas, with 1 replica's figures within 1e-3", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir, { dpo: true });
    const summaries = async (workers: number) => {
      const opts = { runsDir: join(dir, `runs${workers}`), cacheRoot: join(dir, `cache${workers}`), progress: quiet, backend: "wasm" as const, workers };
      const rm = outcome(await runRecipe(recipe, { ...opts, until: "rm" })).manifest.nodes.find((n) => n.id === "rm")!.summary!;
      const align = outcome(await runRecipe(recipe, { ...opts, until: "align" })).manifest.nodes.find((n) => n.id === "align")!.summary!;
      const policy = outcome(await runRecipe(recipe, { ...opts, until: "policy" })).manifest.nodes.find((n) => n.id === "policy")!.summary!;
      return { rm, align, policy };
    };
    const one = await summaries(1);
    const two = await summaries(2);
    for (const id of ["rm", "align", "policy"] as const) {
      assert.equal(one[id].workers, 1);
      assert.equal(two[id].workers, 2, `${id} ran on 2 replicas`);
      const keys = id === "rm" ? ["loss", "accuracy"] : id === "align" ? ["loss", "accuracy", "margin"] : ["loss", "reward", "kl"];
      for (const k of keys) {
        assert.equal(typeof one[id][k], "number", `${id}.${k}`);
        assert.ok(Math.abs(one[id][k]! - two[id][k]!) <= 1e-3 * Math.max(Math.abs(one[id][k]!), 1e-3), `${id}.${k}: ${one[id][k]} with 1 replica, ${two[id][k]} with 2`);
      }
    }
  } finally {
    cleanup();
  }
});

test("alignc run --workers 0 / abc: usage error, exit 2, nothing written", () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir);
    for (const bad of ["0", "abc", "1.5"]) {
      const r = spawnSync(process.execPath, [join(repoRoot(), "bin/alignc.js"), "run", "--workers", bad, recipe], { cwd: dir, encoding: "utf8" });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /--workers must be a positive whole number or auto/);
    }
    assert.ok(!existsSync(join(dir, "runs")));
  } finally {
    cleanup();
  }
});
