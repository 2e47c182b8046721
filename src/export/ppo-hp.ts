// Strict reads of a stage's kind-specific hyperparameters. StageHP carries PPO's parameters as
// optional (a pretrain stage has none); a PPO stage of a current plan carries every one (the checker
// filled them from the kinds table), so these accessors refuse a stage that lacks one instead of
// falling back to a value nobody chose.
import type { ExportStage, PpoHP } from "./types.js";
import type { TruncatePolicy } from "../data/truncation.js";

const PPO_KEYS = [
  "kl_coef", "ptx_coef", "clip", "vf_coef", "gae_lambda", "discount", "ppo_epochs", "max_new_tokens",
  "temperature", "samples_per_prompt", "advantages", "advantage_scale", "top_k", "kl_budget",
] as const satisfies readonly (keyof PpoHP)[];

/** A stage whose hyperparameters do not match its kind (a bug in whatever built the ExportStage). */
export class StageHPError extends Error {
  override name = "StageHPError";
}

/** A PPO stage's own parameters, and its steps (the kinds table requires steps of PPO). */
export function ppoHP(stage: ExportStage): PpoHP & { steps: number } {
  if (stage.kind !== "ppo") throw new StageHPError(`stage \`${stage.name}\` is a ${stage.kind} stage, not ppo`);
  const hp = stage.hp;
  const missing = PPO_KEYS.filter((k) => hp[k] === undefined);
  if (missing.length) throw new StageHPError(`ppo stage \`${stage.name}\` lacks ${missing.map((m) => `\`${m}\``).join(", ")}`);
  if (hp.steps === null) throw new StageHPError(`ppo stage \`${stage.name}\` has no steps`);
  return { ...(hp as PpoHP), steps: hp.steps };
}

/**
 * Which pairs of a comparison group a stage trains on: a reward model's `pairs` property; every other
 * stage (DPO) trains on all of them (train/stages/dpo.ts pairsOfGroups), as it has no such property.
 */
export function pairsOf(stage: ExportStage): "all" | "adjacent" {
  if (stage.kind !== "reward_model") return "all";
  if (stage.hp.pairs === undefined) throw new StageHPError(`reward_model stage \`${stage.name}\` lacks \`pairs\``);
  return stage.hp.pairs;
}

/**
 * How a stage cut sequences longer than its max_length (sft, reward_model, dpo): from-plan.ts
 * resolves it from the plan node, so a stage of those kinds without it is a bug, not a default.
 */
export function truncateOf(stage: ExportStage): TruncatePolicy {
  if (stage.kind !== "sft" && stage.kind !== "reward_model" && stage.kind !== "dpo") throw new StageHPError(`a ${stage.kind} stage has no \`truncate\``);
  if (stage.hp.truncate === undefined) throw new StageHPError(`${stage.kind} stage \`${stage.name}\` lacks \`truncate\``);
  return stage.hp.truncate;
}
