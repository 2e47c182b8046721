// The export's own model: the training stages of one plan, in plan order, with their resolved
// hyperparameters and the exact examples alignc trains each on; the targets compile this into files.
import type { Diagnostic } from "../lang/diagnostic.js";
import type { Span } from "../lang/ast.js";
import type { ComparisonGroup, SFTExample } from "../data/types.js";
import type { TruncatePolicy } from "../data/truncation.js";

export const TARGETS = ["trl", "openrlhf", "axolotl"] as const;
export type Target = (typeof TARGETS)[number];

/** Versions whose configuration surface alignc knows (and validates against ../shared). */
export const TARGET_VERSIONS: Record<Target, readonly string[]> = {
  trl: ["1.9.0"],
  openrlhf: ["0.11.0", "0.7.0.post1"],
  axolotl: ["0.18.0"],
};

/** The target version an export writes: the one asked for, else the newest alignc knows (the first listed). */
export function targetVersionOf(opts: Pick<ExportOptions, "to" | "targetVersion">): string {
  return opts.targetVersion ?? TARGET_VERSIONS[opts.to][0]!;
}

export type StageKind = "pretrain" | "sft" | "reward_model" | "dpo" | "ppo";
export const EXPORTED_KINDS: readonly StageKind[] = ["pretrain", "sft", "reward_model", "dpo", "ppo"];

export interface ExportOptions {
  to: Target;
  nodes: number; // ≥ 1
  gpusPerNode: number; // ≥ 1
  targetVersion?: string; // left out: the first of TARGET_VERSIONS[to] (targetVersionOf)
  dropPtx: boolean; // drop the ptx term (γ) where the target has none, instead of failing
  /** keep at most this many rows per JSONL file (golden fixtures); counts in EXPORT.md stay the real ones */
  trimRows?: number;
}

/** How long a stage trains, resolved as the run resolves it (plan/params.ts stepsOrEpochs): its steps, or epochs passes. */
export type StageLength = { steps: number; epochs: null } | { steps: null; epochs: number };

/** PPO's own parameters, every one resolved (kl_budget: null when the recipe sets none). Read them through ppoHP (ppo-hp.ts). */
export interface PpoHP {
  kl_coef: number;
  ptx_coef: number;
  clip: number;
  vf_coef: number;
  gae_lambda: number;
  discount: number;
  ppo_epochs: number;
  max_new_tokens: number;
  temperature: number;
  /** PPO responses per prompt (leave-one-out baseline above 1). */
  samples_per_prompt: number;
  advantages: "gae" | "rloo";
  advantage_scale: "whiten" | "rms";
  top_k: number;
  kl_budget: number | null;
}

/** Hyperparameters of one stage, resolved (defaults filled by the checker, max_length from the model). */
export type StageHP = StageLength & StageHPCommon & Partial<PpoHP>;

/** What every stage carries, and the few parameters of one kind besides PPO's. */
export interface StageHPCommon {
  batch_size: number;
  accumulate: number;
  lr: number;
  warmup: number;
  schedule: "cosine" | "constant" | "linear";
  min_lr_ratio: number;
  optimizer: "adamw" | "adam";
  weight_decay: number;
  grad_clip: number;
  log_every: number;
  checkpoint_every: number;
  max_length: number;
  seed: number;
  /**
   * The plan's `dropout` of the model at the root of the stage's init chain: alignc trains pretrain,
   * SFT, reward model and DPO with it (PPO without, src/train/config.ts). A model parameter, carried
   * here because the targets set dropout (or cannot) per stage.
   */
  dropout: number;
  // sft, reward_model, dpo: the stage's truncation policy, resolved (left out means TRUNCATE_DEFAULT)
  truncate?: TruncatePolicy;
  // sft
  loss_on?: "response" | "all";
  group_by_length?: boolean;
  // reward_model
  pairs?: "all" | "adjacent";
  // dpo
  beta?: number;
}

/** Where a stage's weights come from: a Hugging Face model (id or folder), or an earlier stage's output. */
/** Where a stage starts: a Hugging Face model (`shape`: the recipe's own model definition it stands in for, which the
 * export does not carry), or an earlier stage's output. */
export type StageInit = { hf: string; model: string; shape?: string } | { stage: string };

export type StageData =
  | { kind: "text"; train: string[]; test: string[] } // pretraining documents
  | { kind: "sft"; train: SFTExample[]; test: SFTExample[] }
  // comparisons with each response already rendered in the chat format: prompt text + completion text
  | { kind: "comparisons"; train: RenderedGroup[]; test: RenderedGroup[] }
  | { kind: "prompts"; train: string[]; test: string[] }; // rendered PPO prompts (the generation prefix)

/** A comparison group rendered with the stage's chat format. */
export interface RenderedGroup {
  group: ComparisonGroup;
  prompt: string; // formatted text before the response (system + user turn + assistant prefix)
  completions: string[]; // per response: the formatted text from the response on (response + closing markers)
}

export interface ExportStage {
  name: string;
  kind: StageKind;
  span: Span | null; // the stage declaration, for located diagnostics
  file: string;
  init: StageInit;
  hp: StageHP;
  data: StageData;
  dataName: string; // the recipe block the data comes from
  reward?: string; // ppo: the reward model stage
  ptx?: { name: string; data: StageData } | null; // ppo: the ptx examples
  /** the Hugging Face model the stage's lineage starts from, where alignc knows its positions (src/export/model-positions.ts) */
  positions?: { hf: string; n: number };
}

export interface ExportInput {
  recipe: string; // recipe name
  file: string; // recipe file
  stages: ExportStage[]; // plan order
  skipped: { name: string; kind: string; why: string }[]; // evals and other blocks an export leaves out
  /** the variant exported (its label) and the stage the export stopped at: EXPORT.md's command names them */
  variant?: string;
  until?: string;
  /** counts tokens as the models with known positions do (GPT-2's BPE), when a stage has them */
  positionTokens?: { count: (s: string) => number; name: string };
}

export interface ExportFile {
  path: string; // relative to the export folder, `/` separators
  content: string;
  /** what the file is, for EXPORT.md */
  what: string;
  /** how the file is validated offline (src/export/validate/index.ts) */
  check?: FileCheck;
}

export type FileCheck =
  | { as: "trl-yaml"; entry: "sft" | "reward" | "dpo" }
  | { as: "trl-flags"; entry: "ppo" }
  | { as: "openrlhf-args"; module: string; version: string }
  | { as: "axolotl-yaml" }
  | { as: "accelerate-yaml" }
  | { as: "json" };

/** A mapping or lossy step, listed in EXPORT.md and printed by the CLI. */
export interface Approximation {
  stage: string | null;
  text: string;
}

export interface ExportResult {
  files: ExportFile[];
  diagnostics: Diagnostic[];
  approximations: Approximation[];
}
