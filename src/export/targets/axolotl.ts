// Axolotl (v0.18): one YAML per stage for `axolotl train`, started through torchrun. Axolotl has no
// PPO (an export of a PPO stage is an error) and ignores unknown keys silently, so only properties of
// its schema are written (checked in tests against ../shared's JSON Schema, key by key).
import { AXOLOTL_CONCAT_JINJA } from "../rows.js";
import { toYaml } from "../yaml.js";
import { ADAM_CONSTANTS } from "../../train/config.js";
import { truncateOf } from "../ppo-hp.js";
import { inGpt2Family, rewardPadToken } from "../model-positions.js";
import { targetVersionOf, type Approximation, type ExportInput, type ExportOptions, type ExportStage } from "../types.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { applyTable, HF_GROUPING, hasTest, rowCountOf, initPath, outputDir, testFile, trainFile, SUPERVISED, comparisonBatchNote,
  stageSplit,
  inexactBatchNote,
  warmupNote,
  evalSteps,
  targetSteps,
  type MapCtx, type MapRow, type MapValue, type TargetOutput } from "./common.js";

/** alignc property → Axolotl key, one row each; tested row by row. */
export const AXOLOTL_TABLE: readonly MapRow[] = [
  { alignc: "seed", kinds: SUPERVISED, key: () => "seed", value: (c) => c.stage.hp.seed },
  { alignc: "lr", kinds: SUPERVISED, key: () => "learning_rate", value: (c) => c.stage.hp.lr },
  { alignc: "steps", kinds: SUPERVISED, key: (c) => (c.stage.hp.steps !== null ? "max_steps" : null), value: (c) => (c.stage.hp.steps === null ? undefined : targetSteps(c, c.stage.hp.steps)) },
  { alignc: "epochs", kinds: SUPERVISED, key: (c) => (c.stage.hp.steps === null && c.stage.hp.epochs !== null ? "num_epochs" : null), value: (c) => c.stage.hp.epochs ?? undefined },
  {
    alignc: "batch_size",
    kinds: SUPERVISED,
    key: () => "micro_batch_size",
    value: (c) => c.split.perDevice,
    lossy: (c) => inexactBatchNote(c, "steps"),
  },
  { alignc: "accumulate", kinds: SUPERVISED, key: () => "gradient_accumulation_steps", value: (c) => c.split.accumulation },
  { alignc: "reward_model.batch_size", kinds: ["reward_model", "dpo"], key: () => null, value: () => undefined, lossy: comparisonBatchNote },
  { alignc: "warmup", kinds: SUPERVISED, key: () => "warmup_steps", value: (c) => targetSteps(c, c.stage.hp.warmup), lossy: warmupNote },
  { alignc: "schedule", kinds: SUPERVISED, key: () => "lr_scheduler", value: (c) => ({ cosine: "cosine", constant: "constant_with_warmup", linear: "linear" })[c.stage.hp.schedule] },
  {
    alignc: "min_lr_ratio",
    kinds: SUPERVISED,
    key: (c) => (c.stage.hp.schedule === "cosine" ? "cosine_min_lr_ratio" : null),
    value: (c) => c.stage.hp.min_lr_ratio,
    lossy: (c) => (c.stage.hp.schedule === "linear" && c.stage.hp.min_lr_ratio > 0 ? `the linear schedule decays to 0, not to ${c.stage.hp.min_lr_ratio} × lr` : null),
  },
  {
    alignc: "optimizer",
    kinds: SUPERVISED,
    key: () => "optimizer",
    value: () => "adamw_torch",
    lossy: (c) => (c.stage.hp.optimizer === "adam" ? "Adam with coupled L2 decay becomes AdamW (decoupled weight decay)" : null),
  },
  // Adam's constants as alignc's optimizer uses them (transformers' own default β2 is 0.999)
  { alignc: "optimizer", kinds: SUPERVISED, key: () => "adam_beta1", value: () => ADAM_CONSTANTS.beta1 },
  { alignc: "optimizer", kinds: SUPERVISED, key: () => "adam_beta2", value: () => ADAM_CONSTANTS.beta2 },
  { alignc: "optimizer", kinds: SUPERVISED, key: () => "adam_epsilon", value: () => ADAM_CONSTANTS.eps },
  { alignc: "weight_decay", kinds: SUPERVISED, key: () => "weight_decay", value: (c) => c.stage.hp.weight_decay },
  { alignc: "grad_clip", kinds: SUPERVISED, key: () => "max_grad_norm", value: (c) => c.stage.hp.grad_clip },
  // intervals in the target's steps: scaled with max_steps where the global batch could not be kept (targetSteps)
  { alignc: "log_every", kinds: SUPERVISED, key: () => "logging_steps", value: (c) => targetSteps(c, c.stage.hp.log_every) },
  { alignc: "checkpoint_every", kinds: SUPERVISED, key: () => "save_steps", value: (c) => targetSteps(c, c.stage.hp.checkpoint_every) },
  { alignc: "max_length", kinds: SUPERVISED, key: () => "sequence_len", value: (c) => c.stage.hp.max_length },
  { alignc: "loss_on", kinds: ["sft"], key: () => "train_on_inputs", value: (c) => c.stage.hp.loss_on === "all" },
  {
    alignc: "group_by_length",
    kinds: ["sft"],
    key: (c) => (c.stage.hp.group_by_length ? "group_by_length" : null), // false: Hugging Face's default
    value: () => true,
    lossy: (c) => (c.stage.hp.group_by_length ? `${HF_GROUPING} (Axolotl passes group_by_length to the Hugging Face Trainer)` : null),
  },
  { alignc: "beta", kinds: ["dpo"], key: () => "rl_beta", value: (c) => c.stage.hp.beta },
  // How Axolotl 0.18 treats a row longer than sequence_len, by the dataset type the export writes
  // (sources cited at compile.ts silentDrops, which counts the one kind that drops: DPO; text rows:
  // compile.ts commonApproximations).
  {
    alignc: "truncate",
    kinds: ["sft"],
    key: () => null, // excess_length_strategy = truncate is written with the datasets (axolotlStageConfig)
    value: () => undefined,
    lossy: (c) =>
      c.stage.hp.loss_on === "all"
        ? `Axolotl's completion rows are split into consecutive pieces of sequence_len tokens, each trained as a row of its own, where alignc cut a longer example by truncate = "${c.stage.hp.truncate}"`
        : truncateOf(c.stage) === "right"
          ? null
          : `Axolotl's excess_length_strategy = truncate keeps a row's first sequence_len tokens (alignc's truncate = "right"), where alignc cut by truncate = "${c.stage.hp.truncate}"`,
  },
  {
    alignc: "truncate",
    kinds: ["reward_model"],
    key: () => null,
    value: () => undefined,
    lossy: (c) =>
      truncateOf(c.stage) === "right"
        ? null
        : `Axolotl's bradley_terry.chat_template keeps the first sequence_len tokens of each prompt + response + EOS (alignc's truncate = "right"), where alignc cut by truncate = "${c.stage.hp.truncate}"`,
  },
  {
    alignc: "truncate",
    kinds: ["dpo"],
    key: () => null,
    value: () => undefined,
    lossy: (c) =>
      `Axolotl does not cut DPO rows: it drops pairs longer than sequence_len (counted, AL4605), where alignc cut them by truncate = "${c.stage.hp.truncate}"`,
  },
  {
    alignc: "dropout",
    kinds: SUPERVISED,
    key: () => null,
    value: () => undefined,
    lossy: (c) => `Axolotl has no dropout setting (only LoRA's), so this export cannot carry the model's dropout = ${c.stage.hp.dropout}: the Hugging Face model's config (GPT-2's: 0.1) and Axolotl's trainer decide`,
  },
];

function datasetEntry(stage: ExportStage, file: string): Record<string, unknown> {
  const textRows = stage.kind === "pretrain" || (stage.kind === "sft" && stage.hp.loss_on === "all");
  if (textRows) return { path: file, ds_type: "json", type: "completion", field: "text" };
  if (stage.kind === "sft") return { path: file, ds_type: "json", type: "chat_template", field_messages: "messages", roles_to_train: ["assistant"], train_on_eos: "turn" };
  if (stage.kind === "reward_model") return { path: file, ds_type: "json", type: "bradley_terry.chat_template" };
  // dpo: chat_template.default reads the prompt turns, then chosen/rejected strings
  return { path: file, split: "train", type: "chat_template.default", field_messages: "messages", field_chosen: "chosen", field_rejected: "rejected" };
}

export const AXOLOTL_DEEPSPEED = "deepspeed/zero3.json";

/**
 * GPT-2's tokenizer has no pad token, and Axolotl 0.18 gives one only to Llama-type and GPT-NeoX
 * tokenizers (loaders/tokenizer.py): its collator's tokenizer.pad then fails at the first batch, and
 * GPT-2's sequence classifier refuses a batch above 1 without config.pad_token_id. EOS pads where the
 * labels and the attention mask hide padding (SFT, DPO, pretraining); a reward model's classifier reads
 * its score at the rightmost token that is not the pad id, so with EOS as pad it read the last response
 * token instead of the EOS the chat template appends: it pads as TRL's does (rewardPadToken; review35 M3).
 */
function gpt2SpecialTokens(stage: ExportStage): { pad_token: string } {
  const rewardPad = stage.kind === "reward_model" ? rewardPadToken(stage) : null;
  return { pad_token: rewardPad ?? "<|endoftext|>" };
}

export function axolotlStageConfig(stage: ExportStage, input: ExportInput, opts: ExportOptions, rows: number, approximations: Approximation[]): [string, MapValue][] {
  const world = opts.nodes * opts.gpusPerNode;
  const ctx: MapCtx = { stage, input, opts, version: targetVersionOf(opts), world, split: stageSplit(stage, world), rows };
  const out: [string, MapValue][] = [["base_model", initPath(stage)]];
  if (inGpt2Family(stage)) out.push(["special_tokens", gpt2SpecialTokens(stage)]);
  if (stage.kind === "reward_model") out.push(["model_type", "AutoModelForSequenceClassification"], ["num_labels", 1], ["reward_model", true]);
  if (stage.kind === "dpo") out.push(["rl", "dpo"]);
  const textRows = stage.kind === "pretrain" || (stage.kind === "sft" && stage.hp.loss_on === "all");
  if (!textRows) out.push(["chat_template", "jinja"], ["chat_template_jinja", AXOLOTL_CONCAT_JINJA]); // completion rows need none
  out.push(["datasets", [datasetEntry(stage, trainFile(stage.name))] as unknown as Record<string, unknown>]);
  if (hasTest(stage)) out.push(["test_datasets", [datasetEntry(stage, testFile(stage.name))] as unknown as Record<string, unknown>], ["eval_steps", evalSteps(ctx)]);
  out.push(["dataset_prepared_path", `prepared/${stage.name}`], ["output_dir", outputDir(stage.name)], ["sample_packing", false]);
  // Axolotl drops rows longer than sequence_len by default; alignc truncates them. The setting reaches
  // only SFT-type datasets: DPO rows pass rl.py's own drop filter, reward-model rows are cut by their strategy
  if (stage.kind === "pretrain" || stage.kind === "sft") out.push(["excess_length_strategy", "truncate"]);
  out.push(...applyTable(AXOLOTL_TABLE, ctx, approximations));
  out.push(["bf16", true], ["deepspeed", AXOLOTL_DEEPSPEED]);
  return out;
}

/** DeepSpeed ZeRO-3 for Axolotl; "auto" lets the HF trainer fill batch sizes from the YAML. */
export const ZERO3_JSON = {
  zero_optimization: {
    stage: 3,
    overlap_comm: true,
    contiguous_gradients: true,
    sub_group_size: 0,
    reduce_bucket_size: "auto",
    stage3_prefetch_bucket_size: "auto",
    stage3_param_persistence_threshold: "auto",
    stage3_max_live_parameters: 0,
    stage3_max_reuse_distance: 0,
    stage3_gather_16bit_weights_on_model_save: true, // the next stage loads a whole HF checkpoint
  },
  bf16: { enabled: "auto" },
  gradient_accumulation_steps: "auto",
  gradient_clipping: "auto",
  train_batch_size: "auto",
  train_micro_batch_size_per_gpu: "auto",
  wall_clock_breakdown: false,
};

export function axolotlTarget(input: ExportInput, opts: ExportOptions, rowCounts: Map<string, number>): TargetOutput {
  const files: TargetOutput["files"] = [];
  const approximations: Approximation[] = [];
  const diagnostics: Diagnostic[] = [];
  const launch: TargetOutput["launch"] = [];
  files.push({ path: AXOLOTL_DEEPSPEED, content: JSON.stringify(ZERO3_JSON, null, 2) + "\n", what: "DeepSpeed ZeRO-3 settings every stage's YAML points to", check: { as: "json" } });
  const g = opts.gpusPerNode;
  for (const stage of input.stages) {
    if (stage.kind === "ppo") continue; // refused before the targets run (index.ts)
    const path = `configs/${stage.name}.yaml`;
    files.push({ path, content: toYaml(Object.fromEntries(axolotlStageConfig(stage, input, opts, rowCountOf(rowCounts, stage), approximations))), what: `\`axolotl train\` config of stage \`${stage.name}\``, check: { as: "axolotl-yaml" } });
    launch.push({
      stage: stage.name,
      oneNode: [`axolotl train ${path} --launcher torchrun -- --nproc_per_node ${g}`],
      nNodes: [`axolotl train ${path} --launcher torchrun -- --nnodes ${opts.nodes} --nproc_per_node ${g} --node_rank "$NODE_RANK" --rdzv_backend c10d --rdzv_endpoint "$MASTER_ADDR:$MASTER_PORT"`],
    });
  }
  return { files, approximations, diagnostics, launch };
}
