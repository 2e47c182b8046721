// Sampling: the KV-cache path equals recomputing the whole sequence, left padding is invisible,
// seeds reproduce, top-k / top-p / temperature 0 behave, EOS stops a row.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { tf, useBackend } from "../../src/train/backend.js";
import { testGptConfig } from "./configs.js";
import { Gpt } from "../../src/train/model.js";
import { Rng } from "../../src/common/rng.js";
import { generate, sampleToken } from "../../src/train/sample.js";

await useBackend("cpu");

const cfg = testGptConfig({ vocabSize: 23, context: 16, layers: 2, dModel: 16, heads: 4, initStd: 0.5 });
const model = Gpt.init(cfg, ["lm"], 2);

/** Greedy decoding without a cache: the full forward pass for every new token. */
function greedyNoCache(prompt: number[], n: number): number[] {
  const seq = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const logits = tf.tidy(() => {
      const h = model.hidden(tf.tensor2d(seq, [1, seq.length], "int32")).h;
      return tf.slice(model.lmLogits(h), [seq.length - 1, 0], [1, cfg.vocabSize]).dataSync();
    });
    let best = 0;
    for (let v = 1; v < cfg.vocabSize; v++) if (logits[v]! > logits[best]!) best = v;
    seq.push(best);
    out.push(best);
  }
  return out;
}

test("KV-cache greedy decoding equals full recomputation, and batching with left padding changes nothing", () => {
  const prompts = [[1, 2, 3], [4], [5, 6, 7, 8, 9, 10], [11, 12]];
  const before = tf.memory().numTensors;
  const batched = generate(model, prompts, { maxNewTokens: 6, temperature: 0, topK: 0, topP: 1, pad: 0 });
  assert.equal(tf.memory().numTensors, before, "generation leaks no tensors");
  prompts.forEach((p, i) => {
    assert.deepEqual(generate(model, [p], { maxNewTokens: 6, temperature: 0, topK: 0, topP: 1, pad: 0 })[0], greedyNoCache(p, 6));
    assert.deepEqual(batched[i], greedyNoCache(p, 6));
  });
});

test("sampling is reproducible from a seed and varies across seeds", () => {
  const p = [[1, 2], [3]];
  const a = generate(model, p, { maxNewTokens: 8, temperature: 1.5, seed: 4, topK: 0, topP: 1, pad: 0 });
  assert.deepEqual(generate(model, p, { maxNewTokens: 8, temperature: 1.5, seed: 4, topK: 0, topP: 1, pad: 0 }), a);
  const others = [5, 6, 7].map((s) => JSON.stringify(generate(model, p, { maxNewTokens: 8, temperature: 1.5, seed: s, topK: 0, topP: 1, pad: 0 })));
  assert.ok(others.some((o) => o !== JSON.stringify(a)));
});

test("top-k 1 and a tiny top-p are greedy; EOS stops a row; length is capped by the context", () => {
  const p = [[1, 2, 3]];
  const greedy = generate(model, p, { maxNewTokens: 5, temperature: 0, topK: 0, topP: 1, pad: 0 });
  assert.deepEqual(generate(model, p, { maxNewTokens: 5, temperature: 1, topK: 1, seed: 9, topP: 1, pad: 0 }), greedy);
  assert.deepEqual(generate(model, p, { maxNewTokens: 5, temperature: 1, topP: 1e-6, seed: 9, topK: 0, pad: 0 }), greedy);
  const eos = greedy[0]![1]!;
  const stopped = generate(model, p, { maxNewTokens: 5, temperature: 0, eos, topK: 0, topP: 1, pad: 0 })[0]!;
  assert.equal(stopped[stopped.length - 1], eos);
  assert.ok(stopped.length <= 2);
  const long = generate(model, [Array.from({ length: 14 }, (_, i) => i)], { maxNewTokens: 10, temperature: 0, topK: 0, topP: 1, pad: 0 })[0]!;
  assert.equal(long.length, 2, "14 prompt tokens + 2 new fill the context of 16");
});

test("sampling at temperature > 0 without a seed or an rng is refused (none is made up); greedy decoding needs neither", () => {
  assert.throws(() => generate(model, [[1, 2, 3]], { maxNewTokens: 3, temperature: 1, topK: 0, topP: 1, pad: 0 }), /needs a seed or an rng/);
  assert.equal(generate(model, [[1, 2, 3]], { maxNewTokens: 3, temperature: 0, topK: 0, topP: 1, pad: 0 })[0]!.length, 3);
});

test("for any logits, top-k sampling only returns one of the k most likely tokens", () => {
  fc.assert(
    fc.property(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 2, maxLength: 30 }), fc.integer({ min: 1, max: 5 }), fc.integer(), (logits, k, seed) => {
      const rng = new Rng(seed);
      const tok = sampleToken(logits, { temperature: 1, topK: k, topP: 1 }, rng);
      const greater = logits.filter((x) => x > logits[tok]!).length;
      assert.ok(greater < k, `token ${tok} has ${greater} more likely tokens (k = ${k})`);
    }),
  );
});
