// Data-parallel LM training over worker threads (src/train/parallel): every micro-batch is computed
// in the recipe's fixed `parallel_shares` shares added in share order, so 1, 2 and 3 workers give
// bit-identical losses, metrics and final weights (with dropout too: each share has its own seed);
// the replicas hold exactly the main thread's weights after every step; resume from a saved state
// continues exactly; a batch with fewer rows than shares uses as many shares as rows; the held-out
// loss scored across replicas is bit-identical to one thread's. wasm backend (what the pool is for).
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
import { splitBatch, splitLm } from "../../src/train/parallel/shard.js";
import { createTrainer } from "../../src/train/stages.js";
import { packLm } from "../../src/train/batch.js";
import type { StepMetrics, Trainer } from "../../src/train/trainer.js";

const BACKEND = "wasm";
await useBackend(BACKEND);

const cfg = testGptConfig({ vocabSize: 24, context: 16, layers: 2, dModel: 32, heads: 4 });
const base = Gpt.init(cfg, ["lm"], 7);
const dropBase = Gpt.init({ ...cfg, dropout: 0.2 }, ["lm"], 7);
const examples: TokenSequence[] = Array.from({ length: 24 }, (_, i) => {
  const len = 6 + (i % 9);
  const tokens = Array.from({ length: len }, (_, t) => 2 + ((i * 7 + t * (i % 5 + 1)) % 21));
  return { tokens, lossMask: tokens.map((_, t) => (t >= 2 ? 1 : 0)) };
});

/** An SFT trainer on `workers` replicas (1: this thread alone), its batches in `shares` fixed shares. */
async function trainer(workers: number, o: { steps?: number; shares?: number; dropout?: boolean } = {}): Promise<Trainer> {
  const train = testTrainConfig("sft", { steps: o.steps ?? 6, batchSize: 7, lr: 3e-3, seed: 9, parallelShares: o.shares ?? 3 });
  const t = createTrainer("sft", { model: (o.dropout ? dropBase : base).clone(["lm"], 1), examples, train, lossOn: "response", groupByLength: false, pad: 0 });
  if (workers > 1) t.parallel = await GradientPool.start(t.model, workers, BACKEND);
  return t;
}

/** A step's figures without its timings. */
const figures = (m: StepMetrics) => ({ ...m, ms: 0, tokens_per_s: 0 });

test("splitLm: contiguous, even shares over the whole batch's count; never more shares than rows", () => {
  const b = packLm(examples.slice(0, 5), cfg.context, 0);
  const s = splitLm(b, 2);
  assert.deepEqual(s.map((x) => x.B), [3, 2]);
  assert.equal(s[0]!.count, b.mask.reduce((a, x) => a + x, 0));
  assert.deepEqual([...s[0]!.inputs, ...s[1]!.inputs], [...b.inputs]);
  assert.equal(splitLm(b, 8).length, 5);
});

test("splitBatch: each share draws its dropout masks from its own seed", () => {
  const b = packLm(examples.slice(0, 5), cfg.context, 0);
  const seeds = splitBatch({ kind: "lm", batch: b, dropoutSeed: 123 }, 3).map((s) => (s.kind === "lm" ? s.dropoutSeed : -1));
  assert.equal(new Set(seeds).size, 3, `seeds ${seeds.join(", ")}`);
  assert.deepEqual(splitBatch({ kind: "lm", batch: b, dropoutSeed: 123 }, 3).map((s) => (s.kind === "lm" ? s.dropoutSeed : -1)), seeds, "a function of (batch seed, share index)");
});

for (const dropout of [false, true])
  test(`1, 2 and 3 workers over 3 shares: bit-identical losses, metrics and final weights${dropout ? " (dropout 0.2)" : ""}; replicas hold the main thread's weights`, async () => {
    const one = await trainer(1, { dropout });
    const ref: StepMetrics[] = [];
    for (let i = 0; i < 6; i++) ref.push(one.step());
    const refWeights = GradientPool.digestOf(one.model);
    one.dispose();
    // 2 workers: rounds of 2 shares (shares 0, 1, then 2 on the main thread); 3: one round
    for (const n of [2, 3]) {
      const par = await trainer(n, { dropout });
      try {
        for (let i = 0; i < 6; i++) {
          const before = GradientPool.digestOf(par.model); // the weights this step's gradients are taken at
          assert.deepEqual(figures(par.step()), figures(ref[i]!), `${n} workers, step ${i + 1}`);
          for (const d of par.parallel!.digests()) assert.equal(d, before, `${n} workers, step ${i + 1}: a worker computed with weights other than the main thread's`);
        }
        assert.equal(GradientPool.digestOf(par.model), refWeights, `${n} workers: final weights`);
      } finally {
        par.dispose();
      }
    }
  });

test("parallel_shares is the recipe's arithmetic: 1 share and 2 shares are two computations of the same loss", async () => {
  const a = await trainer(1, { shares: 1, steps: 2 });
  const b = await trainer(1, { shares: 2, steps: 2 });
  try {
    const la = a.step().loss;
    const lb = b.step().loss;
    assert.ok(Math.abs(la - lb) <= 1e-5 * Math.abs(la), `${la} vs ${lb}: the same loss up to float32 rounding`);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test("resume from a saved state continues exactly, on another worker count too (saved on 2, resumed on 3)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "alignc-par-"));
  try {
    const a = await trainer(2);
    const full: number[] = [];
    for (let i = 0; i < 6; i++) full.push(a.step().loss);
    const b = await trainer(2);
    for (let i = 0; i < 3; i++) assert.equal(b.step().loss, full[i]);
    saveTrainerState(join(dir, "s.safetensors"), b.state());
    b.dispose();
    // resumed on another worker count: the same figures all the same
    const c = await trainer(3);
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
