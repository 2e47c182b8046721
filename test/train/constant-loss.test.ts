// lmLoss's trivial baseline: the best constant next-token distribution's loss on the same masked
// targets (their entropy), over exactly the tokens lmLoss scores.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { constantLoss } from "../../src/train/evaluate.js";

test("constantLoss is the entropy of the masked targets, windowed as lmLoss windows them", () => {
  // targets 1, 1, 2, 2 (token 0 is only an input): entropy ln 2
  assert.ok(Math.abs(constantLoss([{ tokens: [0, 1, 1, 2, 2] }], 8, 99) - Math.log(2)) < 1e-12);
  // masked-out targets do not count: only the response token 3 is scored, a certainty
  assert.equal(constantLoss([{ tokens: [5, 6, 7, 3], lossMask: [0, 0, 0, 1] }], 8, 99), 0);
  // a context of 2 keeps 3 tokens: targets 1, 2 (the 3 past the window is not scored)
  assert.ok(Math.abs(constantLoss([{ tokens: [0, 1, 2, 3, 3, 3] }], 2, 99) - Math.log(2)) < 1e-12);
  assert.ok(Number.isNaN(constantLoss([{ tokens: [5, 6], lossMask: [1, 0] }], 8, 99)), "no scored token: no baseline");
});

test("for any sequences, the baseline lies in [0, ln(distinct targets)] and does not depend on their order", () => {
  const seq = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 2, maxLength: 20 }).map((tokens) => ({ tokens }));
  fc.assert(
    fc.property(fc.array(seq, { minLength: 1, maxLength: 40 }), (seqs) => {
      const h = constantLoss(seqs, 64, 99);
      const distinct = new Set(seqs.flatMap((s) => s.tokens.slice(1))).size;
      assert.ok(h >= 0 && h <= Math.log(distinct) + 1e-9, `${h} outside [0, ln ${distinct}]`);
      assert.ok(Math.abs(constantLoss([...seqs].reverse(), 64, 99) - h) < 1e-9);
    }),
  );
});
