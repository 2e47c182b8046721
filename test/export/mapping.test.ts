// Each target's hyperparameter table, row by row: a stage with a distinctive value for the alignc
// property must carry that value (converted as documented) under the target's key.
import { test } from "node:test";
import assert from "node:assert/strict";
import { TRL_OUTSIDE_TABLE, TRL_TABLE, trlStageConfig } from "../../src/export/targets/trl.js";
import { OPENRLHF_OUTSIDE_TABLE, OPENRLHF_TABLE, openrlhfStageArgs } from "../../src/export/targets/openrlhf.js";
import { AXOLOTL_TABLE, axolotlStageConfig } from "../../src/export/targets/axolotl.js";
import { EXPORTED_KINDS, type Approximation, type ExportOptions, type ExportStage, type StageHP, type StageKind } from "../../src/export/types.js";
import { CARRIED_OUTSIDE_TABLES, type MapRow, type MapValue } from "../../src/export/targets/common.js";
import { KINDS } from "../../src/check/kinds.js";
import { fixtureInput, fixtureStages, withHP, type HPOverride } from "./fixture.js";
import { pairsOf, ppoHP, StageHPError } from "../../src/export/ppo-hp.js";

type Case = [alignc: string, kind: StageKind, hp: HPOverride, key: string, expected: MapValue];

const stageOf = (kind: StageKind, over: HPOverride): ExportStage => {
  const s = fixtureStages().find((x) => x.kind === kind)!;
  return { ...s, hp: withHP(s.hp, over) };
};

function entries(target: "trl" | "openrlhf" | "axolotl", version: string, stage: ExportStage, opts: Partial<ExportOptions> = {}): { map: Map<string, MapValue>; approx: Approximation[] } {
  const o: ExportOptions = { to: target, nodes: 1, gpusPerNode: 8, targetVersion: version, dropPtx: true, ...opts };
  const approx: Approximation[] = [];
  const input = fixtureInput();
  const rows = 1000;
  const list =
    target === "trl" ? trlStageConfig(stage, input, o, rows, approx)
    : target === "openrlhf" ? openrlhfStageArgs(stage, input, o, version as "0.7.0.post1" | "0.11.0", rows, approx)
    : axolotlStageConfig(stage, input, o, rows, approx);
  const keys = list.map(([k]) => k);
  assert.equal(new Set(keys).size, keys.length, `a key written twice: ${keys.join(" ")}`);
  return { map: new Map(list), approx };
}

function runCases(target: "trl" | "openrlhf" | "axolotl", version: string, table: readonly MapRow[], cases: Case[]) {
  for (const [alignc, kind, over, key, expected] of cases) {
    test(`${target} ${version}: ${kind}.${alignc} → ${key}`, () => {
      const { map } = entries(target, version, stageOf(kind, over));
      assert.ok(map.has(key), `${key} missing; have ${[...map.keys()].join(" ")}`);
      assert.deepEqual(map.get(key), expected);
    });
  }
  test(`${target} ${version}: every table row with a key has a case`, () => {
    const covered = new Set(cases.map((c) => c[0]));
    for (const row of table) assert.ok(covered.has(row.alignc) || row.alignc.includes("."), `no case for ${row.alignc}`);
  });
}

runCases("trl", "1.9.0", TRL_TABLE, [
  ["seed", "sft", { seed: 1234 }, "seed", 1234],
  ["lr", "sft", { lr: 2.5e-5 }, "learning_rate", 2.5e-5],
  ["steps", "sft", { steps: 77 }, "max_steps", 77],
  ["epochs", "sft", { steps: null, epochs: 3 }, "num_train_epochs", 3],
  ["steps", "ppo", { steps: 40, batch_size: 16 }, "total_episodes", 640],
  // alignc's step sees batch_size × accumulate = 128 sequences: 8 per GPU × 2 accumulation × 8 GPUs
  ["batch_size", "sft", { batch_size: 64, accumulate: 2 }, "per_device_train_batch_size", 8],
  ["accumulate", "sft", { batch_size: 64, accumulate: 2 }, "gradient_accumulation_steps", 2],
  ["warmup", "sft", { warmup: 33 }, "warmup_steps", 33],
  ["schedule", "sft", { schedule: "constant" }, "lr_scheduler_type", "constant_with_warmup"],
  ["schedule", "sft", { schedule: "cosine" }, "lr_scheduler_type", "cosine_with_min_lr"],
  ["min_lr_ratio", "sft", { min_lr_ratio: 0.05 }, "lr_scheduler_kwargs", { min_lr_rate: 0.05 }],
  ["optimizer", "sft", { optimizer: "adamw" }, "optim", "adamw_torch"],
  // alignc's Adam constants (src/train/config.ts), not transformers' β2 = 0.999
  ["optimizer", "sft", {}, "adam_beta1", 0.9],
  ["optimizer", "sft", {}, "adam_beta2", 0.95],
  ["optimizer", "ppo", {}, "adam_beta2", 0.95],
  ["optimizer", "reward_model", {}, "adam_epsilon", 1e-8],
  ["weight_decay", "sft", { weight_decay: 0.01 }, "weight_decay", 0.01],
  ["grad_clip", "sft", { grad_clip: 0.5 }, "max_grad_norm", 0.5],
  ["log_every", "sft", { log_every: 7 }, "logging_steps", 7],
  ["checkpoint_every", "sft", { checkpoint_every: 250 }, "save_steps", 250],
  ["max_length", "reward_model", { max_length: 512 }, "max_length", 512],
  ["truncate", "sft", { truncate: "right" }, "truncation_mode", "keep_start"],
  ["truncate", "sft", { truncate: "left" }, "truncation_mode", "keep_end"],
  ["truncate", "dpo", { truncate: "prompt_first" }, "truncation_mode", "keep_end"],
  ["dropout", "dpo", { dropout: 0 }, "disable_dropout", true],
  ["dropout", "reward_model", { dropout: 0.1 }, "disable_dropout", false],
  ["loss_on", "sft", { loss_on: "response" }, "completion_only_loss", true],
  // no TRL key (transformers 4.x and 5.x name it differently): noted (see the group_by_length test)
  ["group_by_length", "sft", { group_by_length: true }, "seed", 17],
  ["beta", "dpo", { beta: 0.3 }, "beta", 0.3],
  ["kl_coef", "ppo", { kl_coef: 0.02 }, "kl_coef", 0.02],
  ["clip", "ppo", { clip: 0.15 }, "cliprange", 0.15],
  ["vf_coef", "ppo", { vf_coef: 0.4 }, "vf_coef", 0.4],
  ["gae_lambda", "ppo", { gae_lambda: 0.9 }, "lam", 0.9],
  ["discount", "ppo", { discount: 0.99 }, "gamma", 0.99],
  ["ppo_epochs", "ppo", { ppo_epochs: 4 }, "num_ppo_epochs", 4],
  ["max_new_tokens", "ppo", { max_new_tokens: 53 }, "response_length", 53],
  ["temperature", "ppo", { temperature: 0.7 }, "temperature", 0.7],
  ["samples_per_prompt", "ppo", {}, "temperature", 1],
  // advantages / advantage_scale have no TRL key: noted as approximations (see the test below)
  ["advantages", "ppo", { advantages: "rloo" }, "temperature", 1],
  ["advantage_scale", "ppo", { advantage_scale: "rms" }, "temperature", 1],
  ["top_k", "ppo", {}, "temperature", 1],
  ["kl_budget", "ppo", {}, "kl_coef", 0.1],
]);

for (const version of ["0.7.0.post1", "0.11.0"] as const) {
  const old = version === "0.7.0.post1";
  const f = (a: string, b: string) => (old ? a : b);
  runCases("openrlhf", version, OPENRLHF_TABLE, [
    ["seed", "sft", { seed: 1234 }, f("--seed", "--train.seed"), 1234],
    ["lr", "sft", { lr: 2.5e-5 }, f("--learning_rate", "--adam.lr"), 2.5e-5],
    ["lr", "ppo", { lr: 3e-6 }, f("--actor_learning_rate", "--actor.adam.lr"), 3e-6],
    ["lr", "ppo", { lr: 3e-6 }, f("--critic_learning_rate", "--critic.adam.lr"), 3e-6],
    ["steps", "sft", { steps: 10, batch_size: 16 }, f("--max_samples", "--data.max_samples"), 160], // 160 of 1000 rows: one partial pass
    ["steps", "sft", { steps: 200, batch_size: 16 }, f("--max_epochs", "--train.max_epochs"), 4], // 3200 over 1000 rows
    ["steps", "ppo", { steps: 100, batch_size: 16 }, f("--num_episodes", "--train.num_episodes"), 2],
    // OpenRLHF counts prompts: 40 steps × (64 rollouts ÷ 4 samples) = 640 of the 1000 prompt rows, one partial pass
    ["steps", "ppo", { steps: 40, batch_size: 64, samples_per_prompt: 4 }, f("--max_samples", "--data.max_samples"), 640],
    ["steps", "ppo", { steps: 40, batch_size: 64, samples_per_prompt: 4 }, f("--num_episodes", "--train.num_episodes"), 1],
    // the global batch is alignc's batch_size × accumulate
    ["batch_size", "sft", { batch_size: 64, accumulate: 2 }, f("--train_batch_size", "--train.batch_size"), 128],
    ["steps", "sft", { steps: 10, batch_size: 16, accumulate: 2 }, f("--max_samples", "--data.max_samples"), 320], // 10 steps × 32 rows
    ["batch_size", "ppo", { batch_size: 32 }, f("--rollout_batch_size", "--rollout.batch_size"), 32],
    // OpenRLHF's rollout batch counts prompts: 32 responses = 8 prompts × 4 samples
    ["batch_size", "ppo", { batch_size: 32, samples_per_prompt: 4 }, f("--rollout_batch_size", "--rollout.batch_size"), 8],
    ["samples_per_prompt", "ppo", { batch_size: 32, samples_per_prompt: 4 }, f("--n_samples_per_prompt", "--rollout.n_samples_per_prompt"), 4],
    ["advantages", "ppo", { advantages: "rloo", samples_per_prompt: 4 }, f("--advantage_estimator", "--algo.advantage.estimator"), "rloo"],
    ["advantages", "ppo", { advantages: "gae" }, f("--advantage_estimator", "--algo.advantage.estimator"), "gae"],
    // no OpenRLHF key: noted as an approximation (see the test below)
    ["advantage_scale", "ppo", { advantage_scale: "rms", samples_per_prompt: 4 }, f("--n_samples_per_prompt", "--rollout.n_samples_per_prompt"), 4],
    ["accumulate", "sft", { batch_size: 64, accumulate: 2 }, f("--micro_train_batch_size", "--train.micro_batch_size"), 8],
    ["warmup", "sft", { warmup: 10, steps: 100 }, "--lr_warmup_ratio", 0.1],
    ["schedule", "sft", { schedule: "constant" }, "--lr_scheduler", "constant_with_warmup"],
    ["schedule", "sft", { schedule: "linear" }, "--lr_scheduler", "cosine_with_min_lr"],
    ["weight_decay", "sft", { weight_decay: 0.01 }, f("--l2", "--adam.weight_decay"), 0.01],
    ["optimizer", "sft", {}, f("--adam_betas", "--adam.betas"), [0.9, 0.95]],
    ["optimizer", "ppo", {}, f("--adam_betas", "--actor.adam.betas"), [0.9, 0.95]],
    ...(old ? [] : ([["optimizer", "ppo", {}, "--critic.adam.betas", [0.9, 0.95]], ["optimizer", "dpo", {}, "--adam.eps", 1e-8], ["optimizer", "ppo", {}, "--critic.adam.eps", 1e-8]] as Case[])),
    // 0.11's critic optimizer: the actor's settings, not OpenRLHF's defaults (decay 0, warmup 0.03)
    ...(old
      ? []
      : ([
          ["weight_decay", "ppo", { weight_decay: 0.05 }, "--critic.adam.weight_decay", 0.05],
          ["grad_clip", "ppo", { grad_clip: 0.5 }, "--critic.max_norm", 0.5],
          ["warmup", "ppo", { warmup: 10, steps: 100 }, "--critic.lr_warmup_ratio", 0.1],
          ["schedule", "ppo", { schedule: "constant" }, "--critic.lr_scheduler", "constant_with_warmup"],
          ["min_lr_ratio", "ppo", { min_lr_ratio: 0.2 }, "--critic.min_lr_ratio", 0.2],
        ] as Case[])),
    ["grad_clip", "sft", { grad_clip: 0.5 }, "--max_norm", 0.5],
    ["log_every", "sft", { log_every: 7 }, f("--logging_steps", "--logger.logging_steps"), 7],
    ["checkpoint_every", "sft", { checkpoint_every: 250 }, f("--save_steps", "--ckpt.save_steps"), 250],
    ["max_length", "reward_model", { max_length: 512 }, f("--max_len", "--data.max_len"), 512],
    ["max_length", "ppo", { max_length: 512, max_new_tokens: 24 }, f("--prompt_max_len", "--data.max_len"), old ? 488 : 512],
    ["loss_on", "pretrain", {}, f("--pretrain_mode", "--model.pretrain_mode_enable"), true],
    ["beta", "dpo", { beta: 0.3 }, f("--beta", "--model.beta"), 0.3],
    ["kl_coef", "ppo", { kl_coef: 0.02 }, f("--init_kl_coef", "--algo.kl.init_coef"), 0.02],
    ["clip", "ppo", { clip: 0.15 }, f("--eps_clip", "--actor.eps_clip"), 0.15],
    ["gae_lambda", "ppo", { gae_lambda: 0.9 }, f("--lambd", "--algo.advantage.lambd"), 0.9],
    ["discount", "ppo", { discount: 0.99 }, f("--gamma", "--algo.advantage.gamma"), 0.99],
    ["ppo_epochs", "ppo", { ppo_epochs: 4 }, f("--max_epochs", "--train.max_epochs"), 4],
    ["max_new_tokens", "ppo", { max_new_tokens: 53 }, f("--generate_max_len", "--rollout.max_new_tokens"), 53],
    ["temperature", "ppo", { temperature: 0.7 }, f("--temperature", "--rollout.temperature"), 0.7],
    ...(old
      ? ([["ptx_coef", "ppo", { ptx_coef: 27.8 }, "--ptx_coef", 27.8]] as Case[])
      : ([
          ["min_lr_ratio", "sft", { min_lr_ratio: 0.05 }, "--min_lr_ratio", 0.05],
          ["optimizer", "sft", {}, "--optim", "adam"],
          // OpenRLHF passes min_lr to every scheduler, which transformers' linear one does not take (audit35 H2)
          ["schedule", "ppo", { schedule: "linear" }, "--actor.lr_scheduler", "cosine_with_min_lr"],
        ] as Case[])),
    // rows with no key in this version still need a case name for the coverage check
    ...(old ? ([["min_lr_ratio", "sft", {}, "--seed", 17], ["optimizer", "sft", {}, "--seed", 17]] as Case[]) : ([["ptx_coef", "sft", {}, "--train.seed", 17]] as Case[])),
    // alignc's value loss is unclipped, its PPO never clamps a score: both of OpenRLHF's clips opened (audit35
    // M1, M2), written with PPO's model flags (they carry no parameter of alignc's)
    ["vf_coef", "ppo", { advantages: "gae" }, f("--value_clip", "--critic.value_clip"), 1_000_000_000],
    ["reward", "ppo", {}, f("--reward_clip_range", "--reward.clip_range"), [-1_000_000_000, 1_000_000_000]],
    ["truncate", "sft", {}, f("--seed", "--train.seed"), 17],
    ["dropout", "sft", {}, f("--seed", "--train.seed"), 17],
    ["group_by_length", "sft", {}, f("--seed", "--train.seed"), 17],
    ["top_k", "ppo", {}, f("--seed", "--train.seed"), 17],
    ["kl_budget", "ppo", {}, f("--seed", "--train.seed"), 17],
  ]);
}

runCases("axolotl", "0.18.0", AXOLOTL_TABLE, [
  ["seed", "sft", { seed: 1234 }, "seed", 1234],
  ["lr", "sft", { lr: 2.5e-5 }, "learning_rate", 2.5e-5],
  ["steps", "sft", { steps: 77 }, "max_steps", 77],
  ["epochs", "sft", { steps: null, epochs: 3 }, "num_epochs", 3],
  ["batch_size", "sft", { batch_size: 64, accumulate: 2 }, "micro_batch_size", 8], // 128 per step = 8 × 2 × 8 GPUs
  ["accumulate", "sft", { batch_size: 64, accumulate: 2 }, "gradient_accumulation_steps", 2],
  ["warmup", "sft", { warmup: 33 }, "warmup_steps", 33],
  ["schedule", "sft", { schedule: "linear" }, "lr_scheduler", "linear"],
  ["min_lr_ratio", "sft", { min_lr_ratio: 0.05 }, "cosine_min_lr_ratio", 0.05],
  ["optimizer", "sft", {}, "optimizer", "adamw_torch"],
  ["optimizer", "dpo", {}, "adam_beta2", 0.95],
  ["optimizer", "sft", {}, "adam_epsilon", 1e-8],
  ["weight_decay", "sft", { weight_decay: 0.01 }, "weight_decay", 0.01],
  ["grad_clip", "sft", { grad_clip: 0.5 }, "max_grad_norm", 0.5],
  ["log_every", "sft", { log_every: 7 }, "logging_steps", 7],
  ["checkpoint_every", "sft", { checkpoint_every: 250 }, "save_steps", 250],
  ["max_length", "dpo", { max_length: 512 }, "sequence_len", 512],
  ["loss_on", "sft", { loss_on: "all" }, "train_on_inputs", true],
  ["loss_on", "sft", { loss_on: "response" }, "train_on_inputs", false],
  ["group_by_length", "sft", { group_by_length: true }, "group_by_length", true],
  ["beta", "dpo", { beta: 0.3 }, "rl_beta", 0.3],
  // no Axolotl key: noted as approximations (see the test below)
  ["truncate", "sft", {}, "seed", 17],
  ["dropout", "sft", {}, "seed", 17],
]);

/**
 * The plan is what runs, on the target too: every parameter the kinds table gives an exported stage
 * kind (and the model's dropout, which alignc trains the stage with) is a row of each target's table
 * or carried another way, named in CARRIED_OUTSIDE_TABLES or the target's own list. A parameter in
 * neither would reach the target as the target's own default, with nothing in EXPORT.md saying so.
 */
test("every stage parameter of the kinds table is mapped, noted, or carried outside the table, for every target", () => {
  const targets: [string, readonly MapRow[], Readonly<Record<string, string>>, readonly StageKind[]][] = [
    ["trl", TRL_TABLE, TRL_OUTSIDE_TABLE, EXPORTED_KINDS],
    ["openrlhf", OPENRLHF_TABLE, OPENRLHF_OUTSIDE_TABLE, EXPORTED_KINDS],
    ["axolotl", AXOLOTL_TABLE, {}, EXPORTED_KINDS.filter((k) => k !== "ppo")], // Axolotl has no PPO: refused (AL4602)
  ];
  const missing: string[] = [];
  for (const [target, table, outside, kinds] of targets)
    for (const kind of kinds)
      for (const prop of [...Object.keys(KINDS.stage![kind]!.props), "dropout"]) {
        const carried = [prop, `${kind}.${prop}`].some((k) => k in CARRIED_OUTSIDE_TABLES || k in outside);
        if (!carried && !table.some((r) => r.alignc === prop && r.kinds.includes(kind))) missing.push(`${target}: ${kind}.${prop}`);
      }
  assert.deepEqual(missing, []);
});

test("truncate and dropout: the plan's value, or a note naming it where the target cannot carry it", () => {
  // TRL's SFT trainer keeps the model config's dropout; OpenRLHF and Axolotl have no dropout setting
  const sft = stageOf("sft", { dropout: 0.25, truncate: "left" });
  for (const [target, version] of [["trl", "1.9.0"], ["openrlhf", "0.11.0"], ["axolotl", "0.18.0"]] as const) {
    const { approx } = entries(target, version, sft);
    assert.ok(approx.some((a) => a.text.startsWith("dropout:") && a.text.includes("0.25")), `${target}: ${JSON.stringify(approx)}`);
    if (target !== "trl") assert.ok(approx.some((a) => a.text.startsWith("truncate:") && a.text.includes('"left"')), `${target}: ${JSON.stringify(approx)}`);
  }
  // TRL carries left and right exactly (left as keep_end, which TRL 1.9 deprecates: said, with its removal in 2.0.0);
  // prompt_first has no TRL equivalent and says so
  assert.ok(entries("trl", "1.9.0", sft).approx.some((a) => a.text.startsWith("truncate:") && /deprecated in TRL 1\.9.*removed in 2\.0\.0/.test(a.text)));
  assert.ok(!entries("trl", "1.9.0", stageOf("sft", { truncate: "right" })).approx.some((a) => a.text.startsWith("truncate:")));
  assert.ok(entries("trl", "1.9.0", stageOf("sft", { truncate: "prompt_first" })).approx.some((a) => a.text.startsWith("truncate:") && a.text.includes("prompt_first")));
  // TRL's DPO and reward trainers disable dropout by default: exact for dropout 0, a note above it
  assert.ok(!entries("trl", "1.9.0", stageOf("dpo", { dropout: 0 })).approx.some((a) => a.text.startsWith("dropout:")));
  assert.ok(entries("trl", "1.9.0", stageOf("dpo", { dropout: 0.1 })).approx.some((a) => a.text.startsWith("dropout:") && a.text.includes("0.1")));
  // TRL's PPO has no prompt length: the cut alignc made is named
  assert.ok(entries("trl", "1.9.0", stageOf("ppo", { max_length: 96, max_new_tokens: 24 })).approx.some((a) => a.text.startsWith("max_length:") && a.text.includes("72 tokens")));
  // a stage of a kind with `truncate` that lacks it is refused, never given a default
  const { truncate: _t, ...rest } = sft.hp;
  assert.throws(() => entries("trl", "1.9.0", { ...sft, hp: rest as StageHP }), /lacks `truncate`/);
});

test("group_by_length: false is every target's default and written nowhere; true is written only where the key is certain (Axolotl), and noted everywhere", () => {
  for (const [target, version] of [["trl", "1.9.0"], ["openrlhf", "0.11.0"], ["axolotl", "0.18.0"]] as const) {
    const off = entries(target, version, stageOf("sft", { group_by_length: false }));
    assert.ok(!off.map.has("group_by_length") && !off.map.has("train_sampling_strategy") && !off.approx.some((a) => a.text.startsWith("group_by_length:")), target);
    const on = entries(target, version, stageOf("sft", { group_by_length: true }));
    assert.equal(on.map.get("group_by_length"), target === "axolotl" ? true : undefined, target);
    assert.ok(!on.map.has("train_sampling_strategy"), target);
    const note = { trl: "train_sampling_strategy: group_by_length", openrlhf: "no length grouping", axolotl: "megabatches" }[target];
    assert.ok(on.approx.some((a) => a.text.startsWith("group_by_length:") && a.text.includes(note)), `${target}: ${JSON.stringify(on.approx)}`);
  }
});

test("the ptx γ never becomes a discount factor: for any ptx_coef, `gamma` carries the GAE discount", () => {
  for (const ptx of [0, 1, 27.8]) {
    const stage = stageOf("ppo", { ptx_coef: ptx, discount: 0.97 });
    assert.equal(entries("trl", "1.9.0", stage).map.get("gamma"), 0.97);
    assert.equal(entries("openrlhf", "0.7.0.post1", stage).map.get("--gamma"), 0.97);
    assert.equal(entries("openrlhf", "0.11.0", stage).map.get("--algo.advantage.gamma"), 0.97);
  }
});

test("lossy rows say what is lost", () => {
  const { approx } = entries("trl", "1.9.0", stageOf("ppo", { top_k: 5, kl_budget: 8 }));
  assert.ok(approx.some((a) => a.text.startsWith("top_k:") && a.text.includes("5")));
  assert.ok(approx.some((a) => a.text.startsWith("kl_budget:") && a.text.includes("8")));
  const k = entries("trl", "1.9.0", stageOf("ppo", { samples_per_prompt: 4 })).approx;
  assert.ok(k.some((a) => a.text.startsWith("samples_per_prompt:") && a.text.includes("rloo_k")));
  const old = entries("openrlhf", "0.7.0.post1", stageOf("sft", { min_lr_ratio: 0.3 }));
  assert.ok(old.approx.some((a) => a.text.startsWith("min_lr_ratio:")));
  const split = entries("axolotl", "0.18.0", stageOf("sft", { batch_size: 4 }), { nodes: 2, gpusPerNode: 8 });
  assert.ok(split.approx.some((a) => a.text.startsWith("batch_size:") && a.text.includes("16")));
});

test("TRL's value loss is clipped where alignc's is not: said for gae, not for rloo (whose note says TRL trains a value model)", () => {
  assert.ok(entries("trl", "1.9.0", stageOf("ppo", { advantages: "gae" })).approx.some((a) => a.text.startsWith("vf_coef:") && a.text.includes("cliprange_value")));
  assert.ok(!entries("trl", "1.9.0", stageOf("ppo", { advantages: "rloo", samples_per_prompt: 4 })).approx.some((a) => a.text.startsWith("vf_coef:")));
});

test("comparison stages batch pairs: alignc's prompts per step × mean pairs per prompt", () => {
  // the fixture RM has K = 4 (6 pairs per prompt): 4 prompts per step ≈ 24 pairs, 3 per GPU on 8 GPUs
  const rm = stageOf("reward_model", { batch_size: 4, accumulate: 1 });
  assert.equal(entries("trl", "1.9.0", rm).map.get("per_device_train_batch_size"), 3);
  assert.equal(entries("openrlhf", "0.11.0", rm).map.get("--train.batch_size"), 24);
  assert.equal(entries("axolotl", "0.18.0", rm).map.get("micro_batch_size"), 3);
  const { approx } = entries("trl", "1.9.0", rm);
  assert.ok(approx.some((a) => a.text.includes("4 prompts ≈ 24 pairs per step")), JSON.stringify(approx));
});

test("advantages = rloo: OpenRLHF gets its rloo estimator and no critic; rms scaling and TRL's GAE are noted as approximations", () => {
  for (const version of ["0.7.0.post1", "0.11.0"]) {
    const { map, approx } = entries("openrlhf", version, stageOf("ppo", { advantages: "rloo", advantage_scale: "rms", samples_per_prompt: 4, batch_size: 32 }));
    // no critic model, and none of its optimizer flags or notes: they would configure a network that is not built
    assert.ok(![...map.keys()].some((k) => /critic_(pretrain|learning_rate)|critic\.(model_name_or_path|adam|max_norm|lr_|min_lr)/.test(k)), `no critic: ${[...map.keys()].join(" ")}`);
    assert.ok(!approx.some((a) => /critic/.test(a.text)), JSON.stringify(approx));
    assert.ok(approx.some((a) => /RMS/.test(JSON.stringify(a))));
    const gae = entries("openrlhf", version, stageOf("ppo", { advantages: "gae" }));
    assert.ok([...gae.map.keys()].some((k) => k.includes("critic")));
    assert.ok(gae.approx.some((a) => /critic/.test(a.text)), JSON.stringify(gae.approx));
  }
  const trl = entries("trl", "1.9.0", stageOf("ppo", { advantages: "rloo", advantage_scale: "rms" }));
  assert.ok(trl.approx.some((a) => /leave-one-out/.test(JSON.stringify(a))) && trl.approx.some((a) => /RMS/.test(JSON.stringify(a))));
});

test("PPO's parameters are read strictly: a non-PPO stage or a PPO stage lacking one is refused, not defaulted", () => {
  const stages = fixtureStages();
  const ppo = stages.find((s) => s.kind === "ppo")!;
  assert.equal(ppoHP(ppo).kl_coef, ppo.hp.kl_coef);
  assert.throws(() => ppoHP(stages.find((s) => s.kind === "sft")!), StageHPError);
  const { kl_coef: _kl, ...rest } = ppo.hp;
  assert.throws(() => ppoHP({ ...ppo, hp: rest as StageHP }), /lacks `kl_coef`/);
  assert.equal(pairsOf(stages.find((s) => s.kind === "dpo")!), "all");
  assert.equal(pairsOf(stageOf("reward_model", { pairs: "adjacent" })), "adjacent");
});

// audit35 (OpenRLHF's source read against the export): a linear schedule crashed OpenRLHF before its first
// step (min_lr passed to transformers' linear schedule), LayerNorm gains were decayed unnoted, and 0.7's ε
// was noted as a difference it is not
test("OpenRLHF: linear is written as cosine_with_min_lr and noted; decay of LayerNorm gains is noted; 0.7's ε is not a difference", () => {
  for (const version of ["0.7.0.post1", "0.11.0"]) {
    const gpt2 = { ...stageOf("sft", { schedule: "linear", weight_decay: 0.1 }), positions: { hf: "gpt2", n: 1024 } };
    const { approx } = entries("openrlhf", version, gpt2);
    assert.ok(approx.some((a) => /cannot build a linear schedule/.test(a.text)), `${version}: ${JSON.stringify(approx)}`);
    assert.ok(approx.some((a) => /ln_1, ln_2/.test(a.text)), JSON.stringify(approx));
    // GPT-2's names only: another model's norms are on OpenRLHF's no-decay list (review35 L3)
    assert.ok(!entries("openrlhf", version, { ...gpt2, positions: undefined }).approx.some((a) => /ln_1/.test(a.text)));
    assert.ok(!approx.some((a) => /Adam ε/.test(a.text)), JSON.stringify(approx));
    const plain = entries("openrlhf", version, stageOf("sft", { schedule: "cosine", weight_decay: 0 })).approx;
    assert.ok(!plain.some((a) => /linear|ln_1/.test(a.text)), JSON.stringify(plain));
  }
  // 0.7's PPO and RM always use cosine: that note, not the linear one
  const rm = entries("openrlhf", "0.7.0.post1", stageOf("reward_model", { schedule: "linear" })).approx;
  assert.ok(rm.some((a) => /always uses cosine_with_min_lr/.test(a.text)) && !rm.some((a) => /cannot build/.test(a.text)), JSON.stringify(rm));
});
