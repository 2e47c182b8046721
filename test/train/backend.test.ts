// Backend selection: auto picks one that loads and says which; a missing one names how to install it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BackendUnavailableError, availableBackends, selectBackend, tf } from "../../src/train/backend.js";

test("auto selects the first backend that loads and returns its name", async () => {
  const avail = await availableBackends();
  assert.ok(avail.includes("cpu"));
  const chosen = await selectBackend("auto");
  assert.equal(chosen, avail[0]);
  assert.equal(tf.getBackend(), chosen);
});

test("wasm and cpu load by name", async () => {
  assert.equal(await selectBackend("wasm"), "wasm");
  assert.equal(await selectBackend("cpu"), "cpu");
});

test("an unavailable tensorflow backend is a clear error naming the install command", async (t) => {
  const avail = await availableBackends();
  if (avail.includes("tensorflow")) return t.skip("tfjs-node is installed here");
  await assert.rejects(selectBackend("tensorflow"), (e: unknown) => e instanceof BackendUnavailableError && /npm install @tensorflow\/tfjs-node/.test((e as Error).message));
});

test("an unknown backend name is rejected", async () => {
  await assert.rejects(selectBackend("webgpu" as "cpu"), /unknown backend/);
});

test("wasm trains like cpu: the same SFT steps give the same losses to float32 precision", async () => {
  const { testGptConfig, testTrainConfig } = await import("./configs.js");
  const { Gpt } = await import("../../src/train/model.js");
  const { createTrainer } = await import("../../src/train/stages.js");
  const run = async (be: "cpu" | "wasm") => {
    await selectBackend(be);
    const model = Gpt.init(testGptConfig({ vocabSize: 20, context: 10, layers: 2, dModel: 16, heads: 2 }), ["lm"], 1);
    const examples = [
      { tokens: [1, 2, 3, 4, 5, 6], lossMask: [0, 0, 1, 1, 1, 1] },
      { tokens: [7, 8, 9, 10, 11, 12, 13], lossMask: [0, 1, 1, 1, 1, 1, 1] },
    ];
    const tr = createTrainer("sft", { model, examples, train: testTrainConfig("sft", { steps: 4, batchSize: 2, lr: 1e-2 }), lossOn: "response", groupByLength: false, pad: 0 });
    const losses = Array.from({ length: 4 }, () => tr.step().loss);
    tr.dispose();
    return losses;
  };
  const a = await run("cpu");
  const b = await run("wasm");
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) < 1e-4, `step ${i + 1}: cpu ${x}, wasm ${b[i]}`));
});
