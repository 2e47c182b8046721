// Tensor ops chosen for wasm's fast paths (measured, issue 5): rank-2 matMul without transpose flags
// (the flags and rank > 2 fall back to a plain loop at 0.8–2.7 GFLOP/s instead of 14–35), GELU via
// sigmoid (tanh and pow are not vectorised), and gather whose gradient avoids UnsortedSegmentSum
// (not registered on wasm). Each op has a custom gradient built from the same fast primitives.
import { tf } from "./backend.js";

type T2 = tf.Tensor2D;
type T3 = tf.Tensor3D;

/** tf.customGrad with positional tensor inputs (typed), the save function last. */
export function custom<T extends tf.Tensor>(
  n: number,
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: T; gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[] },
): (...inputs: tf.Tensor[]) => T {
  return tf.customGrad<T>((...args: Array<tf.Tensor | tf.GradSaveFunc>) => f(args.slice(0, n) as tf.Tensor[], args[n] as tf.GradSaveFunc));
}

/** tf.tidy for a function returning a structure of tensors (kept) and plain values. */
export function tidyObj<R>(f: () => R): R {
  return tf.tidy(() => f() as unknown as tf.TensorContainer) as unknown as R;
}

/**
 * xᵀ for x [R, C]. wasm's 2-D transpose writes with a stride of R floats, which for R a multiple of
 * 64 (256 B and up) puts the writes of a row in few L1 cache sets: a [1024, 128] transpose took 1.0
 * ms, [512, 128] 0.31 ms, [512, 512] 1.36 ms. The same permutation as a 3-D transpose of [R/64, 64,
 * C] (perm [2, 0, 1]) takes 0.18, 0.06 and 0.37 ms; from R = 256 it is never slower (at 128 it
 * is a wash) (measured, this machine, 3 Dec 2026). The half-batch shares of `parallel_shares` have
 * 512 rows where the whole batch has 1,024, so this threshold matters to them most. A transpose
 * moves values, so either way gives the same bits.
 */
export function transpose2d(x: T2): T2 {
  const [R, C] = x.shape;
  if (R >= 256 && R % 64 === 0) return tf.reshape(tf.transpose(tf.reshape(x, [R / 64, 64, C]), [2, 0, 1]), [C, R]) as T2; // [R/64, 64, C] -> [C, R/64, 64] -> [C, R]
  return tf.transpose(x);
}

/**
 * xᵀ @ dy for the weight gradient, transposing whichever of x [N, in] and dy [N, out] is smaller
 * (wasm's transpose costs about as much as a matmul of the same size): (dyᵀ @ x)ᵀ when out < in.
 */
function weightGrad(x: T2, dy: T2): T2 {
  return x.shape[1] <= dy.shape[1] ? tf.matMul(transpose2d(x), dy) : transpose2d(tf.matMul(transpose2d(dy), x));
}

/** a @ b for rank-2 tensors; the gradient uses explicit transposes, not matMul's transpose flags. */
export const matmul2d = custom<T2>(2, ([a, b], save) => {
  save([a!, b!]);
  return {
    value: tf.matMul(a as T2, b as T2),
    gradFunc: (dy, saved) => {
      const [sa, sb] = saved as [T2, T2];
      return [tf.matMul(dy, transpose2d(sb)), weightGrad(sa, dy)];
    },
  };
}) as (a: T2, b: T2) => T2;

/**
 * Contract the middle axis: x [M, K, N], f [K, N, P] -> [M, N, P], out[m,n,p] = Σ_k x[m,k,n]·f[k,n,p].
 * On wasm one depthwise convolution with no transposes (N as channels, multiplier P); elsewhere a
 * batched matMul between transposes.
 */
export function cbmm(x: T3, f: T3): T3 {
  const [M, K, N] = x.shape;
  const P = f.shape[2];
  if (tf.getBackend() === "wasm") {
    const y = tf.depthwiseConv2d(tf.reshape(x, [1, M, K, N]) as tf.Tensor4D, tf.reshape(f, [1, K, N, P]) as tf.Tensor4D, 1, "valid"); // [1, M, 1, N·P]
    return tf.reshape(y, [M, N, P]) as T3; // [1, M, 1, N·P] -> [M, N, P]
  }
  const y = tf.matMul(tf.transpose(x, [2, 0, 1]) as T3, tf.transpose(f, [1, 0, 2]) as T3); // [N, M, K] x [N, K, P] -> [N, M, P]
  return tf.transpose(y, [1, 0, 2]) as T3; // [M, N, P]
}

/**
 * Column sums of x [N, C] -> [C], as N × an average pool over the N rows: XNNPACK's pooling reads
 * the rows contiguously, all C channels at once (0.02 ms for [1024, 128], 0.03 ms for [1024, 1024]).
 * wasm's Sum over a non-last axis transposes first (0.15–2 ms here), and ones[1, N] @ x spends its
 * time packing x (0.4–1.7 ms) (measured, this machine). The scaling by 1/N and back by N costs at
 * most an ulp or two against a plain sum.
 */
export function sumRows(x: T2): tf.Tensor1D {
  const [N, C] = x.shape;
  const mean = tf.avgPool(tf.reshape(x, [1, N, 1, C]) as tf.Tensor4D, [N, 1], 1, "valid"); // [1, N, 1, C] -> [1, 1, 1, C]
  return tf.reshape(tf.mul(mean, N), [C]) as tf.Tensor1D; // [1, 1, 1, C] -> [C]
}

const linearWithBias = custom<T2>(3, ([x, w, b], save) => {
  save([x!, w!]);
  return {
    value: tf.add(tf.matMul(x as T2, w as T2), b!),
    gradFunc: (dy, saved) => {
      const [sx, sw] = saved as [T2, T2];
      return [tf.matMul(dy, transpose2d(sw)), weightGrad(sx, dy), sumRows(dy)];
    },
  };
}) as (x: T2, w: T2, b: tf.Tensor1D) => T2;

/** x @ w + b for x [N, in], w [in, out], b [out]: one op whose gradient is three rank-2 matmuls. */
export function linear(x: T2, w: T2, b?: tf.Tensor1D): T2 {
  return b ? linearWithBias(x, w, b) : matmul2d(x, w);
}

/**
 * Rows of `table` [V, C] at `ids` (int32, any shape [...]) -> [..., C], by GatherNd: wasm's GatherV2
 * rebuilds an index vector per element (3.5 ms for 1,024 rows of 128), GatherNd copies whole rows
 * (measured, this machine). The gradient scatters dy back with ScatterNd (duplicates summed),
 * registered on every backend, unlike UnsortedSegmentSum.
 */
export function gatherRows(table: T2, ids: tf.Tensor): tf.Tensor {
  // ids goes through save(): tensors merely captured here are disposed after the forward pass.
  const op = custom<tf.Tensor>(1, ([t], save) => {
    save([ids]);
    return {
      value: tf.gatherND(t!, tf.expandDims(ids, -1)), // ids [...] -> [..., 1]: one row per index
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

/**
 * x·σ(1.702x) as one op: the taped composition saved four copies of its [N, 4C] operands and ran
 * seven kernels backward; here z = 1.702x and s = σ(z) are saved and dx = dy·s·(1 + z·(1 − s)).
 */
const sigmoidGelu = custom<tf.Tensor>(1, ([x], save) => {
  const z = tf.mul(x!, 1.702);
  const s = tf.sigmoid(z);
  save([z, s]);
  return {
    value: tf.mul(x!, s),
    gradFunc: (dy, saved) => {
      const [sz, ss] = saved as [tf.Tensor, tf.Tensor];
      return [tf.mul(dy, tf.mul(ss, tf.add(tf.mul(sz, tf.sub(1, ss)), 1)))];
    },
  };
});

/** GELU. "sigmoid": x·σ(1.702x) (vectorised on wasm); "tanh": GPT-2's exact tanh approximation. */
export function gelu(x: tf.Tensor, kind: "sigmoid" | "tanh"): tf.Tensor {
  if (kind === "sigmoid") return sigmoidGelu(x);
  const inner = tf.mul(tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x)))), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
}

/**
 * LayerNorm over the last axis of x [N, C], as one op with the closed-form gradient
 * dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = dy·g; gain and bias gradients as ones-matmuls.
 */
export function layerNorm(x: T2, gain: tf.Tensor1D, bias: tf.Tensor1D, eps: number): T2 {
  const op = custom<T2>(3, ([xi, g, b], save) => {
    const mean = tf.mean(xi!, -1, true); // [N, 1]
    const centered = tf.sub(xi!, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(centered), -1, true), eps)); // [N, 1]
    const xhat = tf.mul(centered, rstd) as T2;
    save([xhat, rstd, g!]);
    return {
      value: tf.add(tf.mul(xhat, g!), b!) as T2,
      gradFunc: (dy, saved) => {
        const [sxhat, srstd, sg] = saved as [T2, T2, tf.Tensor1D];
        const dxhat = tf.mul(dy, sg);
        const dx = tf.mul(srstd, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), -1, true))));
        return [dx, sumRows(tf.mul(dy, sxhat) as T2), sumRows(dy)];
      },
    };
  });
  return op(x, gain, bias);
}

/**
 * log p(target) per row: logits [N, V], targets int32 [N] -> [N], as one op: value
 * z[target] − logsumexp(z), gradient dy·(onehot − softmax(z)).
 * Softmax is the one vectorised exponential on wasm (XNNPACK; Exp and Log are scalar loops:
 * logSoftmax plus the gradient's exp cost 9 ms on [1024, 512], softmax 0.6 ms), so the forward
 * computes p = softmax(z) once and reads logsumexp(z) = max(z) − log(max(p)) (max(p) = 1/Σexp(z −
 * max z) ≥ 1/V: no underflow); the gradient reuses p.
 */
export function tokenLogProbs(logits: T2, targets: tf.Tensor1D): tf.Tensor1D {
  const [N, V] = logits.shape;
  const op = custom<tf.Tensor1D>(1, ([z], save) => {
    const p = tf.softmax(z as T2); // [N, V]
    const rows = tf.range(0, N * V, V, "int32"); // [N] row offsets into the flat logits
    const zt = tf.gatherND(tf.reshape(z!, [N * V]), tf.reshape(tf.add(rows, targets), [N, 1])); // [N·V] at [N, 1] -> [N]
    const lse = tf.sub(tf.max(z!, -1), tf.log(tf.max(p, -1))); // [N]
    save([p, targets]);
    return {
      value: tf.sub(zt, lse) as tf.Tensor1D,
      gradFunc: (dy, saved) => {
        const [sp, st] = saved as [T2, tf.Tensor1D];
        // Cast: wasm's OneHot kernel writes int32 whatever dtype is asked (measured).
        const onehot = tf.cast(tf.oneHot(st, V), "float32"); // [N, V]
        return [tf.mul(tf.reshape(dy, [N, 1]), tf.sub(onehot, sp))]; // [N] -> [N, 1]
      },
    };
  });
  return op(logits);
}

/** Entropy of softmax(logits) per row: [N, V] -> [N]. */
export function entropyFromLogits(logits: T2): tf.Tensor1D {
  const logp = tf.logSoftmax(logits);
  return tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor1D;
}
