// Causal multi-head attention as one op with a hand-written gradient, laid out for wasm's fast
// batched product: cbmm (a depthwise convolution on wasm, see ops.ts) contracts over the middle axis
// of x [M, K, N] with f [K, N, P], the batch N = B·H riding along as channels. Choosing each
// operand's layout directly from the [B, T, H, hd] projections needs 5 transposes forward and 9
// backward (dK and dV contract against dS and A in their own layout), against 11 and 21 for
// head-major [B·H, T, hd] matmuls.
import { tf } from "./backend.js";
import { cbmm, custom } from "./ops.js";

type T2 = tf.Tensor2D;
type T3 = tf.Tensor3D;

/**
 * softmax(q·kᵀ/√hd + bias)·v per head. q [B·T, C] (queries), k and v [B, Tk, C] (keys and values,
 * cached ones first), bias [T, B, 1, Tk] or [T, 1, 1, Tk] additive (causal mask, padding).
 * Returns [B·T, C] with heads merged.
 */
export function multiHeadAttention(q: T2, k: T3, v: T3, heads: number, bias: tf.Tensor4D): T2 {
  const [B, Tk, C] = k.shape;
  const T = q.shape[0] / B;
  const H = heads;
  const hd = C / H;
  const N = B * H;
  const scale = 1 / Math.sqrt(hd);
  const op = custom<T2>(3, ([qi, ki, vi], save) => {
    const q4 = tf.reshape(qi!, [B, T, H, hd]); // [B·T, C] -> [B, T, H, hd]
    const k4 = tf.reshape(ki!, [B, Tk, H, hd]); // [B, Tk, C] -> [B, Tk, H, hd]
    const v4 = tf.reshape(vi!, [B, Tk, H, hd]); // [B, Tk, C] -> [B, Tk, H, hd]
    const qx = tf.reshape(tf.transpose(q4, [1, 3, 0, 2]), [T, hd, N]) as T3; // [T, hd, B, H] -> [T, hd, N]
    const kf = tf.reshape(tf.transpose(k4, [3, 0, 2, 1]), [hd, N, Tk]) as T3; // [hd, B, H, Tk] -> [hd, N, Tk]
    const s = tf.add(tf.mul(tf.reshape(cbmm(qx, kf), [T, B, H, Tk]), scale), bias); // [T, N, Tk] -> [T, B, H, Tk]
    const a = tf.reshape(tf.softmax(tf.reshape(s, [T * N, Tk])), [T, N, Tk]) as T3; // [T·N, Tk] -> [T, N, Tk]
    const vf = tf.reshape(tf.transpose(v4, [1, 0, 2, 3]), [Tk, N, hd]) as T3; // [Tk, B, H, hd] -> [Tk, N, hd]
    const y = cbmm(tf.transpose(a, [0, 2, 1]), vf); // [T, Tk, N] x [Tk, N, hd] -> [T, N, hd]
    save([qi!, ki!, vi!, a]);
    return {
      value: tf.reshape(tf.transpose(tf.reshape(y, [T, B, H, hd]), [1, 0, 2, 3]), [B * T, C]) as T2, // [T, B, H, hd] -> [B, T, H, hd] -> [B·T, C]
      gradFunc: (dy, saved) => {
        const [sq, sk, sv, sa] = saved as [T2, T3, T3, T3];
        const sq4 = tf.reshape(sq, [B, T, H, hd]); // [B, T, H, hd]
        const sk4 = tf.reshape(sk, [B, Tk, H, hd]); // [B, Tk, H, hd]
        const sv4 = tf.reshape(sv, [B, Tk, H, hd]); // [B, Tk, H, hd]
        const dy4 = tf.reshape(dy, [B, T, H, hd]); // [B·T, C] -> [B, T, H, hd]
        // dA[t,n,s] = Σ_e dY[t,n,e]·V[n,s,e]
        const dyx = tf.reshape(tf.transpose(dy4, [1, 3, 0, 2]), [T, hd, N]) as T3; // [T, hd, N]
        const vk = tf.reshape(tf.transpose(sv4, [3, 0, 2, 1]), [hd, N, Tk]) as T3; // [hd, N, Tk]
        const da = cbmm(dyx, vk); // [T, N, Tk]
        // dV[n,s,e] = Σ_t dY[t,n,e]·A[t,n,s], contracted as [hd, T, N] x A's own layout [T, N, Tk]
        // (no transpose of A) -> [hd, N, Tk]
        const dyh = tf.reshape(tf.transpose(dy4, [3, 1, 0, 2]), [hd, T, N]) as T3; // [hd, T, B, H] -> [hd, T, N]
        const dvh = cbmm(dyh, sa); // [hd, N, Tk]
        // softmax backward, then the scale: dS = scale·A⊙(dA − Σ_s dA⊙A)
        const ds = tf.mul(tf.mul(sa, tf.sub(da, tf.sum(tf.mul(da, sa), -1, true))), scale) as T3; // [T, N, Tk]
        // dQ[t,n,e] = Σ_s dS[t,n,s]·K[n,s,e];  dK[n,s,e] = Σ_t Q[t,n,e]·dS[t,n,s] (as dV: dS untransposed)
        const kv = tf.reshape(tf.transpose(sk4, [1, 0, 2, 3]), [Tk, N, hd]) as T3; // [Tk, N, hd]
        const dq = cbmm(tf.transpose(ds, [0, 2, 1]), kv); // [T, Tk, N] x [Tk, N, hd] -> [T, N, hd]
        const qh = tf.reshape(tf.transpose(sq4, [3, 1, 0, 2]), [hd, T, N]) as T3; // [hd, T, B, H] -> [hd, T, N]
        const dkh = cbmm(qh, ds); // [hd, T, N] x [T, N, Tk] -> [hd, N, Tk]
        // [hd, N, Tk] -> [hd, B, H, Tk] -> [B, Tk, H, hd] -> [B, Tk, C]
        const headMajor = (g: T3) => tf.reshape(tf.transpose(tf.reshape(g, [hd, B, H, Tk]), [1, 3, 2, 0]), [B, Tk, C]);
        return [
          tf.reshape(tf.transpose(tf.reshape(dq, [T, B, H, hd]), [1, 0, 2, 3]), [B * T, C]), // [T, B, H, hd] -> [B, T, H, hd] -> [B·T, C]
          headMajor(dkh),
          headMajor(dvh),
        ];
      },
    };
  });
  return op(q, k, v);
}

/** Additive causal mask [T, 1, 1, Tk] for queries at positions Tk−T..Tk−1 over keys 0..Tk−1. */
export function causalBias(T: number, Tk: number): tf.Tensor4D {
  const past = Tk - T;
  const m = new Float32Array(T * Tk);
  for (let i = 0; i < T; i++) for (let j = past + i + 1; j < Tk; j++) m[i * Tk + j] = -1e9;
  return tf.tensor4d(m, [T, 1, 1, Tk]);
}
