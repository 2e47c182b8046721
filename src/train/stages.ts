// The five stages as Trainers. Each builds micro-batch loss closures from token data; Trainer.update
// does the rest. Inputs are token arrays; recipes are read by src/run, not here.
import { tf } from "./backend.js";
import { checkTokens, packLm, packScore, type LmBatch, type TokenComparisonGroup, type TokenSequence } from "./batch.js";
import { trainConfig, type TrainConfig } from "./config.js";
import { TrainInputError } from "./errors.js";
import {
  dpoLoss,
  gae,
  klEstimates,
  klPenalisedRewards,
  maskedMean,
  maskedNll,
  ppoPolicyLoss,
  ptxLoss,
  rewardModelLoss,
  valueLoss,
  whiten,
} from "./losses.js";
import type { Gpt } from "./model.js";
import { Adam } from "./optim.js";
import { entropyFromLogits, tokenLogProbs } from "./ops.js";
import { generate } from "./sample.js";
import { Trainer, type StageKind, type StepMetrics, type TrainerState } from "./trainer.js";
import { Rng } from "./rng.js";

/**
 * Per-target log-probabilities [B·T] of a packed batch (inside a tidy), of the distribution at
 * `temperature` (PPO scores its samples under the distribution it sampled them from).
 */
export function batchLogProbs(model: Gpt, b: LmBatch, dropoutSeed?: number, temperature = 1): { logp: tf.Tensor1D; logits: tf.Tensor2D; h: tf.Tensor2D } {
  const { h } = model.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32"), { dropoutSeed });
  const raw = model.lmLogits(h); // [B·T, V]
  const logits = temperature === 1 ? raw : (tf.div(raw, temperature) as tf.Tensor2D);
  return { logp: tokenLogProbs(logits, tf.tensor1d(b.targets, "int32")), logits, h };
}

/** Masked LM loss of a packed batch (inside a tidy). */
export function lmLossOf(model: Gpt, b: LmBatch, dropoutSeed?: number): tf.Scalar {
  return maskedNll(batchLogProbs(model, b, dropoutSeed).logp, tf.tensor1d(b.mask));
}

function prepareSequences(seqs: TokenSequence[], model: Gpt, what: string, lossOn: "response" | "all"): TokenSequence[] {
  if (seqs.length === 0) throw new TrainInputError(`${what}: no training examples`);
  for (const s of seqs) checkTokens(s.tokens, model.config.vocabSize, what);
  return lossOn === "all" ? seqs.map((s) => ({ tokens: s.tokens })) : seqs;
}

// ---------------------------------------------------------------- pretrain / sft

export interface LmStageInput {
  /** Network trained in place (pass a clone to keep the original). Needs the LM head. */
  model: Gpt;
  examples: TokenSequence[];
  train?: Partial<TrainConfig>;
  /** "response": loss where lossMask is 1 (InstructGPT/LIMA); "all": every token. Pretrain: "all". */
  lossOn?: "response" | "all";
  pad?: number;
}

export class LmTrainer extends Trainer {
  readonly model: Gpt;
  private readonly examples: TokenSequence[];
  private readonly pad: number;

  constructor(
    readonly kind: "pretrain" | "sft",
    input: LmStageInput,
  ) {
    super(trainConfig(input.train));
    this.model = input.model;
    this.examples = prepareSequences(input.examples, input.model, kind, input.lossOn ?? (kind === "pretrain" ? "all" : "response"));
    this.pad = input.pad ?? 0;
    this.initOptimizer(this.examples.length);
  }

  step(): StepMetrics {
    return this.accumulatedStep((_, seed) => {
      const b = packLm(this.order.next(this.cfg.batchSize).map((i) => this.examples[i]!), this.model.config.context, this.pad);
      return { tokens: b.tokens, lm: { batch: b, dropoutSeed: seed }, loss: () => ({ loss: lmLossOf(this.model, b, seed), aux: {} }) };
    });
  }
}

// ---------------------------------------------------------------- reward model

export interface RewardStageInput {
  /** SFT network: the trainer copies its trunk and replaces the LM head by a scalar head. */
  init: Gpt;
  groups: TokenComparisonGroup[];
  /** batchSize counts prompts (each with its K responses). */
  train?: Partial<TrainConfig>;
  pad?: number;
}

function checkGroup(g: TokenComparisonGroup, vocab: number): void {
  checkTokens(g.prompt, vocab, "reward_model prompt");
  g.responses.forEach((r) => checkTokens(r, vocab, "reward_model response"));
  for (const [w, l] of g.pairs)
    if (!(w >= 0 && l >= 0 && w < g.responses.length && l < g.responses.length && w !== l))
      throw new TrainInputError(`comparison pair [${w}, ${l}] does not index two of the ${g.responses.length} responses`);
}

/** Scores [K·G] of the K responses of each group (one forward over all of them) and the pair losses. */
function rmGroupLoss(rm: Gpt, groups: TokenComparisonGroup[], pad: number, dropoutSeed?: number): { loss: tf.Scalar; accuracy: tf.Scalar; tokens: number } {
  const seqs = groups.flatMap((g) => g.responses.map((r) => [...g.prompt, ...r]));
  const b = packScore(seqs, rm.config.context, pad);
  const { h } = rm.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32"), { dropoutSeed });
  const scores = rm.rewards(h, b.T, b.last); // [ΣK]
  let offset = 0;
  const losses: tf.Scalar[] = [];
  const margins: tf.Tensor1D[] = [];
  for (const g of groups) {
    const K = g.responses.length;
    const r = rewardModelLoss(tf.slice(scores, [offset], [K]) as tf.Tensor1D, g.pairs);
    losses.push(r.loss);
    margins.push(r.margins);
    offset += K;
  }
  const all = tf.concat(margins);
  return {
    loss: tf.mean(tf.stack(losses)) as tf.Scalar,
    accuracy: tf.mean(tf.cast(tf.greater(all, 0), "float32")) as tf.Scalar,
    tokens: b.tokens,
  };
}

export class RewardModelTrainer extends Trainer {
  readonly kind = "reward_model" as const;
  readonly model: Gpt;
  private readonly groups: TokenComparisonGroup[];
  private readonly pad: number;

  constructor(input: RewardStageInput) {
    super(trainConfig({ batchSize: 4, lr: 1e-4, ...input.train }));
    this.groups = input.groups.filter((g) => g.pairs.length > 0);
    if (this.groups.length === 0) throw new TrainInputError("reward_model: no comparison group has a pair (all tied or empty)");
    for (const g of this.groups) checkGroup(g, input.init.config.vocabSize);
    this.model = input.init.clone(["reward"], Rng.derive(this.cfg.seed, 0x5c0e));
    this.pad = input.pad ?? 0;
    this.initOptimizer(this.groups.length);
  }

  step(): StepMetrics {
    return this.accumulatedStep(
      (_, seed) => {
        const gs = this.order.next(this.cfg.batchSize).map((i) => this.groups[i]!);
        const tokens = gs.reduce((n, g) => n + g.responses.reduce((m, r) => m + g.prompt.length + r.length, 0), 0);
        return {
          tokens,
          loss: () => {
            const r = rmGroupLoss(this.model, gs, this.pad, seed);
            return { loss: r.loss, aux: { accuracy: r.accuracy } };
          },
        };
      },
      (aux) => ({ accuracy: aux.accuracy! }),
    );
  }
}

// ---------------------------------------------------------------- DPO

export interface PreferencePair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
}

export interface DpoStageInput {
  /** SFT network: the policy is a trainable copy, the reference a frozen one. */
  init: Gpt;
  /** Preference pairs, or comparison groups flattened into their pairs. */
  pairs?: PreferencePair[];
  groups?: TokenComparisonGroup[];
  beta?: number;
  train?: Partial<TrainConfig>;
  pad?: number;
}

export function pairsOfGroups(groups: TokenComparisonGroup[]): PreferencePair[] {
  return groups.flatMap((g) => g.pairs.map(([w, l]) => ({ prompt: g.prompt, chosen: g.responses[w]!, rejected: g.responses[l]! })));
}

/** Response-only sequence of (prompt ++ response): loss mask 1 on the response tokens. */
function responseSequence(prompt: number[], response: number[]): TokenSequence {
  return { tokens: [...prompt, ...response], lossMask: [...prompt.map(() => 0), ...response.map(() => 1)] };
}

/** Sum of response-token log-probabilities per row [B] (inside a tidy). */
function sequenceLogProb(model: Gpt, b: LmBatch, dropoutSeed?: number): tf.Tensor1D {
  const { logp } = batchLogProbs(model, b, dropoutSeed);
  return tf.sum(tf.reshape(tf.mul(logp, tf.tensor1d(b.mask)), [b.B, b.T]), 1) as tf.Tensor1D; // [B·T] -> [B, T] -> [B]
}

export class DpoTrainer extends Trainer {
  readonly kind = "dpo" as const;
  readonly model: Gpt;
  readonly reference: Gpt;
  private readonly pairs: PreferencePair[];
  private readonly beta: number;
  private readonly pad: number;

  constructor(input: DpoStageInput) {
    super(trainConfig({ lr: 1e-5, ...input.train }));
    this.pairs = [...(input.pairs ?? []), ...pairsOfGroups(input.groups ?? [])];
    if (this.pairs.length === 0) throw new TrainInputError("dpo: no preference pairs");
    for (const p of this.pairs) for (const s of [p.prompt, p.chosen, p.rejected]) checkTokens(s, input.init.config.vocabSize, "dpo");
    this.beta = input.beta ?? 0.1;
    this.pad = input.pad ?? 0;
    this.model = input.init.clone(["lm"]);
    this.reference = input.init.clone(["lm"], 0, false);
    this.initOptimizer(this.pairs.length);
  }

  step(): StepMetrics {
    return this.accumulatedStep(
      (_, seed) => {
        const ps = this.order.next(this.cfg.batchSize).map((i) => this.pairs[i]!);
        // chosen rows first, then rejected: one forward for both.
        const b = packLm([...ps.map((p) => responseSequence(p.prompt, p.chosen)), ...ps.map((p) => responseSequence(p.prompt, p.rejected))], this.model.config.context, this.pad);
        const n = ps.length;
        const ref = tf.tidy(() => sequenceLogProb(this.reference, b));
        const refArr = ref.dataSync();
        ref.dispose();
        return {
          tokens: b.tokens,
          loss: () => {
            const lp = sequenceLogProb(this.model, b, seed);
            const r = dpoLoss(tf.slice(lp, [0], [n]) as tf.Tensor1D, tf.slice(lp, [n], [n]) as tf.Tensor1D, tf.tensor1d(refArr.slice(0, n)), tf.tensor1d(refArr.slice(n)), this.beta);
            return { loss: r.loss, aux: { accuracy: tf.mean(tf.cast(tf.greater(r.margins, 0), "float32")) as tf.Scalar, margin: tf.mean(r.margins) as tf.Scalar } };
          },
        };
      },
      (aux) => ({ accuracy: aux.accuracy!, margin: aux.margin! }),
    );
  }

  override dispose(): void {
    super.dispose();
    this.reference.dispose();
  }
}

// ---------------------------------------------------------------- PPO-ptx

export interface PpoOptions {
  /** β of the per-token KL penalty against the SFT reference (InstructGPT 0.02; ≥ 0.1 resists hacking a tiny RM). */
  klCoef: number;
  /** γ of the ptx log-likelihood term (InstructGPT 27.8); 0 = plain PPO. */
  ptxCoef: number;
  /** Ratio clip ε. */
  clip: number;
  /** Value-loss weight. */
  vfCoef: number;
  /** Entropy bonus weight (0: entropy is reported, not optimised). */
  entCoef: number;
  /** GAE λ and discount. */
  gaeLambda: number;
  discount: number;
  /** Optimisation passes over each rollout batch. */
  ppoEpochs: number;
  /**
   * Responses sampled per prompt (OpenRLHF n_samples_per_prompt). Above 1, each response's score
   * is taken relative to the mean score of the prompt's other responses (RLOO's leave-one-out
   * baseline, Ahmadian et al. 2024) before the KL penalty and GAE: it removes how easy the prompt
   * is from the reward, which the value network would otherwise have to learn first.
   */
  samplesPerPrompt: number;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  topP: number;
  /** End-of-sequence token: rollouts stop there. */
  eos?: number;
}

export const PPO_DEFAULTS: PpoOptions = {
  klCoef: 0.1,
  ptxCoef: 0,
  clip: 0.2,
  vfCoef: 0.1,
  entCoef: 0,
  gaeLambda: 0.95,
  discount: 1,
  ppoEpochs: 2,
  samplesPerPrompt: 1,
  maxNewTokens: 24,
  temperature: 1,
  topK: 0,
  topP: 1,
};

export interface PpoStageInput {
  /** SFT network: the policy is a trainable copy, the reference a frozen one. */
  init: Gpt;
  /** Reward model (frozen; not modified). The value network starts as a copy of it (InstructGPT §3.5). */
  reward: Gpt;
  prompts: number[][];
  /** ptx examples (SFT or pretraining data), used when ptxCoef > 0. */
  ptx?: TokenSequence[];
  ppo?: Partial<PpoOptions>;
  /** batchSize = rollouts per step. */
  train?: Partial<TrainConfig>;
  pad?: number;
}

export class PpoTrainer extends Trainer {
  readonly kind = "ppo" as const;
  readonly model: Gpt;
  readonly reference: Gpt;
  readonly rewardModel: Gpt;
  readonly opts: PpoOptions;
  private readonly prompts: number[][];
  private readonly ptx: TokenSequence[];
  private readonly pad: number;
  private ptxCursor = 0;
  /** The value network (separate from the policy, initialised from the reward model) and its optimizer. */
  readonly value: Gpt;
  private readonly valueOpt: Adam;

  constructor(input: PpoStageInput) {
    super(trainConfig({ lr: 1e-5, ...input.train }));
    this.opts = { ...PPO_DEFAULTS, ...input.ppo };
    if (input.prompts.length === 0) throw new TrainInputError("ppo: no prompts");
    input.prompts.forEach((p) => checkTokens(p, input.init.config.vocabSize, "ppo prompt"));
    if (this.opts.ptxCoef > 0 && !(input.ptx && input.ptx.length > 0)) throw new TrainInputError("ppo: ptx_coef > 0 needs ptx data");
    this.prompts = input.prompts;
    this.ptx = input.ptx ?? [];
    this.pad = input.pad ?? 0;
    this.model = input.init.clone(["lm"], 0);
    this.reference = input.init.clone(["lm"], 0, false);
    this.rewardModel = input.reward;
    this.value = valueNetworkFrom(input.reward);
    this.initOptimizer(this.prompts.length);
    this.valueOpt = new Adam(this.value.params, this.cfg);
  }

  /** ptx batches are drawn in a fixed cyclic order from a seeded permutation (part of the state via the step count). */
  private ptxBatch(): LmBatch {
    const n = this.ptx.length;
    const perm = new Rng(Rng.derive(this.cfg.seed, 0x9e7)).shuffle(n);
    const start = (this.stepCount * this.opts.ppoEpochs + this.ptxCursor++) * this.cfg.batchSize;
    const rows = Array.from({ length: this.cfg.batchSize }, (_, i) => this.ptx[perm[(start + i) % n]!]!);
    return packLm(rows, this.model.config.context, this.pad);
  }

  step(): StepMetrics {
    const t0 = performance.now();
    const lr = this.lr();
    const o = this.opts;
    const k = Math.max(1, Math.floor(o.samplesPerPrompt));
    if (this.cfg.batchSize % k !== 0) throw new TrainInputError(`ppo: batch_size ${this.cfg.batchSize} is not a multiple of samples_per_prompt ${k}`);
    const prompts = this.order.next(this.cfg.batchSize / k).flatMap((i) => Array<number[]>(k).fill(this.prompts[i]!));
    // 1. Rollouts from the current policy.
    const responses = generate(this.model, prompts, {
      maxNewTokens: o.maxNewTokens,
      temperature: o.temperature,
      topK: o.topK,
      topP: o.topP,
      eos: o.eos,
      rng: this.rng,
      pad: this.pad,
    });
    const kept = responses.map((r, i) => ({ prompt: prompts[i]!, response: r, group: Math.floor(i / k) })).filter((x) => x.response.length > 0);
    if (kept.length === 0) throw new TrainInputError("ppo: every prompt fills the context; no room to generate");
    const seqs = kept.map((x) => responseSequence(x.prompt, x.response));
    const b = packLm(seqs, this.model.config.context, this.pad);
    // 2. Scores, old log-probs and values, reference log-probs (no gradient).
    const { scores, logpOld, logpRef, values } = tf.tidy(() => {
      const lpOld = batchLogProbs(this.model, b, undefined, o.temperature).logp;
      const vals = this.value.tokenValues(this.value.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32")).h);
      const lpRef = batchLogProbs(this.reference, b, undefined, o.temperature).logp;
      const sc = packScore(
        kept.map((x) => [...x.prompt, ...x.response]),
        this.rewardModel.config.context,
        this.pad,
      );
      const rh = this.rewardModel.hidden(tf.tensor2d(sc.inputs, [sc.B, sc.T], "int32")).h;
      return { scores: this.rewardModel.rewards(rh, sc.T, sc.last), logpOld: lpOld, logpRef: lpRef, values: vals };
    });
    const S = scores.dataSync();
    const LO = logpOld.dataSync();
    const LR = logpRef.dataSync();
    const VA = values.dataSync();
    tf.dispose([scores, logpOld, logpRef, values]);
    const terminal = k > 1 ? leaveOneOut(S, kept.map((x) => x.group)) : S;
    // 3. Per-token rewards (KL penalty + score at the end) and GAE, per response.
    const adv = new Float64Array(b.B * b.T);
    const ret = new Float32Array(b.B * b.T);
    const positions: number[][] = [];
    let klSum = 0;
    let klK3 = 0;
    for (let r = 0; r < b.B; r++) {
      const pos: number[] = [];
      for (let t = 0; t < b.T; t++) if (b.mask[r * b.T + t]) pos.push(r * b.T + t);
      positions.push(pos);
      const lo = pos.map((i) => LO[i]!);
      const lr_ = pos.map((i) => LR[i]!);
      const est = klEstimates(lo, lr_);
      klSum += est.k1.reduce((a, x) => a + x, 0);
      klK3 += est.k3.reduce((a, x) => a + x, 0);
      const rewards = klPenalisedRewards(terminal[r]!, lo, lr_, o.klCoef);
      const g = gae(
        rewards,
        pos.map((i) => VA[i]!),
        o.discount,
        o.gaeLambda,
      );
      pos.forEach((i, j) => {
        adv[i] = g.advantages[j]!;
        ret[i] = g.returns[j]!;
      });
    }
    const flat = positions.flat();
    const white = whiten(Float64Array.from(flat.map((i) => adv[i]!)));
    const advW = new Float32Array(b.B * b.T);
    flat.forEach((i, j) => (advW[i] = white[j]!));
    const oldArr = Float32Array.from(LO);
    // 4. PPO epochs over the rollout batch (+ ptx).
    let last = { loss: 0, gradNorm: 0, aux: {} as Record<string, number>, tokens: 0 };
    let tokens = b.tokens * 3 + 0; // rollout scoring: policy, reference and RM forwards
    this.ptxCursor = 0;
    for (let e = 0; e < o.ppoEpochs; e++) {
      const ptxB = o.ptxCoef > 0 ? this.ptxBatch() : undefined;
      last = this.update([
        {
          tokens: b.tokens + (ptxB?.tokens ?? 0),
          loss: () => {
            const { logp, logits } = batchLogProbs(this.model, b, undefined, o.temperature);
            const mask = tf.tensor1d(b.mask);
            const pg = ppoPolicyLoss(logp, tf.tensor1d(oldArr), tf.tensor1d(advW), mask, o.clip);
            const ent = maskedMean(entropyFromLogits(logits), mask);
            let loss = tf.add(pg.loss, tf.mul(-o.entCoef, ent)) as tf.Scalar;
            const aux: Record<string, tf.Scalar> = { policy_loss: pg.loss, clip_fraction: pg.clipFraction, entropy: ent };
            if (ptxB) {
              const lm = lmLossOf(this.model, ptxB);
              loss = tf.add(loss, ptxLoss(o.ptxCoef, lm)) as tf.Scalar;
              aux.ptx_loss = lm;
            }
            return { loss, aux };
          },
        },
      ]);
      last.aux.value_loss = this.valueUpdate(b, ret);
      tokens += last.tokens + b.tokens;
    }
    this.stepCount++;
    const n = b.B;
    return this.metrics({ ...last, tokens }, t0, lr, {
      reward: Array.from(S).reduce((a, x) => a + x, 0) / n,
      kl: klSum / n,
      kl_k3: klK3 / n,
      response_length: flat.length / n,
      ...last.aux,
    });
  }

  /**
   * One update of the value network on the rollout batch: vf_coef × ½(V − returns)² over response
   * tokens, with its own AdamW at the policy's learning rate. Returns the unweighted value loss.
   */
  private valueUpdate(b: LmBatch, ret: Float32Array): number {
    const r = this.update(
      [
        {
          tokens: b.tokens,
          loss: () => {
            const v = this.value.tokenValues(this.value.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32")).h);
            const vl = valueLoss(v, tf.tensor1d(ret), tf.tensor1d(b.mask));
            return { loss: tf.mul(this.opts.vfCoef, vl) as tf.Scalar, aux: { value_loss: vl } };
          },
        },
      ],
      this.value,
      this.valueOpt,
    );
    return r.aux.value_loss!;
  }

  override state(): TrainerState {
    const s = super.state();
    for (const [n, v] of this.value.params) s.tensors.set(`value.${n}`, { shape: v.shape, data: v.dataSync() as Float32Array });
    for (const which of ["m", "v"] as const) for (const [n, t] of this.valueOpt.moments(which)) s.tensors.set(`value_opt.${which}.${n}`, t);
    s.tensors.set("value_opt.t", { shape: [1], data: Float32Array.of(this.valueOpt.t) });
    return s;
  }

  override restore(s: TrainerState): void {
    super.restore(s);
    const get = (k: string) => {
      const t = s.tensors.get(k);
      if (!t) throw new Error(`state has no tensor ${k}`);
      return t.data;
    };
    this.value.load(new Map([...this.value.params.keys()].map((n) => [n, get(`value.${n}`)])));
    for (const which of ["m", "v"] as const) this.valueOpt.loadMoments(which, (n) => get(`value_opt.${which}.${n}`));
    this.valueOpt.t = get("value_opt.t")[0]!;
  }

  override dispose(): void {
    super.dispose();
    this.reference.dispose();
    this.valueOpt.dispose();
    this.value.dispose();
  }
}

/** Each score minus the mean of its group's other scores (a group of one keeps its score). */
export function leaveOneOut(scores: ArrayLike<number>, groups: readonly number[]): Float64Array {
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  groups.forEach((g, i) => {
    sum.set(g, (sum.get(g) ?? 0) + scores[i]!);
    count.set(g, (count.get(g) ?? 0) + 1);
  });
  return Float64Array.from(groups, (g, i) => {
    const n = count.get(g)!;
    return n > 1 ? scores[i]! - (sum.get(g)! - scores[i]!) / (n - 1) : scores[i]!;
  });
}

/** A value network: the reward model's trunk, its scalar head copied into the per-token value head. */
function valueNetworkFrom(rm: Gpt): Gpt {
  const v = rm.clone(["value"], 0);
  const vals = rm.values();
  v.load(new Map([["value.weight", vals.get("score.weight")!], ["value.bias", vals.get("score.bias")!]]));
  return v;
}

// ---------------------------------------------------------------- factory

export type StageInput = {
  pretrain: LmStageInput;
  sft: LmStageInput;
  reward_model: RewardStageInput;
  ppo: PpoStageInput;
  dpo: DpoStageInput;
};

export function createTrainer<K extends StageKind>(kind: K, input: StageInput[K]): Trainer {
  switch (kind) {
    case "pretrain":
    case "sft":
      return new LmTrainer(kind, input as LmStageInput);
    case "reward_model":
      return new RewardModelTrainer(input as RewardStageInput);
    case "ppo":
      return new PpoTrainer(input as PpoStageInput);
    case "dpo":
      return new DpoTrainer(input as DpoStageInput);
    default:
      throw new TrainInputError(`unknown stage kind ${String(kind)}`);
  }
}
