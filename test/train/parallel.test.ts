// Data-parallel LM training over worker threads (src/train/parallel): the replicas hold exactly the
// main thread's weights after every step; the same seed gives the same metrics with 1, 2 and 3
// replicas within the documented tolerance (float32 sums in another order: relative 1e-4 on the
// loss per step, 1e-3 on the final weights' max difference relative to their max magnitude);
// resume from a saved state continues exactly as the uninterrupted parallel run; a batch smaller
// than the pool uses as many replicas as rows; the held-out loss scored across replicas is
// bit-identical to one thread's. wasm backend (what the pool is for).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf, useBackend } from "../../src/train/backend.js";
import type { TokenSequence } from "../../src/train/batch.js";
import { loadTrainerState, saveTrainerState } from "../../src/train/checkpoint.js";
import { testGptConfig, testTrainConfig } from "./configs.js";
import { lmLoss } from "../../src/train/evaluate.js";
import { Gpt } from "../../src/train/model.js";
import { GradientPool } from "../../src/train/parallel/pool.js";
import { maxRelDiff } from "./weights-diff.js";
import { splitLm } from "../../src/train/parallel/shard.js";
import { createTrainer } from "../../src/train/stages.js";
import { packLm } from "../../src/train/batch.js";
import type { Trainer } from "../../src/train/trainer.js";

const BACKEND = "wasm";
await useBackend(BACKEND);

const cfg = testGptConfig({ vocabSize: 24, context: 16, layers: 2, dModel: 32, heads: 4 });
const base = Gpt.init(cfg, ["lm"], 7);
const examples: TokenSequence[] = Array.from({ length: 24 }, (_, i) => {
  const len = 6 + (i % 9);
  const tokens = Array.from({ length: len }, (_, t) => 2 + ((i * 7 + t * (i % 5 + 1)) % 21));
  return { tokens, lossMask: tokens.map((_, t) => (t >= 2 ? 1 : 0)) };
});

async function trainer(replicas: number, steps = 6): Promise<Trainer> {
  const t = createTrainer("sft", { model: base.clone(["lm"], 1), examples, train: testTrainConfig("sft", { steps, batchSize: 7, lr: 3e-3, seed: 9 }), lossOn: "response", pad: 0 });
  if (replicas > 1) t.parallel = await GradientPool.start(t.model, replicas, BACKEND);
  return t;
}

test("splitLm: contiguous, even shares over the whole batch's count; never more shares than rows", () => {
  const b = packLm(examples.slice(0, 5), cfg.context, 0);
  const s = splitLm(b, 2);
  assert.deepEqual(s.map((x) => x.B), [3, 2]);
  assert.equal(s[0]!.count, b.mask.reduce((a, x) => a + x, 0));
  assert.deepEqual([...s[0]!.inputs, ...s[1]!.inputs], [...b.inputs]);
  assert.equal(splitLm(b, 8).length, 5);
});

test("2 and 3 replicas: same losses as 1 within 1e-4 relative, replicas bit-identical to the main thread", async () => {
  const one = await trainer(1);
  const lossesOne: number[] = [];
  for (let i = 0; i < 6; i++) lossesOne.push(one.step().loss);
  for (const n of [2, 3]) {
    const par = await trainer(n);
    try {
      for (let i = 0; i < 6; i++) {
        const before = GradientPool.digestOf(par.model); // the weights this step's gradients are taken at
        const m = par.step();
        assert.ok(Math.abs(m.loss - lossesOne[i]!) <= 1e-4 * Math.abs(lossesOne[i]!), `${n} replicas, step ${i + 1}: loss ${m.loss} vs ${lossesOne[i]}`);
        for (const d of par.parallel!.digests()) assert.equal(d, before, `${n} replicas, step ${i + 1}: a worker computed with weights other than the main thread's`);
        assert.notEqual(GradientPool.digestOf(par.model), before, "the update was applied on the main thread");
      }
      const rel = maxRelDiff(one.model, par.model);
      assert.ok(rel < 1e-3, `${n} replicas: final weights differ by ${rel} relative`);
      assert.ok(rel > 0 || n === 1, "float sums in another order: not expected to be bit-identical to 1 replica");
    } finally {
      par.dispose();
    }
  }
  one.dispose();
});

test("same replica count: two runs are bit-identical; resume from a saved state continues exactly", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-par-"));
  try {
    const a = await trainer(2, 6);
    const full: number[] = [];
    for (let i = 0; i < 6; i++) full.push(a.step().loss);
    const b = await trainer(2, 6);
    for (let i = 0; i < 3; i++) assert.equal(b.step().loss, full[i]);
    saveTrainerState(join(dir, "s.safetensors"), b.state());
    b.dispose();
    const c = await trainer(2, 6);
    c.restore(loadTrainerState(join(dir, "s.safetensors")));
    for (let i = 3; i < 6; i++) assert.equal(c.step().loss, full[i], `resumed step ${i + 1}`);
    assert.equal(GradientPool.digestOf(c.model), GradientPool.digestOf(a.model));
    a.dispose();
    c.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("held-out loss scored across 2 and 3 replicas is bit-identical to one thread's, after training too", async () => {
  for (const n of [2, 3]) {
    const t = await trainer(n);
    try {
      for (const bs of [4, 5, 16]) assert.equal(lmLoss(t.model, examples, { batchSize: bs, pool: t.parallel, pad: 0 }), lmLoss(t.model, examples, { batchSize: bs, pad: 0 }), `${n} replicas, batch ${bs}`);
      t.step(); // the workers must score with the updated weights
      assert.equal(lmLoss(t.model, examples, { batchSize: 4, pool: t.parallel, pad: 0 }), lmLoss(t.model, examples, { batchSize: 4, pad: 0 }));
    } finally {
      t.dispose();
    }
  }
});

test("a pool refuses fewer than 2 replicas; use after close is an error", async () => {
  await assert.rejects(GradientPool.start(base, 1, BACKEND), /at least 2 replicas/);
  const t = await trainer(2);
  const pool = t.parallel!;
  pool.close();
  assert.throws(() => t.step(), /used after close/);
  t.parallel = null;
  t.dispose();
  assert.ok(tf.memory().numTensors >= 0);
});
