import { test } from "node:test";
import assert from "node:assert/strict";
import { parameterCount, trainFlopsPerToken } from "../../src/train/config.js";
import { testGptConfig } from "./configs.js";
import { THROUGHPUT, estimateTokensPerSecond } from "../../src/train/throughput.js";

test("the throughput table is self-consistent and the estimate reproduces its rows", () => {
  for (const r of THROUGHPUT) {
    const cfg = testGptConfig({ vocabSize: r.vocab, context: r.context, layers: r.layers, dModel: r.dModel, heads: r.heads });
    assert.equal(parameterCount(cfg), r.params);
    // gflops = tokens/s × FLOPs per token (2% rounding)
    assert.ok(Math.abs((r.tokensPerS * trainFlopsPerToken(cfg)) / 1e9 - r.gflops) / r.gflops < 0.02, `${r.backend} ${r.size}`);
    const est = estimateTokensPerSecond(cfg, r.backend)!;
    assert.ok(Math.abs(est - r.tokensPerS) / r.tokensPerS < 0.02);
  }
  assert.equal(estimateTokensPerSecond(testGptConfig({ vocabSize: 512 }), "tensorflow"), undefined);
  // a bigger model is estimated slower
  assert.ok(estimateTokensPerSecond(testGptConfig({ vocabSize: 512, layers: 4 }), "wasm")! < estimateTokensPerSecond(testGptConfig({ vocabSize: 512, layers: 2 }), "wasm")!);
});
