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

// OpenRLHF's loaders drop each epoch's last incomplete batch (audit35 L2): 31 rows in batches of 16 train
// 16 per epoch, so 160 sequences need 10 epochs, not the 6 that 31 rows per epoch suggested (96 trained)
test("for any steps, batch, rows and unit, the epochs train at least alignc's sequences in whole units, the fewest epochs that do", () => {
  assert.deepEqual(stepsToEpochs(10, 16, 31, 16), { epochs: 10, maxSamples: null, sequences: 160, exact: true });
  assert.deepEqual(stepsToEpochs(1, 10, 100, 16), { epochs: 1, maxSamples: 16, sequences: 16, exact: false });
  assert.equal(stepsToEpochs(1, 16, 15, 16).sequences, 0);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 64 }), (steps, batch, rows, unit) => {
      const d = stepsToEpochs(steps, batch, rows, unit);
      if (rows < unit) return assert.equal(d.sequences, 0);
      assert.equal(d.sequences % unit, 0);
      if (d.maxSamples !== null) assert.ok(d.maxSamples <= rows && d.epochs === 1);
      assert.ok(d.sequences >= steps * batch, JSON.stringify(d));
      if (d.maxSamples === null) assert.ok((d.epochs - 1) * Math.floor(rows / unit) * unit < steps * batch, "one epoch fewer would have been enough");
      assert.equal(d.exact, d.sequences === steps * batch);
    }),
  );
});
