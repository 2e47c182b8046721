// The one mapping from a plan node's parameters (the recipe's snake_case names, every default filled by
// the checker) to the training engine's configs. Handlers pass what this returns and nothing else, so
// the engine trains with exactly the values the node's hash covers (test/run/contract.test.ts).
import { stepsOrEpochs, type ModelGptParams, type StagePpoParams, type TrainingParams } from "../../plan/params.js";
import type { GptConfig } from "../../train/config.js";
import type { PpoOptions, TrainConfig } from "./train-api.js";

/**
 * Optimisation settings of a stage. `steps` is the node's; without it, `epochs` passes over `items`
 * (examples, comparison groups or prompts) at batch_size × accumulate per step.
 */
export function trainConfigOf(p: TrainingParams, items: number): Partial<TrainConfig> & { steps: number } {
  const length = stepsOrEpochs(p);
  const steps = length.steps ?? Math.max(1, Math.ceil((length.epochs * items) / (p.batch_size * p.accumulate)));
  return {
    steps,
    batchSize: p.batch_size,
    accumulate: p.accumulate,
    lr: p.lr,
    warmup: p.warmup,
    schedule: p.schedule,
    minLrRatio: p.min_lr_ratio,
    optimizer: p.optimizer,
    weightDecay: p.weight_decay,
    gradClip: p.grad_clip,
    seed: p.seed,
  };
}

/** PPO's settings (eos comes from the tokenizer, not the recipe). */
export function ppoConfigOf(p: StagePpoParams, eos: number): Partial<PpoOptions> {
  return {
    klCoef: p.kl_coef,
    ptxCoef: p.ptx_coef,
    clip: p.clip,
    vfCoef: p.vf_coef,
    gaeLambda: p.gae_lambda,
    discount: p.discount,
    ppoEpochs: p.ppo_epochs,
    samplesPerPrompt: p.samples_per_prompt,
    advantages: p.advantages,
    advantageScale: p.advantage_scale,
    maxNewTokens: p.max_new_tokens,
    temperature: p.temperature,
    topK: p.top_k,
    eos,
  };
}

/** A GPT's shape (the vocabulary size comes from the tokenizer). */
export function modelConfigOf(p: ModelGptParams, vocabSize: number): Partial<GptConfig> & { vocabSize: number } {
  return { vocabSize, context: p.context, layers: p.layers, dModel: p.d_model, heads: p.heads, initStd: p.init_std, dropout: p.dropout };
}
