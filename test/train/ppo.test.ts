// PPO beyond the generic stage tests: the value network starts as the reward model and trains apart
// from the policy, several samples per prompt get a leave-one-out baseline, and rollouts are scored
// at the temperature they were sampled at. cpu backend (deterministic).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tf, useBackend } from "../../src/train/backend.js";
import { packLm } from "../../src/train/batch.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "./configs.js";
import { TrainInputError } from "../../src/train/errors.js";
import { Gpt } from "../../src/train/model.js";
import { batchLogProbs, createTrainer, leaveOneOut, PpoTrainer, rmsScale, rolloutAdvantages } from "../../src/train/stages.js";

await useBackend("cpu");

const cfg = testGptConfig({ vocabSize: 16, context: 12, layers: 1, dModel: 16, heads: 2 });
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
    ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, samplesPerPrompt, temperature }),
    train: testTrainConfig("ppo", { steps: 10, batchSize, lr: 1e-2, seed: 2 }),
    pad: 0,
  }) as PpoTrainer;
}

/** 4 samples per prompt, leave-one-out advantages scaled by their RMS (the quickstart's), on the reward model. */
function rloo(rewardSequences?: (p: readonly number[], rs: readonly (readonly number[])[]) => number[][]): PpoTrainer {
  return createTrainer("ppo", {
    init: sft,
    reward: rm,
    prompts,
    ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, samplesPerPrompt: 4, advantages: "rloo", advantageScale: "rms" }),
    train: testTrainConfig("ppo", { steps: 10, batchSize: 8, lr: 1e-2, seed: 2 }),
    pad: 0,
    ...(rewardSequences ? { rewardSequences } : {}),
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
  const v0 = t.value!.values();
  assert.deepEqual(v0.get("value.weight"), rmVals.get("score.weight"));
  assert.deepEqual(v0.get("h.0.attn.q.weight"), rmVals.get("h.0.attn.q.weight"));
  assert.equal(t.model.heads.includes("value"), false, "the policy has no value head");
  const m = t.step();
  assert.ok(Number.isFinite(m.value_loss as number));
  assert.notDeepEqual(t.value!.values().get("value.weight"), v0.get("value.weight"), "the value network was updated");
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

test('advantages = "rloo": no value network is created or trained, and it needs several samples per prompt', () => {
  const t = rloo();
  assert.equal(t.value, null);
  const before = tf.memory().numTensors;
  const w0 = t.model.values().get("h.0.attn.q.weight")!;
  const m = t.step();
  assert.equal(m.value_loss, undefined, "no value loss is reported");
  assert.equal(tf.memory().numTensors, before, "flat tensor count");
  assert.notDeepEqual(t.model.values().get("h.0.attn.q.weight"), w0, "the policy was updated");
  t.dispose();
  assert.throws(
    () => createTrainer("ppo", { init: sft, reward: rm, prompts, ppo: testPpoOptions({ samplesPerPrompt: 1, advantages: "rloo" }), train: testTrainConfig("ppo", { steps: 1 }), pad: 0 }),
    (e: unknown) => e instanceof TrainInputError && /samples_per_prompt ≥ 2/.test(e.message),
  );
});

test("a reward function replaces the reward model: it gets each rollout's prompt index and response tokens, and its scores are the reward", () => {
  const seen: [number, number[]][] = [];
  const reward = (idx: readonly number[], resp: readonly number[][]) => {
    idx.forEach((i, j) => seen.push([i, [...resp[j]!]]));
    return resp.map((r) => (r.includes(5) ? 1 : 0));
  };
  const t = createTrainer("ppo", {
    init: sft,
    reward,
    monitor: (_, resp) => resp.map((r) => r.length),
    prompts,
    ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, samplesPerPrompt: 4, advantages: "rloo", advantageScale: "rms" }),
    train: testTrainConfig("ppo", { steps: 10, batchSize: 8, lr: 1e-2, seed: 2 }),
    pad: 0,
  }) as PpoTrainer;
  assert.equal(t.rewardModel, null);
  const m = t.step();
  assert.equal(seen.length, 8);
  for (const [i] of seen) assert.ok(i >= 0 && i < prompts.length);
  const want = seen.filter(([, r]) => r.includes(5)).length / seen.length;
  assert.ok(Math.abs((m.reward as number) - want) < 1e-9, `reward ${m.reward} = share of responses with token 5 ${want}`);
  const meanLen = seen.reduce((a, [, r]) => a + r.length, 0) / seen.length;
  assert.ok(Math.abs((m.rule_score as number) - meanLen) < 1e-9, "the monitor is logged as rule_score");
  t.dispose();
  // with gae and a reward function the value network starts from SFT's trunk
  const g = createTrainer("ppo", { init: sft, reward, prompts, ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS }), train: testTrainConfig("ppo", { steps: 1, batchSize: 4 }), pad: 0 }) as PpoTrainer;
  assert.deepEqual(g.value!.values().get("h.0.attn.q.weight"), sft.values().get("h.0.attn.q.weight"));
  assert.ok(Number.isFinite(g.step().value_loss as number));
  g.dispose();
});

test("rms scaling keeps every advantage's sign (no re-centring) and floors the divisor; whitening re-centres", () => {
  const xs = Float64Array.from([0.5, 0.5, 0.5, 0.5]);
  assert.deepEqual(Array.from(rmsScale(xs)), [1, 1, 1, 1]);
  const tiny = Float64Array.from([0.01, -0.01]);
  assert.deepEqual(Array.from(rmsScale(tiny)).map((x) => Number(x.toFixed(6))), [0.1, -0.1], "divided by the floor 0.1, not by 0.01");
  const rows = [0.3, 0.2].map((score) => ({ score, logp: [-1, -1], logpRef: [-1, -1] }));
  const rms = rolloutAdvantages(rows, { mode: "rloo", scale: "rms", klCoef: 0.1, discount: 1, gaeLambda: 0.95 });
  for (const a of rms.advantages) for (const x of a) assert.ok(x > 0, "both responses did well: both advantages stay positive");
  const white = rolloutAdvantages(rows, { mode: "rloo", scale: "whiten", klCoef: 0.1, discount: 1, gaeLambda: 0.95 });
  assert.ok(white.advantages[1]!.every((x) => x < 0), "whitening makes the worse one negative");
});

test("rloo advantages are the KL-penalised reward-to-go of each response (before scaling)", () => {
  // scores 1 and 0; token log-prob gaps 0.5 at every token of the first response
  const rows = [
    { score: 1, logp: [-1, -1, -1], logpRef: [-1.5, -1.5, -1.5] },
    { score: 0, logp: [-2], logpRef: [-2] },
  ];
  const a = rolloutAdvantages(rows, { mode: "rloo", scale: "rms", klCoef: 0.2, discount: 1, gaeLambda: 0.95 });
  // reward-to-go of [-0.1, -0.1, 1 - 0.1] = [0.7, 0.8, 0.9]; second response [0]
  const raw = [0.7, 0.8, 0.9, 0];
  const rms = Math.sqrt(raw.reduce((s, x) => s + x * x, 0) / raw.length);
  const got = [...a.advantages[0]!, ...a.advantages[1]!];
  got.forEach((x, i) => assert.ok(Math.abs(x - raw[i]! / rms) < 1e-9, `${x} vs ${raw[i]! / rms}`));
  assert.equal(a.returns, null);
  assert.ok(Math.abs(a.klSum - 1.5) < 1e-9);
});

// The reward model reads each prompt's rollouts as its stage cut its training groups
// (src/run/nodes/reward-reader.ts): the trainer scores the sequences rewardSequences gives, not each
// prompt and response joined, and hands it one prompt's samples together
test("a reward model scores the sequences rewardSequences makes of each prompt's rollouts, read as one group", () => {
  const seen: [number[], number][] = [];
  const joined = rloo();
  const cut = rloo((p, rs) => {
    seen.push([[...p], rs.length]);
    return rs.map((r) => [p[p.length - 1]!, ...r]); // one prompt token: the reward model sees less
  });
  const [a, b] = [joined.step(), cut.step()];
  assert.deepEqual(seen.map(([, n]) => n), [4, 4], "batch 8 at 4 samples a prompt: two groups of four (no rollout here is empty)");
  assert.ok(seen.every(([p]) => prompts.some((q) => q.join() === p.join())), "each with its own prompt");
  assert.notEqual(a.reward, b.reward, "and the reward is the score of what it made");
  joined.dispose();
  cut.dispose();
});
