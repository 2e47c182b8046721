// `--workers` through the real handlers on the micro recipe (wasm): the worker count changes no
// figure. With parallel_shares 3 on every stage, --workers 1, 2 and 3 plan the same hashes and
// record, for every node (pretrain, SFT, reward model, DPO, PPO and the evals), the same summary,
// the same metric rows and the same cached files (weights included), bit for bit; the manifest and
// each stage's summary record the threads used (min(workers, parallel_shares, batch)). A bad
// --workers value is a usage error (exit 2) before anything is written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { RunDir } from "../../src/run/storage/rundir.js";
import { repoRoot } from "../repo-root.js";
import { outcome, tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });

/** Wall-clock fields, and the thread count itself, differ between the runs; nothing else may. */
const figures = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([k]) => !/time|per_s|cached|^workers$|^ms$/.test(k)));

test("--workers 1, 2 and 3 (parallel_shares 3): the same hashes, summaries, metric rows and cached files for every node", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const recipe = writeMicro(dir, { dpo: true, parallelShares: 3 });
    const run = async (workers: number) => {
      const cacheRoot = join(dir, `cache${workers}`);
      const o = outcome(await runRecipe(recipe, { runsDir: join(dir, `runs${workers}`), cacheRoot, progress: quiet, backend: "wasm", workers }));
      assert.equal(o.exitCode, 0, `--workers ${workers}`);
      assert.equal(o.manifest.workers, workers);
      const cache = new StageCache(cacheRoot);
      const rows = RunDir.open(o.runDir).readMetrics().map(figures);
      const nodes = o.manifest.nodes.map((n) => ({
        id: n.id,
        hash: n.hash,
        status: n.status,
        summary: figures(n.summary ?? {}),
        files: Object.fromEntries(Object.entries(cache.get(n.hash)?.meta.files ?? {}).filter(([f]) => !/metrics|log|report/.test(f)).map(([f, m]) => [f, m.sha256])),
        threads: n.summary?.workers,
      }));
      return { rows, nodes };
    };
    const one = await run(1);
    assert.ok(one.nodes.some((n) => n.id === "align") && one.nodes.some((n) => n.id === "judge"), "every stage kind and the evals ran");
    for (const n of one.nodes.filter((x) => ["pre", "sft", "rm", "align", "policy"].includes(x.id))) {
      assert.equal(n.threads, 1, `${n.id}: 1 thread`);
      assert.ok(Object.keys(n.files).some((f) => f.endsWith(".safetensors")), `${n.id}: its weights are compared`);
    }
    for (const w of [2, 3]) {
      const other = await run(w);
      // batch sizes: pre/sft/ppo 4, rm/dpo 2 (so at most 2 shares, and threads)
      const threads: Record<string, number> = { pre: Math.min(w, 3), sft: Math.min(w, 3), policy: Math.min(w, 3), rm: 2, align: 2 };
      for (const [id, t] of Object.entries(threads)) assert.equal(other.nodes.find((n) => n.id === id)!.threads, t, `--workers ${w}: ${id} on ${t} threads`);
      assert.deepEqual(other.nodes.map(({ threads: _, ...n }) => n), one.nodes.map(({ threads: _, ...n }) => n), `--workers ${w}: every node as with 1`);
      assert.deepEqual(other.rows, one.rows, `--workers ${w}: every metric row as with 1`);
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
