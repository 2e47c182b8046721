// The engine has no defaults of its own: a config missing a field is refused, not completed, and the
// configs tests use are the kinds table's defaults put through run's one mapping (test/train/configs.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { KINDS } from "../../src/check/kinds.js";
import { gptConfig, trainConfig, type GptConfig, type TrainConfig } from "../../src/train/config.js";
import { useBackend } from "../../src/train/backend.js";
import { TrainInputError } from "../../src/train/errors.js";
import { Gpt } from "../../src/train/model.js";
import { createTrainer } from "../../src/train/stages.js";
import type { PpoOptions } from "../../src/train/stages/ppo.js";
import { testGptConfig, testPpoOptions, testTrainConfig } from "./configs.js";

await useBackend("cpu");

const dflt = (keyword: string, kind: string, prop: string): unknown => KINDS[keyword]![kind]!.props[prop]!.default;

test("a model or training config missing a field is refused instead of completed", () => {
  const { dropout: _dropout, ...noDropout } = testGptConfig({ vocabSize: 16 });
  assert.throws(() => gptConfig(noDropout as GptConfig), TrainInputError);
  const { initStd: _initStd, ...noInitStd } = testGptConfig({ vocabSize: 16 });
  assert.throws(() => gptConfig(noInitStd as GptConfig), TrainInputError);
  const { lr: _lr, ...noLr } = testTrainConfig("sft");
  assert.throws(() => trainConfig(noLr as TrainConfig), TrainInputError);
  const { weightDecay: _wd, ...noDecay } = testTrainConfig("sft");
  assert.throws(() => trainConfig(noDecay as TrainConfig), TrainInputError);
  const { klCoef: _kl, ...noKl } = testPpoOptions();
  const init = Gpt.init(testGptConfig({ vocabSize: 8, context: 8, layers: 1, dModel: 8, heads: 2 }), ["lm"], 1);
  try {
    assert.throws(() => createTrainer("ppo", { init, reward: (ix) => ix.map(() => 0), prompts: [[1, 2]], ppo: noKl as PpoOptions, train: testTrainConfig("ppo"), pad: 0 }), /klCoef must be/);
  } finally {
    init.dispose();
  }
});

test("test configs are the kinds table's defaults for each kind, through run's mapping", () => {
  const m = testGptConfig({ vocabSize: 16 });
  assert.equal(m.context, dflt("model", "gpt", "context"));
  assert.equal(m.dModel, dflt("model", "gpt", "d_model"));
  assert.equal(m.dropout, dflt("model", "gpt", "dropout"));
  for (const kind of ["pretrain", "sft", "reward_model", "ppo", "dpo"] as const) {
    const t = testTrainConfig(kind);
    assert.equal(t.lr, dflt("stage", kind, "lr"), `${kind} lr`);
    assert.equal(t.batchSize, dflt("stage", kind, "batch_size"), `${kind} batch_size`);
    assert.equal(t.weightDecay, dflt("stage", kind, "weight_decay"), `${kind} weight_decay`);
  }
  const p = testPpoOptions();
  assert.equal(p.klCoef, dflt("stage", "ppo", "kl_coef"));
  assert.equal(p.maxNewTokens, dflt("stage", "ppo", "max_new_tokens"));
  assert.equal(p.advantages, dflt("stage", "ppo", "advantages"));
  assert.equal(p.eos, undefined);
});
