// How long each stage trains on OpenRLHF, in its own units: whole epochs of whole batches (its loaders
// drop each epoch's last incomplete one) or a max_samples cut, PPO in passes over its prompts in whole
// rollouts; and the stages whose rows fill no batch at all (AL4614).
import { stepsToEpochs } from "../batch.js";
import { ppoHP } from "../ppo-hp.js";
import type { ExportStage } from "../types.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { stageSplit, targetBatch, type MapCtx } from "./common.js";

/** optimizer steps alignc takes, for ratios (warmup) */
export function totalSteps(c: MapCtx): number {
  const hp = c.stage.hp;
  if (hp.steps !== null) return hp.steps;
  return Math.max(1, Math.ceil((hp.epochs * c.rows) / targetBatch(c.stage)));
}

/**
 * PPO's length in OpenRLHF's units: episodes are passes over the prompt rows and `max_samples` counts
 * prompts, each sampled n_samples_per_prompt times; an alignc step reads batch_size ÷
 * samples_per_prompt prompts.
 */
export function ppoDuration(c: MapCtx) {
  const hp = ppoHP(c.stage);
  return stepsToEpochs(hp.steps, c.stage.hp.batch_size / hp.samples_per_prompt, c.rows, rolloutPrompts(c.stage, c.world));
}

/** OpenRLHF's loaders (setup_dataloader, 0.7-era source read) give each GPU whole micro-batches and drop
 * each epoch's last incomplete one: rows are trained in units of a micro-batch on every GPU. */
export function duration(c: MapCtx) {
  const hp = c.stage.hp;
  const unit = c.split.perDevice * c.world;
  if (hp.steps !== null) return stepsToEpochs(hp.steps, targetBatch(c.stage), c.rows, unit);
  const epochs = Math.max(1, Math.round(hp.epochs));
  const perEpoch = Math.floor(c.rows / unit) * unit;
  return { epochs, maxSamples: null, sequences: epochs * perEpoch, exact: epochs === hp.epochs && perEpoch === c.rows };
}

/** Prompts per rollout (OpenRLHF counts prompts, each sampled n_samples_per_prompt times): the global
 * batch of responses over the samples per prompt. 0.7.0.post1 asserts that the actor's GPUs divide it
 * (train_ppo_ray.py's _validate_args): compile.ts refuses an export where they do not. */
export function rolloutPrompts(stage: ExportStage, world: number): number {
  return Math.max(1, Math.floor(stageSplit(stage, world).global / ppoHP(stage).samples_per_prompt));
}

/** A stage whose rows fill no batch of the cluster: OpenRLHF's loaders drop the incomplete one, so it
 * trains on nothing (written with a note, exit 0, until review35 M4). An error, or null. */
export function nothingTrained(c: MapCtx, file: string): Diagnostic | null {
  const ppo = c.stage.kind === "ppo";
  if ((ppo ? ppoDuration(c) : duration(c)).sequences > 0) return null;
  const unit = ppo ? rolloutPrompts(c.stage, c.world) : c.split.perDevice * c.world;
  const what = ppo ? "prompts" : "rows";
  return {
    code: "AL4614",
    severity: "error",
    message: `stage \`${c.stage.name}\` has ${c.rows} training ${what}, fewer than one ${ppo ? "rollout" : "batch"} of ${unit} (${ppo ? "prompts per rollout" : `${c.split.perDevice} per GPU × ${c.world} GPUs`}): OpenRLHF's loaders drop an incomplete one, so it would train on nothing`,
    file: c.stage.file ?? file,
    span: c.stage.span ?? null,
    hint: `export for fewer GPUs (--nodes × --gpus-per-node), or give stage \`${c.stage.name}\` at least ${unit} training ${what}`,
  };
}
