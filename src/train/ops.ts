// Tensor ops chosen for wasm's fast paths (measured, issue 5): rank-2 matMul without transpose flags
// (the flags and rank > 2 fall back to a plain loop at 0.8–2.7 GFLOP/s instead of 14–35), GELU via
// sigmoid (tanh and pow are not vectorised), and gather whose gradient avoids UnsortedSegmentSum
// (not registered on wasm). Each op has a custom gradient built from the same fast primitives.
import { tf } from "./backend.js";

type T2 = tf.Tensor2D;
type T3 = tf.Tensor3D;

/** tf.customGrad with positional tensor inputs (typed), the save function last. */
function custom<T extends tf.Tensor>(
  n: number,
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: T; gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[] },
): (...inputs: tf.Tensor[]) => T {
  return tf.customGrad<T>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => f(args.slice(0, n) as tf.Tensor[], args[n] as tf.GradSaveFunc));
}

/** tf.tidy for a function returning a structure of tensors (kept) and plain values. */
export function tidyObj<R>(f: () => R): R {
  return tf.tidy(() => f() as unknown as tf.TensorContainer) as unknown as R;
}

/** a @ b for rank-2 tensors; the gradient uses explicit transposes, not matMul's transpose flags. */
export const matmul2d = custom<T2>(2, ([a, b], save) => {
  save([a!, b!]);
  return {
    value: tf.matMul(a as T2, b as T2),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [T2, T2];
      return [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)];
    },
  };
}) as (a: T2, b: T2) => T2;

/**
 * Batched matmul forward. On wasm a rank-3 matMul takes the slow loop (about 2 GFLOP/s), but every
 * way of splitting it into rank-2 matmuls (unstack, split, slice + concat) measured 2–4× slower
 * still: each extra kernel costs more than the loop saves at attention's sizes.
 */
function bmmForward(a: T3, b: T3): T3 {
  return tf.matMul(a, b);
}

/** Batched a @ b: [N, M, K] x [N, K, P] -> [N, M, P]; the gradient uses explicit transposes, not the flags. */
export const bmm = custom<T3>(2, ([a, b], save) => {
  save([a!, b!]);
  return {
    value: bmmForward(a as T3, b as T3),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [T3, T3];
      return [bmmForward(dy as T3, tf.transpose(sb, [0, 2, 1])), bmmForward(tf.transpose(sa, [0, 2, 1]), dy as T3)];
    },
  };
}) as (a: T3, b: T3) => T3;

/** x @ w + b for x [N, in], w [in, out], b [out]. */
export function linear(x: T2, w: T2, b?: tf.Tensor1D): T2 {
  const y = matmul2d(x, w);
  return b ? tf.add(y, b) : y;
}

/**
 * Rows of `table` [V, C] at `ids` (int32, any shape [...]) -> [..., C]. The gradient scatters dy
 * back with ScatterNd (duplicates summed), registered on every backend, unlike UnsortedSegmentSum.
 */
export function gatherRows(table: T2, ids: tf.Tensor): tf.Tensor {
  // ids goes through save(): tensors merely captured here are disposed after the forward pass.
  const op = custom<tf.Tensor>(1, ([t], save) => {
    save([ids]);
    return {
      value: tf.gather(t!, ids),
      gradFunc: (dy, saved) => {
        const savedIds = saved[0]!;
        const n = savedIds.size;
        const c = table.shape[1];
        const flatIds = tf.reshape(savedIds, [n, 1]); // [N, 1]
        const flatDy = tf.reshape(dy, [n, c]); // [N, C]
        return [tf.scatterND(flatIds, flatDy, table.shape)];
      },
    };
  });
  return op(table);
}

/** GELU. "sigmoid": x·σ(1.702x) (vectorised on wasm); "tanh": GPT-2's exact tanh approximation. */
export function gelu(x: tf.Tensor, kind: "sigmoid" | "tanh"): tf.Tensor {
  if (kind === "sigmoid") return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
  const inner = tf.mul(tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x)))), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/** LayerNorm over the last axis of x [N, C]. */
export function layerNorm(x: T2, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): T2 {
  const mean = tf.mean(x, -1, true); // [N, 1]
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true); // [N, 1]
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, eps))), gain), bias);
}

/** log p(target) per row: logits [N, V], targets int32 [N] -> [N]. One-hot product keeps the gradient on fast kernels. */
export function tokenLogProbs(logits: T2, targets: tf.Tensor1D): tf.Tensor1D {
  const logp = tf.logSoftmax(logits); // [N, V]
  const onehot = tf.oneHot(targets, logits.shape[1]); // [N, V]
  return tf.sum(tf.mul(logp, onehot), -1) as tf.Tensor1D;
}

/** Entropy of softmax(logits) per row: [N, V] -> [N]. */
export function entropyFromLogits(logits: T2): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor1D;
}
