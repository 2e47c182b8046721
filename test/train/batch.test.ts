// chunkDocuments: the pretraining windows (run's LM data for text blocks uses it).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { chunkDocuments } from "../../src/train/batch.js";

test("for any documents and context, chunkDocuments' windows are ≤ context + 1 tokens, overlap by one and rebuild the EOS-ended stream", () => {
  const eos = 99;
  fc.assert(
    fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 98 }), { maxLength: 12 }), { maxLength: 8 }), fc.integer({ min: 1, max: 9 }), (docs, context) => {
      const stream = docs.flatMap((d) => [...d, eos]);
      const ws = chunkDocuments(docs, context, eos).map((w) => w.tokens);
      for (const w of ws) assert.ok(w.length >= 2 && w.length <= context + 1);
      ws.slice(1).forEach((w, i) => assert.equal(w[0], ws[i]!.at(-1)));
      const rebuilt = ws.flatMap((w, i) => (i === 0 ? w : w.slice(1)));
      assert.deepEqual(rebuilt, stream.length < 2 ? [] : stream);
    }),
  );
});
