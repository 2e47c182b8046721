import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { lrAt } from "../../src/train/optim.js";

test("for any schedule: linear warmup to lr, then a monotone decay to min_lr_ratio·lr at the last step", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 500 }), fc.integer({ min: 0, max: 50 }), fc.constantFrom("cosine" as const, "linear" as const), fc.double({ min: 0, max: 1, noNaN: true }), (steps, warmup0, schedule, minLrRatio) => {
      const warmup = Math.min(warmup0, steps - 1);
      const c = { lr: 1e-3, warmup, steps, schedule, minLrRatio };
      for (let s = 0; s < warmup; s++) assert.ok(Math.abs(lrAt(s, c) - (1e-3 * (s + 1)) / warmup) < 1e-12);
      assert.ok(Math.abs(lrAt(warmup, c) - 1e-3) < 1e-12);
      for (let s = warmup + 1; s <= steps; s++) assert.ok(lrAt(s, c) <= lrAt(s - 1, c) + 1e-15);
      assert.ok(Math.abs(lrAt(steps, c) - 1e-3 * minLrRatio) < 1e-12);
      assert.equal(lrAt(steps + 10, { ...c, schedule: "constant" }), 1e-3);
    }),
  );
});
