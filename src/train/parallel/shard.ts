// Splitting a packed LM batch by rows across data-parallel replicas, and the loss of one share.
// The LM loss of a batch is −Σ(log p · mask) / max(Σ mask, 1). Each replica computes its rows' part
// of the numerator over the *whole batch's* count, so the shares' losses and gradients add up to
// the batch's: the same loss, the same gradient, in exact arithmetic. (In float32 the sums are
// taken in another order, so they agree to rounding: src/train/parallel/README in README.md.)
import { tf } from "../backend.js";
import type { LmBatch } from "../batch.js";
import type { Gpt } from "../model.js";
import { tokenLogProbs } from "../ops.js";

/** Rows of a packed batch (same T as the batch) and the whole batch's masked-token count. */
export interface LmShard {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  /** max(Σ mask, 1) over the whole batch: the divisor every share uses */
  count: number;
}

/** `n` contiguous row ranges, as even as possible (the first B mod n shares get one more row); never empty. */
export function splitLm(b: LmBatch, n: number): LmShard[] {
  const parts = Math.max(1, Math.min(n, b.B));
  let count = 0;
  for (let i = 0; i < b.mask.length; i++) count += b.mask[i]!;
  count = Math.max(count, 1);
  const out: LmShard[] = [];
  let row = 0;
  for (let p = 0; p < parts; p++) {
    const rows = Math.floor(b.B / parts) + (p < b.B % parts ? 1 : 0);
    const a = row * b.T;
    const z = (row + rows) * b.T;
    out.push({ B: rows, T: b.T, inputs: b.inputs.slice(a, z), targets: b.targets.slice(a, z), mask: b.mask.slice(a, z), count });
    row += rows;
  }
  return out;
}

/** This share's part of the batch loss (inside the caller's tidy / variableGrads). */
export function lmShardLoss(model: Gpt, s: LmShard, dropoutSeed?: number): tf.Scalar {
  const { h } = model.hidden(tf.tensor2d(s.inputs, [s.B, s.T], "int32"), { dropoutSeed });
  const logp = tokenLogProbs(model.lmLogits(h), tf.tensor1d(s.targets, "int32"));
  return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor1d(s.mask)))), s.count) as tf.Scalar;
}
