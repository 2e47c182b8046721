// Typed model and training configuration. Every field is required and the engine has no defaults of
// its own: recipe parameters come from the plan node through src/plan/engine-configs.ts (the one mapping,
// whose values the kinds table in src/check/kinds/ defaults, each with its reason). What is left here
// are architecture constants that no recipe sets (NATIVE_ARCHITECTURE).
import { TrainInputError } from "./errors.js";

export interface GptConfig {
  /** Token ids are dense in [0, vocabSize). */
  vocabSize: number;
  /** Maximum sequence length (the recipe's `context`). */
  context: number;
  /** Transformer blocks (`layers`). */
  layers: number;
  /** Residual width (`d_model`). */
  dModel: number;
  /** Attention heads (`heads`); dModel must divide by it. */
  heads: number;
  /** Normal init std (`init_std`); residual projections get std / sqrt(2·layers) as in GPT-2. */
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
   * overfit (`dropout`). PPO trains without dropout so that its old and new log-probabilities are comparable.
   */
  dropout: number;
}

/**
 * The architecture of a model alignc initialises itself: GPT-2's LayerNorm ε and tied head, and the
 * sigmoid GELU that wasm vectorises. Not recipe parameters (no recipe property sets them); loaded
 * GPT-2 weights use GPT2_ARCHITECTURE in gpt2.ts instead.
 */
export const NATIVE_ARCHITECTURE: Pick<GptConfig, "lnEps" | "gelu" | "tiedHead"> = { lnEps: 1e-5, gelu: "sigmoid", tiedHead: true };

/** A checked copy of a complete model config (throws TrainInputError on a bad or missing field). */
export function gptConfig(config: GptConfig): GptConfig {
  const c: GptConfig = { ...config };
  for (const k of ["vocabSize", "context", "layers", "dModel", "heads"] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new TrainInputError(`model config: ${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.dModel % c.heads !== 0) throw new TrainInputError(`model config: d_model ${c.dModel} must divide by heads ${c.heads}`);
  if (!(c.initStd > 0) || !(c.lnEps > 0)) throw new TrainInputError(`model config: initStd and lnEps must be > 0, got ${c.initStd}, ${c.lnEps}`);
  if (c.gelu !== "sigmoid" && c.gelu !== "tanh") throw new TrainInputError(`model config: gelu must be "sigmoid" or "tanh", got ${String(c.gelu)}`);
  if (typeof c.tiedHead !== "boolean") throw new TrainInputError(`model config: tiedHead must be a boolean, got ${String(c.tiedHead)}`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new TrainInputError(`model config: dropout must be in [0, 1), got ${c.dropout}`);
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

/**
 * Adam's β1, β2 and ε: GPT-3's values (β2 = 0.95 is steadier than 0.999 on small batches). Engine
 * constants, not recipe parameters: no recipe property sets them and the plan does not hash them.
 * Here (no TensorFlow.js) so that `alignc export` writes them too: a target left to its own default
 * (transformers' β2 = 0.999) would train with another optimizer than alignc's.
 */
export const ADAM_CONSTANTS = { beta1: 0.9, beta2: 0.95, eps: 1e-8 } as const;

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
  /**
   * Fixed shares each micro-batch (PPO: also each rollout batch) is computed in, their gradients
   * added in share order (src/train/parallel/shares.ts): the arithmetic is the recipe's, so worker
   * threads (`--workers`) change only which thread computes which share, never a figure.
   */
  parallelShares: number;
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
  /** Decay of matrices (rank ≥ 2). Biases and gains are not decayed. */
  weightDecay: number;
  /** Global-norm clip; 0 disables. */
  gradClip: number;
  /** Seeds init, batch order and sampling. */
  seed: number;
}

/**
 * Batches a window of length-sorted examples is cut into (`group_by_length`, src/train/batch-order.ts;
 * here, beside the other engine constants, because the plan's estimate reads it too): the window is a
 * contiguous slice of the epoch's random permutation, so which examples share a window stays random
 * and only their split into batches follows length. 8 brings the quickstart's SFT mixture from 0.61
 * to 0.92 of batch positions holding real tokens (Hugging Face's LengthGroupedSampler sorts
 * megabatches of up to 50 batches; a tiny data set has few of those per epoch).
 */
export const LENGTH_WINDOW_BATCHES = 8;

/** A checked copy of a complete training config (throws TrainInputError on a bad field). */
export function trainConfig(config: TrainConfig): TrainConfig {
  const c = { ...config };
  if (!Number.isInteger(c.steps) || c.steps < 1) throw new TrainInputError(`train config: steps must be a positive integer, got ${c.steps}`);
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw new TrainInputError(`train config: batchSize must be a positive integer`);
  if (!Number.isInteger(c.accumulate) || c.accumulate < 1) throw new TrainInputError(`train config: accumulate must be a positive integer`);
  if (!Number.isInteger(c.parallelShares) || c.parallelShares < 1) throw new TrainInputError(`train config: parallelShares must be a positive integer, got ${c.parallelShares}`);
  if (!(c.lr > 0)) throw new TrainInputError(`train config: lr must be > 0`);
  for (const k of ["warmup", "minLrRatio", "weightDecay", "gradClip", "seed"] as const)
    if (typeof c[k] !== "number" || !Number.isFinite(c[k])) throw new TrainInputError(`train config: ${k} must be a number, got ${c[k]}`);
  return c;
}

// How many held-out sequences a pretrain or SFT stage scores for val_loss (read by the stage handler,
// the report, which says so beside the curve, and the plan's estimate): the logged curve's rows (step 0
// to the last step) on the first VAL_DURING (a cap keeps it cheap), the summary's val_loss_before /
// val_loss / val_loss_baseline on the first VAL_FINAL.
export const VAL_DURING = 32;
export const VAL_FINAL = 256;
