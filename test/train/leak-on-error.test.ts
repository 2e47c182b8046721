// Tensor counts on the training engine's error paths (cpu backend, tiny sizes; the leakL41 audit).
// Each case runs a path N times and asserts tf.memory().numTensors is back where it started.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, useBackend } from "../../src/train/backend.js";
import type { TokenComparisonGroup, TokenSequence } from "../../src/train/batch.js";
import { loadModelBytes } from "../../src/train/checkpoint.js";
import { encodeSafetensors, type NamedTensor } from "../../src/train/safetensors.js";
import { Gpt } from "../../src/train/model.js";
import { createTrainer } from "../../src/train/stages.js";
import { NonFiniteError, TrainInputError } from "../../src/train/errors.js";
import { ALIGNC_MODEL_FORMAT } from "../../src/common/weights-shape.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "./configs.js";

await useBackend("cpu");

const N = 5;
const cfg = testGptConfig({ vocabSize: 16, context: 12, layers: 1, dModel: 16, heads: 2 });
const EOS = 1;
const base = Gpt.init(cfg, ["lm"], 11);
const rm = Gpt.init(cfg, ["reward"], 12);
const prompts = [[2, 3, 4], [2, 9, 4], [2, 13, 4], [2, 5, 4]];
const sftData: TokenSequence[] = [
  { tokens: [2, 3, 4, 5, 6, 7, 8, EOS], lossMask: [0, 0, 0, 1, 1, 1, 1, 1] },
  { tokens: [2, 9, 4, 10, 11, 12, EOS], lossMask: [0, 0, 0, 1, 1, 1, 1] },
];
const groups: TokenComparisonGroup[] = prompts.map((prompt) => ({ prompt, responses: [[7, 7, EOS], [5, 5, EOS]], pairs: [[0, 1]] }));

function leakOf(label: string, f: () => void): number {
  const before = tf.memory().numTensors;
  for (let i = 0; i < N; i++) {
    try {
      f();
    } catch {
      // the error path is the point
    }
  }
  const after = tf.memory().numTensors;
  console.log(`# ${label}: numTensors ${before} -> ${after} after ${N} runs (+${after - before})`);
  return after - before;
}

test("Gpt constructor: a missing parameter leaks no variables made before it", () => {
  const vals = base.values();
  vals.delete("ln_f.bias"); // the last trunk parameter: every other one is made first
  assert.throws(() => new Gpt(cfg, ["lm"], vals), /missing parameter ln_f.bias/);
  assert.equal(leakOf("new Gpt(values without ln_f.bias)", () => new Gpt(cfg, ["lm"], vals)), 0);
});

test("loadModelBytes: a checkpoint missing a tensor leaks no variables", () => {
  const tensors = new Map<string, NamedTensor>();
  for (const [n, v] of base.params) if (n !== "ln_f.bias") tensors.set(n, { shape: v.shape, data: v.dataSync() as Float32Array });
  const bytes = encodeSafetensors(tensors, { format: ALIGNC_MODEL_FORMAT, config: JSON.stringify(cfg), heads: JSON.stringify(["lm"]) });
  assert.throws(() => loadModelBytes(bytes, "x.safetensors"), /missing parameter/);
  assert.equal(leakOf("loadModelBytes(checkpoint without ln_f.bias)", () => loadModelBytes(bytes, "x.safetensors")), 0);
});

const ppoFn = (reward: (idx: readonly number[], resp: readonly number[][]) => number[], extra: object = {}) =>
  createTrainer("ppo", {
    init: base,
    reward,
    prompts,
    ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, advantages: "gae", samplesPerPrompt: 1 }),
    train: testTrainConfig("ppo", { steps: 10, batchSize: 4, seed: 3 }),
    pad: 0,
    ...extra,
  });

test("PPO (gae, reward function): a reward that fails or is not finite leaks no value tensor", () => {
  const t = ppoFn((idx) => idx.map(() => NaN));
  try {
    assert.throws(() => t.step(), TrainInputError);
    assert.equal(leakOf("ppo gae step, reward function returns NaN", () => t.step()), 0);
  } finally {
    t.dispose();
  }
  const u = ppoFn(() => {
    throw new Error("reward function failed");
  });
  try {
    assert.equal(leakOf("ppo gae step, reward function throws", () => u.step()), 0);
  } finally {
    u.dispose();
  }
});

test("PPO (gae, reward model): a monitor that throws leaks neither the scores nor the values", () => {
  const t = createTrainer("ppo", {
    init: base,
    reward: rm,
    monitor: () => {
      throw new Error("monitor failed");
    },
    prompts,
    ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, advantages: "gae", samplesPerPrompt: 1 }),
    train: testTrainConfig("ppo", { steps: 10, batchSize: 4, seed: 3 }),
    pad: 0,
  });
  try {
    assert.equal(leakOf("ppo gae+rm step, monitor throws", () => t.step()), 0);
  } finally {
    t.dispose();
  }
});

test("control: a NaN loss (NonFiniteError) leaks nothing, every stage kind", () => {
  for (const kind of ["sft", "reward_model", "dpo"] as const) {
    const poisoned = base.clone();
    tf.tidy(() => poisoned.params.get("ln_f.bias")!.assign(tf.fill([cfg.dModel], NaN)));
    const t =
      kind === "sft"
        ? createTrainer("sft", { model: poisoned, examples: sftData, train: testTrainConfig("sft", { steps: 10, batchSize: 2, accumulate: 2 }), lossOn: "response", groupByLength: false, pad: 0 })
        : kind === "reward_model"
          ? createTrainer("reward_model", { init: poisoned, groups, train: testTrainConfig("reward_model", { steps: 10, batchSize: 2, accumulate: 2 }), pad: 0 })
          : createTrainer("dpo", { init: poisoned, groups, beta: 0.5, train: testTrainConfig("dpo", { steps: 10, batchSize: 2, accumulate: 2 }), pad: 0 });
    try {
      assert.throws(() => t.step(), NonFiniteError);
      assert.equal(leakOf(`${kind} NaN step (NonFiniteError)`, () => t.step()), 0);
    } finally {
      t.dispose();
      if (kind !== "sft") poisoned.dispose();
    }
  }
});

test("contract: a trainer that refuses its input does not free the model it was handed (runStage must: stages.ts)", () => {
  // what runStage does for pretrain/sft: `const model = init.clone(["lm"], seed); trainer = createTrainer(...)`,
  // the clone not in `disposables` until createTrainer returns
  const n = leakOf("init.clone + createTrainer(sft) refusing a token outside the vocabulary", () => {
    const model = base.clone(["lm"], 5);
    createTrainer("sft", { model, examples: [{ tokens: [2, 99, EOS] }], train: testTrainConfig("sft"), lossOn: "all", groupByLength: false, pad: 0 });
  });
  assert.ok(n > 0);
});

test("held: eval helpers, sampling, checkpoint state round trip and a refused restore leave the count flat", async () => {
  const { rmAccuracy, lmLoss, scoreSequences, exactMatch, generateAllAsync } = await import("../../src/train/evaluate.js");
  const { dpoMargins, pairsOfGroups } = await import("../../src/train/stages/dpo.js").then(async (m) => ({ ...m, ...(await import("../../src/train/stages/dpo-loss.js")) }));
  const ref = base.clone(["lm"], 0, false);
  const cases: [string, () => unknown][] = [
    ["rmAccuracy", () => rmAccuracy(rm, groups, { pad: 0, batchSize: 3 })],
    ["lmLoss", () => lmLoss(base, sftData, { pad: 0, batchSize: 1 })],
    ["scoreSequences", () => scoreSequences(rm, [[2, 3], [4, 5, 6]], { pad: 0 })],
    ["dpoMargins", () => dpoMargins(base, ref, pairsOfGroups(groups), 0.5, 0, 3)],
    ["exactMatch (sampled, top-k/p)", () => exactMatch(base, prompts.map((p) => ({ prompt: p, answer: [7, EOS] })), { maxNewTokens: 4, temperature: 1, topK: 5, topP: 0.9, seed: 1, pad: 0, eos: EOS, batchSize: 3 })],
    ["generate: prompt over the context", () => exactMatch(base, [{ prompt: Array(20).fill(3), answer: [1] }], { maxNewTokens: 4, temperature: 0, topK: 0, topP: 1, pad: 0 })],
    ["generate: temperature without rng (throws)", () => exactMatch(base, [{ prompt: [2], answer: [1] }], { maxNewTokens: 4, temperature: 1, topK: 0, topP: 1, pad: 0 })],
  ];
  for (const [label, f] of cases) assert.equal(leakOf(label, f as () => void), 0, label);
  const before = tf.memory().numTensors;
  for (let i = 0; i < N; i++) await generateAllAsync(base, prompts, { maxNewTokens: 3, temperature: 0, topK: 0, topP: 1, pad: 0, batchSize: 2 });
  console.log(`# generateAllAsync x${N}: ${before} -> ${tf.memory().numTensors}`);
  assert.equal(tf.memory().numTensors, before);
  const t = createTrainer("dpo", { init: base, groups, beta: 0.5, train: testTrainConfig("dpo", { steps: 10, batchSize: 2 }), pad: 0 });
  try {
    t.step();
    const s = t.state();
    const broken = { ...s, tensors: new Map(s.tensors) };
    broken.tensors.delete("opt.v.ln_f.bias");
    assert.equal(leakOf("restore(state) round trip", () => t.restore(s)), 0);
    assert.equal(leakOf("restore(state missing a moment) throws", () => t.restore(broken)), 0);
  } finally {
    t.dispose();
    ref.dispose();
  }
});
