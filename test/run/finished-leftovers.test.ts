// A run killed (kill -9) after a node's entry was renamed into place but before its checkpoints were removed
// and its lock released (executor.ts computeCached) left `.partial/<hash>/` and `.locks/<hash>.lock` for
// good: every later run reads the node as a hit, which takes no lock and removes no checkpoint, and
// `alignc cache prune` keeps a node's checkpoints while a run names it (determE43: quickstart --tiny, rm
// killed as its entry.json appeared, 6.3 MB left). A later run that reuses the entry removes them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { runPlan } from "../../src/run/run-plan.js";
import { StageCache } from "../../src/run/storage/cache.js";
import { writeCheckpointInputs } from "../../src/run/storage/entry-inputs.js";
import { tempDir } from "./helpers.js";
import { opts, type Calls } from "./fake-plan.js";

/** The fake plan run once, whole; b's hash, the inputs its entry records, and its checkpoint folder. */
async function finished(dir: string) {
  const calls: Calls = { runs: [] };
  const r1 = await runPlan(opts(dir, calls));
  assert.equal(r1.exitCode, 0);
  const cache = new StageCache(join(dir, "cache"));
  const b = r1.manifest.nodes.find((n) => n.id === "b")!.hash;
  const inputs = cache.get(b)!.meta.inputs!;
  assert.equal(Object.keys(inputs).length, 1, "b's entry records the output of a it was computed from");
  return { calls, cache, b, inputs, partial: join(dir, "cache", ".partial", b) };
}

/** A checkpoint of b as a run writes one, trained from `inputs`. */
const checkpointB = (cache: StageCache, b: string, step: number, inputs: Record<string, string>) =>
  cache.saveCheckpoint(b, step, (d) => {
    writeFileSync(join(d, "state.json"), JSON.stringify({ state: 1, step }));
    writeCheckpointInputs(d, inputs);
  });

test("a finished node's checkpoints and lock that a killed run left are removed by the next run that reuses its entry", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { calls, cache, b, inputs, partial } = await finished(dir);
    // what the killed run left: b's last checkpoints, and its lock naming a process that is gone
    await checkpointB(cache, b, 2, inputs);
    await checkpointB(cache, b, 4, inputs);
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(cache.lockPath(b), JSON.stringify({ pid: dead, host: hostname(), nonce: "0123456789abcdef", since: new Date().toISOString(), purpose: "alignc run: b" }) + "\n");
    const r2 = await runPlan(opts(dir, calls));
    assert.equal(r2.exitCode, 0);
    assert.equal(r2.manifest.nodes.find((n) => n.id === "b")!.status, "cached");
    assert.ok(!existsSync(partial), "b's checkpoints are gone");
    assert.ok(!existsSync(cache.lockPath(b)), "the dead run's lock on b is gone");
  } finally {
    cleanup();
  }
});

test("a reused node's checkpoints trained from other outputs of its inputs, or held by a live run, are kept", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { calls, cache, b, inputs, partial } = await finished(dir);
    // a recompute of b from another output of a, stopped: resumed when that output is back
    const other = Object.fromEntries(Object.keys(inputs).map((k) => [k, "0".repeat(64)]));
    await checkpointB(cache, b, 2, other);
    assert.equal((await runPlan(opts(dir, calls))).exitCode, 0);
    assert.deepEqual(cache.checkpoints(b).map((c) => c.step), [2], "kept: not the entry's computation");
    // one from the entry's inputs while a live process holds b's lock (a --force recompute of b): its own
    await checkpointB(cache, b, 4, inputs);
    const lock = await cache.lock(b, { waitMs: 0 });
    try {
      assert.equal((await runPlan(opts(dir, calls))).exitCode, 0);
      assert.deepEqual(cache.checkpoints(b).map((c) => c.step), [2, 4], "kept: a live run holds the node");
    } finally {
      lock.release();
    }
    assert.ok(existsSync(partial));
  } finally {
    cleanup();
  }
});
