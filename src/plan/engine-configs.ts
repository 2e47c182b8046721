// The one mapping from a plan node's parameters (the recipe's snake_case names, every default filled by
// the checker) to the training engine's configs. Handlers pass what this returns and nothing else, so
// the engine trains with exactly the values the node's hash covers (test/run/contract.test.ts).
// It lives in src/plan because the plan's cost estimate reads the same mapping, and `alignc plan` loads
// none of the run machinery (test/cli/lazy-load.test.ts).
import { stepsOrEpochs, type ModelGptParams, type StagePpoParams, type TrainingParams } from "./params.js";
// config.ts loads no TensorFlow.js (train-api.ts is the lazily imported door to the rest of the engine)
import { gptConfig, NATIVE_ARCHITECTURE, trainConfig, type GptConfig, type TrainConfig } from "../train/config.js";
import type { PpoOptions } from "../train/stages/ppo.js";

/**
 * Optimisation settings of a stage. `steps` is the node's; without it, `epochs` passes over `items`
 * (examples, comparison groups or prompts) at batch_size × accumulate per step.
 */
export function trainConfigOf(p: TrainingParams, items: number): TrainConfig {
  const length = stepsOrEpochs(p);
  const steps = length.steps ?? Math.max(1, Math.ceil((length.epochs * items) / (p.batch_size * p.accumulate)));
  return trainConfig({
    steps,
    batchSize: p.batch_size,
    accumulate: p.accumulate,
    parallelShares: p.parallel_shares,
    lr: p.lr,
    warmup: p.warmup,
    schedule: p.schedule,
    minLrRatio: p.min_lr_ratio,
    optimizer: p.optimizer,
    weightDecay: p.weight_decay,
    gradClip: p.grad_clip,
    seed: p.seed,
  });
}

/** PPO's settings (eos comes from the tokenizer, not the recipe). */
export function ppoConfigOf(p: StagePpoParams, eos: number | undefined): PpoOptions {
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
export function modelConfigOf(p: ModelGptParams, vocabSize: number): GptConfig {
  // key order as checkpoints have always written it (the config is JSON in model.safetensors' metadata)
  const { lnEps, gelu, tiedHead } = NATIVE_ARCHITECTURE;
  return gptConfig({ context: p.context, layers: p.layers, dModel: p.d_model, heads: p.heads, initStd: p.init_std, lnEps, gelu, tiedHead, dropout: p.dropout, vocabSize });
}

/** The shape fields of a GPT: the recipe's name for each (a weights file must match the plan node in all of them). */
const SHAPE: readonly [keyof GptConfig, string][] = [
  ["vocabSize", "vocabulary (the tokenizer's)"],
  ["context", "context"],
  ["layers", "layers"],
  ["dModel", "d_model"],
  ["heads", "heads"],
];

/**
 * The config of a model node whose weights come from a file (`weights = safetensors(...)`): the
 * file's weights under the plan node's settings. The file's shape must be the node's (a different
 * shape is another model than the plan describes, whose estimates and checks were made for the
 * node's): each difference is returned, `layers: the file has 12, the plan 2`. The architecture
 * constants no recipe sets (LayerNorm ε, GELU form, tied head) are the file's: GPT-2's weights were
 * trained with its tanh GELU. dropout and init_std (for heads the file lacks) are the node's, never
 * the file's: the plan is what trains.
 */
export function fileModelConfigOf(p: ModelGptParams, vocabSize: number, file: GptConfig): { config: GptConfig; mismatches: string[] } {
  const want = modelConfigOf(p, vocabSize);
  return { config: gptConfig({ ...file, dropout: want.dropout, initStd: want.initStd }), mismatches: shapeMismatches(file, want) };
}

/** Each shape field where a weights file differs from the plan's network (`layers: the file has 12, the
 * plan 2`); a field the file does not hold (GPT-2's heads without a config.json) is the plan's. */
export function shapeMismatches(file: Partial<GptConfig>, want: GptConfig): string[] {
  return SHAPE.filter(([k]) => file[k] !== undefined && file[k] !== want[k]).map(([k, name]) => `${name}: the file has ${String(file[k])}, the plan ${String(want[k])}`);
}

/**
 * How many tokens an accuracy eval generates at most: its longest target answer + 4, capped here.
 * Not a parameter (accuracy is scored by exact match, so the answer's own length decides); the cap
 * keeps a task with one runaway answer from generating for every prompt, and the plan's estimate
 * (src/plan/estimate.ts) counts with it as its upper bound.
 */
export const ACCURACY_MAX_NEW_TOKENS = 48;
