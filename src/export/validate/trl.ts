// TRL configs checked key by key. `trl sft --config x.yaml` parses the YAML into (ScriptArguments,
// <Trainer>Config, ModelConfig, DatasetMixtureConfig) and forwards every key none of them knows to
// `accelerate launch`, so a misspelt key is not an error there: it becomes an accelerate flag or is
// lost. Here a key must be a field of one of those dataclasses (the shared dump, which leaves out
// transformers' TrainingArguments), one of the TrainingArguments fields below, or an accelerate
// launch option; the value must fit the field's annotation where the dump gives one.
import type { TRLClass, TRLFields } from "./schemas.js";

/** transformers.TrainingArguments fields (the ones common to every TRL config; names as in transformers 4.5x). */
export const TRAINING_ARGUMENTS: readonly string[] = [
  "output_dir", "overwrite_output_dir", "do_train", "do_eval", "do_predict", "eval_strategy", "prediction_loss_only",
  "per_device_train_batch_size", "per_device_eval_batch_size", "gradient_accumulation_steps", "eval_accumulation_steps",
  "eval_delay", "learning_rate", "weight_decay", "adam_beta1", "adam_beta2", "adam_epsilon", "max_grad_norm",
  "num_train_epochs", "max_steps", "lr_scheduler_type", "lr_scheduler_kwargs", "warmup_ratio", "warmup_steps",
  "log_level", "log_level_replica", "log_on_each_node", "logging_dir", "logging_strategy", "logging_first_step",
  "logging_steps", "logging_nan_inf_filter", "save_strategy", "save_steps", "save_total_limit", "save_safetensors",
  "save_on_each_node", "save_only_model", "restore_callback_states_from_checkpoint", "use_cpu", "seed", "data_seed",
  "jit_mode_eval", "bf16", "fp16", "fp16_opt_level", "half_precision_backend", "bf16_full_eval", "fp16_full_eval",
  "tf32", "local_rank", "ddp_backend", "dataloader_drop_last", "eval_steps", "dataloader_num_workers",
  "dataloader_prefetch_factor", "past_index", "run_name", "disable_tqdm", "remove_unused_columns", "label_names",
  "load_best_model_at_end", "metric_for_best_model", "greater_is_better", "ignore_data_skip", "fsdp", "fsdp_config",
  "deepspeed", "label_smoothing_factor", "optim", "optim_args", "group_by_length", "length_column_name", "report_to",
  "ddp_find_unused_parameters", "ddp_bucket_cap_mb", "ddp_broadcast_buffers", "dataloader_pin_memory",
  "dataloader_persistent_workers", "skip_memory_metrics", "push_to_hub", "resume_from_checkpoint", "hub_model_id",
  "hub_strategy", "hub_token", "hub_private_repo", "hub_always_push", "gradient_checkpointing",
  "gradient_checkpointing_kwargs", "include_inputs_for_metrics", "eval_do_concat_batches", "auto_find_batch_size",
  "full_determinism", "torchdynamo", "ray_scope", "ddp_timeout", "torch_compile", "torch_compile_backend",
  "torch_compile_mode", "include_num_input_tokens_seen", "neftune_noise_alpha", "optim_target_modules",
  "batch_eval_metrics", "eval_on_start", "use_liger_kernel", "eval_use_gather_object", "average_tokens_across_devices",
];

/** `accelerate launch` options: TRL passes YAML keys it does not know on to accelerate. */
export const ACCELERATE_LAUNCH: readonly string[] = [
  "config_file", "num_processes", "num_machines", "machine_rank", "main_process_ip", "main_process_port",
  "mixed_precision", "multi_gpu", "use_deepspeed", "use_fsdp", "deepspeed_config_file", "zero_stage",
  "rdzv_backend", "same_network", "dynamo_backend", "num_cpu_threads_per_process",
];

/** Keys of an accelerate config file (what `accelerate config` writes; TRL's zero3.yaml uses these). */
export const ACCELERATE_CONFIG_KEYS: readonly string[] = [
  "compute_environment", "debug", "deepspeed_config", "distributed_type", "downcast_bf16", "machine_rank",
  "main_process_ip", "main_process_port", "main_training_function", "mixed_precision", "num_machines",
  "num_processes", "rdzv_backend", "same_network", "tpu_env", "tpu_use_cluster", "tpu_use_sudo", "use_cpu",
];
export const ACCELERATE_DEEPSPEED_KEYS: readonly string[] = [
  "deepspeed_multinode_launcher", "offload_optimizer_device", "offload_param_device", "zero3_init_flag",
  "zero3_save_16bit_model", "zero_stage", "gradient_accumulation_steps", "gradient_clipping", "deepspeed_hostfile",
];

/** The dataclasses each TRL entry point parses its config into. */
export const TRL_PARSERS: Record<string, string[]> = {
  sft: ["ScriptArguments", "SFTConfig", "ModelConfig", "DatasetMixtureConfig"],
  reward: ["ScriptArguments", "RewardConfig", "ModelConfig", "DatasetMixtureConfig"],
  dpo: ["ScriptArguments", "DPOConfig", "ModelConfig", "DatasetMixtureConfig"],
  ppo: ["ScriptArguments", "PPOConfig", "ModelConfig"], // trl/experimental/ppo/ppo.py: HfArgumentParser((ScriptArguments, PPOConfig, ModelConfig))
};

/** Fields of a class and its bases (child wins), as the dump gives them. */
function fieldsOf(fields: TRLFields, name: string, out = new Map<string, string>()): Map<string, string> {
  const cls: TRLClass | undefined = fields[name];
  if (!cls) return out;
  for (const base of cls.bases) fieldsOf(fields, base, out);
  for (const [k, f] of Object.entries(cls.fields)) out.set(k, f.type);
  return out;
}

/** Does a JSON value fit a Python annotation such as `float | None` or `list[str] | None`? */
export function fitsAnnotation(value: unknown, annotation: string): boolean {
  // split on top-level `|`
  const alts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of annotation) {
    if (ch === "[") depth++;
    if (ch === "]") depth--;
    if (ch === "|" && depth === 0) {
      alts.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  alts.push(cur.trim());
  return alts.some((t) => {
    if (t === "None") return value === null;
    if (t === "bool") return typeof value === "boolean";
    if (t === "int") return Number.isInteger(value);
    if (t === "float") return typeof value === "number";
    if (t === "str") return typeof value === "string";
    if (t === "Any") return true;
    if (t.startsWith("list")) return Array.isArray(value);
    if (t.startsWith("dict")) return value !== null && typeof value === "object" && !Array.isArray(value);
    const lit = /^Literal\[(.*)\]$/.exec(t);
    if (lit) return lit[1]!.split(",").map((s) => s.trim().replace(/^'|'$/g, "")).includes(String(value));
    return true; // a class name (DatasetConfig …): shape not in the dump
  });
}

/** Errors of a TRL YAML config for one entry point; [] when every key is known and typed right. */
export function validateTRLConfig(config: Record<string, unknown>, entry: keyof typeof TRL_PARSERS, fields: TRLFields): string[] {
  const known = new Map<string, string>();
  for (const cls of TRL_PARSERS[entry]!) for (const [k, t] of fieldsOf(fields, cls)) if (!known.has(k)) known.set(k, t);
  const errors: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    const annotation = known.get(k);
    if (annotation !== undefined) {
      if (!fitsAnnotation(v, annotation)) errors.push(`${k}: ${JSON.stringify(v)} does not fit ${annotation}`);
    } else if (TRAINING_ARGUMENTS.includes(k)) continue;
    else if (ACCELERATE_LAUNCH.includes(k)) errors.push(`${k}: an accelerate option; alignc keeps those in the accelerate config`);
    else errors.push(`${k}: not a field of ${TRL_PARSERS[entry]!.join(", ")} or TrainingArguments (TRL would pass it to accelerate)`);
  }
  return errors;
}

/** Does a command-line text fit a Python annotation as HfArgumentParser would convert it? */
export function textFitsAnnotation(raw: string, annotation: string): boolean {
  return annotation.split("|").some((alt) => {
    const t = alt.trim();
    if (t === "str" || t.startsWith("list") || t.startsWith("dict") || t === "Any") return true;
    if (t === "int") return /^[-+]?\d+$/.test(raw);
    if (t === "float") return /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|inf|nan)$/i.test(raw);
    if (t === "bool") return /^(true|false|True|False|yes|no|1|0)$/.test(raw);
    if (t === "None") return raw === "None";
    const lit = /^Literal\[(.*)\]$/.exec(t);
    if (lit) return lit[1]!.split(",").map((s) => s.trim().replace(/^'|'$/g, "")).includes(raw);
    return true;
  });
}

/** Errors of a TRL flag list (the experimental PPO script takes flags, not a YAML file). */
export function validateTRLFlags(argv: readonly string[], entry: keyof typeof TRL_PARSERS, fields: TRLFields): string[] {
  const known = new Map<string, string>();
  for (const cls of TRL_PARSERS[entry]!) for (const [k, t] of fieldsOf(fields, cls)) if (!known.has(k)) known.set(k, t);
  const errors: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i]!;
    if (!flag.startsWith("--") || i + 1 >= argv.length) {
      errors.push(`expected --flag value pairs at ${JSON.stringify(flag)}`);
      break;
    }
    const key = flag.slice(2);
    const raw = argv[i + 1]!;
    if (seen.has(key)) errors.push(`${flag} given twice`);
    seen.add(key);
    const annotation = known.get(key);
    if (annotation !== undefined) {
      if (!textFitsAnnotation(raw, annotation)) errors.push(`${flag}: ${JSON.stringify(raw)} does not fit ${annotation}`);
    } else if (!TRAINING_ARGUMENTS.includes(key)) errors.push(`${flag}: not a field of ${TRL_PARSERS[entry]!.join(", ")} or TrainingArguments`);
  }
  return errors;
}

/** Errors of an accelerate config file written by alignc. */
export function validateAccelerateConfig(config: Record<string, unknown>): string[] {
  const errors: string[] = [];
  for (const k of Object.keys(config)) if (!ACCELERATE_CONFIG_KEYS.includes(k)) errors.push(`${k}: not an accelerate config key`);
  const ds = config.deepspeed_config;
  if (ds && typeof ds === "object") for (const k of Object.keys(ds)) if (!ACCELERATE_DEEPSPEED_KEYS.includes(k)) errors.push(`deepspeed_config.${k}: not an accelerate deepspeed key`);
  const n = config.num_processes;
  const m = config.num_machines;
  if (!Number.isInteger(n) || (n as number) < 1) errors.push("num_processes must be a positive integer");
  if (!Number.isInteger(m) || (m as number) < 1) errors.push("num_machines must be a positive integer");
  else if (Number.isInteger(n) && (n as number) % (m as number) !== 0) errors.push("num_processes must be a multiple of num_machines");
  return errors;
}
