// Data-parallel reward-model, DPO and PPO training (src/train/parallel): every micro-batch, and PPO's
// rollout batch, is computed in the recipe's fixed `parallel_shares` shares, so 1, 2 and 3 workers
// give bit-identical step figures (losses, accuracy, margin; PPO's rollouts, rewards, KL, policy
// and value losses, clip fraction, entropy, ptx loss) and final weights; every worker holds exactly
// the main thread's weights before each step. wasm backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { useBackend } from "../../src/train/backend.js";
import type { TokenComparisonGroup } from "../../src/train/batch.js";
import { Gpt } from "../../src/train/model.js";
import { GradientPool } from "../../src/train/parallel/pool.js";
import { splitBatch } from "../../src/train/parallel/shard.js";
import { createTrainer } from "../../src/train/stages.js";
import { rolloutShares } from "../../src/train/stages/ppo-rollout.js";
import { PpoTrainer } from "../../src/train/stages/ppo.js";
import type { StepMetrics, Trainer } from "../../src/train/trainer.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "./configs.js";

const BACKEND = "wasm";
await useBackend(BACKEND);

const cfg = testGptConfig({ vocabSize: 20, context: 12, layers: 1, dModel: 32, heads: 4 });
const base = Gpt.init(cfg, ["lm"], 5);
// groups of different sizes and pair counts, so that shares differ in rows and pairs
const groups: TokenComparisonGroup[] = Array.from({ length: 7 }, (_, i) => {
  const K = 2 + (i % 3);
  const responses = Array.from({ length: K }, (_, k) => Array.from({ length: 2 + ((i + k) % 4) }, (_, t) => 3 + ((i * 5 + k * 3 + t) % 16)));
  const pairs: [number, number][] = [];
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) if ((a + b + i) % 4 !== 3) pairs.push([a, b]);
  return { prompt: [2, 3 + i, 4], responses, pairs: pairs.length ? pairs : [[0, 1]] };
});

type Kind = "reward_model" | "dpo";

async function trainer(kind: Kind, workers: number): Promise<Trainer> {
  const over = { steps: 5, batchSize: 5, lr: 3e-3, seed: 4, parallelShares: 3 };
  const t = kind === "dpo" ? createTrainer("dpo", { init: base, groups, beta: 0.5, train: testTrainConfig("dpo", over), pad: 0 }) : createTrainer("reward_model", { init: base, groups, train: testTrainConfig("reward_model", over), pad: 0 });
  if (workers > 1) t.parallel = await GradientPool.start(t.model, workers, BACKEND, "reference" in t ? (t.reference as Gpt) : null);
  return t;
}

/** A step's figures without its timings. */
const figures = (m: StepMetrics) => ({ ...m, ms: 0, tokens_per_s: 0 });

test("splitBatch: reward-model groups and DPO pairs in contiguous shares over the whole batch's counts", () => {
  const rm = splitBatch({ kind: "rm", groups: groups.slice(0, 5), pad: 0 }, 2);
  assert.deepEqual(rm.map((s) => (s.kind === "rm" ? s.groups.length : -1)), [3, 2]);
  for (const s of rm) assert.deepEqual(s.kind === "rm" && s.totals, { groups: 5 }); // loss and accuracy weigh groups
  const pp = [1, 2, 3].map((i) => ({ prompt: [i], chosen: [i], rejected: [i + 1] }));
  const dpo = splitBatch({ kind: "dpo", pairs: pp, beta: 0.1, pad: 0 }, 8);
  assert.equal(dpo.length, 3, "never more shares than pairs");
  for (const s of dpo) assert.equal(s.kind === "dpo" && s.count, 3);
});

for (const kind of ["reward_model", "dpo"] as const)
  test(`${kind}: 1, 2 and 3 workers over 3 shares give bit-identical figures and weights; replicas hold the main thread's weights`, async () => {
    const one = await trainer(kind, 1);
    const ref: StepMetrics[] = [];
    for (let i = 0; i < 5; i++) ref.push(one.step());
    const refWeights = GradientPool.digestOf(one.model);
    one.dispose();
    for (const n of [2, 3]) {
      const par = await trainer(kind, n);
      try {
        for (let i = 0; i < 5; i++) {
          const before = GradientPool.digestOf(par.model);
          const m = par.step();
          for (const k of kind === "dpo" ? ["batch_accuracy", "margin"] : ["batch_accuracy"]) assert.equal(typeof m[k], "number", k);
          assert.deepEqual(figures(m), figures(ref[i]!), `${kind}, ${n} workers, step ${i + 1}`);
          for (const d of par.parallel!.digests()) assert.equal(d, before, `${kind}, ${n} workers, step ${i + 1}: a worker computed with other weights`);
        }
        assert.equal(GradientPool.digestOf(par.model), refWeights, `${kind}, ${n} workers: final weights`);
      } finally {
        par.dispose();
      }
    }
  });

test("a share that fails on the main thread leaves no worker answer behind: the pool stays usable", async () => {
  const t = createTrainer("sft", { model: base.clone(["lm"]), examples: [{ tokens: [2, 3, 4, 5] }, { tokens: [2, 6, 7] }], train: testTrainConfig("sft", { steps: 2, batchSize: 2 }), lossOn: "all", groupByLength: false, pad: 0 });
  t.parallel = await GradientPool.start(t.model, 2, BACKEND);
  try {
    // an LM network has no reward head: the reward-model share fails on every replica
    assert.throws(() => t.parallel!.grads(t.model, splitBatch({ kind: "rm", groups: groups.slice(0, 2), pad: 0 }, 2)));
    assert.deepEqual(t.parallel.digests(), [GradientPool.digestOf(t.model)]);
    assert.equal(typeof t.step().loss, "number");
  } finally {
    t.dispose();
  }
});

test("ppo rollout shares: whole prompt groups, contiguous, each with its own seed from (stage seed, step, share)", () => {
  const prompts = [[1], [2], [3], [4], [5]];
  const parts = rolloutShares(prompts, [4, 0, 2], 2, 2, 8, 3);
  assert.deepEqual(parts.map((p) => p.prompts), [[[5], [5], [1], [1]], [[3], [3]]]);
  assert.notEqual(parts[0]!.seed, parts[1]!.seed);
  assert.deepEqual(rolloutShares(prompts, [4, 0, 2], 2, 2, 8, 3), parts, "a function of its arguments");
  assert.notEqual(rolloutShares(prompts, [4, 0, 2], 2, 2, 8, 4)[0]!.seed, parts[0]!.seed, "another step, another stream");
});

test("ppo: rollouts, their scoring, policy (+ ptx) and value-network updates on 1, 2 and 3 workers over 3 shares are bit-identical", async () => {
  // reward: how many 7s a response holds (a function: no reward model to train first)
  const reward = (_: readonly number[], rs: readonly number[][]) => rs.map((r) => r.filter((t) => t === 7).length);
  const ptx = groups.map((g) => ({ tokens: [...g.prompt, ...g.responses[0]!], lossMask: [0, 0, 0, ...g.responses[0]!.map(() => 1)] }));
  const make = async (workers: number) => {
    const t = new PpoTrainer({
      init: base,
      reward,
      prompts: groups.map((g) => g.prompt),
      ptx,
      ppo: testPpoOptions({ maxNewTokens: 4, eos: 1, klCoef: 0.05, ptxCoef: 0.5, ppoEpochs: 2, samplesPerPrompt: 2, temperature: 0.9 }),
      train: testTrainConfig("ppo", { steps: 3, batchSize: 6, lr: 3e-3, seed: 8, parallelShares: 3 }),
      pad: 0,
    });
    if (workers > 1) {
      t.parallel = await GradientPool.start(t.model, workers, BACKEND, t.reference);
      t.valueParallel = await GradientPool.start(t.value!, workers, BACKEND);
    }
    return t;
  };
  const one = await make(1);
  const ref: StepMetrics[] = [];
  for (let i = 0; i < 3; i++) ref.push(one.step());
  const refWeights = [GradientPool.digestOf(one.model), GradientPool.digestOf(one.value!)];
  one.dispose();
  for (const n of [2, 3]) {
    const par = await make(n);
    try {
      for (let i = 0; i < 3; i++) {
        const m = par.step();
        for (const k of ["loss", "policy_loss", "ptx_loss", "entropy", "value_loss", "reward", "kl", "clip_fraction"]) assert.equal(typeof m[k], "number", k);
        assert.deepEqual(figures(m), figures(ref[i]!), `ppo, ${n} workers, step ${i + 1}`);
      }
      // 3 shares: 2 rounds per update with 2 workers, 1 with 3
      const rounds = n === 2 ? 2 : 1;
      assert.equal(par.parallel!.timing.calls, 3 * 2 * rounds, "every policy update (3 steps × 2 epochs) went through the pool");
      assert.equal(par.valueParallel!.timing.calls, 3 * 2 * rounds, "every value-network update went through its pool");
      assert.deepEqual([GradientPool.digestOf(par.model), GradientPool.digestOf(par.value!)], refWeights, `${n} workers: final policy and value weights`);
    } finally {
      par.dispose();
    }
  }
});
