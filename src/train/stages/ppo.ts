// PPO-ptx (InstructGPT §3.5): a trainable copy of SFT samples responses to prompts, a reward model
// (or a reward function such as the demo rule) scores them, a per-token KL penalty against a frozen
// copy of SFT keeps it close, and the clipped policy-gradient loss (+ γ·ptx log-likelihood) updates
// it. One step is four named phases: rollout → score → estimateAdvantages → updatePolicy.
import { tf } from "../backend.js";
import { checkTokens, packLm, packScore, type LmBatch, type TokenSequence } from "../batch.js";
import { trainConfig, type TrainConfig } from "../config.js";
import { TrainInputError } from "../errors.js";
import type { Gpt } from "../model.js";
import { Adam } from "../optim.js";
import { Rng } from "../../common/rng.js";
import { FULL_DISTRIBUTION } from "../sample.js";
import type { GradientPool } from "../parallel/pool.js";
import { Trainer, type StepMetrics, type TrainerState } from "../trainer.js";
import { leaveOneOut, rolloutAdvantages, type AdvantageMode, type AdvantageScale } from "./advantages.js";
import { responseSequence } from "./common.js";
import { rolloutShares, sampleShares } from "./ppo-rollout.js";
import { rolloutLogProbs } from "./ppo-score.js";

export interface PpoOptions {
  /** β of the per-token KL penalty against the SFT reference (InstructGPT 0.02; ≥ 0.1 resists hacking a tiny RM). */
  klCoef: number;
  /** γ of the ptx log-likelihood term (InstructGPT 27.8); 0 = plain PPO. */
  ptxCoef: number;
  /** Ratio clip ε. */
  clip: number;
  /** Value-loss weight (gae only). */
  vfCoef: number;
  /** GAE λ and discount. */
  gaeLambda: number;
  discount: number;
  /** Optimisation passes over each rollout batch. */
  ppoEpochs: number;
  /**
   * Responses sampled per prompt (OpenRLHF n_samples_per_prompt). Above 1, each response's score
   * is taken relative to the mean score of the prompt's other responses (RLOO's leave-one-out
   * baseline, Ahmadian et al. 2024) before the KL penalty: it removes how easy the prompt is from
   * the reward, which the value network would otherwise have to learn first.
   */
  samplesPerPrompt: number;
  /** gae: value network + GAE; rloo: no value network (needs samplesPerPrompt > 1). See advantages.ts. */
  advantages: AdvantageMode;
  advantageScale: AdvantageScale;
  maxNewTokens: number;
  temperature: number;
  topK: number;
  /** End-of-sequence token (the tokenizer's): rollouts stop there; undefined: they run to maxNewTokens. */
  eos: number | undefined;
}

const PPO_NUMBERS = ["klCoef", "ptxCoef", "clip", "vfCoef", "gaeLambda", "discount", "ppoEpochs", "samplesPerPrompt", "maxNewTokens", "temperature", "topK"] as const satisfies readonly (keyof PpoOptions)[];

/** A copy of complete PPO options; a missing or non-finite field is refused, never completed. */
function checkedPpoOptions(o: PpoOptions): PpoOptions {
  const bad = PPO_NUMBERS.filter((k) => typeof o[k] !== "number" || !Number.isFinite(o[k]));
  if (bad.length) throw new TrainInputError(`ppo options: ${bad.join(", ")} must be numbers (the engine has no defaults; src/plan/engine-configs.ts ppoConfigOf builds them)`);
  if (o.advantages !== "gae" && o.advantages !== "rloo") throw new TrainInputError(`ppo options: advantages must be "gae" or "rloo", got ${String(o.advantages)}`);
  if (o.advantageScale !== "whiten" && o.advantageScale !== "rms") throw new TrainInputError(`ppo options: advantageScale must be "whiten" or "rms", got ${String(o.advantageScale)}`);
  return { ...o };
}

/** Scores of sampled responses (token ids, up to and including EOS) to prompts given by index into the stage's prompts. */
export type RewardFunction = (promptIndices: readonly number[], responses: readonly number[][]) => number[];

export interface PpoStageInput {
  /** SFT network: the policy is a trainable copy, the reference a frozen one. */
  init: Gpt;
  /**
   * A reward model (frozen; not modified; with gae the value network starts as a copy of it,
   * InstructGPT §3.5), or a reward function (with gae the value network then starts from SFT's trunk).
   */
  reward: Gpt | RewardFunction;
  prompts: number[][];
  /** Optional extra score of each rollout, logged as `rule_score` (not optimised): how a judge other than the reward sees the samples. */
  monitor?: RewardFunction;
  /** ptx examples (SFT or pretraining data), used when ptxCoef > 0. */
  ptx?: TokenSequence[];
  ppo: PpoOptions;
  /** batchSize = rollouts per step. */
  train: TrainConfig;
  /** The tokenizer's padding token. */
  pad: number;
  /** The sequences a reward model scores for a prompt's responses (its rollout group): cut together as
   * its stage cut its training groups (src/run/nodes/reward-reader.ts); left out, each prompt and
   * response joined (packScore keeps the last context tokens). */
  rewardSequences?: (prompt: readonly number[], responses: readonly (readonly number[])[]) => number[][];
}

interface Rollout {
  /** per kept response: its prompt (tokens and index), response tokens and prompt group in the batch */
  kept: { prompt: number[]; promptIndex: number; response: number[]; group: number }[];
  /** (prompt ++ response) sequences, loss mask on the response */
  batch: LmBatch;
}

interface Scored {
  scores: Float64Array;
  /** flat [B·T] log-probs under the sampling policy and the reference, values (gae only) */
  logpOld: Float32Array;
  logpRef: Float32Array;
  values: Float32Array | null;
  monitor: number[] | null;
}

interface RolloutAdvantages {
  /** flat [B·T]: scaled advantages and value targets at response tokens, 0 elsewhere */
  advantages: Float32Array;
  returns: Float32Array | null;
  kl: number;
  klK3: number;
  responseTokens: number;
}

export class PpoTrainer extends Trainer {
  readonly kind = "ppo" as const;
  readonly model: Gpt;
  readonly reference: Gpt;
  /** The reward model, or null when the reward is a function. */
  readonly rewardModel: Gpt | null;
  readonly opts: PpoOptions;
  private readonly rewardFn: RewardFunction | null;
  private readonly monitor: RewardFunction | null;
  private readonly prompts: number[][];
  private readonly ptx: TokenSequence[];
  private readonly pad: number;
  private readonly rewardSequences: (prompt: readonly number[], responses: readonly (readonly number[])[]) => number[][];
  private ptxCursor = 0;
  /** The value network (separate from the policy) and its optimizer; null with rloo advantages. */
  readonly value: Gpt | null;
  private readonly valueOpt: Adam | null;
  /** Data parallelism for the value network's updates (src/train/parallel); null: this thread alone. */
  valueParallel: GradientPool | null = null;

  constructor(input: PpoStageInput) {
    super(trainConfig(input.train));
    this.opts = checkedPpoOptions(input.ppo);
    if (input.prompts.length === 0) throw new TrainInputError("ppo: no prompts");
    input.prompts.forEach((p) => checkTokens(p, input.init.config.vocabSize, "ppo prompt"));
    if (this.opts.ptxCoef > 0 && !(input.ptx && input.ptx.length > 0)) throw new TrainInputError("ppo: ptx_coef > 0 needs ptx data");
    if (this.opts.advantages === "rloo" && this.opts.samplesPerPrompt < 2)
      throw new TrainInputError(`ppo: advantages = "rloo" needs samples_per_prompt ≥ 2 (the leave-one-out baseline is the prompt's other samples), got ${this.opts.samplesPerPrompt}`);
    this.prompts = input.prompts;
    this.ptx = input.ptx ?? [];
    this.pad = input.pad;
    this.rewardSequences = input.rewardSequences ?? ((p, rs) => rs.map((r) => [...p, ...r]));
    this.model = input.init.clone(["lm"], 0);
    this.reference = input.init.clone(["lm"], 0, false);
    this.rewardModel = typeof input.reward === "function" ? null : input.reward;
    this.rewardFn = typeof input.reward === "function" ? input.reward : null;
    this.monitor = input.monitor ?? null;
    if (this.opts.advantages === "gae") {
      this.value = this.rewardModel ? valueNetworkFrom(this.rewardModel) : input.init.clone(["value"], Rng.derive(this.cfg.seed, 0x7a1));
      this.valueOpt = new Adam(this.value.params, this.cfg);
    } else {
      this.value = null;
      this.valueOpt = null;
    }
    this.initOptimizer(this.prompts.length);
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
    const lr = this.scheduledLr();
    const roll = this.rollout();
    const scored = this.score(roll);
    const adv = this.estimateAdvantages(roll, scored);
    const upd = this.updatePolicy(roll.batch, scored.logpOld, adv);
    this.stepCount++;
    const n = roll.batch.B;
    const extra: Record<string, number> = {
      reward: scored.scores.reduce((a, x) => a + x, 0) / n,
      kl: adv.kl / n,
      kl_k3: adv.klK3 / n,
      response_length: adv.responseTokens / n,
      ...upd.aux,
    };
    if (scored.monitor) extra.rule_score = scored.monitor.reduce((a, x) => a + x, 0) / n;
    // rollout scoring: policy, reference and reward-model forwards (+ the value network's)
    const tokens = roll.batch.tokens * (this.value ? 4 : this.rewardModel ? 3 : 2) + upd.tokens;
    return this.metrics({ ...upd.last, tokens }, t0, lr, extra);
  }

  /**
   * 1. Rollouts: samples_per_prompt responses to each of batch_size / samples_per_prompt prompts,
   * from the current policy, sampled in the recipe's fixed shares (ppo-rollout.ts).
   */
  private rollout(): Rollout {
    const o = this.opts;
    const k = Math.max(1, Math.floor(o.samplesPerPrompt));
    if (this.cfg.batchSize % k !== 0) throw new TrainInputError(`ppo: batch_size ${this.cfg.batchSize} is not a multiple of samples_per_prompt ${k}`);
    const groups = this.order.next(this.cfg.batchSize / k);
    const indices = groups.flatMap((i) => Array<number>(k).fill(i));
    const prompts = indices.map((i) => this.prompts[i]!);
    const parts = rolloutShares(this.prompts, groups, k, this.cfg.parallelShares, this.cfg.seed, this.stepCount);
    const responses = sampleShares(this.model, this.parallel, parts, {
      maxNewTokens: o.maxNewTokens,
      temperature: o.temperature,
      topK: o.topK,
      // no nucleus cut (not a PPO parameter). The loss scores samples under the whole tempered softmax: a
      // top_k cut shapes the sampling only (README: PPO), as in TRL and OpenRLHF
      topP: FULL_DISTRIBUTION.topP,
      eos: o.eos,
      pad: this.pad,
    });
    const kept = responses
      .map((r, i) => ({ prompt: prompts[i]!, promptIndex: indices[i]!, response: r, group: Math.floor(i / k) }))
      .filter((x) => x.response.length > 0);
    if (kept.length === 0) throw new TrainInputError("ppo: every prompt fills the context; no room to generate");
    const batch = packLm(
      kept.map((x) => responseSequence(x.prompt, x.response)),
      this.model.config.context,
      this.pad,
    );
    return { kept, batch };
  }

  /** Each kept rollout's reward-model sequence, the samples of one prompt read as one group. */
  private rewardInputs(roll: Rollout): number[][] {
    const byGroup = new Map<number, number[]>();
    roll.kept.forEach((x, i) => {
      const at = byGroup.get(x.group);
      if (at) at.push(i);
      else byGroup.set(x.group, [i]);
    });
    const out: number[][] = new Array(roll.kept.length);
    for (const idx of byGroup.values()) {
      const seqs = this.rewardSequences(roll.kept[idx[0]!]!.prompt, idx.map((i) => roll.kept[i]!.response));
      idx.forEach((i, j) => (out[i] = seqs[j]!));
    }
    return out;
  }

  /**
   * 2. Scores (reward model or function), log-probs under the policy and the reference (in the
   * recipe's fixed row shares, across the pool when there is one: ppo-score.ts), values (gae); no gradient.
   */
  private score(roll: Rollout): Scored {
    const o = this.opts;
    const b = roll.batch;
    const lp = rolloutLogProbs(this.model, this.reference, this.parallel, b, this.cfg.parallelShares, o.temperature);
    const t = tf.tidy(() => {
      const out: Record<string, tf.Tensor1D> = {};
      if (this.value) out.vals = this.value.tokenValues(this.value.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32")).h);
      if (this.rewardModel) {
        const sc = packScore(
          this.rewardInputs(roll),
          this.rewardModel.config.context,
          this.pad,
        );
        out.rm = this.rewardModel.rewards(this.rewardModel.hidden(tf.tensor2d(sc.inputs, [sc.B, sc.T], "int32")).h, sc.T, sc.last);
      }
      return out;
    });
    // the reward function, the finite check and the monitor may throw: the scores and values are freed all the same (leakL41)
    try {
      const idx = roll.kept.map((x) => x.promptIndex);
      const resp = roll.kept.map((x) => x.response);
      const scores = t.rm ? Float64Array.from(t.rm.dataSync()) : Float64Array.from(this.rewardFn!(idx, resp));
      if (scores.length !== roll.kept.length || scores.some((s) => !Number.isFinite(s))) throw new TrainInputError(`ppo: the reward gave ${scores.length} scores (finite: ${scores.every(Number.isFinite)}) for ${roll.kept.length} responses`);
      return {
        scores,
        logpOld: lp.old,
        logpRef: lp.ref,
        values: t.vals ? Float32Array.from(t.vals.dataSync()) : null,
        monitor: this.monitor ? this.monitor(idx, resp) : null,
      };
    } finally {
      tf.dispose(Object.values(t));
    }
  }

  /** 3. Advantages: leave-one-out scores (k > 1), KL-penalised per-token rewards, GAE or reward-to-go, batch scaling. */
  private estimateAdvantages(roll: Rollout, s: Scored): RolloutAdvantages {
    const o = this.opts;
    const b = roll.batch;
    const terminal = o.samplesPerPrompt > 1 ? leaveOneOut(s.scores, roll.kept.map((x) => x.group)) : s.scores;
    const positions: number[][] = [];
    for (let r = 0; r < b.B; r++) {
      const pos: number[] = [];
      for (let t = 0; t < b.T; t++) if (b.mask[r * b.T + t]) pos.push(r * b.T + t);
      positions.push(pos);
    }
    const a = rolloutAdvantages(
      positions.map((pos, r) => ({
        score: terminal[r]!,
        logp: pos.map((i) => s.logpOld[i]!),
        logpRef: pos.map((i) => s.logpRef[i]!),
        values: s.values ? pos.map((i) => s.values![i]!) : undefined,
      })),
      { mode: o.advantages, scale: o.advantageScale, klCoef: o.klCoef, discount: o.discount, gaeLambda: o.gaeLambda },
    );
    const advantages = new Float32Array(b.B * b.T);
    const returns = a.returns ? new Float32Array(b.B * b.T) : null;
    positions.forEach((pos, r) =>
      pos.forEach((i, j) => {
        advantages[i] = a.advantages[r]![j]!;
        if (returns) returns[i] = a.returns![r]![j]!;
      }),
    );
    return { advantages, returns, kl: a.klSum, klK3: a.klK3Sum, responseTokens: positions.reduce((n, p) => n + p.length, 0) };
  }

  /** 4. Update: ppo_epochs passes of the clipped policy loss (+ ptx) over the rollout batch, and of the value loss (gae). */
  private updatePolicy(b: LmBatch, old: Float32Array, adv: RolloutAdvantages): { last: { loss: number; gradNorm: number }; aux: Record<string, number>; tokens: number } {
    const o = this.opts;
    let last = { loss: 0, gradNorm: 0, aux: {} as Record<string, number>, tokens: 0 };
    let tokens = 0;
    this.ptxCursor = 0;
    for (let e = 0; e < o.ppoEpochs; e++) {
      const ptxB = o.ptxCoef > 0 ? this.ptxBatch() : undefined;
      // the loss in the recipe's fixed row shares (ppo-shard.ts), on this thread or across the pool
      const shard = { kind: "ppo" as const, batch: b, old, advantages: adv.advantages, temperature: o.temperature, clip: o.clip, ...(ptxB ? { ptx: { batch: ptxB, coef: o.ptxCoef } } : {}) };
      last = this.update([{ tokens: b.tokens + (ptxB?.tokens ?? 0), shard }]);
      tokens += last.tokens;
      if (this.value && adv.returns) {
        last.aux.value_loss = this.valueUpdate(this.value, this.valueOpt!, b, adv.returns);
        tokens += b.tokens;
      }
    }
    return { last, aux: last.aux, tokens };
  }

  /**
   * One update of the value network on the rollout batch: vf_coef × ½(V − returns)² over response
   * tokens, with its own AdamW at the policy's learning rate. Returns the unweighted value loss.
   */
  private valueUpdate(value: Gpt, opt: Adam, b: LmBatch, ret: Float32Array): number {
    const r = this.update([{ tokens: b.tokens, shard: { kind: "value", batch: b, returns: ret, vfCoef: this.opts.vfCoef } }], value, opt);
    return r.aux.value_loss!;
  }

  override state(): TrainerState {
    const s = super.state();
    if (this.value && this.valueOpt) {
      for (const [n, v] of this.value.params) s.tensors.set(`value.${n}`, { shape: v.shape, data: v.dataSync() as Float32Array });
      for (const which of ["m", "v"] as const) for (const [n, t] of this.valueOpt.moments(which)) s.tensors.set(`value_opt.${which}.${n}`, t);
      s.tensors.set("value_opt.t", { shape: [1], data: Float32Array.of(this.valueOpt.t) });
    }
    return s;
  }

  override restore(s: TrainerState): void {
    super.restore(s);
    if (!this.value || !this.valueOpt) return;
    const get = (k: string) => {
      const t = s.tensors.get(k);
      if (!t) throw new Error(`state has no tensor ${k}`);
      return t.data;
    };
    const opt = this.valueOpt;
    this.value.load(new Map([...this.value.params.keys()].map((n) => [n, get(`value.${n}`)])));
    for (const which of ["m", "v"] as const) opt.loadMoments(which, (n) => get(`value_opt.${which}.${n}`));
    opt.t = get("value_opt.t")[0]!;
  }

  protected override poolFor(net: Gpt): GradientPool | null {
    return net === this.value ? this.valueParallel : super.poolFor(net);
  }

  override dispose(): void {
    this.valueParallel?.close();
    this.valueParallel = null;
    super.dispose();
    this.reference.dispose();
    this.valueOpt?.dispose();
    this.value?.dispose();
  }
}

/** A value network: the reward model's trunk, its scalar head copied into the per-token value head. */
function valueNetworkFrom(rm: Gpt): Gpt {
  const v = rm.clone(["value"], 0);
  const vals = rm.values();
  v.load(new Map([["value.weight", vals.get("score.weight")!], ["value.bias", vals.get("score.bias")!]]));
  return v;
}
