// The fast-path ops of ops.ts against the plain tf formulas they replace, values and gradients, on
// every backend the training engine uses (the gradient check runs on cpu only; wasm picks other kernels).
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, useBackend } from "../../src/train/backend.js";
import { gatherRows, sumRows, tokenLogProbs, transpose2d } from "../../src/train/ops.js";
import { causalBias, multiHeadAttention } from "../../src/train/attention.js";
import { Rng } from "../../src/common/rng.js";

function randn(shape: number[], seed: number, scale = 1): tf.Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from({ length: n }, () => rng.normal() * scale), shape);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

for (const backend of ["cpu", "wasm"] as const) {
  test(`${backend}: transpose2d equals tf.transpose (blocked and plain paths)`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      // blocked from 256 rows that are a multiple of 64; plain below 256 rows and for other counts
      for (const shape of [[1024, 128], [2048, 96], [1088, 64], [512, 128], [256, 512], [192, 64], [1000, 8]] as const) {
        const x = randn([...shape], 1) as tf.Tensor2D;
        assert.equal(maxAbsDiff(transpose2d(x), tf.transpose(x)), 0, `shape [${shape}]`);
        assert.deepEqual(transpose2d(x).shape, [shape[1], shape[0]]);
      }
    });
  });

  test(`${backend}: sumRows equals tf.sum over rows (powers of two and other row counts)`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      for (const shape of [[1024, 128], [432, 64], [37, 5], [8, 3]] as const) {
        const x = randn([...shape], 8) as tf.Tensor2D;
        const d = maxAbsDiff(sumRows(x), tf.sum(x, 0));
        assert.ok(d < 1e-4, `shape [${shape}]: differs by ${d}`);
        assert.deepEqual(sumRows(x).shape, [shape[1]]);
      }
    });
  });

  test(`${backend}: tokenLogProbs matches logSoftmax at the targets, value and gradient`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const N = 37;
      const V = 50;
      // Large logits too: the value must stay finite where the target's probability underflows float32.
      const z = tf.concat([randn([N - 1, V], 2, 3), tf.mul(randn([1, V], 3), 200)]) as tf.Tensor2D;
      const rng = new Rng(4);
      const targets = tf.tensor1d(Array.from({ length: N }, () => rng.int(V)), "int32");
      const w = randn([N], 5) as tf.Tensor1D; // a weighted sum exercises dy ≠ 1
      const reference = (l: tf.Tensor2D) => tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, V).toFloat()), -1) as tf.Tensor1D;
      const fast = tokenLogProbs(z, targets);
      const ref = reference(z);
      assert.ok(fast.dataSync().every(Number.isFinite));
      assert.ok(maxAbsDiff(fast, ref) < 1e-3, `values differ by ${maxAbsDiff(fast, ref)}`);
      const gFast = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(tokenLogProbs(l as tf.Tensor2D, targets), w)))(z);
      const gRef = tf.grad((l: tf.Tensor) => tf.sum(tf.mul(reference(l as tf.Tensor2D), w)))(z);
      assert.ok(maxAbsDiff(gFast, gRef) < 1e-5, `gradients differ by ${maxAbsDiff(gFast, gRef)}`);
    });
  });

  test(`${backend}: gatherRows equals tf.gather, and its gradient sums duplicate rows`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      const table = randn([7, 5], 6) as tf.Tensor2D;
      const ids = tf.tensor2d([[0, 3, 3], [6, 0, 1]], [2, 3], "int32");
      assert.equal(maxAbsDiff(gatherRows(table, ids), tf.gather(table, ids)), 0);
      const dy = randn([2, 3, 5], 7);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t as tf.Tensor2D, ids), dy)))(table);
      const onehot = tf.oneHot(tf.reshape(ids, [6]) as tf.Tensor1D, 7).toFloat(); // [6, 7]
      const expected = tf.matMul(onehot, tf.reshape(dy, [6, 5]) as tf.Tensor2D, true, false); // [7, 5]
      assert.ok(maxAbsDiff(g, expected) < 1e-6);
    });
  });

  test(`${backend}: multiHeadAttention equals softmax(q·kᵀ/√hd + mask)·v, value and gradients (with and without past keys)`, async () => {
    await useBackend(backend);
    tf.tidy(() => {
      for (const [B, T, Tk, H, C] of [[2, 5, 5, 2, 8], [3, 2, 6, 4, 16]] as const) {
        const hd = C / H;
        const q = randn([B * T, C], 10) as tf.Tensor2D;
        const k = randn([B, Tk, C], 11) as tf.Tensor3D;
        const v = randn([B, Tk, C], 12) as tf.Tensor3D;
        const w = randn([B * T, C], 13); // weights of the summed output, so every gradient entry matters
        const bias = causalBias(T, Tk); // [T, 1, 1, Tk]
        const heads = (x: tf.Tensor, n: number) => tf.transpose(tf.reshape(x, [B, n, H, hd]), [0, 2, 1, 3]); // [B, H, n, hd]
        const reference = (qi: tf.Tensor, ki: tf.Tensor, vi: tf.Tensor) => {
          const s = tf.add(tf.div(tf.matMul(heads(qi, T), heads(ki, Tk), false, true), Math.sqrt(hd)), tf.transpose(bias, [1, 2, 0, 3])); // [B, H, T, Tk]
          const y = tf.matMul(tf.softmax(s), heads(vi, Tk)); // [B, H, T, hd]
          return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, C]);
        };
        const fast = multiHeadAttention(q, k, v, H, bias);
        const ref = reference(q, k, v);
        assert.ok(maxAbsDiff(fast, ref) < 1e-5, `B${B} T${T} Tk${Tk}: values differ by ${maxAbsDiff(fast, ref)}`);
        const gf = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(multiHeadAttention(a as tf.Tensor2D, b as tf.Tensor3D, c as tf.Tensor3D, H, bias), w)))([q, k, v]);
        const gr = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(reference(a, b, c), w)))([q, k, v]);
        ["q", "k", "v"].forEach((name, i) => assert.ok(maxAbsDiff(gf[i]!, gr[i]!) < 1e-4, `B${B} T${T} Tk${Tk}: d/d${name} differs by ${maxAbsDiff(gf[i]!, gr[i]!)}`));
      }
    });
  });
}
