// The seam between the plan and the engine: a stage trains with exactly its plan node's parameters,
// a swept variant with the variant's value. Asserted against the node (never against a re-read of
// the recipe), through what the engine itself holds (trained-with.json, read back from the trainer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../src/compile.js";
import type { PlanNode } from "../../src/plan/types.js";
import { TRAINED_WITH_FILE } from "../../src/run/nodes/stages.js";
import { createProgress } from "../../src/run/presentation/progress.js";
import { runRecipe } from "../../src/run/run-recipe.js";
import { outcome, tempDir } from "./helpers.js";
import { writeMicro } from "./micro.js";

const quiet = createProgress({ quiet: true });

/** The recipe parameter → where the engine holds it (train config or PPO options). */
const TRAIN_KEYS: Record<string, string> = {
  steps: "steps",
  batch_size: "batchSize",
  accumulate: "accumulate",
  parallel_shares: "parallelShares",
  lr: "lr",
  warmup: "warmup",
  schedule: "schedule",
  min_lr_ratio: "minLrRatio",
  optimizer: "optimizer",
  weight_decay: "weightDecay",
  grad_clip: "gradClip",
  seed: "seed",
};
const PPO_KEYS: Record<string, string> = {
  kl_coef: "klCoef",
  ptx_coef: "ptxCoef",
  clip: "clip",
  vf_coef: "vfCoef",
  gae_lambda: "gaeLambda",
  discount: "discount",
  ppo_epochs: "ppoEpochs",
  samples_per_prompt: "samplesPerPrompt",
  advantages: "advantages",
  advantage_scale: "advantageScale",
  max_new_tokens: "maxNewTokens",
  temperature: "temperature",
  top_k: "topK",
};

function assertTrainedWithNode(node: PlanNode, entry: string): void {
  const rec = JSON.parse(readFileSync(join(entry, TRAINED_WITH_FILE), "utf8")) as { hash: string; train: Record<string, unknown>; group_by_length: boolean; ppo?: Record<string, unknown> };
  assert.equal(rec.hash, node.hash);
  // SFT's batch order as the trainer holds it; every other stage draws random batches
  assert.equal(rec.group_by_length, node.op === "sft" ? node.params.group_by_length : false, `${node.id}.group_by_length`);
  for (const [param, key] of Object.entries(TRAIN_KEYS)) assert.equal(rec.train[key], node.params[param], `${node.id}.${param}: the engine holds ${String(rec.train[key])}, the plan node says ${JSON.stringify(node.params[param])}`);
  if (node.op === "ppo") for (const [param, key] of Object.entries(PPO_KEYS)) assert.equal(rec.ppo?.[key], node.params[param], `${node.id}.${param}`);
}

test("a variant's PPO stage trains with every parameter of its plan node (kl_coef = the variant's, none at a default)", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    // every PPO and optimiser setting away from its default, so an engine default would show
    const file = join(dir, "swept.align");
    writeFileSync(
      file,
      `recipe swept extends "micro.align" {
  policy.kl_coef = sweep [0.02, 0.3]
  policy.clip = 0.3  policy.vf_coef = 0.2  policy.gae_lambda = 0.9  policy.discount = 0.99  policy.ppo_epochs = 1
  policy.samples_per_prompt = 2  policy.advantages = "rloo"  policy.advantage_scale = "rms"  policy.temperature = 0.8  policy.top_k = 5  policy.lr = 2e-5  policy.warmup = 1
  policy.weight_decay = 0.05  policy.grad_clip = 0.5  policy.min_lr_ratio = 0.2  policy.schedule = linear  policy.optimizer = adam
  rm.lr = 7e-4  rm.schedule = constant  sft.warmup = 2  sft.group_by_length = true  pre.min_lr_ratio = 0.3
}\n`,
    );
    const variant = "kl_coef=0.02";
    const planned = await compile(file, { variant, machine: false, measure: false });
    assert.ok(planned.plan, JSON.stringify(planned.diagnostics));
    const plan = planned.plan;
    assert.equal(plan.nodes.find((n) => n.id === "policy")?.params.kl_coef, 0.02);
    const run = outcome(await runRecipe(file, { variant, until: "policy", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 }));
    assert.equal(run.exitCode, 0);
    assert.equal(run.manifest.variant, "swept[kl_coef=0.02]", "the manifest names the variant in full");
    for (const id of ["pre", "sft", "rm", "policy"]) {
      const node = plan.nodes.find((n) => n.id === id)!;
      const rec = run.manifest.nodes.find((n) => n.id === id)!;
      assert.equal(rec.hash, node.hash, `${id}: the run executed the plan's node`);
      assertTrainedWithNode(node, rec.entry!);
    }
  } finally {
    cleanup();
  }
});

test("lr = sweep [1e-9, 3e-2]: the first variant leaves validation loss where it was, the second moves it", async () => {
  const { dir, cleanup } = tempDir();
  try {
    writeMicro(dir);
    const file = join(dir, "lr.align");
    writeFileSync(file, `recipe lr extends "micro.align" { pre.lr = sweep [1e-9, 3e-2] }\n`);
    const paths = { until: "pre", runsDir: join(dir, "runs"), cacheRoot: join(dir, "cache"), progress: quiet, workers: 1 };
    const moved = async (variant: string) => {
      const m = outcome(await runRecipe(file, { ...paths, variant })).manifest;
      const s = m.nodes.find((n) => n.id === "pre")!.summary!;
      return Math.abs(s.val_loss! - s.val_loss_before!);
    };
    const still = await moved("lr=1e-9");
    const fast = await moved("lr=0.03");
    assert.ok(still < 1e-3, `lr 1e-9 moved validation loss by ${still}`);
    assert.ok(fast > 0.05, `lr 3e-2 moved validation loss by only ${fast}`);
  } finally {
    cleanup();
  }
});
