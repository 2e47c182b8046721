import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { splitBatch, stepsToEpochs } from "../../src/export/batch.js";

test("for any batch, accumulate and world, the split is positive and exact whenever the world divides the batch", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 512 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 256 }), (batch, acc, world) => {
      const s = splitBatch(batch, acc, world);
      assert.ok(s.perDevice >= 1 && s.accumulation >= 1);
      assert.equal(s.global, s.perDevice * s.accumulation * world);
      assert.equal(s.exact, s.global === batch);
      if (batch % world === 0) assert.ok(s.exact, `${batch} over ${world} should be exact`);
    }),
  );
});

test("alignc's own accumulation is kept when it fits", () => {
  assert.deepEqual(splitBatch(64, 2, 8), { perDevice: 4, accumulation: 2, global: 64, exact: true });
  assert.deepEqual(splitBatch(16, 1, 8), { perDevice: 2, accumulation: 1, global: 16, exact: true });
});

test("a batch smaller than the world is not exact and says so", () => {
  const s = splitBatch(4, 1, 16);
  assert.equal(s.exact, false);
  assert.equal(s.global, 16);
});

test("steps × batch within one pass is a max_samples cut; beyond it, whole epochs", () => {
  assert.deepEqual(stepsToEpochs(10, 16, 1000), { epochs: 1, maxSamples: 160, sequences: 160, exact: true });
  assert.deepEqual(stepsToEpochs(10, 16, 80), { epochs: 2, maxSamples: null, sequences: 160, exact: true });
  assert.deepEqual(stepsToEpochs(10, 16, 100), { epochs: 2, maxSamples: null, sequences: 200, exact: false });
});
