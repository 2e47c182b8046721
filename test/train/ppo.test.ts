// PPO beyond the generic stage tests: the value network starts as the reward model and trains apart
// from the policy, several samples per prompt get a leave-one-out baseline, and rollouts are scored
// at the temperature they were sampled at. cpu backend (deterministic).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tf, useBackend } from "../../src/train/backend.js";
import { packLm } from "../../src/train/batch.js";
import { gptConfig } from "../../src/train/config.js";
import { TrainInputError } from "../../src/train/errors.js";
import { Gpt } from "../../src/train/model.js";
import { batchLogProbs, createTrainer, leaveOneOut, PpoTrainer } from "../../src/train/stages.js";

await useBackend("cpu");

const cfg = gptConfig({ vocabSize: 16, context: 12, layers: 1, dModel: 16, heads: 2 });
const EOS = 1;
const sft = Gpt.init(cfg, ["lm"], 11);
const rm = sft.clone(["reward"], 4);
const prompts = [
  [2, 3, 4],
  [2, 9, 4],
  [2, 13, 4],
];

function ppo(samplesPerPrompt: number, batchSize = 8, temperature = 1): PpoTrainer {
  return createTrainer("ppo", {
    init: sft,
    reward: rm,
    prompts,
    ppo: { maxNewTokens: 3, eos: EOS, samplesPerPrompt, temperature },
    train: { steps: 10, batchSize, lr: 1e-2, seed: 2 },
  }) as PpoTrainer;
}

test("for any grouping, leave-one-out scores sum to zero per group, ignore a group's offset, and keep singletons", () => {
  const score = fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true });
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), score), { minLength: 1, maxLength: 20 }), score, (rows, c) => {
      const groups = rows.map(([g]) => g);
      const s = rows.map(([, x]) => x);
      const loo = leaveOneOut(s, groups);
      const shifted = leaveOneOut(
        s.map((x, i) => (groups[i] === 0 ? x + c : x)),
        groups,
      );
      for (const g of new Set(groups)) {
        const idx = groups.flatMap((h, i) => (h === g ? [i] : []));
        const sum = idx.reduce((a, i) => a + loo[i]!, 0);
        if (idx.length === 1) assert.equal(loo[idx[0]!], s[idx[0]!]);
        else {
          assert.ok(Math.abs(sum) < 1e-6 * (1 + Math.max(...s.map(Math.abs))), `group ${g} sums to ${sum}`);
          if (g === 0) for (const i of idx) assert.ok(Math.abs(shifted[i]! - loo[i]!) < 1e-4 * (1 + Math.abs(c) + Math.abs(s[i]!)));
        }
      }
    }),
  );
});

test("the value network starts as the reward model (trunk and head) and trains while the reward model stays frozen", () => {
  const t = ppo(1);
  const rmVals = rm.values();
  const v0 = t.value.values();
  assert.deepEqual(v0.get("value.weight"), rmVals.get("score.weight"));
  assert.deepEqual(v0.get("h.0.attn.q.weight"), rmVals.get("h.0.attn.q.weight"));
  assert.equal(t.model.heads.includes("value"), false, "the policy has no value head");
  const m = t.step();
  assert.ok(Number.isFinite(m.value_loss as number));
  assert.notDeepEqual(t.value.values().get("value.weight"), v0.get("value.weight"), "the value network was updated");
  for (const [n, a] of rm.values()) assert.deepEqual(a, rmVals.get(n), `reward model ${n} unchanged`);
  t.dispose();
});

test("samples_per_prompt: each prompt is sampled k times per step; the batch must be a multiple of k", () => {
  const t = ppo(4);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) t.step();
  assert.equal(tf.memory().numTensors, before, "flat tensor count");
  t.dispose();
  assert.throws(() => ppo(3).step(), (e: unknown) => e instanceof TrainInputError && /not a multiple of samples_per_prompt 3/.test(e.message));
});

test("log-probabilities follow the sampling temperature (a very hot distribution is uniform)", () => {
  const b = packLm([{ tokens: [2, 3, 4, 5], lossMask: [0, 0, 1, 1] }], cfg.context, 0);
  const [hot, cold] = tf.tidy(() => [batchLogProbs(sft, b, undefined, 1e6).logp.dataSync(), batchLogProbs(sft, b, undefined, 1).logp.dataSync()]);
  for (const x of hot!) assert.ok(Math.abs(x + Math.log(cfg.vocabSize)) < 1e-4, `${x} ≈ −log V`);
  assert.ok(cold!.some((x) => Math.abs(x + Math.log(cfg.vocabSize)) > 1e-3));
});
