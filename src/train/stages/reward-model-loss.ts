// The reward model's loss on a share of comparison groups (InstructGPT §3.5: all K responses of a
// prompt in one forward, a pairwise log-sigmoid loss per ranked pair), apart from the trainer so
// that the data-parallel machinery (src/train/parallel/shard.ts), which the trainer loads, can load it.
import { tf } from "../backend.js";
import { packScore, type TokenComparisonGroup } from "../batch.js";
import { rewardModelLoss } from "../losses.js";
import type { Gpt } from "../model.js";

/** Each group's pair loss and accuracy (its share of pairs ordered right, a tied pair ½, as in held-out
 * accuracy: common/pair-credit.ts), from one forward over all the groups' K responses (inside a tidy). */
function rmGroups(rm: Gpt, groups: TokenComparisonGroup[], pad: number, dropoutSeed?: number): { losses: tf.Scalar[]; credits: tf.Scalar[]; tokens: number } {
  const seqs = groups.flatMap((g) => g.responses.map((r) => [...g.prompt, ...r]));
  const b = packScore(seqs, rm.config.context, pad);
  const { h } = rm.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32"), { dropoutSeed });
  const scores = rm.rewards(h, b.T, b.last); // [ΣK]
  let offset = 0;
  const losses: tf.Scalar[] = [];
  const credits: tf.Scalar[] = [];
  for (const g of groups) {
    const K = g.responses.length;
    const r = rewardModelLoss(tf.slice(scores, [offset], [K]) as tf.Tensor1D, g.pairs);
    losses.push(r.loss);
    credits.push(tf.mean(tf.add(tf.cast(tf.greater(r.margins, 0), "float32"), tf.mul(0.5, tf.cast(tf.equal(r.margins, 0), "float32")))) as tf.Scalar);
    offset += K;
  }
  return { losses, credits, tokens: b.tokens };
}

/**
 * A data-parallel share of a reward-model batch (src/train/parallel): its groups' part of the batch
 * loss and accuracy, over the whole batch's group count, so the shares add up to the batch's.
 */
export function rmShardLoss(rm: Gpt, groups: TokenComparisonGroup[], pad: number, totals: { groups: number }, dropoutSeed?: number): { loss: tf.Scalar; aux: Record<string, tf.Scalar> } {
  const { losses, credits } = rmGroups(rm, groups, pad, dropoutSeed);
  return {
    loss: tf.div(tf.sum(tf.stack(losses)), totals.groups) as tf.Scalar,
    // each group weighed as in the loss (and held-out accuracy, groupWeightedAccuracy): a constant scorer is at chance
    aux: { accuracy: tf.div(tf.sum(tf.stack(credits)), totals.groups) as tf.Scalar },
  };
}

