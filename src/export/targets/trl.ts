// TRL (v1.9): one YAML per stage for `trl sft | reward | dpo --config`, and the experimental PPO
// script (`trl/experimental/ppo/ppo.py`) as flags. TRL forwards YAML keys it does not know to
// `accelerate launch`, so only keys from the table below (all TRL/transformers fields) are written.
import { toYaml } from "../yaml.js";
import { ADAM_CONSTANTS } from "../../train/config.js";
import { targetVersionOf, type Approximation, type ExportFile, type ExportInput, type ExportOptions, type ExportStage } from "../types.js";
import { ppoHP, truncateOf } from "../ppo-hp.js";
import { rewardPadToken } from "../model-positions.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import {
  HF_GROUPING,
  applyTable,
  argsFile,
  hasTest,
  rowCountOf,
  initPath,
  dataDir,
  outputDir,
  SUPERVISED,
  TRAINED,
  comparisonBatchNote,
  stageSplit,
  inexactBatchNote,
  warmupNote,
  evalSteps,
  targetSteps,
  type MapCtx,
  type MapRow,
  type MapValue,
  type TargetOutput,
} from "./common.js";
import { acceleratePath, accelerateConfig } from "./accelerate.js";

const SFT_LIKE = ["pretrain", "sft"] as const;

/** The rows TRL's PPO example script takes from the end of its dataset for evaluation (never trained on; AL4607). */
export const TRL_PPO_EVAL_ROWS = 100;

/**
 * TRL's PPOTrainer rolls out one response per prompt, each from a fresh prompt: total_episodes = steps ×
 * batch_size rollouts are as many prompt draws (its dataloader repeats the prompts it trains on), where
 * alignc drew steps × batch_size ÷ samples_per_prompt prompts and sampled each samples_per_prompt times.
 */
function promptDrawsNote(c: MapCtx): string {
  const hp = ppoHP(c.stage);
  const draws = hp.steps * c.stage.hp.batch_size;
  const alignDraws = draws / hp.samples_per_prompt;
  const trained = Math.max(1, c.rows - TRL_PPO_EVAL_ROWS);
  // two significant digits below one pass: 40 draws over 814 prompts are 0.049 passes, not "0.0" (huntF40 F7)
  const passes = (n: number, of: number) => {
    const two = (n / of).toPrecision(2); // 0.049, 0.70, and 0.996 → "1.0", as a whole pass is written
    return n / of >= 1 ? (n / of).toFixed(1) : Number(two) < 1 ? String(Number(two)) : two;
  };
  return (
    `TRL's PPOTrainer samples one response per prompt and draws a fresh prompt for every rollout: steps × batch_size = ${draws} prompt draws, ${passes(draws, trained)} passes over the ${trained} prompts it trains on, ` +
    `where alignc drew steps × batch_size ÷ samples_per_prompt = ${alignDraws} prompts, ${passes(alignDraws, c.rows)} passes over its ${c.rows}, and sampled each ${hp.samples_per_prompt} times with a leave-one-out baseline (TRL's RLOOTrainer has rloo_k)`
  );
}

/**
 * TRL's PPO loop calls no clip_grad_norm_: the clip is DeepSpeed's gradient_clipping, which trlTarget writes
 * into the stage's accelerate config. DeepSpeed clips the one engine TRL builds of policy and value model
 * together, where alignc clips each network on its own.
 */
function ppoClipNote(c: MapCtx): string | null {
  if (c.stage.hp.grad_clip <= 0) return null;
  return `TRL's PPO loop never clips gradients itself (it does not read max_grad_norm); DeepSpeed clips them at gradient_clipping = ${c.stage.hp.grad_clip} (written in ${c.stage.hp.grad_clip === sharedClip(c.input.stages) ? acceleratePath(c.opts) : acceleratePath(c.opts, c.stage.name)}), over the policy and the value model together (one DeepSpeed engine), where alignc clips the policy's gradient norm on its own${c.stage.hp.advantages === "gae" ? " and its value network's on its own" : ""}`;
}

/** EXPORT.md's note for a PPO stage whose TRL-trained reward model pads as its tokenizer does (no rewardPadToken). */
function rewardReadoutNote(stage: ExportStage, input: ExportInput): Approximation | null {
  const rm = input.stages.find((s) => s.name === stage.reward);
  if (!rm || rewardPadToken(rm)) return null;
  return {
    stage: stage.name,
    text:
      `reward: TRL's reward trainer pads with the tokenizer's pad token, else EOS; where it pads with EOS, the reward model's sequence classifier reads its score at the last response token (the last token that is not padding), while TRL's PPO reads the reward at the EOS after the response, a position the reward model never scored. ` +
      `alignc sets pad_token in configs/${rm.name}.yaml only for the GPT-2 family, whose tokenizer it knows: give it a vocabulary token other than EOS if ${initPath(rm)}'s tokenizer has no pad token of its own`,
  };
}

/** alignc property → TRL field, one row each; tested row by row in test/export/mapping.test.ts. */
export const TRL_TABLE: readonly MapRow[] = [
  { alignc: "seed", kinds: TRAINED, key: () => "seed", value: (c) => c.stage.hp.seed },
  { alignc: "lr", kinds: TRAINED, key: () => "learning_rate", value: (c) => c.stage.hp.lr },
  { alignc: "steps", kinds: SUPERVISED, key: (c) => (c.stage.hp.steps !== null ? "max_steps" : null), value: (c) => (c.stage.hp.steps === null ? undefined : targetSteps(c, c.stage.hp.steps)) },
  { alignc: "epochs", kinds: SUPERVISED, key: (c) => (c.stage.hp.steps === null && c.stage.hp.epochs !== null ? "num_train_epochs" : null), value: (c) => c.stage.hp.epochs ?? undefined },
  {
    alignc: "steps",
    kinds: ["ppo"],
    key: () => "total_episodes",
    value: (c) => ppoHP(c.stage).steps * c.stage.hp.batch_size, // one episode = one rollout
  },
  {
    alignc: "batch_size",
    kinds: TRAINED,
    key: () => "per_device_train_batch_size",
    value: (c) => c.split.perDevice,
    lossy: (c) => inexactBatchNote(c, c.stage.kind === "ppo" ? "samples" : "steps"),
  },
  { alignc: "accumulate", kinds: TRAINED, key: () => "gradient_accumulation_steps", value: (c) => c.split.accumulation },
  { alignc: "reward_model.batch_size", kinds: ["reward_model", "dpo"], key: () => null, value: () => undefined, lossy: comparisonBatchNote },
  // PPO's too: its scheduler steps once per rollout batch of the target's global batch (ppo_trainer.py num_total_batches)
  { alignc: "warmup", kinds: TRAINED, key: () => "warmup_steps", value: (c) => targetSteps(c, c.stage.hp.warmup), lossy: warmupNote },
  {
    alignc: "schedule",
    kinds: TRAINED,
    key: () => "lr_scheduler_type",
    value: (c) => ({ cosine: "cosine_with_min_lr", constant: "constant_with_warmup", linear: "linear" })[c.stage.hp.schedule],
  },
  {
    alignc: "min_lr_ratio",
    kinds: TRAINED,
    key: (c) => (c.stage.hp.schedule === "cosine" ? "lr_scheduler_kwargs" : null),
    value: (c) => ({ min_lr_rate: c.stage.hp.min_lr_ratio }),
    lossy: (c) => (c.stage.hp.schedule === "linear" && c.stage.hp.min_lr_ratio > 0 ? `transformers' linear schedule decays to 0, not to ${c.stage.hp.min_lr_ratio} × lr` : null),
  },
  {
    alignc: "optimizer",
    kinds: TRAINED,
    key: () => "optim",
    value: () => "adamw_torch",
    lossy: (c) => (c.stage.hp.optimizer === "adam" ? "Adam with coupled L2 decay becomes AdamW (decoupled weight decay)" : null),
  },
  // Adam's constants as alignc's optimizer uses them (transformers' own default β2 is 0.999)
  { alignc: "optimizer", kinds: TRAINED, key: () => "adam_beta1", value: () => ADAM_CONSTANTS.beta1 },
  { alignc: "optimizer", kinds: TRAINED, key: () => "adam_beta2", value: () => ADAM_CONSTANTS.beta2 },
  { alignc: "optimizer", kinds: TRAINED, key: () => "adam_epsilon", value: () => ADAM_CONSTANTS.eps },
  { alignc: "weight_decay", kinds: TRAINED, key: () => "weight_decay", value: (c) => c.stage.hp.weight_decay },
  // under ZeRO-3 the clip is DeepSpeed's gradient_clipping, written into each stage's accelerate config (sharedClip);
  // max_grad_norm too: the HF Trainer stages hold DeepSpeed's value to it (TRL's PPO loop reads neither)
  { alignc: "grad_clip", kinds: TRAINED, key: () => "max_grad_norm", value: (c) => c.stage.hp.grad_clip, lossy: (c) => (c.stage.kind === "ppo" ? ppoClipNote(c) : null) },
  // intervals in the target's steps: scaled with max_steps where the global batch could not be kept (targetSteps);
  // PPO's count rollout batches (its trainer's global_step), which the same rule scales
  // TRL's PPO loop logs after every rollout batch whatever logging_steps says (ppo_trainer.py calls self.log each batch)
  { alignc: "log_every", kinds: TRAINED, key: () => "logging_steps", value: (c) => targetSteps(c, c.stage.hp.log_every), lossy: (c) => (c.stage.kind === "ppo" && c.stage.hp.log_every > 1 ? `TRL's PPO loop logs every rollout batch; logging_steps is written but not read there` : null) },
  { alignc: "checkpoint_every", kinds: TRAINED, key: () => "save_steps", value: (c) => targetSteps(c, c.stage.hp.checkpoint_every) },
  { alignc: "max_length", kinds: SUPERVISED, key: () => "max_length", value: (c) => c.stage.hp.max_length },
  {
    alignc: "max_length",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) =>
      `TRL's PPOConfig has no prompt length setting: alignc cut prompts to max_length − max_new_tokens = ${Math.max(1, c.stage.hp.max_length - ppoHP(c.stage).max_new_tokens)} tokens; the target's script keeps every prompt whole (trl/experimental/ppo/ppo.py tokenizes it without a length filter or cut)`,
  },
  {
    alignc: "truncate",
    kinds: ["sft", "dpo"],
    key: () => "truncation_mode",
    // keep_start cuts a sequence's end (alignc's right), keep_end its start (alignc's left)
    value: (c) => (truncateOf(c.stage) === "right" ? "keep_start" : "keep_end"),
    // keep_end is deprecated in TRL 1.x (a FutureWarning from SFTConfig/DPOConfig) and due to go in 2.0.0
    lossy: (c) =>
      truncateOf(c.stage) === "prompt_first"
        ? "TRL has no prompt_first: keep_end cuts a sequence longer than max_length from its start, as alignc's prompt_first does while the prompt covers the excess; beyond that TRL cuts the response's start where alignc cut its end. keep_end is deprecated in TRL 1.9 (a FutureWarning) and removed in 2.0.0"
        : truncateOf(c.stage) === "left"
          ? "keep_end (alignc's left cut) is deprecated in TRL 1.9 (a FutureWarning at start-up) and removed in 2.0.0"
          : null,
  },
  {
    alignc: "dropout",
    kinds: SFT_LIKE,
    key: () => null,
    value: () => undefined,
    lossy: (c) => `TRL's SFT trainer has no dropout setting: it trains with the rates in the Hugging Face model's config (GPT-2's: 0.1), where alignc trained with the model's dropout = ${c.stage.hp.dropout}`,
  },
  {
    alignc: "dropout",
    kinds: ["reward_model", "dpo"],
    key: () => "disable_dropout",
    value: (c) => c.stage.hp.dropout === 0,
    lossy: (c) => (c.stage.hp.dropout > 0 ? `TRL has no dropout rate: with disable_dropout false it trains with the rates in the Hugging Face model's config, not the model's dropout = ${c.stage.hp.dropout}` : null),
  },
  // both train PPO without dropout: TRL's PPO trainer disables it, alignc's PPO ignores the model's (src/train/config.ts)
  { alignc: "dropout", kinds: ["ppo"], key: () => null, value: () => undefined },
  {
    alignc: "loss_on",
    kinds: ["sft"],
    key: (c) => (c.stage.hp.loss_on === "all" ? null : "completion_only_loss"),
    value: () => true, // loss_on = all writes `text` rows instead: the loss is then on every token
  },
  {
    // TRL 1.9 runs on transformers >= 4.56.2, which renamed the setting in 5.x (train_sampling_strategy:
    // group_by_length): a key right for one is unknown to the other, and TRL hands keys its parser does not know on to
    // `accelerate launch` (trl/cli/commands/training.py), which refuses them: the run stops
    alignc: "group_by_length",
    kinds: ["sft"],
    key: () => null,
    value: () => undefined,
    lossy: (c) =>
      c.stage.hp.group_by_length
        ? `not written: TRL 1.9 runs on transformers 4.x (\`group_by_length: true\`) or 5.x (\`train_sampling_strategy: group_by_length\`), and a key the installed one does not know stops the run (TRL passes it on to \`accelerate launch\`, which refuses it); add the one your transformers reads, else the target draws random batches. ${HF_GROUPING}`
        : null,
  },
  { alignc: "beta", kinds: ["dpo"], key: () => "beta", value: (c) => c.stage.hp.beta },
  { alignc: "kl_coef", kinds: ["ppo"], key: () => "kl_coef", value: (c) => c.stage.hp.kl_coef },
  { alignc: "clip", kinds: ["ppo"], key: () => "cliprange", value: (c) => c.stage.hp.clip },
  {
    alignc: "vf_coef",
    kinds: ["ppo"],
    key: () => "vf_coef",
    value: (c) => c.stage.hp.vf_coef,
    // an engine difference, not a parameter: TRL's PPOConfig clips the value loss (cliprange_value, default 0.2)
    lossy: (c) =>
      c.stage.hp.advantages === "gae"
        ? "TRL clips the value loss around the rollout's values (cliprange_value = 0.2, its default); alignc's is unclipped: vf_coef × ½(V − R)²"
        : null,
  },
  {
    alignc: "samples_per_prompt",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (ppoHP(c.stage).samples_per_prompt > 1 ? promptDrawsNote(c) : null),
  },
  {
    alignc: "advantages",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (c.stage.hp.advantages === "rloo" ? "TRL's PPOTrainer trains a value model and uses GAE; alignc used leave-one-out advantages without one (TRL's RLOOTrainer is the closer match)" : null),
  },
  {
    alignc: "advantage_scale",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (c.stage.hp.advantage_scale === "rms" ? "TRL whitens advantages; alignc divided them by their RMS (floored at 0.1) without re-centring" : null),
  },
  { alignc: "gae_lambda", kinds: ["ppo"], key: () => "lam", value: (c) => c.stage.hp.gae_lambda },
  // the GAE discount is TRL's `gamma`; the ptx γ (ptx_coef) is a different thing and never goes here
  { alignc: "discount", kinds: ["ppo"], key: () => "gamma", value: (c) => c.stage.hp.discount },
  { alignc: "ppo_epochs", kinds: ["ppo"], key: () => "num_ppo_epochs", value: (c) => c.stage.hp.ppo_epochs },
  { alignc: "max_new_tokens", kinds: ["ppo"], key: () => "response_length", value: (c) => c.stage.hp.max_new_tokens },
  { alignc: "temperature", kinds: ["ppo"], key: () => "temperature", value: (c) => c.stage.hp.temperature },
  {
    alignc: "top_k",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (ppoHP(c.stage).top_k > 0 ? `TRL's PPO samples without top-k; alignc used top_k = ${c.stage.hp.top_k}` : null),
  },
  {
    alignc: "kl_budget",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (c.stage.hp.kl_budget ? `TRL has no KL budget stop: alignc stops PPO once its KL passes ${c.stage.hp.kl_budget} nats, TRL trains every step` : null),
  },
];

/** Parameters TRL's table has no row for, and where the export carries or refuses them (besides CARRIED_OUTSIDE_TABLES). */
export const TRL_OUTSIDE_TABLE: Readonly<Record<string, string>> = {
  ptx_coef: "TRL has no ptx loss: ptx_coef > 0 is refused (AL4603), or dropped with a note under --drop-ptx (compile.ts)",
  "reward_model.truncate": "TRL's reward trainer does not truncate: it drops pairs longer than max_length, which the export counts (AL4605) and notes",
};

/** The TRL entry point of a stage kind. */
export const TRL_ENTRY = { pretrain: "sft", sft: "sft", reward_model: "reward", dpo: "dpo", ppo: "ppo" } as const;

export function trlStageConfig(stage: ExportStage, input: ExportInput, opts: ExportOptions, rows: number, approximations: Approximation[]): [string, MapValue][] {
  const world = opts.nodes * opts.gpusPerNode;
  const ctx: MapCtx = { stage, input, opts, version: targetVersionOf(opts), world, split: stageSplit(stage, world), rows };
  const head: [string, MapValue][] = [["model_name_or_path", initPath(stage)]];
  if (stage.kind === "ppo") {
    head.push(["sft_model_path", initPath(stage)], ["reward_model_path", outputDir(stage.reward!)]);
  }
  head.push(["dataset_name", dataDir(stage.name)], ["dataset_train_split", "train"]);
  if (hasTest(stage) && stage.kind !== "ppo") head.push(["dataset_test_split", "test"], ["eval_strategy", "steps"], ["eval_steps", evalSteps(ctx)]);
  head.push(["output_dir", outputDir(stage.name)]);
  const pad = stage.kind === "reward_model" ? rewardPadToken(stage) : null;
  if (pad) head.push(["pad_token", pad]);
  const readout = stage.kind === "ppo" ? rewardReadoutNote(stage, input) : null;
  if (readout) approximations.push(readout);
  if (stage.kind === "pretrain" || (stage.kind === "sft" && stage.hp.loss_on === "all")) head.push(["dataset_text_field", "text"]);
  const body = applyTable(TRL_TABLE, ctx, approximations);
  // report_to: transformers 4.x defaults to "all", starting wandb or trackio wherever installed (a login a batch job may not have)
  const tail: [string, MapValue][] = [["bf16", true], ["report_to", "none"]];
  // alignc ends a rollout at EOS; TRL's PPO generates response_length tokens unless told to stop
  if (stage.kind === "ppo") return [...head, ...body, ["stop_token", "eos"], ...tail];
  return [...head, ...body, ["save_strategy", "steps"], ...tail];
}

/**
 * DeepSpeed's gradient_clipping, written in each stage's accelerate config at its grad_clip. TRL's PPO loop
 * clips nothing itself; the HF Trainer stages leave clipping to DeepSpeed under ZeRO-3 and fill its
 * gradient_clipping from max_grad_norm only where the config says "auto", which accelerate writes in some
 * versions and leaves out in others, and left out DeepSpeed clips nothing (huntF40 F2: the shared config
 * had no key, so SFT, the reward model and DPO could train unclipped whatever grad_clip said). Written as
 * a number equal to max_grad_norm it holds in both (transformers refuses only a value that differs). The
 * cluster's config carries the value most stages share (so some stage always runs with it); a stage with
 * another value gets its own file. 0 (no clipping) is written as 0, which accelerate leaves out of DeepSpeed's
 * config: none.
 */
function sharedClip(stages: readonly ExportStage[]): number | undefined {
  const counts = new Map<number, number>();
  for (const s of stages) counts.set(s.hp.grad_clip, (counts.get(s.hp.grad_clip) ?? 0) + 1);
  let best: number | undefined;
  for (const [clip, n] of counts) if (best === undefined || n > counts.get(best)!) best = clip;
  return best;
}

function stageAccelerateFile(stage: ExportStage, opts: ExportOptions): ExportFile {
  return {
    path: acceleratePath(opts, stage.name),
    content: toYaml(accelerateConfig(opts.nodes, opts.gpusPerNode, stage.hp.grad_clip)),
    what: `accelerate + DeepSpeed ZeRO-3 of ${stage.kind === "ppo" ? "PPO " : ""}stage \`${stage.name}\`: the cluster's, with gradient_clipping = ${stage.hp.grad_clip} (its grad_clip)`,
    check: { as: "accelerate-yaml" },
  };
}

export function trlTarget(input: ExportInput, opts: ExportOptions, rowCounts: Map<string, number>): TargetOutput {
  const files: TargetOutput["files"] = [];
  const approximations: Approximation[] = [];
  const diagnostics: Diagnostic[] = [];
  const launch: TargetOutput["launch"] = [];
  const clip = sharedClip(input.stages);
  const shared = acceleratePath(opts);
  files.push({ path: shared, content: toYaml(accelerateConfig(opts.nodes, opts.gpusPerNode, clip)), what: `accelerate + DeepSpeed ZeRO-3, ${opts.nodes} node${opts.nodes === 1 ? "" : "s"} × ${opts.gpusPerNode} GPUs${clip === undefined ? "" : `, gradient_clipping = ${clip}`}`, check: { as: "accelerate-yaml" } });
  const rankArgs = "--machine_rank \"$NODE_RANK\" --main_process_ip \"$MASTER_ADDR\" --main_process_port \"$MASTER_PORT\"";
  for (const stage of input.stages) {
    const entries = trlStageConfig(stage, input, opts, rowCountOf(rowCounts, stage), approximations);
    if (stage.kind === "ppo") {
      const path = `configs/${stage.name}.args`;
      files.push({ path, content: argsFile(entries.map(([k, v]) => [`--${k}`, typeof v === "boolean" ? String(v) : v])).text, what: `flags of TRL's experimental PPO script for stage \`${stage.name}\``, check: { as: "trl-flags", entry: "ppo" } });
      const own = stage.hp.grad_clip === clip ? null : stageAccelerateFile(stage, opts);
      if (own) files.push(own);
      const run = (extra: string) => [
        `mapfile -t ARGS < ${path}`,
        `accelerate launch --config_file ${own?.path ?? shared}${extra} -m trl.experimental.ppo.ppo "\${ARGS[@]}"`,
      ];
      launch.push({ stage: stage.name, oneNode: run(""), nNodes: run(` ${rankArgs}`) });
    } else {
      const path = `configs/${stage.name}.yaml`;
      const entry = TRL_ENTRY[stage.kind];
      files.push({ path, content: toYaml(Object.fromEntries(entries)), what: `\`trl ${entry}\` config of stage \`${stage.name}\``, check: { as: "trl-yaml", entry } });
      const own = stage.hp.grad_clip === clip ? null : stageAccelerateFile(stage, opts);
      if (own) files.push(own);
      const acc = own?.path ?? shared;
      launch.push({
        stage: stage.name,
        oneNode: [`trl ${entry} --config ${path} --accelerate_config ${acc}`],
        nNodes: [`trl ${entry} --config ${path} --accelerate_config ${acc} ${rankArgs}`],
      });
    }
  }
  return { files, approximations, diagnostics, launch };
}
