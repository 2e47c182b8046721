// Every stage overfits a tiny batch, keeps a flat tensor count, frees every tensor on dispose(),
// resumes exactly from a saved state, and stops on a non-finite loss without applying the update. cpu backend (deterministic).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf, useBackend } from "../../src/train/backend.js";
import type { TokenComparisonGroup, TokenSequence } from "../../src/train/batch.js";
import { loadTrainerState, saveTrainerState } from "../../src/train/checkpoint.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "./configs.js";
import { EOS, TINY_SFT } from "./tiny-data.js";
import { NonFiniteError } from "../../src/train/errors.js";
import { rmAccuracy } from "../../src/train/evaluate.js";
import { Gpt } from "../../src/train/model.js";
import { createTrainer, type StageInput } from "../../src/train/stages.js";
import type { StageKind, StepMetrics, Trainer } from "../../src/train/trainer.js";

await useBackend("cpu");

const cfg = testGptConfig({ vocabSize: 16, context: 12, layers: 1, dModel: 16, heads: 2 });
const base = Gpt.init(cfg, ["lm"], 11);

const sftData: TokenSequence[] = [...TINY_SFT];
// Rankings where responses made of the token 7 always win, then 5, then the rest.
const groups: TokenComparisonGroup[] = [3, 9, 13, 5].map((p) => ({
  prompt: [2, p, 4],
  responses: [
    [7, 7, EOS],
    [5, 5, EOS],
    [11, 12, EOS],
    [14, 3, EOS],
  ],
  pairs: [
    [0, 1],
    [0, 2],
    [0, 3],
    [1, 2],
    [1, 3],
  ],
}));

function trainedRewardModel(): Gpt {
  const t = createTrainer("reward_model", { init: base, groups, train: testTrainConfig("reward_model", { steps: 40, batchSize: 2, lr: 1e-2, seed: 3 }), pad: 0 });
  for (let i = 0; i < 40; i++) t.step();
  return t.model;
}
const rewardModel = trainedRewardModel();

function inputFor<K extends StageKind>(kind: K, seed = 5): StageInput[K] {
  return inputOf(kind, seed) as StageInput[K];
}
function inputOf(kind: StageKind, seed: number): StageInput[StageKind] {
  switch (kind) {
    case "pretrain":
      return { model: base.clone(), examples: sftData, train: testTrainConfig("pretrain", { steps: 30, batchSize: 4, lr: 1e-2, seed }), lossOn: "all", groupByLength: false, pad: 0 };
    case "sft":
      return { model: base.clone(), examples: sftData, train: testTrainConfig("sft", { steps: 30, batchSize: 4, lr: 1e-2, seed }), lossOn: "response", groupByLength: false, pad: 0 };
    case "reward_model":
      return { init: base, groups, train: testTrainConfig("reward_model", { steps: 30, batchSize: 2, lr: 1e-2, seed }), pad: 0 };
    case "dpo":
      return { init: base, groups, beta: 0.5, train: testTrainConfig("dpo", { steps: 30, batchSize: 4, lr: 1e-2, seed }), pad: 0 };
    case "ppo":
      return {
        init: base,
        reward: rewardModel,
        prompts: groups.map((g) => g.prompt),
        ptx: sftData,
        ppo: testPpoOptions({ maxNewTokens: 3, eos: EOS, klCoef: 0.01, ptxCoef: 0.1, ppoEpochs: 2 }),
        train: testTrainConfig("ppo", { steps: 30, batchSize: 8, lr: 1e-2, seed }),
        pad: 0,
      };
  }
}

const timing = (m: StepMetrics) => {
  const { tokens_per_s: _a, ms: _b, ...rest } = m;
  return rest;
};

/** The figure that must improve when a stage overfits: loss, or for PPO the negated mean reward. */
const objective = (kind: StageKind, ms: StepMetrics[]) => {
  const xs = ms.map((m) => (kind === "ppo" ? -(m.reward as number) : m.loss));
  const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
  return { first: mean(xs.slice(0, 3)), last: mean(xs.slice(-3)) };
};

for (const kind of ["pretrain", "sft", "reward_model", "dpo", "ppo"] as const) {
  test(`${kind}: overfits a tiny batch with a flat tensor count`, () => {
    const t: Trainer = createTrainer(kind, inputFor(kind));
    const ms: StepMetrics[] = [];
    let afterFirst = 0;
    for (let i = 0; i < 30; i++) {
      ms.push(t.step());
      if (i === 0) afterFirst = tf.memory().numTensors;
    }
    assert.equal(tf.memory().numTensors, afterFirst, "tensor count after step 30 equals that after step 1");
    for (const m of ms) for (const k of ["loss", "lr", "grad_norm", "tokens_per_s"]) assert.ok(Number.isFinite(m[k] as number), `${k} is finite`);
    const o = objective(kind, ms);
    if (kind === "ppo") {
      // reward rises from the SFT policy's towards the RM's favourite response
      assert.ok(-o.last > -o.first + 1, `PPO reward rose from ${-o.first} to ${-o.last}`);
      for (const k of ["reward", "kl", "clip_fraction", "value_loss", "entropy"]) assert.ok(Number.isFinite(ms[29]![k] as number), `${k} reported`);
    } else {
      // pretrain also predicts the prompts' unpredictable second token (entropy ln 4), which floors its loss
      const factor = kind === "pretrain" ? 2 : kind === "sft" ? 3 : 4;
      assert.ok(o.last * factor < o.first, `${kind} loss fell from ${o.first} to ${o.last} (need ×${factor})`);
    }
    if (kind === "reward_model") {
      assert.equal(ms[29]!.batch_accuracy, 1);
      assert.equal(rmAccuracy(t.model, groups, { pad: 0 }), 1);
    }
    t.dispose();
  });

  test(`${kind}: resume from a saved state gives the uninterrupted run's metrics`, () => {
    const { straight, resumed } = straightAndResumed(() => createTrainer(kind, inputFor(kind, 9)), 6, 3);
    assert.deepEqual(resumed, straight);
  });
}

for (const kind of ["pretrain", "sft", "reward_model", "dpo", "ppo"] as const) {
  test(`${kind}: dispose() frees every tensor the trainer made (model, optimizer moments, frozen copies)`, () => {
    const before = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    const t = createTrainer(kind, inputFor(kind)); // pretrain/sft train the input's clone in place: the trainer owns it
    for (let i = 0; i < 2; i++) t.step();
    assert.ok(tf.memory().numTensors > before);
    t.dispose();
    // a variable made from a tensor outside a tidy kept that tensor, and its data, alive: half of it all
    assert.equal(tf.memory().numTensors, before, "tensor count back to the start");
    assert.equal(tf.memory().numBytes, bytes, "bytes back to the start");
  });
}

test("a NaN loss stops the stage with a typed error and keeps the last good weights", () => {
  const t = createTrainer("sft", inputFor("sft"));
  t.step();
  const ln = t.model.params.get("ln_f.weight")!;
  const goodWte = t.model.params.get("wte")!.dataSync().slice();
  tf.tidy(() => ln.assign(tf.fill(ln.shape, NaN)));
  assert.throws(
    () => t.step(),
    (e: unknown) => e instanceof NonFiniteError && e.stage === "sft" && e.step === 2 && /sft: non-finite loss .* at step 2/.test(e.message),
  );
  assert.deepEqual(t.model.params.get("wte")!.dataSync(), goodWte, "no update was applied");
  assert.equal(t.stepCount, 1);
  t.dispose();
});

test("run() stops between steps when the signal is aborted and reports every step", async () => {
  const t = createTrainer("sft", inputFor("sft"));
  const signal = { aborted: false };
  const seen: number[] = [];
  const r = await t.run({
    signal,
    onStep: (m) => {
      seen.push(m.step);
      if (m.step === 2) signal.aborted = true;
    },
  });
  assert.equal(r.completed, false);
  assert.deepEqual(seen, [1, 2]);
  assert.equal(t.stepCount, 2);
  t.dispose();
});

test("dropout: seeded masks change training, reproduce, survive resume, and leave evaluation alone", () => {
  const withDropout = (rate: number) => new Gpt({ ...cfg, dropout: rate }, ["lm"], base.values());
  const run = (rate: number, steps: number, from?: ReturnType<Trainer["state"]>) => {
    const t = createTrainer("sft", { model: withDropout(rate), examples: sftData, train: testTrainConfig("sft", { steps: 10, batchSize: 4, lr: 1e-2, seed: 2 }), lossOn: "response", groupByLength: false, pad: 0 });
    if (from) t.restore(from);
    const ms = Array.from({ length: steps }, () => timing(t.step()));
    const state = t.state();
    t.dispose();
    return { ms, state };
  };
  const a = run(0.3, 4);
  assert.deepEqual(run(0.3, 4).ms, a.ms, "same seed, same masks");
  assert.notEqual(run(0, 1).ms[0]!.loss, a.ms[0]!.loss, "dropout changes the training loss");
  const half = run(0.3, 2);
  assert.deepEqual([...half.ms, ...run(0.3, 2, half.state).ms], a.ms, "resume redraws the same masks");
  const m = withDropout(0.5);
  const ids = tf.tensor2d([[2, 3, 4, 5]], [1, 4], "int32");
  const e1 = tf.tidy(() => m.lmLogits(m.hidden(ids).h).dataSync());
  const e2 = tf.tidy(() => base.lmLogits(base.hidden(ids).h).dataSync());
  assert.deepEqual(e1, e2, "no dropout outside training");
  ids.dispose();
  m.dispose();
});

test("gradient accumulation: 2 micro-batches of 2 make the same update as one batch of 4", () => {
  const same = [2, 3, 4, 5].map((t) => ({ tokens: [2, t, 4, t, 6, 7], lossMask: [0, 0, 1, 1, 1, 1] }));
  const after = (batchSize: number, accumulate: number) => {
    const t = createTrainer("sft", { model: base.clone(), examples: same, train: testTrainConfig("sft", { steps: 5, batchSize, accumulate, lr: 1e-2, seed: 4 }), lossOn: "response", groupByLength: false, pad: 0 });
    const m = t.step();
    const w = t.model.params.get("h.0.mlp.c_fc.weight")!.dataSync().slice();
    t.dispose();
    return { m, w };
  };
  const one = after(4, 1);
  const two = after(2, 2);
  assert.ok(Math.abs(one.m.loss - two.m.loss) < 1e-5);
  assert.ok(Math.abs(one.m.grad_norm - two.m.grad_norm) < 1e-4);
  assert.equal(two.m.tokens, one.m.tokens);
  one.w.forEach((x, i) => assert.ok(Math.abs(x - two.w[i]!) < 1e-5, `weight ${i}`));
});

test("sft with groupByLength: its batches follow length, and a resume across an epoch end gives the uninterrupted run's metrics", () => {
  // 13 examples, 8 of 8 tokens and 5 of 7, batches of 2: a window (8 batches) holds an epoch, so each
  // of the first epoch's 6 batches is one length; the 7th straddles into the next epoch (13 % 2 = 1)
  const examples = Array.from({ length: 13 }, (_, i) => sftData[i < 8 ? 0 : 1]!);
  const input = (): StageInput["sft"] => ({ model: base.clone(), examples, train: testTrainConfig("sft", { steps: 30, batchSize: 2, lr: 1e-2, seed: 9 }), lossOn: "response", groupByLength: true, pad: 0 });
  const { straight, resumed } = straightAndResumed(() => createTrainer("sft", input()), 12, 5);
  for (const m of straight.slice(0, 6)) assert.ok([2 * 7, 2 * 6].includes(m.tokens), `a grouped batch of 2 holds rows of one length: ${m.tokens} tokens`);
  assert.deepEqual(resumed, straight);
});

/** `steps` metrics of one uninterrupted trainer, and of one saved after `at` steps and resumed in a fresh trainer. */
function straightAndResumed(make: () => Trainer, steps: number, at: number): { straight: ReturnType<typeof timing>[]; resumed: ReturnType<typeof timing>[] } {
  const dir = mkdtempSync(join(tmpdir(), "alignc-train-"));
  try {
    const t = make();
    const straight = Array.from({ length: steps }, () => timing(t.step()));
    t.dispose();
    const first = make();
    const resumed = Array.from({ length: at }, () => timing(first.step()));
    saveTrainerState(join(dir, "state.safetensors"), first.state());
    first.dispose();
    const again = make();
    again.restore(loadTrainerState(join(dir, "state.safetensors")));
    for (let i = at; i < steps; i++) resumed.push(timing(again.step()));
    again.dispose();
    return { straight, resumed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
