// Typed model and training configuration, nanoGPT style: each default with the reason for it.
import { TrainInputError } from "./errors.js";

export interface GptConfig {
  /** Token ids are dense in [0, vocabSize). */
  vocabSize: number;
  /** Maximum sequence length; 64 fits the quickstart's short prompts and keeps attention cheap. */
  context: number;
  /** Transformer blocks; 2 fits the 10-minute quickstart on 2 cores (DESIGN.md measurements). */
  layers: number;
  /** Residual width; 128 keeps wasm's rank-2 matmuls near their peak. */
  dModel: number;
  /** Attention heads; dModel must divide by it (head size 32 at the defaults). */
  heads: number;
  /** Normal init std of GPT-2; residual projections get std / sqrt(2·layers) as in GPT-2. */
  initStd: number;
  /** LayerNorm epsilon of GPT-2. */
  lnEps: number;
  /** "sigmoid": x·σ(1.702x), vectorised on wasm; "tanh": GPT-2's exact formula, for loaded GPT-2 weights. */
  gelu: "sigmoid" | "tanh";
  /** LM head tied to the token embedding (GPT-2's choice: fewer parameters, loads GPT-2 checkpoints as is). */
  tiedHead: boolean;
  /**
   * Dropout on the embeddings and on each residual branch (GPT-2's sites, without attention-probability
   * dropout) during pretrain/SFT/RM/DPO training only; 0: tiny models on tiny data underfit before they
   * overfit. PPO trains without dropout so that its old and new log-probabilities are comparable.
   * Optional so that configs written before it existed stay valid (absent = 0).
   */
  dropout?: number;
}

export const GPT_DEFAULTS: Omit<GptConfig, "vocabSize"> = {
  context: 64,
  layers: 2,
  dModel: 128,
  heads: 4,
  initStd: 0.02,
  lnEps: 1e-5,
  gelu: "sigmoid",
  tiedHead: true,
  dropout: 0,
};

export function gptConfig(partial: Partial<GptConfig> & { vocabSize: number }): GptConfig {
  const c: GptConfig = { ...GPT_DEFAULTS, ...partial };
  for (const k of ["vocabSize", "context", "layers", "dModel", "heads"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new TrainInputError(`model config: ${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.dModel % c.heads !== 0) throw new TrainInputError(`model config: d_model ${c.dModel} must divide by heads ${c.heads}`);
  if (c.dropout !== undefined && !(c.dropout >= 0 && c.dropout < 1)) throw new TrainInputError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
  return c;
}

/** Parameters of the trunk plus tied LM head (heads add dModel + 1 each). */
export function parameterCount(c: GptConfig): number {
  const d = c.dModel;
  const block = 2 * 2 * d + 4 * (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d);
  return c.vocabSize * d + c.context * d + c.layers * block + 2 * d + (c.tiedHead ? 0 : d * c.vocabSize);
}

/**
 * Training FLOPs per token: 6·N for the matmuls (forward 2N, backward 4N) plus attention
 * 12·layers·context·d (PaLM appendix B; the causal half is not subtracted, as is customary).
 */
export function trainFlopsPerToken(c: GptConfig, seqLen = c.context): number {
  const nonEmbedding = parameterCount(c) - c.vocabSize * c.dModel - c.context * c.dModel;
  const lmHead = c.vocabSize * c.dModel;
  return 6 * (nonEmbedding + lmHead) + 12 * c.layers * seqLen * c.dModel;
}

export type OptimizerKind = "adamw" | "adam";
export type ScheduleKind = "cosine" | "constant" | "linear";

/** Optimisation hyperparameters shared by every stage (names match src/check/kinds.ts in camelCase). */
export interface TrainConfig {
  /** Optimizer steps of the stage (the schedule's horizon). */
  steps: number;
  /** Sequences (RM: prompts; PPO: rollouts) per micro-batch. */
  batchSize: number;
  /** Micro-batches per optimizer step: large batches within wasm's 4 GiB heap. */
  accumulate: number;
  /** Peak learning rate. */
  lr: number;
  /** Linear warmup steps. */
  warmup: number;
  /** Decay after warmup. */
  schedule: ScheduleKind;
  /** Floor of the decay as a share of lr (nanoGPT: 0.1). */
  minLrRatio: number;
  /** AdamW decouples weight decay (Loshchilov & Hutter). */
  optimizer: OptimizerKind;
  /** Decay of matrices (rank ≥ 2); 0.1 as GPT-3. Biases and gains are not decayed. */
  weightDecay: number;
  /** Adam β1, β2 = 0.9, 0.95 as GPT-3 (0.95 is steadier than 0.999 on small batches). */
  beta1: number;
  beta2: number;
  /** Adam ε. */
  eps: number;
  /** Global-norm clip; 1.0 as GPT-3; 0 disables. */
  gradClip: number;
  /** Seeds init, batch order and sampling. */
  seed: number;
}

export const TRAIN_DEFAULTS: TrainConfig = {
  steps: 100,
  batchSize: 16,
  accumulate: 1,
  lr: 3e-4,
  warmup: 0,
  schedule: "cosine",
  minLrRatio: 0.1,
  optimizer: "adamw",
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  gradClip: 1.0,
  seed: 0,
};

export function trainConfig(partial: Partial<TrainConfig> = {}): TrainConfig {
  const c = { ...TRAIN_DEFAULTS, ...partial };
  if (!Number.isInteger(c.steps) || c.steps < 1) throw new TrainInputError(`train config: steps must be a positive integer, got ${c.steps}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw new TrainInputError(`train config: batchSize must be a positive integer`);
  if (!Number.isInteger(c.accumulate) || c.accumulate < 1) throw new TrainInputError(`train config: accumulate must be a positive integer`);
  if (!(c.lr > 0)) throw new TrainInputError(`train config: lr must be > 0`);
  return c;
}
