// leakL41 audit: the main thread's tensor count with a 2-replica gradient pool (cpu backend): SFT, DPO
// and PPO (rollouts, scoring and the value network's updates across the pool), held-out loss, and a
// worker failure mid-step. Workers hold their own engines; only the main thread's count is measured.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, useBackend } from "../../src/train/backend.js";
import type { TokenComparisonGroup, TokenSequence } from "../../src/train/batch.js";
import { lmLoss } from "../../src/train/evaluate.js";
import { Gpt } from "../../src/train/model.js";
import { GradientPool } from "../../src/train/parallel/pool.js";
import { createTrainer } from "../../src/train/stages.js";
import type { PpoTrainer } from "../../src/train/stages/ppo.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "./configs.js";
import { EOS, TINY_SFT } from "./tiny-data.js";

const BACKEND = "cpu";
await useBackend(BACKEND);
const cfg = testGptConfig({ vocabSize: 16, context: 12, layers: 1, dModel: 16, heads: 2 });
const base = Gpt.init(cfg, ["lm"], 11);
const rm = Gpt.init(cfg, ["reward"], 12);
const examples: TokenSequence[] = [...TINY_SFT];
const prompts = [[2, 3, 4], [2, 9, 4], [2, 13, 4], [2, 5, 4]];
const groups: TokenComparisonGroup[] = prompts.map((prompt) => ({ prompt, responses: [[7, 7, EOS], [5, 5, EOS]], pairs: [[0, 1]] }));

test("pool (2 replicas): SFT, DPO, PPO steps and pooled held-out loss keep the main thread's count flat", async () => {
  const sft = createTrainer("sft", { model: base.clone(["lm"], 1), examples, train: testTrainConfig("sft", { steps: 20, batchSize: 4, parallelShares: 2 }), lossOn: "response", groupByLength: false, pad: 0 });
  const dpo = createTrainer("dpo", { init: base, groups, beta: 0.5, train: testTrainConfig("dpo", { steps: 20, batchSize: 4, parallelShares: 2 }), pad: 0 });
  const ppo = createTrainer("ppo", { init: base, reward: rm, prompts, ptx: examples, ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, ptxCoef: 0.1, ppoEpochs: 2 }), train: testTrainConfig("ppo", { steps: 20, batchSize: 4, parallelShares: 2 }), pad: 0 }) as PpoTrainer;
  const start = tf.memory().numTensors;
  sft.parallel = await GradientPool.start(sft.model, 2, BACKEND);
  dpo.parallel = await GradientPool.start(dpo.model, 2, BACKEND, (dpo as unknown as { reference: Gpt }).reference);
  ppo.parallel = await GradientPool.start(ppo.model, 2, BACKEND, ppo.reference);
  ppo.valueParallel = await GradientPool.start(ppo.value!, 2, BACKEND);
  try {
    for (const t of [sft, dpo, ppo]) {
      t.step();
      const first = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) t.step();
      console.log(`# ${t.kind} with a 2-replica pool: numTensors after step 1 ${first}, after step 5 ${tf.memory().numTensors}`);
      assert.equal(tf.memory().numTensors, first, `${t.kind}: flat`);
    }
    const n0 = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) lmLoss(sft.model, examples, { pad: 0, batchSize: 1, pool: sft.parallel });
    console.log(`# pooled lmLoss x3: ${n0} -> ${tf.memory().numTensors}`);
    assert.equal(tf.memory().numTensors, n0);
    // a worker that fails mid-step (share 1's token 99 is outside the vocabulary: the gather throws there)
    const n1 = tf.memory().numTensors;
    const bad = { kind: "lm" as const, batch: { B: 2, T: 2, inputs: new Int32Array([2, 3, 2, 99]), targets: new Int32Array([3, 4, 99, 4]), mask: new Float32Array([1, 1, 1, 1]), tokens: 4 } };
    const { microBatchGrads } = await import("../../src/train/parallel/shard.js");
    for (let i = 0; i < 3; i++) {
      try {
        microBatchGrads(sft.model, null, bad, 2, sft.parallel);
      } catch (e) {
        if (i === 0) console.log(`# worker-failure path threw: ${(e as Error).message.split("\n")[0]}`);
      }
    }
    console.log(`# pool grads with a failing share x3: ${n1} -> ${tf.memory().numTensors}`);
    assert.equal(tf.memory().numTensors, n1);
  } finally {
    for (const t of [sft, dpo, ppo]) t.dispose();
  }
  console.log(`# after the trainers' dispose: ${tf.memory().numTensors} (base and rm: 42)`);
  assert.equal(tf.memory().numTensors, start - 196, "the three trainers' tensors, and only those, freed");
});
