// Losses as pure functions of tensors (inside the caller's tidy) or of plain arrays (rollout maths).
import { tf } from "./backend.js";
import { matmul2d } from "./ops.js";

/**
 * log σ(x) = −softplus(−x), stable for large |x|. (tf.logSigmoid's custom gradient reads its input
 * from a closure, which is already disposed when backprop runs on wasm.)
 */
export function logSigmoid(x: tf.Tensor): tf.Tensor {
  return tf.neg(tf.softplus(tf.neg(x)));
}

/** Masked mean negative log-likelihood: logp [N], mask [N] (1 = trained on). 0 when nothing is masked in. */
export function maskedNll(logp: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const count = tf.maximum(tf.sum(mask), 1);
  return tf.div(tf.neg(tf.sum(tf.mul(logp, mask))), count) as tf.Scalar;
}

/** ptx term of PPO-ptx: γ × the LM loss on pretraining/SFT data (InstructGPT γ = 27.8). */
export function ptxLoss(gamma: number, lmLoss: tf.Scalar): tf.Scalar {
  return tf.mul(gamma, lmLoss);
}

/**
 * InstructGPT RM loss for one prompt from its K scores [K]: −1/P · Σ_pairs log σ(r_w − r_l), P the
 * number of pairs (C(K,2) without ties; data's pairsFromRanks makes them). The pair differences
 * come from one [P, K] ± one-hot matmul, so each response is scored once. Returns the loss and the pair margins [P].
 */
export function rewardModelLoss(scores: tf.Tensor1D, pairs: [number, number][]): { loss: tf.Scalar; margins: tf.Tensor1D } {
  const K = scores.shape[0];
  const P = pairs.length;
  if (P === 0) throw new Error("reward model loss: no pairs (all responses tied)");
  const sel = new Float32Array(P * K);
  pairs.forEach(([w, l], p) => {
    sel[p * K + w] = 1;
    sel[p * K + l] = -1;
  });
  const margins = tf.reshape(matmul2d(tf.tensor2d(sel, [P, K]), tf.reshape(scores, [K, 1])), [P]) as tf.Tensor1D; // [P, 1] -> [P]
  const loss = tf.neg(tf.mean(logSigmoid(margins))) as tf.Scalar;
  return { loss, margins };
}

/**
 * PPO clipped surrogate, as a loss to minimise: −masked mean of min(ρA, clip(ρ, 1±ε)A),
 * ρ = exp(logp − logpOld). Also returns the unclipped loss and the share of clipped tokens.
 */
export function ppoPolicyLoss(
  logp: tf.Tensor1D,
  logpOld: tf.Tensor1D,
  advantages: tf.Tensor1D,
  mask: tf.Tensor1D,
  clip: number,
  /** the divisor of the masked means; default max(Σ mask, 1) (a data-parallel share passes its whole batch's) */
  count?: number,
): { loss: tf.Scalar; unclippedLoss: tf.Scalar; clipFraction: tf.Scalar } {
  const divisor = count !== undefined ? tf.scalar(count) : tf.maximum(tf.sum(mask), 1);
  const ratio = tf.exp(tf.sub(logp, logpOld));
  const unclipped = tf.mul(ratio, advantages);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - clip, 1 + clip), advantages);
  const objective = tf.minimum(unclipped, clipped);
  const loss = tf.div(tf.neg(tf.sum(tf.mul(objective, mask))), divisor) as tf.Scalar;
  const unclippedLoss = tf.div(tf.neg(tf.sum(tf.mul(unclipped, mask))), divisor) as tf.Scalar;
  const isClipped = tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clip), "float32");
  const clipFraction = tf.div(tf.sum(tf.mul(isClipped, mask)), divisor) as tf.Scalar;
  return { loss, unclippedLoss, clipFraction };
}

/** Value loss ½·masked mean (V − R)². */
export function valueLoss(values: tf.Tensor1D, returns: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  const count = tf.maximum(tf.sum(mask), 1);
  return tf.div(tf.mul(0.5, tf.sum(tf.mul(tf.square(tf.sub(values, returns)), mask))), count) as tf.Scalar;
}

/** Masked mean of per-token entropies. */
export function maskedMean(x: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(x, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
}

/**
 * DPO (Rafailov et al.): −log σ(β·((π_w − ref_w) − (π_l − ref_l))) averaged over pairs, with
 * sequence log-probabilities of the chosen (w) and rejected (l) responses. Returns the implicit
 * reward margins too (accuracy = share > 0).
 */
export function dpoLoss(
  policyChosen: tf.Tensor1D,
  policyRejected: tf.Tensor1D,
  refChosen: tf.Tensor1D,
  refRejected: tf.Tensor1D,
  beta: number,
): { loss: tf.Scalar; margins: tf.Tensor1D } {
  const margins = tf.mul(beta, tf.sub(tf.sub(policyChosen, refChosen), tf.sub(policyRejected, refRejected))) as tf.Tensor1D;
  return { loss: tf.neg(tf.mean(logSigmoid(margins))) as tf.Scalar, margins };
}

/** Exact KL(p‖q) per row from logits [N, V] -> [N] (≥ 0 always). */
export function exactKl(logitsP: tf.Tensor2D, logitsQ: tf.Tensor2D): tf.Tensor1D {
  const lp = tf.logSoftmax(logitsP);
  const lq = tf.logSoftmax(logitsQ);
  return tf.sum(tf.mul(tf.exp(lp), tf.sub(lp, lq)), -1);
}

// ---- rollout maths on plain arrays (no gradient flows through rewards or advantages) ----

/**
 * Per-token sample KL estimates of log π(y)/π_ref(y) for sampled tokens: k1 = logp − logp_ref
 * (unbiased, may be negative per token) and k3 = (r − 1) − log r with r = π_ref/π (≥ 0 always,
 * Schulman 2020).
 */
export function klEstimates(logp: ArrayLike<number>, logpRef: ArrayLike<number>): { k1: Float64Array; k3: Float64Array } {
  const n = logp.length;
  const k1 = new Float64Array(n);
  const k3 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = logpRef[i]! - logp[i]!;
    k1[i] = -d;
    k3[i] = Math.expm1(d) - d;
  }
  return { k1, k3 };
}

/**
 * InstructGPT per-token rewards for one response of length L: −kl_coef·(logp − logp_ref) on every
 * token (kl_coef is the recipe's name for InstructGPT's β), plus the reward model's score on the last token.
 */
export function klPenalisedRewards(score: number, logp: ArrayLike<number>, logpRef: ArrayLike<number>, klCoef: number): Float64Array {
  const L = logp.length;
  const r = new Float64Array(L);
  for (let t = 0; t < L; t++) r[t] = -klCoef * (logp[t]! - logpRef[t]!);
  if (L > 0) r[L - 1]! += score;
  return r;
}

/** Generalised advantage estimation over one episode (terminal after the last token). */
export function gae(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma: number, lambda: number): { advantages: Float64Array; returns: Float64Array } {
  const L = rewards.length;
  const advantages = new Float64Array(L);
  const returns = new Float64Array(L);
  let next = 0;
  for (let t = L - 1; t >= 0; t--) {
    const nextValue = t + 1 < L ? values[t + 1]! : 0;
    const delta = rewards[t]! + gamma * nextValue - values[t]!;
    next = delta + gamma * lambda * next;
    advantages[t] = next;
    returns[t] = next + values[t]!;
  }
  return { advantages, returns };
}

/** Zero-mean unit-variance advantages across a batch (PPO's usual whitening). */
export function whiten(xs: Float64Array): Float64Array {
  if (xs.length === 0) return xs;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= xs.length;
  let v = 0;
  for (const x of xs) v += (x - mean) ** 2;
  const std = Math.sqrt(v / xs.length) + 1e-8;
  return xs.map((x) => (x - mean) / std);
}
