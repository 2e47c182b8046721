// The model's analytic gradients (custom matmul/bmm/gather gradients included) against central
// finite differences on a tiny config, cpu backend, float32 tolerances.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, useBackend } from "../../src/train/backend.js";
import { packLm } from "../../src/train/batch.js";
import { testGptConfig } from "./configs.js";
import { rewardModelLoss, valueLoss } from "../../src/train/losses.js";
import { Gpt } from "../../src/train/model.js";
import { lmLossOf } from "../../src/train/stages.js";
import { Rng } from "../../src/common/rng.js";

await useBackend("cpu");

const cfg = testGptConfig({ vocabSize: 11, context: 6, layers: 2, dModel: 8, heads: 2, initStd: 0.3 });

function check(model: Gpt, lossFn: () => tf.Scalar, name: string): void {
  const vars = model.trainableVariables();
  const { grads } = tf.variableGrads(lossFn, vars);
  const rng = new Rng(7);
  const eps = 1e-2;
  let checked = 0;
  for (const [pname, v] of model.params) {
    const g = grads[v.name]!.dataSync();
    const base = v.dataSync().slice() as Float32Array;
    for (let trial = 0; trial < 3; trial++) {
      const i = rng.int(base.length);
      const at = (delta: number) => {
        const w = base.slice();
        w[i] = base[i]! + delta;
        tf.tidy(() => v.assign(tf.tensor(w, v.shape)));
        return tf.tidy(() => lossFn().dataSync()[0]!);
      };
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      tf.tidy(() => v.assign(tf.tensor(base, v.shape)));
      const analytic = g[i]!;
      const tol = 2e-3 + 0.03 * Math.max(Math.abs(analytic), Math.abs(numeric));
      assert.ok(Math.abs(analytic - numeric) <= tol, `${name}: d loss / d ${pname}[${i}]: analytic ${analytic}, numeric ${numeric}`);
      checked++;
    }
  }
  tf.dispose(Object.values(grads));
  assert.ok(checked >= 3 * model.params.size);
}

test("LM loss gradients match finite differences (tied head, custom matmul/bmm/gather gradients)", () => {
  const model = Gpt.init(cfg, ["lm"], 3);
  const b = packLm(
    [
      { tokens: [1, 2, 3, 4, 5, 6, 7], lossMask: [0, 0, 1, 1, 1, 1, 1] },
      { tokens: [9, 8, 7, 3], lossMask: [0, 1, 1, 1] },
    ],
    cfg.context,
    0,
  );
  check(model, () => lmLossOf(model, b), "lm");
  model.dispose();
});

test("reward and value head gradients match finite differences", () => {
  const model = Gpt.init(cfg, ["reward", "value"], 4);
  const ids = [
    [1, 2, 3, 4, 0, 0],
    [5, 6, 7, 8, 9, 10],
    [3, 3, 0, 0, 0, 0],
  ];
  const last = [3, 5, 1];
  const loss = () =>
    tf.tidy(() => {
      const { h } = model.hidden(tf.tensor2d(ids.flat(), [3, 6], "int32"));
      const rm = rewardModelLoss(model.rewards(h, 6, last), [
        [0, 1],
        [0, 2],
        [1, 2],
      ]).loss;
      const vl = valueLoss(model.tokenValues(h), tf.linspace(-1, 1, 18) as tf.Tensor1D, tf.ones([18]) as tf.Tensor1D);
      return tf.add(rm, vl) as tf.Scalar;
    });
  check(model, loss, "rm+value");
  model.dispose();
});
