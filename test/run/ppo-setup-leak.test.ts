// leakL41 audit: ppoSetup (src/run/nodes/ppo-stage.ts) makes the PPO trainer (policy, reference,
// value network, two Adams) and then, before returning it to runStage's `disposables`, awaits the
// greedy probe. A throw there (here: the init's cache entry records no weights) must free the trainer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tf, useBackend } from "../../src/train/backend.js";
import { Gpt } from "../../src/train/model.js";
import { KINDS, HEADER_PROPS } from "../../src/check/kinds.js";
import { ppoSetup } from "../../src/run/nodes/ppo-stage.js";
import { byteLevel } from "../../src/data/tokenizers.js";
import { RAW_FORMAT } from "../../src/data/chat.js";
import { testGptConfig, testTrainConfig } from "../train/configs.js";

test("ppoSetup: a failing greedy probe leaks neither the trainer nor the reward model", async () => {
  await useBackend("cpu");
  const tok = byteLevel();
  const init = Gpt.init(testGptConfig({ vocabSize: tok.vocabSize, context: 32, layers: 1, dModel: 16, heads: 2 }), ["lm"], 3);
  const dir = mkdtempSync(join(tmpdir(), "leak-l41-"));
  try {
    const props: Record<string, unknown> = { seed: HEADER_PROPS.seed!.default };
    for (const [k, s] of Object.entries(KINDS.stage!.ppo!.props)) if (s.default !== undefined) props[k] = s.default;
    const p = { ...props, reward: "rule", max_new_tokens: 3 } as never;
    const env = { backend: { selected: "cpu", ensure: async () => "cpu" } } as never;
    const ctx = { node: { id: "policy", hash: "h" }, plan: { engine: "e", nodes: [] } } as never;
    const initOut = { dir, node: { id: "sft", hash: "s" } } as never; // an entry folder without entry.json
    const data = { kind: "ppo", prompts: [tok.encode("1+1="), tok.encode("2+2=")], answers: ["2", "4"], tok, fmt: RAW_FORMAT } as never;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await assert.rejects(ppoSetup(env, ctx, p, init, initOut, data, testTrainConfig("ppo", { batchSize: 2 })), /records no model.safetensors/);
    const after = tf.memory().numTensors;
    console.log(`# ppoSetup with a failing probe x3: numTensors ${before} -> ${after} (+${after - before})`);
    assert.equal(after, before, "no tensor left");
  } finally {
    init.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
