// What the three targets share: folder layout, the mapping-table row type, and the world size.
import { splitBatch, type BatchSplit } from "../batch.js";
import { pairRows } from "../rows.js";
import { pairsOf } from "../ppo-hp.js";
import type { Approximation, ExportFile, ExportInput, ExportOptions, ExportStage, StageKind } from "../types.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { LENGTH_WINDOW_BATCHES } from "../../train/config.js";

export const dataDir = (stage: string) => `data/${stage}`;
export const trainFile = (stage: string) => `data/${stage}/train.jsonl`;
export const testFile = (stage: string) => `data/${stage}/test.jsonl`;
export const outputDir = (stage: string) => `outputs/${stage}`;

/** The model a stage starts from, as the target reads it: an HF id/folder, or an earlier stage's output. */
export function initPath(stage: ExportStage): string {
  return "hf" in stage.init ? stage.init.hf : outputDir(stage.init.stage);
}

export function hasTest(stage: ExportStage): boolean {
  return stage.data.test.length > 0;
}

/** Training rows of a stage as compile.ts counted them (it counts every stage before any target runs). */
export function rowCountOf(rowCounts: ReadonlyMap<string, number>, stage: ExportStage): number {
  const n = rowCounts.get(stage.name);
  if (n === undefined) throw new Error(`export: no row count for stage \`${stage.name}\``);
  return n;
}

/** Rows alignc's optimizer step sees: `batch_size × accumulate` (PPO: `batch_size` rollouts; accumulate does not apply). */
export function alignBatch(stage: ExportStage): number {
  return stage.kind === "ppo" ? stage.hp.batch_size : stage.hp.batch_size * stage.hp.accumulate;
}

/**
 * Rows per optimizer step on the target (the global batch). alignc's reward model batches comparison
 * data by prompt (each prompt with all its pairs); the targets batch pairs, so the batch becomes the
 * mean number of pairs in that many prompts: the same comparisons per step where the world divides it
 * (else targetSteps keeps the comparisons in all). alignc's DPO batches pairs, as the targets do.
 */
export function targetBatch(stage: ExportStage): number {
  // DPO batches pairs in alignc too (train/stages/dpo.ts): the same rows per step
  if (stage.data.kind !== "comparisons" || stage.kind === "dpo" || stage.data.train.length === 0) return alignBatch(stage);
  const pairs = pairRows(stage.data.train, pairsOf(stage)).length;
  return Math.max(1, Math.round((alignBatch(stage) * pairs) / stage.data.train.length));
}

/**
 * Optimizer steps on a target that counts them (TRL, Axolotl): alignc's `steps`, unless the global batch
 * could not be kept (the world does not divide it): then as many steps as see alignc's `steps × batch`
 * sequences, the rule OpenRLHF (which counts samples, not steps) follows too, so every target trains on
 * the same data. A step count kept at a larger batch trained on twice the sequences on TRL while
 * OpenRLHF trained on alignc's, half the steps. `warmup` scales with it.
 */
export function targetSteps(c: MapCtx, alignSteps: number): number {
  if (alignSteps === 0 || c.split.exact || c.split.global === targetBatch(c.stage)) return alignSteps;
  return Math.max(1, Math.round((alignSteps * targetBatch(c.stage)) / c.split.global));
}

/**
 * How often the target scores the held-out split, in its steps: alignc's own cadence (src/run/nodes/stages.ts):
 * pretrain and SFT every max(log_every, ⌈steps / 10⌉) steps, a reward model and DPO after training (and
 * before it, which the targets do not do): at its last step. It was `checkpoint_every`, so a stage shorter
 * than that was never scored there (audit38 #6). A stage given in epochs is counted in the target's own
 * steps: its passes over the rows the target reads, at the target's global batch (review38 M3).
 */
export function evalSteps(c: MapCtx): number {
  const lm = c.stage.kind === "pretrain" || c.stage.kind === "sft";
  const steps = c.stage.hp.steps;
  if (steps !== null) return targetSteps(c, Math.min(lm ? Math.max(c.stage.hp.log_every, Math.ceil(steps / 10)) : steps, steps));
  const total = Math.max(1, Math.ceil(((c.stage.hp.epochs ?? 1) * c.rows) / Math.max(1, c.split.global)));
  return Math.min(lm ? Math.max(targetSteps(c, c.stage.hp.log_every), Math.ceil(total / 10)) : total, total);
}

/** "keep alignc's 32 sequences", or what the target's whole steps train instead: 1,000,000 GPUs at one
 * sequence each train 1,000,000 in one step, which the note called keeping alignc's 32 (huntA39 F5). */
function kept(target: number, alignc: number, what: string, about = ""): string {
  return target === alignc ? `keep alignc's ${about}${alignc} ${what}` : `train ${target} ${what} (alignc: ${about}${alignc}; whole steps of the target's global batch)`;
}

/** The batch row's note when the global batch could not be kept: the batch, and the steps that keep the data. */
export function inexactBatchNote(c: MapCtx, counts: "steps" | "samples"): string | null {
  // a reward model's batch is said by comparisonBatchNote, which says DPO's too (its rows are pairs)
  if (c.split.exact || c.stage.data.kind === "comparisons") return null;
  return batchSplitNote(c, counts, "sequences");
}

function batchSplitNote(c: MapCtx, counts: "steps" | "samples", unit: string): string {
  const steps = c.stage.hp.steps;
  const length = steps === null ? "" : counts === "steps" ? `: ${targetSteps(c, steps)} steps (alignc: ${steps}) ${kept(targetSteps(c, steps) * c.split.global, steps * alignBatch(c.stage), unit)}` : `: alignc's ${steps * alignBatch(c.stage)} ${unit} are ${targetSteps(c, steps)} steps there (alignc: ${steps})${targetSteps(c, steps) * c.split.global === steps * alignBatch(c.stage) ? "" : `, which train ${targetSteps(c, steps) * c.split.global} ${unit}`}`;
  return `${alignBatch(c.stage)} ${unit} per step cannot be split over ${c.world} GPUs; the target's global batch is ${c.split.global}${length}`;
}

/** Every target's linear warmup (transformers' LambdaLR schedules, which OpenRLHF and Axolotl use too) scales the
 * learning rate by step / warmup from step 0, so its first step trains at lr 0; alignc's by (step + 1) / warmup
 * (src/train/optim.ts), its first step at lr / warmup (huntF40 F4). No warmup on the target matches it exactly. */
export function warmupNote(c: MapCtx): string | null {
  return c.stage.hp.warmup > 0 ? `the target's warmup scales the learning rate by step / warmup from step 0 (its first step at lr 0), alignc's by (step + 1) / warmup: the target reaches the peak one step later` : null;
}

export function stageSplit(stage: ExportStage, world: number): BatchSplit {
  return splitBatch(targetBatch(stage), stage.hp.accumulate, world);
}

/** Note for comparison stages: what a batch counts in alignc and on the target. */
export function comparisonBatchNote(c: MapCtx): string | null {
  if (c.stage.data.kind !== "comparisons") return null;
  // DPO batches pairs in alignc too: the batch changes only where the world does not divide it, and
  // then the steps with it (huntF40 F1: 12 pairs on 8 GPUs became 16, 100 steps 75, unsaid)
  if (c.stage.kind === "dpo") return c.split.exact ? null : batchSplitNote(c, c.opts.to === "openrlhf" ? "samples" : "steps", "pairs");
  const steps = c.stage.hp.steps;
  // a target that counts steps takes as many as see alignc's pairs (targetSteps); OpenRLHF's note on `steps` says its samples
  const pairs = steps !== null && c.opts.to !== "openrlhf" && targetSteps(c, steps) !== steps ? `: ${targetSteps(c, steps)} steps (alignc: ${steps}) ${kept(targetSteps(c, steps) * c.split.global, steps * targetBatch(c.stage), "pairs", "≈")}` : "";
  return `alignc's batch counts prompts with all their pairs (${alignBatch(c.stage)} prompts ≈ ${targetBatch(c.stage)} pairs per step); the target batches pairs: ${c.split.global} per step${pairs}`;
}

export interface MapCtx {
  stage: ExportStage;
  input: ExportInput;
  opts: ExportOptions;
  version: string;
  world: number; // GPUs in all
  split: BatchSplit;
  rows: number; // training rows the target reads for this stage
}

export type MapValue = string | number | boolean | number[] | Record<string, unknown>;

/**
 * One row of a target's hyperparameter table: alignc property → target key. `key` null means the
 * target has no such setting; `lossy` says what is lost (listed in EXPORT.md), null when exact.
 */
export interface MapRow {
  alignc: string;
  kinds: readonly StageKind[];
  key: (ctx: MapCtx) => string | null;
  value: (ctx: MapCtx) => MapValue | undefined;
  lossy?: (ctx: MapCtx) => string | null;
}

/**
 * Stage parameters (keyed `prop`, or `kind.prop` for one kind) that no hyperparameter table has a row
 * for because the export carries them another way, each with where. test/export/mapping.test.ts
 * holds every target to it: each parameter of each exported stage kind in the kinds table (and the
 * model's dropout) is a table row or listed here, so a parameter the plan has never reaches a target
 * as the target's own default unnoticed.
 */
export const CARRIED_OUTSIDE_TABLES: Readonly<Record<string, string>> = {
  init: "the model the target starts from: the Hugging Face model (`hf`) or an earlier stage's output folder",
  data: "the training rows (data/<stage>/train.jsonl), built from the plan's data nodes",
  prompts: "the PPO prompt rows, built from the plan's data nodes",
  format: "the rows are rendered in the stage's chat format; the target applies no chat template of its own",
  holdout: "the held-out rows (data/<stage>/test.jsonl)",
  pairs: "the pair rows: all C(K,2) pairs of a prompt, or adjacent rank levels only",
  reward: "the reward model path (an earlier stage's output); reward = \"rule\" is refused (AL4611)",
  ptx_data: "the ptx rows where the target has a ptx loss (OpenRLHF ≤ 0.7.0.post1); elsewhere ptx_coef > 0 is refused (AL4603) or dropped with a note (--drop-ptx)",
  parallel_shares: "how alignc splits a batch over threads so that any --workers gives the same float32 sums: no value a target trains with",
  "ppo.epochs": "PPO requires `steps` (kinds table), which decide its length; `epochs` never applies to it",
};

/** What `group_by_length` becomes on a Hugging Face trainer, for the targets' notes. */
export const HF_GROUPING = `alignc sorts windows of ${LENGTH_WINDOW_BATCHES} batches by length and shuffles their batches; Hugging Face's LengthGroupedSampler sorts megabatches of min(examples / (4 × batch), 50) batches, longest batch first, so the batches group alike but are not the same`;

export const TRAINED: readonly StageKind[] = ["pretrain", "sft", "reward_model", "dpo", "ppo"];
export const SUPERVISED: readonly StageKind[] = ["pretrain", "sft", "reward_model", "dpo"];

/** Apply a table to one stage: the config entries in table order, plus the approximations it made. */
export function applyTable(table: readonly MapRow[], ctx: MapCtx, approximations: Approximation[]): [string, MapValue][] {
  const out: [string, MapValue][] = [];
  for (const row of table) {
    if (!row.kinds.includes(ctx.stage.kind)) continue;
    const key = row.key(ctx);
    const note = row.lossy?.(ctx) ?? null;
    // a row for several kinds' one parameter (`reward_model.batch_size`, DPO's too) is said by its parameter
    if (note) approximations.push({ stage: ctx.stage.name, text: `${row.alignc.replace(/^[a-z_]+\./, "")}: ${note}` });
    if (key === null) continue;
    const v = row.value(ctx);
    if (v !== undefined) out.push([key, v]);
  }
  return out;
}

export interface TargetOutput {
  files: ExportFile[];
  approximations: Approximation[];
  diagnostics: Diagnostic[];
  /** shell lines per stage for the one-node and the N-node launch script (launch.ts writes the one for the export's nodes) */
  launch: { stage: string; oneNode: string[]; nNodes: string[] }[];
  /** lines of the launch scripts before the stages (environment checks, ray cluster …) */
  preamble?: { oneNode: string[]; nNodes: string[] };
}

/** One argv token per line: the launch scripts read it with `mapfile -t ARGS < file`. */
export function argsFile(entries: readonly [string, MapValue][]): { text: string; argv: string[] } {
  const argv: string[] = [];
  for (const [flag, v] of entries) {
    if (v === false) continue;
    argv.push(flag);
    if (v === true) continue;
    if (Array.isArray(v)) for (const x of v) argv.push(String(x));
    else if (typeof v === "object") argv.push(JSON.stringify(v));
    else argv.push(String(v)); // numbers as JS writes them (0.00001, 1e-7): Python's int() and float() read both
  }
  for (const tok of argv)
    if (tok.includes("\n")) throw new Error(`argument ${JSON.stringify(tok)} holds a line break; it cannot go in an args file`);
  return { text: argv.map((t) => `${t}\n`).join(""), argv };
}
