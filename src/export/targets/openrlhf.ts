// OpenRLHF: one argument file per stage for `openrlhf.cli.train_sft | train_rm | train_dpo |
// train_ppo_ray`. Flags were renamed (dotted) in v0.10.2, and the ptx loss (`--pretrain_data`,
// `--ptx_coef`) exists only up to v0.7.0.post1, so every row names its flag per version.
import { duration, nothingTrained, ppoDuration, rolloutPrompts, totalSteps } from "./openrlhf-length.js";
import { openrlhfLaunch } from "./openrlhf-launch.js";
import { ADAM_CONSTANTS } from "../../train/config.js";
import { ppoHP, truncateOf } from "../ppo-hp.js";
import { inGpt2Family } from "../model-positions.js";
import type { Approximation, ExportInput, ExportOptions, ExportStage, StageKind } from "../types.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { applyTable, argsFile, hasTest, rowCountOf, initPath, outputDir, testFile, trainFile, SUPERVISED, TRAINED, comparisonBatchNote,
  stageSplit,
  inexactBatchNote,
  warmupNote,
  targetBatch,
  evalSteps,
  targetSteps,
  type MapCtx, type MapRow, type MapValue, type TargetOutput } from "./common.js";

export type OpenRLHFVersion = "0.7.0.post1" | "0.11.0";
const OLD = (c: MapCtx) => c.version === "0.7.0.post1";
/** the flag of a row in the version being written */
const flag = (old: string | null, dotted: string | null) => (c: MapCtx) => (OLD(c) ? old : dotted);
const flagPPO = (oldSup: string | null, dotSup: string | null, oldPPO: string | null, dotPPO: string | null) => (c: MapCtx) =>
  c.stage.kind === "ppo" ? (OLD(c) ? oldPPO : dotPPO) : OLD(c) ? oldSup : dotSup;

export const OPENRLHF_MODULE: Record<StageKind, string> = {
  pretrain: "openrlhf.cli.train_sft",
  sft: "openrlhf.cli.train_sft",
  reward_model: "openrlhf.cli.train_rm",
  dpo: "openrlhf.cli.train_dpo",
  ppo: "openrlhf.cli.train_ppo_ray",
};

/** OpenRLHF's name for a schedule. It passes `min_lr` to every scheduler it builds, and transformers'
 * linear schedule takes no such argument (the run fails before its first step), besides decaying to 0
 * where alignc's stops at min_lr_ratio × lr: linear is written as cosine_with_min_lr, with a note. */
const SCHEDULE_NAME = { cosine: "cosine_with_min_lr", constant: "constant_with_warmup", linear: "cosine_with_min_lr" } as const;
const linearNote = (c: MapCtx, where: string) =>
  c.stage.hp.schedule === "linear"
    ? `OpenRLHF cannot build a linear schedule${where} (it passes min_lr to every scheduler, which transformers' linear schedule does not take: the run would fail before its first step): exported as cosine_with_min_lr, which decays to the same floor along a cosine`
    : null;

/** alignc property → OpenRLHF flag (v0.7.0.post1 | v0.11.0), one row each; tested row by row. */
// rloo runs no critic (train_ppo_ray.py leaves its model path None unless the estimator is gae): its
// flags would configure nothing, and the note about it would describe a network that does not exist
/** A clip range wider than any value or score: the clip turned off (written as an integer, see the rows). */
const UNBOUNDED = 1_000_000_000;
const usesCritic = (c: MapCtx) => c.stage.hp.advantages !== "rloo";
const critic = (key: MapRow["key"]): MapRow["key"] => (c) => (usesCritic(c) ? key(c) : null);


/** OpenRLHF's --max_samples keeps a file's first rows (blending_datasets: `select(range(max_samples))`), where
 * alignc draws a seeded random order over all of them: said when it cuts (export37). */
function firstRowsNote(maxSamples: number | null | undefined, rows: number, what: string): string | null {
  if (maxSamples === undefined || maxSamples === null || maxSamples >= rows) return null;
  return `OpenRLHF's --max_samples ${maxSamples} keeps the first ${maxSamples} of the ${rows} ${what} in file order, where alignc draws ${maxSamples} in a seeded random order over all ${rows}: a file sorted by category, label or length gives OpenRLHF a biased share`;
}

export const OPENRLHF_TABLE: readonly MapRow[] = [
  { alignc: "seed", kinds: TRAINED, key: flag("--seed", "--train.seed"), value: (c) => c.stage.hp.seed },
  { alignc: "lr", kinds: TRAINED, key: flagPPO("--learning_rate", "--adam.lr", "--actor_learning_rate", "--actor.adam.lr"), value: (c) => c.stage.hp.lr },
  {
    alignc: "lr",
    kinds: ["ppo"],
    key: critic(flag("--critic_learning_rate", "--critic.adam.lr")),
    value: (c) => c.stage.hp.lr,
    // exact: alignc's GAE value network is also a separate network, initialised from the reward model
    // (src/train/stages/ppo.ts), with its own Adam at the policy's settings
  },
  {
    alignc: "steps",
    kinds: SUPERVISED,
    key: flag("--max_epochs", "--train.max_epochs"),
    value: (c) => duration(c).epochs,
    lossy: (c) => {
      const d = duration(c);
      return d.exact ? null : `OpenRLHF trains whole epochs of whole batches (each epoch's last incomplete one dropped): ${d.sequences} rows instead of alignc's ${c.stage.hp.steps !== null ? `${c.stage.hp.steps} steps × ${targetBatch(c.stage)}` : `${c.stage.hp.epochs} epochs`}`;
    },
  },
  // always written: OpenRLHF's default (1,000,000; 1e8 in 0.7's train_rm) cuts every larger dataset to its first rows
  { alignc: "steps", kinds: SUPERVISED, key: flag("--max_samples", "--data.max_samples"), value: (c) => duration(c).maxSamples ?? c.rows, lossy: (c) => firstRowsNote(duration(c).maxSamples, c.rows, "rows") },
  {
    alignc: "steps",
    kinds: ["ppo"],
    key: flag("--num_episodes", "--train.num_episodes"),
    value: (c) => ppoDuration(c).epochs,
    lossy: (c) => {
      const d = ppoDuration(c);
      const hp = ppoHP(c.stage);
      return d.exact ? null : `OpenRLHF repeats whole passes over the prompts in whole rollouts (each pass's last incomplete one dropped): ${d.sequences} prompts (× ${hp.samples_per_prompt} samples) instead of alignc's ${hp.steps} steps × ${c.stage.hp.batch_size / hp.samples_per_prompt} prompts`;
    },
  },
  { alignc: "steps", kinds: ["ppo"], key: flag("--max_samples", "--data.max_samples"), value: (c) => ppoDuration(c).maxSamples ?? c.rows, lossy: (c) => firstRowsNote(ppoDuration(c).maxSamples, c.rows, "prompts") },
  // prompts per rollout × samples per prompt = rollouts per optimizer step, so the buffer a step trains on is whole
  // OpenRLHF's rollout batch counts prompts, each sampled n_samples_per_prompt times; alignc's counts responses
  { alignc: "batch_size", kinds: ["ppo"], key: flag("--rollout_batch_size", "--rollout.batch_size"), value: (c) => rolloutPrompts(c.stage, c.world) },
  { alignc: "batch_size", kinds: ["ppo"], key: flag("--micro_rollout_batch_size", "--rollout.micro_batch_size"), value: (c) => c.split.perDevice },
  {
    alignc: "batch_size",
    kinds: TRAINED,
    key: flag("--train_batch_size", "--train.batch_size"),
    value: (c) => c.split.global,
    lossy: (c) => inexactBatchNote(c, "samples"),
  },
  { alignc: "accumulate", kinds: TRAINED, key: flag("--micro_train_batch_size", "--train.micro_batch_size"), value: (c) => c.split.perDevice },
  { alignc: "reward_model.batch_size", kinds: ["reward_model", "dpo"], key: () => null, value: () => undefined, lossy: comparisonBatchNote },
  { alignc: "warmup", kinds: TRAINED, key: flagPPO("--lr_warmup_ratio", "--lr_warmup_ratio", "--lr_warmup_ratio", "--actor.lr_warmup_ratio"), value: (c) => Math.min(1, c.stage.hp.warmup / totalSteps(c)), lossy: warmupNote },
  {
    alignc: "schedule",
    kinds: SUPERVISED,
    // v0.7.0.post1 has --lr_scheduler in train_sft only; its RM and DPO always use cosine_with_min_lr
    key: (c) => (!OLD(c) || c.stage.kind === "sft" || c.stage.kind === "pretrain" ? "--lr_scheduler" : null),
    lossy: (c) =>
      OLD(c) && (c.stage.kind === "reward_model" || c.stage.kind === "dpo")
        ? c.stage.hp.schedule !== "cosine"
          ? `OpenRLHF ${c.version} ${c.stage.kind === "dpo" ? "DPO" : "RM"} training always uses cosine_with_min_lr`
          : null
        : linearNote(c, ""),
    value: (c) => SCHEDULE_NAME[c.stage.hp.schedule],
  },
  {
    alignc: "schedule",
    kinds: ["ppo"],
    key: flag(null, "--actor.lr_scheduler"),
    value: (c) => SCHEDULE_NAME[c.stage.hp.schedule],
    lossy: (c) => (OLD(c) ? (c.stage.hp.schedule !== "cosine" ? `OpenRLHF ${c.version} PPO always uses cosine_with_min_lr` : null) : linearNote(c, " (actor and critic)")),
  },
  {
    alignc: "min_lr_ratio",
    kinds: TRAINED,
    key: flagPPO(null, "--min_lr_ratio", null, "--actor.min_lr_ratio"),
    value: (c) => c.stage.hp.min_lr_ratio,
    lossy: (c) =>
      OLD(c) && c.stage.hp.min_lr_ratio !== 0.1 ? `OpenRLHF ${c.version} fixes the cosine floor at 0.1 × lr (alignc: ${c.stage.hp.min_lr_ratio})` : null,
  },
  {
    alignc: "optimizer",
    kinds: TRAINED,
    key: flagPPO(null, "--optim", null, "--actor.optim"),
    value: () => "adam",
    lossy: (c) =>
      [
        c.stage.hp.optimizer === "adam" ? "Adam with coupled L2 decay becomes DeepSpeed's AdamW (decoupled weight decay)" : null,
        // OpenRLHF exempts only parameters named bias, layer_norm/layernorm/norm.weight or ln_f.weight
        // (deepspeed_utils.get_optimizer_grouped_parameters): GPT-2's ln_1 and ln_2 gains match none
        c.stage.hp.weight_decay > 0 && inGpt2Family(c.stage) ? `weight decay ${c.stage.hp.weight_decay} also reaches GPT-2's per-block LayerNorm gains (ln_1, ln_2), which OpenRLHF's no-decay list does not name; alignc decays matrices only` : null,
      ]
        .filter((x) => x !== null)
        .join("; ") || null,
  },
  // Adam's constants as alignc's optimizer uses them, written rather than left to OpenRLHF's defaults
  { alignc: "optimizer", kinds: TRAINED, key: flagPPO("--adam_betas", "--adam.betas", "--adam_betas", "--actor.adam.betas"), value: () => [ADAM_CONSTANTS.beta1, ADAM_CONSTANTS.beta2] },
  { alignc: "optimizer", kinds: ["ppo"], key: critic(flag(null, "--critic.adam.betas")), value: () => [ADAM_CONSTANTS.beta1, ADAM_CONSTANTS.beta2] },
  {
    alignc: "optimizer",
    kinds: TRAINED,
    key: flagPPO(null, "--adam.eps", null, "--actor.adam.eps"),
    // 0.7.0.post1 has no ε flag: its strategy builds DeepSpeed's FusedAdam (DeepSpeedCPUAdam when offloading)
    // without one, whose default ε = 1e-8 is alignc's, so nothing differs (audit35 L1)
    value: () => ADAM_CONSTANTS.eps,
  },
  { alignc: "optimizer", kinds: ["ppo"], key: critic(flag(null, "--critic.adam.eps")), value: () => ADAM_CONSTANTS.eps },
  { alignc: "weight_decay", kinds: TRAINED, key: flagPPO("--l2", "--adam.weight_decay", "--l2", "--actor.adam.weight_decay"), value: (c) => c.stage.hp.weight_decay },
  { alignc: "grad_clip", kinds: TRAINED, key: flagPPO("--max_norm", "--max_norm", "--max_norm", "--actor.max_norm"), value: (c) => c.stage.hp.grad_clip },
  // 0.11's critic has its own optimizer settings, each defaulting to OpenRLHF's (warmup 0.03, decay 0, …):
  // written equal to the actor's, as alignc's value network's own Adam takes the policy's settings
  { alignc: "weight_decay", kinds: ["ppo"], key: critic(flag(null, "--critic.adam.weight_decay")), value: (c) => c.stage.hp.weight_decay },
  { alignc: "grad_clip", kinds: ["ppo"], key: critic(flag(null, "--critic.max_norm")), value: (c) => c.stage.hp.grad_clip },
  { alignc: "warmup", kinds: ["ppo"], key: critic(flag(null, "--critic.lr_warmup_ratio")), value: (c) => Math.min(1, c.stage.hp.warmup / totalSteps(c)) },
  { alignc: "schedule", kinds: ["ppo"], key: critic(flag(null, "--critic.lr_scheduler")), value: (c) => SCHEDULE_NAME[c.stage.hp.schedule] },
  { alignc: "min_lr_ratio", kinds: ["ppo"], key: critic(flag(null, "--critic.min_lr_ratio")), value: (c) => c.stage.hp.min_lr_ratio },
  // intervals in OpenRLHF's optimizer steps: scaled where the global batch could not be kept, as TRL's and Axolotl's are
  // (PPO's in rollouts, each one optimizer step per PPO epoch: fewer where the global batch is larger)
  { alignc: "log_every", kinds: TRAINED, key: flag("--logging_steps", "--logger.logging_steps"), value: (c) => targetSteps(c, c.stage.hp.log_every) },
  { alignc: "checkpoint_every", kinds: TRAINED, key: flag("--save_steps", "--ckpt.save_steps"), value: (c) => targetSteps(c, c.stage.hp.checkpoint_every) },
  { alignc: "max_length", kinds: SUPERVISED, key: flag("--max_len", "--data.max_len"), value: (c) => c.stage.hp.max_length },
  {
    alignc: "max_length",
    kinds: ["ppo"],
    key: flag("--prompt_max_len", "--data.max_len"),
    value: (c) => (OLD(c) ? Math.max(1, c.stage.hp.max_length - ppoHP(c.stage).max_new_tokens) : c.stage.hp.max_length),
    // 0.7's prompt dataset tokenizes with truncation=True and leaves the side to Hugging Face (the end);
    // 0.11's generator keeps a long prompt's last max_len − max_new_tokens tokens, as alignc does
    lossy: (c) =>
      OLD(c)
        ? `OpenRLHF ${c.version} cuts a prompt longer than --prompt_max_len at its end (Hugging Face's default truncation side), the prompt's last text (in a chat format, the assistant cue) with it, where alignc keeps its last max_length − max_new_tokens tokens (OpenRLHF 0.11 does too)`
        : null,
  },
  {
    alignc: "truncate",
    kinds: ["sft", "reward_model", "dpo"],
    key: () => null,
    value: () => undefined,
    // even "right" is not exact outside pretrain mode: OpenRLHF writes EOS over the last token it keeps of
    // a cut row (research33); in pretrain mode (loss on every token, --pretrain_mode) it only cuts
    lossy: (c) => {
      const pretrainMode = c.stage.kind === "sft" && c.stage.hp.loss_on === "all";
      if (truncateOf(c.stage) === "right") return pretrainMode ? null : `OpenRLHF cuts a row longer than max_len to its first max_len tokens and writes EOS over the last one, where alignc's truncate = "right" keeps max_length tokens with no EOS`;
      return `OpenRLHF has no truncation setting: its datasets cut rows longer than max_len with the tokenizer's truncation (the end, Hugging Face's default side${pretrainMode ? "" : ", EOS written over the last token kept"}), where alignc cut them by truncate = "${c.stage.hp.truncate}"`;
    },
  },
  {
    alignc: "dropout",
    kinds: TRAINED,
    key: () => null,
    value: () => undefined,
    lossy: (c) =>
      c.stage.kind === "ppo"
        ? "alignc's PPO trains without dropout; OpenRLHF has no dropout setting (only LoRA's), so this export cannot say so: the Hugging Face model's config and OpenRLHF decide"
        : `OpenRLHF has no dropout setting (only LoRA's), so this export cannot carry the model's dropout = ${c.stage.hp.dropout}: the Hugging Face model's config (GPT-2's: 0.1) and OpenRLHF decide`,
  },
  { alignc: "loss_on", kinds: ["pretrain", "sft"], key: (c) => (c.stage.kind === "pretrain" || c.stage.hp.loss_on === "all" ? (OLD(c) ? "--pretrain_mode" : "--model.pretrain_mode_enable") : null), value: () => true },
  {
    alignc: "group_by_length",
    kinds: ["sft"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (c.stage.hp.group_by_length ? "OpenRLHF has no length grouping: its SFT batches are drawn at random (its packing_samples option packs rows into one sequence instead, another way to spare padding), so the batches differ from alignc's" : null),
  },
  { alignc: "beta", kinds: ["dpo"], key: flag("--beta", "--model.beta"), value: (c) => c.stage.hp.beta },
  { alignc: "kl_coef", kinds: ["ppo"], key: flag("--init_kl_coef", "--algo.kl.init_coef"), value: (c) => c.stage.hp.kl_coef },
  { alignc: "clip", kinds: ["ppo"], key: flag("--eps_clip", "--actor.eps_clip"), value: (c) => c.stage.hp.clip },
  {
    alignc: "vf_coef",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (usesCritic(c) ? "no value-loss weight: OpenRLHF's critic is a separate network with its own loss and optimizer" : null),
  },

  {
    alignc: "samples_per_prompt",
    kinds: ["ppo"],
    key: (c) => (ppoHP(c.stage).samples_per_prompt > 1 ? (OLD(c) ? "--n_samples_per_prompt" : "--rollout.n_samples_per_prompt") : null),
    value: (c) => c.stage.hp.samples_per_prompt,
    lossy: (c) =>
      ppoHP(c.stage).samples_per_prompt > 1 && c.stage.hp.advantages !== "rloo"
        ? "OpenRLHF's GAE does not subtract the mean score of the prompt's other samples; alignc's does (OpenRLHF's rloo estimator does, without a critic)"
        : null,
  },
  {
    alignc: "advantage_scale",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (c.stage.hp.advantage_scale === "rms" ? "OpenRLHF normalises advantages its own way; alignc divided them by their RMS (floored at 0.1) without re-centring" : null),
  },
  { alignc: "gae_lambda", kinds: ["ppo"], key: flag("--lambd", "--algo.advantage.lambd"), value: (c) => c.stage.hp.gae_lambda },
  // the GAE discount; the ptx γ is ptx_coef below, never this flag
  { alignc: "discount", kinds: ["ppo"], key: flag("--gamma", "--algo.advantage.gamma"), value: (c) => c.stage.hp.discount },
  { alignc: "ppo_epochs", kinds: ["ppo"], key: flag("--max_epochs", "--train.max_epochs"), value: (c) => c.stage.hp.ppo_epochs },
  { alignc: "max_new_tokens", kinds: ["ppo"], key: flag("--generate_max_len", "--rollout.max_new_tokens"), value: (c) => c.stage.hp.max_new_tokens },
  { alignc: "temperature", kinds: ["ppo"], key: flag("--temperature", "--rollout.temperature"), value: (c) => c.stage.hp.temperature },
  {
    alignc: "top_k",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (ppoHP(c.stage).top_k > 0 ? `OpenRLHF samples with top_p only; alignc used top_k = ${c.stage.hp.top_k}` : null),
  },
  {
    alignc: "kl_budget",
    kinds: ["ppo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) => (c.stage.hp.kl_budget ? `OpenRLHF has no KL budget stop: alignc stops PPO once its KL passes ${c.stage.hp.kl_budget} nats, OpenRLHF trains every step` : null),
  },
  {
    alignc: "ptx_coef",
    kinds: ["ppo"],
    key: (c) => (OLD(c) && ppoHP(c.stage).ptx_coef > 0 && c.stage.ptx ? "--ptx_coef" : null),
    value: (c) => c.stage.hp.ptx_coef,
    lossy: (c) =>
      !OLD(c) || ppoHP(c.stage).ptx_coef <= 0
        ? null
        : c.stage.ptx?.data.kind === "text"
          ? "OpenRLHF's ptx takes each line of the text as a row (pretrain mode, cut at its max length), where alignc packed the lines into windows of max_length"
          : "OpenRLHF's ptx loss is next-token loss on every token of the ptx rows (pretrain mode), alignc's on the response tokens of SFT examples",
  },
];

/** Parameters OpenRLHF's table has no row for, and where the export carries them (besides CARRIED_OUTSIDE_TABLES). */
export const OPENRLHF_OUTSIDE_TABLE: Readonly<Record<string, string>> = {
  epochs: "the steps rows: OpenRLHF trains whole epochs (--max_epochs) or --max_samples, computed from steps or epochs",
  "ppo.advantages": "--advantage_estimator (gae or rloo), written with the PPO stage's model flags; rloo writes no critic",
};

function stageCtx(stage: ExportStage, input: ExportInput, opts: ExportOptions, version: OpenRLHFVersion, rows: number): MapCtx {
  const world = opts.nodes * opts.gpusPerNode;
  return { stage, input, opts, version, world, split: stageSplit(stage, world), rows };
}

export function openrlhfStageArgs(stage: ExportStage, input: ExportInput, opts: ExportOptions, version: OpenRLHFVersion, rows: number, approximations: Approximation[]): [string, MapValue][] {
  const ctx = stageCtx(stage, input, opts, version, rows);
  const old = version === "0.7.0.post1";
  const f = (a: string, b: string) => (old ? a : b);
  const head: [string, MapValue][] = [];
  const textRows = stage.kind === "pretrain" || (stage.kind === "sft" && stage.hp.loss_on === "all");
  if (stage.kind === "ppo") {
    // PPO runs as a Ray job, away from the export folder: the launch script makes absolute exactly the
    // arguments that begin "./", the folder's own paths (a Hugging Face id never does; "outputs/x" might)
    const here = (path: string) => `./${path}`;
    const n = opts.nodes;
    const g = opts.gpusPerNode;
    for (const role of ["actor", "ref", "reward", "critic"]) head.push([f(`--${role}_num_nodes`, `--${role}.num_nodes`), n], [f(`--${role}_num_gpus_per_node`, `--${role}.num_gpus_per_node`), g]);
    head.push(
      [f("--colocate_all_models", "--train.colocate_all"), true],
      [f("--vllm_num_engines", "--vllm.num_engines"), n * g],
      [f("--vllm_tensor_parallel_size", "--vllm.tensor_parallel_size"), 1],
      [f("--vllm_gpu_memory_utilization", "--vllm.gpu_memory_utilization"), 0.5],
      [f("--vllm_enable_sleep", "--vllm.enable_sleep"), true],
      [f("--deepspeed_enable_sleep", "--ds.enable_sleep"), true],
      [f("--pretrain", "--actor.model_name_or_path"), "hf" in stage.init ? stage.init.hf : here(initPath(stage))],
      [f("--reward_pretrain", "--reward.model_name_or_path"), here(outputDir(stage.reward!))],
      ...(stage.hp.advantages === "rloo" ? [] : [[f("--critic_pretrain", "--critic.model_name_or_path"), here(outputDir(stage.reward!))] as [string, string]]),
      [f("--save_path", "--ckpt.output_dir"), here(outputDir(stage.name))],
      [f("--prompt_data", "--data.prompt_dataset"), here(trainFile(stage.name))],
      [f("--input_key", "--data.input_key"), "prompt"],
      // alignc's rloo: leave-one-out baseline over the prompt's samples, no critic (OpenRLHF's rloo estimator)
      [f("--advantage_estimator", "--algo.advantage.estimator"), stage.hp.advantages === "rloo" ? "rloo" : "gae"],
      // OpenRLHF clamps each reward-model score to [−10, 10] by default; alignc's PPO never clips it.
      // Integers: Python's argparse takes "-1e9" for an option, "-1000000000" for a negative number
      [f("--reward_clip_range", "--reward.clip_range"), [-UNBOUNDED, UNBOUNDED]],
      // OpenRLHF clips the value loss around the rollout's values (0.7.0.post1's default 0.2, 0.11's 0.5);
      // alignc's is unclipped: max((clip(v) − R)², (v − R)²) is (v − R)² once the range exceeds any change
      ...(stage.hp.advantages === "rloo" ? [] : [[f("--value_clip", "--critic.value_clip"), UNBOUNDED] as [string, number]]),
    );
    if (old && stage.ptx && ppoHP(stage).ptx_coef > 0) head.push(["--pretrain_data", here(trainFile(stage.ptx.name))]);
  } else {
    head.push([f("--pretrain", "--model.model_name_or_path"), initPath(stage)], [f("--save_path", "--ckpt.output_dir"), outputDir(stage.name)], [f("--dataset", "--data.dataset"), trainFile(stage.name)]);
    if (hasTest(stage)) {
      head.push([f("--eval_dataset", "--eval.dataset"), testFile(stage.name)], [f("--eval_steps", "--eval.steps"), evalSteps(ctx)]);
      // a .jsonl loads as the split "train"; the split flag defaults to "test" in 0.7's train_sft and 0.11's
      // train_dpo, which then do not find it (0.7's train_rm/train_dpo have no such flag)
      if (!old || stage.kind === "pretrain" || stage.kind === "sft") head.push([f("--eval_split", "--eval.split"), "train"]);
    }
    if (stage.kind === "reward_model" || stage.kind === "dpo")
      head.push([f("--prompt_key", "--data.prompt_key"), "prompt"], [f("--chosen_key", "--data.chosen_key"), "chosen"], [f("--rejected_key", "--data.rejected_key"), "rejected"]);
    else if (textRows) head.push([f("--input_key", "--data.input_key"), "text"]);
    // train_sft wraps prompts in "User: {}\nAssistant: " unless told otherwise: alignc's rows are rendered already
    else head.push([f("--input_key", "--data.input_key"), "prompt"], [f("--output_key", "--data.output_key"), "completion"], [f("--input_template", "--data.input_template"), "{}"]);
  }
  // intermediate checkpoints per stage (the default ./ckpt/checkpoints_<kind> would be shared by stages of one kind)
  head.push([f("--ckpt_path", "--ckpt.path"), `${stage.kind === "ppo" ? "./" : ""}${outputDir(stage.name)}/checkpoints`]);
  head.push([f("--zero_stage", "--ds.zero_stage"), 3]);
  if (old) head.push(["--bf16", true]);
  // 0.11 asks transformers for FlashAttention-2 by default (0.7.0.post1: eager unless --flash_attn): without
  // the flash-attn package, or on a GPU before Ampere, every stage fails to load its model. Eager is the
  // dense attention alignc computes and 0.7 runs; FlashAttention-2 is opt-in (EXPORT.md)
  else head.push(["--ds.param_dtype", "bf16"], ["--ds.attn_implementation", "eager"]);
  return [...head, ...applyTable(OPENRLHF_TABLE, ctx, approximations)];
}

export function openrlhfTarget(input: ExportInput, opts: ExportOptions, version: OpenRLHFVersion, rowCounts: Map<string, number>): TargetOutput {
  const files: TargetOutput["files"] = [];
  const approximations: Approximation[] = [];
  const diagnostics: Diagnostic[] = [];
  const launch: TargetOutput["launch"] = [];
  const preamble: string[] = [];
  for (const stage of input.stages) {
    const empty = nothingTrained(stageCtx(stage, input, opts, version, rowCountOf(rowCounts, stage)), input.file);
    if (empty) diagnostics.push(empty);
    const entries = openrlhfStageArgs(stage, input, opts, version, rowCountOf(rowCounts, stage), approximations);
    const path = `configs/${stage.name}.args`;
    const module = OPENRLHF_MODULE[stage.kind];
    files.push({ path, content: argsFile(entries).text, what: `arguments of \`python -m ${module}\` for stage \`${stage.name}\` (one per line)`, check: { as: "openrlhf-args", module: module.split(".").pop()!, version } });
    const { step, done } = openrlhfLaunch(stage, path, module, opts);
    launch.push(step);
    if (done) preamble.push(done);
  }
  // markers of an earlier run must not release the workers early: the head removes them first
  const nNodes = preamble.length ? [`if [ "$NODE_RANK" = 0 ]; then rm -f ${preamble.join(" ")}; fi`] : [];
  return { files, approximations, diagnostics, launch, preamble: { oneNode: [], nNodes } };
}
