// Property tests of the loss functions: "for any inputs, the invariant holds".
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tf, useBackend } from "../../src/train/backend.js";
import { dpoLoss, exactKl, klEstimates, klPenalisedRewards, maskedNll, ppoPolicyLoss, rewardModelLoss } from "../../src/train/losses.js";
import { tokenLogProbs } from "../../src/train/ops.js";

await useBackend("cpu");

const score = fc.float({ min: -20, max: 20, noNaN: true, noDefaultInfinity: true });
const allPairs = (k: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) out.push([i, j]);
  return out;
};
const rmLoss = (scores: number[], pairs: [number, number][]): number =>
  tf.tidy(() => rewardModelLoss(tf.tensor1d(scores), pairs).loss.dataSync()[0]!);

test("RM loss = log 2 when all K rewards are equal", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 9 }), score, (k, c) => {
      assert.ok(Math.abs(rmLoss(new Array(k).fill(c), allPairs(k)) - Math.log(2)) < 1e-6);
    }),
  );
});

test("RM loss falls as the winner's margin grows", () => {
  fc.assert(
    fc.property(fc.float({ min: -10, max: 10, noNaN: true }), fc.float({ min: Math.fround(0.01), max: 5, noNaN: true }), (m, d) => {
      assert.ok(rmLoss([m + d, 0], [[0, 1]]) < rmLoss([m, 0], [[0, 1]]));
    }),
  );
});

test("RM loss is unchanged by adding one constant to all K rewards", () => {
  fc.assert(
    fc.property(fc.array(fc.float({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 9 }), fc.float({ min: -50, max: 50, noNaN: true }), (scores, c) => {
      const pairs = allPairs(scores.length);
      assert.ok(Math.abs(rmLoss(scores, pairs) - rmLoss(scores.map((s) => s + c), pairs)) < 1e-4);
    }),
  );
});

test("masked (prompt) tokens get exactly zero gradient", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 0, max: 1000 }), (n, v, seed) => {
      const mask = Array.from({ length: n }, (_, i) => ((seed >> i) & 1 ? 1 : 0));
      const targets = Array.from({ length: n }, (_, i) => (seed + i) % v);
      const g = tf.tidy(() => {
        const logits = tf.randomNormal([n, v], 0, 3, "float32", seed) as tf.Tensor2D;
        return tf.grad((x: tf.Tensor) => maskedNll(tokenLogProbs(x as tf.Tensor2D, tf.tensor1d(targets, "int32")), tf.tensor1d(mask)))(logits);
      });
      const d = g.arraySync() as number[][];
      g.dispose();
      d.forEach((row, i) => {
        if (!mask[i]) for (const x of row) assert.ok(x === 0, `masked row ${i} has gradient ${x}`); // === : -0 counts as zero
        else assert.ok(row.some((x) => x !== 0));
      });
    }),
    { numRuns: 50 },
  );
});

test("the PPO clipped objective is at most the unclipped one", () => {
  const arr = fc.array(fc.tuple(fc.float({ min: -3, max: 3, noNaN: true }), fc.float({ min: -3, max: 3, noNaN: true }), fc.float({ min: -5, max: 5, noNaN: true })), { minLength: 1, maxLength: 12 });
  fc.assert(
    fc.property(arr, fc.float({ min: Math.fround(0.05), max: Math.fround(0.5), noNaN: true }), (rows, clip) => {
      const [clipped, unclipped] = tf.tidy(() => {
        const r = ppoPolicyLoss(
          tf.tensor1d(rows.map((x) => x[0])),
          tf.tensor1d(rows.map((x) => x[1])),
          tf.tensor1d(rows.map((x) => x[2])),
          tf.ones([rows.length]) as tf.Tensor1D,
          clip,
        );
        // objectives are the negated losses
        return [-r.loss.dataSync()[0]!, -r.unclippedLoss.dataSync()[0]!];
      });
      assert.ok(clipped <= unclipped + 1e-4 * Math.max(1, Math.abs(unclipped)));
    }),
  );
});

test("KL estimates: k3 per token and the exact KL between distributions are never negative", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.float({ min: -20, max: 0, noNaN: true }), fc.float({ min: -20, max: 0, noNaN: true })), { minLength: 1, maxLength: 20 }), (rows) => {
      const { k3 } = klEstimates(
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
      );
      for (const x of k3) assert.ok(x >= 0);
    }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10000 }), fc.integer({ min: 2, max: 9 }), (seed, v) => {
      const kl = tf.tidy(() => exactKl(tf.randomNormal([4, v], 0, 4, "float32", seed) as tf.Tensor2D, tf.randomNormal([4, v], 0, 4, "float32", seed + 1) as tf.Tensor2D).dataSync());
      for (const x of kl) assert.ok(x >= -1e-6);
    }),
    { numRuns: 50 },
  );
});

test("DPO loss = log 2 when the policy equals the reference", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.float({ min: -50, max: 0, noNaN: true }), fc.float({ min: -50, max: 0, noNaN: true })), { minLength: 1, maxLength: 8 }), fc.float({ min: Math.fround(0.01), max: 5, noNaN: true }), (rows, beta) => {
      const loss = tf.tidy(() => {
        const w = tf.tensor1d(rows.map((r) => r[0]));
        const l = tf.tensor1d(rows.map((r) => r[1]));
        return dpoLoss(w, l, w, l, beta).loss.dataSync()[0]!;
      });
      assert.ok(Math.abs(loss - Math.log(2)) < 1e-6);
    }),
  );
});

test("klPenalisedRewards: −β·(logp − logp_ref) on every token, the score added on the last only; Σ = score − β·k1", () => {
  assert.deepEqual(Array.from(klPenalisedRewards(2, [-1, -2, -3], [-1.5, -2, -2], 0.5)), [-0.25, -0, 2 + 0.5]);
  assert.deepEqual(Array.from(klPenalisedRewards(3, [], [], 0.5)), [], "an empty response has no reward to carry the score");
  const lp = fc.float({ min: -10, max: 0, noNaN: true, noDefaultInfinity: true });
  fc.assert(
    fc.property(fc.array(fc.tuple(lp, lp), { minLength: 1, maxLength: 12 }), score, fc.float({ min: 0, max: 1, noNaN: true }), (toks, s, beta) => {
      const logp = toks.map(([a]) => a);
      const ref = toks.map(([, b]) => b);
      const r = klPenalisedRewards(s, logp, ref, beta);
      const k1 = klEstimates(logp, ref).k1.reduce((a, x) => a + x, 0);
      assert.equal(r.length, toks.length);
      assert.ok(Math.abs(r.reduce((a, x) => a + x, 0) - (s - beta * k1)) < 1e-3 * (1 + Math.abs(s) + Math.abs(k1)));
      for (let t = 0; t < toks.length - 1; t++) assert.ok(Math.abs(r[t]! + beta * (logp[t]! - ref[t]!)) < 1e-9);
      if (beta === 0) assert.ok(Math.abs(r[toks.length - 1]! - s) < 1e-6);
    }),
  );
});
