// DPO's loss on a share of preference pairs (Rafailov et al. 2023), apart from the trainer so that
// the data-parallel machinery (src/train/parallel/shard.ts), which the trainer loads, can load it.
import { tf } from "../backend.js";
import { packLm, type LmBatch } from "../batch.js";
import { dpoLoss, logSigmoid } from "../losses.js";
import type { Gpt } from "../model.js";
import { batchLogProbs, responseSequence } from "./common.js";

export interface PreferencePair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
}

/** Sum of response-token log-probabilities per row [B] (inside a tidy). */
function sequenceLogProb(model: Gpt, b: LmBatch, dropoutSeed?: number): tf.Tensor1D {
  const { logp } = batchLogProbs(model, b, dropoutSeed);
  return tf.sum(tf.reshape(tf.mul(logp, tf.tensor1d(b.mask)), [b.B, b.T]), 1) as tf.Tensor1D; // [B·T] -> [B, T] -> [B]
}

/** Chosen rows first, then rejected: one packed batch, one forward for both. */
export function packPairs(ps: PreferencePair[], context: number, pad: number): LmBatch {
  return packLm([...ps.map((p) => responseSequence(p.prompt, p.chosen)), ...ps.map((p) => responseSequence(p.prompt, p.rejected))], context, pad);
}

/**
 * DPO's implicit reward margins β·[(log π − log π_ref)(chosen) − (log π − log π_ref)(rejected)] of
 * pairs, scored without dropout in batches of `batch` pairs: > 0 is the pair ordered as labelled. Before
 * training the policy is the reference and every margin is exactly 0 (a tie: chance).
 */
export function dpoMargins(policy: Gpt, reference: Gpt, ps: PreferencePair[], beta: number, pad: number, batch = 16): number[] {
  const out: number[] = [];
  for (let i = 0; i < ps.length; i += batch) {
    const part = ps.slice(i, i + batch);
    const b = packPairs(part, policy.config.context, pad);
    const n = part.length;
    const m = tf.tidy(() => {
      const lp = sequenceLogProb(policy, b);
      const ref = sequenceLogProb(reference, b);
      return dpoLoss(tf.slice(lp, [0], [n]) as tf.Tensor1D, tf.slice(lp, [n], [n]) as tf.Tensor1D, tf.slice(ref, [0], [n]) as tf.Tensor1D, tf.slice(ref, [n], [n]) as tf.Tensor1D, beta).margins;
    });
    out.push(...m.dataSync());
    m.dispose();
  }
  return out;
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
      // a tied pair counts ½, as everywhere in alignc (src/common/pair-credit.ts)
      aux: { accuracy: tf.div(tf.sum(tf.add(tf.cast(tf.greater(margins, 0), "float32"), tf.mul(0.5, tf.cast(tf.equal(margins, 0), "float32")))), count) as tf.Scalar, margin: tf.div(tf.sum(margins), count) as tf.Scalar },
    };
  };
}

