// The plan is data (as Terraform's): a list of nodes in topological order, each a pure function of
// its kind, op, resolved parameters, input hashes, file contents and the engine version. Rendering
// (src/plan/render.ts) and diffing (src/plan/diff.ts) read this shape; nothing here decides output.

/** Plan JSON format version: bump when the shape below changes incompatibly. */
export const PLAN_FORMAT_VERSION = 1;

export type NodeKind = "tokenizer" | "model" | "data" | "stage" | "eval";

/** Plain JSON, as it appears in plan.json. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A file a node reads: path relative to the recipe's folder (posix separators) and its content hash. */
export interface PlanFile {
  path: string;
  sha256: string;
}

/** Sizes of a data node's output, from the data layer (absent when it could not be measured). */
export interface DataSize {
  examples: number;
  tokens: number; // total tokens over all examples (formatted and tokenized where the node tokenizes)
  max_tokens: number; // the longest example
  // the token length of a training row (an SFT example; a ranking group's longest formatted sequence;
  // a prompt) at the quantiles (i + ½)/20 of the sample, i = 0 … 19 (src/data/stats.ts): how far the
  // trainer pads a batch, which it pads to the batch's own longest row (src/plan/padding.ts)
  lengths?: number[];
  comparisons?: number; // ranking data: pairs over all groups (examples = groups)
  responses?: number; // ranking data: responses over all groups (K per group; the reward model scores each)
  heldout?: number; // examples kept out of training (what `heldout(x)` evaluates on)
  estimated?: true; // tokens and max_tokens come from a sample of the examples (the data layer's DataStats.estimated)
}

/** What truncation to a stage's max_length does to its training examples (src/data/truncation-report.ts). */
export interface TruncationEstimate {
  examples: number; // examples counted
  lose_prompt: number; // of them, how many lose prompt tokens
  lose_response: number; // how many lose response tokens (the response, its end of turn or EOS)
  max_length: number; // the stage's window (max_length, else the model context)
  truncate: string; // the stage's policy
  sampled?: true; // counted on the first examples of the training set only
}

/**
 * Static cost estimates. Machine-independent figures only, except `time_s` (depends on the backend
 * actually selected): it is left out of goldens and never enters a hash (see src/plan/estimate.ts).
 */
export interface Estimates {
  size?: DataSize; // data nodes: examples and tokens produced
  truncation?: TruncationEstimate; // sft, reward_model and dpo stages, when their data was read
  parameters?: number; // model/stage/eval nodes: trainable parameters of the network
  tokens?: number; // tokens processed (forward and backward, all steps)
  steps?: number; // optimizer steps, resolved from epochs when steps is not given
  flops?: number; // 6·N·T + attention (see estimate.ts)
  memory_bytes?: number; // peak: weights + gradients + Adam moments + activations (+ frozen copies)
  time_s?: number; // on `backend`, from the throughput table
  backend?: string;
}

export interface PlanNode {
  id: string; // block name, or derived: "sft_data/format", "pre/data"
  kind: NodeKind;
  op: string; // read | expand | mix | format | tokenize | byte_level | gpt | pretrain | sft | … | win_rate
  params: { [key: string]: Json }; // resolved; references are { $ref: "<node id>" }, paths relative to the recipe
  inputs: string[]; // ids of the nodes this one reads, sorted
  files: PlanFile[]; // sorted by path
  hash: string; // sha256 hex, see src/plan/hash.ts
  estimates: Estimates;
  block?: string; // the recipe block this node lowers (absent for nodes shared by several)
}

export interface PlanVariant {
  name: string; // "quickstart[kl_coef=0.05]"
  bindings: { [path: string]: Json }; // "policy.kl_coef": 0.05
  nodes: string[]; // ids (in the enclosing plan) of the nodes this variant runs, topological
}

export interface PlanRecipe {
  name: string;
  file: string; // the recipe's file name (no folder: plans are machine-independent)
  seed: number;
  description?: string;
  variant?: string; // set when this plan is one variant of a sweep
  bindings?: { [path: string]: Json };
  /** the recipe's `expect` lines (src/plan/compile.ts gateText), `full_size: ` before a full-size-only one:
   * the gates a run of this plan applies (`alignc run plan.json` refuses a recipe whose gates are no longer
   * these). Always written since 7 Dec 2026: absent, the plan was made before plans recorded their gates */
  expect?: string[];
  /** planned with `--tiny` (src/run/tiny.ts): a run of this plan scales the recipe the same way and skips its full-size gates */
  tiny?: true;
}

export interface PlanEngine {
  alignc: string; // package version
  epoch: number; // ENGINE_EPOCH: bumped by hand when a change alters what a node computes
}

export interface Plan {
  version: number; // PLAN_FORMAT_VERSION
  recipe: PlanRecipe;
  engine: PlanEngine;
  nodes: PlanNode[]; // topological, ties by id
  variants?: PlanVariant[]; // present when the recipe sweeps: `nodes` is then the union of all variants
}
