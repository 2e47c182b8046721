// DPO: a trainable copy of SFT against a frozen one, on preference pairs (Rafailov et al. 2023).
import { tf } from "../backend.js";
import { checkTokens, packLm, type LmBatch, type TokenComparisonGroup } from "../batch.js";
import { trainConfig, type TrainConfig } from "../config.js";
import { TrainInputError } from "../errors.js";
import { dpoLoss, logSigmoid } from "../losses.js";
import type { Gpt } from "../model.js";
import { Trainer, type StepMetrics } from "../trainer.js";
import { batchLogProbs, responseSequence } from "./common.js";

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
  /** DPO β (the recipe's `beta`): strength of the implicit KL constraint. */
  beta: number;
  train: TrainConfig;
  /** The tokenizer's padding token. */
  pad: number;
}

export function pairsOfGroups(groups: TokenComparisonGroup[]): PreferencePair[] {
  return groups.flatMap((g) => g.pairs.map(([w, l]) => ({ prompt: g.prompt, chosen: g.responses[w]!, rejected: g.responses[l]! })));
}

/** Sum of response-token log-probabilities per row [B] (inside a tidy). */
function sequenceLogProb(model: Gpt, b: LmBatch, dropoutSeed?: number): tf.Tensor1D {
  const { logp } = batchLogProbs(model, b, dropoutSeed);
  return tf.sum(tf.reshape(tf.mul(logp, tf.tensor1d(b.mask)), [b.B, b.T]), 1) as tf.Tensor1D; // [B·T] -> [B, T] -> [B]
}

/** Chosen rows first, then rejected: one packed batch, one forward for both. */
function packPairs(ps: PreferencePair[], context: number, pad: number): LmBatch {
  return packLm([...ps.map((p) => responseSequence(p.prompt, p.chosen)), ...ps.map((p) => responseSequence(p.prompt, p.rejected))], context, pad);
}

/**
 * A data-parallel share of a DPO batch (src/train/parallel): the reference's log-probabilities of
 * its pairs now (outside any gradient tape), then a loss closure giving its pairs' part of the batch
 * loss, accuracy and margin over the whole batch's pair count, so the shares add up to the batch's.
 */
export function dpoShardLoss(policy: Gpt, reference: Gpt, ps: PreferencePair[], beta: number, pad: number, count: number, dropoutSeed?: number): () => { loss: tf.Scalar; aux: Record<string, tf.Scalar> } {
  const b = packPairs(ps, policy.config.context, pad);
  const n = ps.length;
  const refArr = tf.tidy(() => sequenceLogProb(reference, b).dataSync());
  return () => {
    const lp = sequenceLogProb(policy, b, dropoutSeed);
    const margins = dpoLoss(tf.slice(lp, [0], [n]) as tf.Tensor1D, tf.slice(lp, [n], [n]) as tf.Tensor1D, tf.tensor1d(refArr.slice(0, n)), tf.tensor1d(refArr.slice(n)), beta).margins;
    return {
      loss: tf.div(tf.neg(tf.sum(logSigmoid(margins))), count) as tf.Scalar,
      aux: { accuracy: tf.div(tf.sum(tf.cast(tf.greater(margins, 0), "float32")), count) as tf.Scalar, margin: tf.div(tf.sum(margins), count) as tf.Scalar },
    };
  };
}

export class DpoTrainer extends Trainer {
  readonly kind = "dpo" as const;
  readonly model: Gpt;
  readonly reference: Gpt;
  private readonly pairs: PreferencePair[];
  private readonly beta: number;
  private readonly pad: number;

  constructor(input: DpoStageInput) {
    super(trainConfig(input.train));
    this.pairs = [...(input.pairs ?? []), ...pairsOfGroups(input.groups ?? [])];
    if (this.pairs.length === 0) throw new TrainInputError("dpo: no preference pairs");
    for (const p of this.pairs) for (const s of [p.prompt, p.chosen, p.rejected]) checkTokens(s, input.init.config.vocabSize, "dpo");
    this.beta = input.beta;
    this.pad = input.pad;
    this.model = input.init.clone(["lm"]);
    this.reference = input.init.clone(["lm"], 0, false);
    this.initOptimizer(this.pairs.length);
  }

  step(): StepMetrics {
    return this.accumulatedStep(
      (_, seed) => {
        const ps = this.order.next(this.cfg.batchSize).map((i) => this.pairs[i]!);
        const b = packPairs(ps, this.model.config.context, this.pad);
        const shard = { kind: "dpo" as const, pairs: ps, beta: this.beta, pad: this.pad, dropoutSeed: seed };
        // data-parallel: each replica scores its own pairs under the reference (src/train/parallel)
        if (this.parallel) return { tokens: b.tokens, shard, loss: () => { throw new Error("dpo: a parallel micro-batch is computed by its pool"); } };
        const n = ps.length;
        const ref = tf.tidy(() => sequenceLogProb(this.reference, b));
        const refArr = ref.dataSync();
        ref.dispose();
        return {
          tokens: b.tokens,
          shard,
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

