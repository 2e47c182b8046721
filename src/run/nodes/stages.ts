// Training stages: build the stage's token data, start from its `init` network, run the engine's
// trainer step by step (logging, checkpoints, Ctrl-C), measure the stage's gain on held-out data
// before and after, and save the trained network into the cache entry.
import { BATCH_MEANS } from "../batch-means.js";
import { fmtNum } from "../presentation/format.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import {
  createTrainer,
  evaluateLm,
  constantLoss,
  loadTrainerState,
  rmAccuracy,
  saveModel,
  saveTrainerState,
  type Gpt,
  type StepMetrics,
  type Trainer,
} from "./train-api.js";
import { NonFiniteError } from "../../train/errors.js";
import type { DpoTrainer } from "../../train/stages/dpo.js";
import type { NodeContext, NodeResult } from "../handler.js";
import { yieldToSignals } from "../storage/interrupt.js";
import { paramsOf, refOf, stageParams, type TrainingParams } from "../../plan/params.js";
import { trainConfigOf } from "../../plan/engine-configs.js";
import type { HandlerEnv } from "./env.js";
import { MODEL_FILE, networkOf } from "./models.js";
import { VAL_DURING, VAL_FINAL } from "../../train/config.js";
import { ppoSetup } from "./ppo-stage.js";
import { stageData } from "./stage-data.js";
import { parallelize, resolveWorkers } from "./parallel.js";
import { nonFiniteDiagnostic } from "./non-finite.js";
import type { CheckedRecipe } from "../../check/ir.js";
import { pushAll } from "../../common/arrays.js";

export const STATE_FILE = "state.safetensors";
/** Beside the trainer state in a checkpoint: the step metrics and logged rows so far, so a resumed
 * stage records the same metric rows and final summary as an uninterrupted one. */
const PROGRESS_FILE = "progress.json";
type Row = Omit<Parameters<NodeContext["log"]>[0], never>;
/** The file in a stage's cache entry that records the configuration the engine trained with. */
export const TRAINED_WITH_FILE = "trained-with.json";

/**
 * Record (and print) the configuration the engine holds, read back from the trainer rather than
 * from what was passed, so that a value lost on the way (an engine default used instead of the
 * plan's) shows: test/run/contract.test.ts compares this file with the plan node.
 */
function recordTrainedWith(ctx: NodeContext, trainer: Trainer): void {
  const ppo = (trainer as { opts?: Record<string, unknown> }).opts;
  // no block name: an entry's files are its hash's, whatever the recipe called the node (huntG40 M3: a
  // renamed stage wrote other bytes under one hash, and its downstream entries were computed again)
  const record = { hash: ctx.node.hash, train: trainer.cfg, group_by_length: trainer.groupedByLength, ...(ppo ? { ppo } : {}) };
  writeFileSync(join(ctx.outDir, TRAINED_WITH_FILE), `${JSON.stringify(record, null, 2)}\n`);
  const c = trainer.cfg;
  const extra = ppo ? `, kl_coef ${ppo.klCoef}, ptx_coef ${ppo.ptxCoef}, samples_per_prompt ${ppo.samplesPerPrompt}, temperature ${ppo.temperature}, advantages ${ppo.advantages} (${ppo.advantageScale})` : "";
  ctx.info(`${c.steps} steps, lr ${c.lr}, batch ${c.batchSize}×${c.accumulate}, seed ${c.seed}${extra}`);
}

/** Metrics logged per step: numbers only, the engine's names (loss, lr, reward, kl, accuracy …). */
function row(m: StepMetrics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === "number" && k !== "step" && k !== "ms" && Number.isFinite(v)) out[k] = Number(v.toPrecision(6));
  return out;
}

function meanOf(rows: StepMetrics[], key: string): number | undefined {
  const xs = rows.map((r) => r[key]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : undefined;
}

export async function runStage(env: HandlerEnv, ctx: NodeContext): Promise<NodeResult> {
  await env.backend.ensure();
  const node = ctx.node;
  const p = stageParams(node);
  const data = await stageData(env, ctx.plan, node);
  const seed = p.seed;
  const initName = refOf(p.init);
  if (!initName) throw new Error(`${node.id}: no init`);
  const initOut = await ctx.input(initName);
  const init = await networkOf(env, ctx.plan, initOut);
  const disposables: { dispose(): void }[] = [init];
  let trainer: Trainer;
  let evalBefore: Record<string, number> = {};
  let evalAfter: () => Record<string, number>;
  let during: (() => Record<string, number>) | null = null;
  // constant baselines of a before/after figure, logged beside its two points in metrics.jsonl
  let rowBaselines: Record<string, number> = {};
  let replicas = 1;
  try {
    if (data.kind === "lm") {
      // pretraining has neither parameter: its loss is on every token, and its windows are all full-length
      const sft = node.op === "sft" ? paramsOf(node, "stage.sft") : null;
      const model = init.clone(["lm"], seed);
      const cfg = trainConfigOf(p, data.data.train.length);
      try {
        trainer = createTrainer(node.op as "pretrain" | "sft", { model, examples: data.data.train, train: cfg, lossOn: sft ? sft.loss_on : "all", groupByLength: sft ? sft.group_by_length : false, pad: data.tok.pad });
      } catch (err) {
        model.dispose(); // a refused input: the trainer that would own the clone was never made (leakL41)
        throw err;
      }
      disposables.push(trainer); // closes its worker pool, if any; owns the clone
      replicas = await parallelize(trainer, resolveWorkers(env.workers), env.backend.selected, (l) => ctx.info(l));
      const val = data.data.heldout;
      // the held-out loss is scored across the stage's replicas too (bit-identical to one thread's)
      const pool = trainer.parallel;
      const valLoss = (n: number) => (val.length ? { val_loss: evaluateLm(model, val.slice(0, n), { pad: data.tok.pad, pool }) } : ({} as Record<string, number>));
      evalBefore = valLoss(VAL_FINAL);
      // the curve's own name: on the first VAL_DURING held-out sequences, where the summary's val_loss
      // is on the first VAL_FINAL (one name for both read 0.6471 in metrics.jsonl beside 0.4555: audit 32)
      during = (): Record<string, number> => {
        const v = valLoss(VAL_DURING);
        return v.val_loss === undefined ? {} : { val_loss_during: v.val_loss };
      };
      // beside val_loss, its trivial baseline on the same held-out tokens: the best constant distribution
      const baseline: Record<string, number> = val.length ? { val_loss_baseline: constantLoss(val.slice(0, VAL_FINAL), model.config.context, data.tok.pad) } : {};
      evalAfter = () => ({ ...valLoss(VAL_FINAL), ...baseline });
    } else if (data.kind === "rm") {
      // a reward model's batch (and epoch) counts prompts with all their pairs; DPO's counts pairs
      const cfg = trainConfigOf(p, node.op === "dpo" ? data.train.reduce((s, g) => s + g.pairs.length, 0) : data.train.length);
      // a reward model's held-out pairs ordered by its scores; DPO's by its implicit reward (before
      // training the policy is the reference: every pair tied, 0.5). Before and after, as a stage's figure
      const held = data.heldout;
      let heldoutAccuracy: (h: typeof held) => number;
      if (node.op === "dpo") {
        const dpo = createTrainer("dpo", { init, groups: data.train, beta: paramsOf(node, "stage.dpo").beta, train: cfg, pad: data.tok.pad }) as DpoTrainer;
        trainer = dpo;
        heldoutAccuracy = (h) => dpo.heldoutAccuracy(h);
      } else {
        trainer = createTrainer("reward_model", { init, groups: data.train, train: cfg, pad: data.tok.pad });
        heldoutAccuracy = (h) => rmAccuracy(trainer.model, h, { pad: data.tok.pad });
      }
      disposables.push(trainer); // before evalBefore, which may throw (leakL41)
      const acc = () => (held.length ? { heldout_accuracy: heldoutAccuracy(held) } : ({} as Record<string, number>));
      // beside it, what response length alone orders of the same pairs (chance is no bar where the preferred answer is the shorter)
      const byLength: Record<string, number> = held.length && data.heldoutLengthBaseline !== undefined ? { heldout_accuracy_length_baseline: data.heldoutLengthBaseline } : {};
      evalBefore = acc();
      evalAfter = () => ({ ...acc(), ...byLength });
      rowBaselines = byLength;
    } else {
      const pp = paramsOf(node, "stage.ppo");
      // a PPO step is batch_size rollouts: accumulate is unread (AL4022, out of the hash), so 1, as its log line says
      const setup = await ppoSetup(env, ctx, pp, init, initOut, data, trainConfigOf({ ...pp, accumulate: 1 }, data.prompts.length));
      disposables.push(...setup.owned);
      trainer = setup.trainer;
      evalBefore = setup.evalBefore;
      evalAfter = setup.evalAfter;
      during = setup.during;
    }
    if (!disposables.includes(trainer)) disposables.push(trainer);
    if (data.kind !== "lm") replicas = await parallelize(trainer, resolveWorkers(env.workers), env.backend.selected, (l) => ctx.info(l));
    recordTrainedWith(ctx, trainer);
    const result = await loop(env.recipe, ctx, p, trainer, { evalBefore, evalAfter: evalAfter!, during, rowBaselines }, replicas);
    // rows the stage's sources left out (on_error = "skip") go into the run record with the entry (rundir.ts)
    if (result.status === "done" && data.skipped) result.data = { ...(result.data as object | undefined), skippedRows: data.skipped };
    return result;
  } finally {
    for (const d of disposables.reverse()) d.dispose();
  }
}

async function loop(
  recipe: CheckedRecipe,
  ctx: NodeContext,
  p: TrainingParams,
  trainer: Trainer,
  ev: { evalBefore: Record<string, number>; evalAfter: () => Record<string, number>; during: (() => Record<string, number>) | null; rowBaselines: Record<string, number> },
  replicas: number,
): Promise<NodeResult> {
  const total = trainer.cfg.steps;
  const logEvery = p.log_every;
  const ckEvery = p.checkpoint_every;
  const valEvery = Math.max(logEvery, Math.ceil(total / 10));
  const klBudget = "kl_budget" in p && typeof p.kl_budget === "number" ? p.kl_budget : null;
  let resumedFrom: number | undefined;
  const history: StepMetrics[] = [];
  const logged: Row[] = [];
  const log = (r: Row): void => {
    logged.push(r);
    ctx.log(r);
  };
  let complete = true; // history holds every step (false after resuming from a checkpoint without progress.json)
  const ck = ctx.latestCheckpoint();
  if (ck) {
    // held to the sizes and sha256 written with it: a damaged state would be trained on, and its
    // result stored under the node's hash as if uninterrupted (audit33 M1: a flipped bit resumed silently)
    const damage = ctx.checkpointDamage(ck);
    if (damage) throw new DamagedCheckpointError(join(ck.dir, damage.file), damage.why);
    try {
      trainer.restore(loadTrainerState(join(ck.dir, STATE_FILE)));
    } catch (err) {
      throw new DamagedCheckpointError(join(ck.dir, STATE_FILE), (err as Error).message);
    }
    resumedFrom = trainer.stepCount;
    ctx.info(`resuming from the checkpoint at step ${resumedFrom}`);
    const progress = join(ck.dir, PROGRESS_FILE);
    if (existsSync(progress)) {
      const saved = readProgress(progress);
      pushAll(history, saved.history);
      for (const r of saved.logged) log(r); // the rows before the checkpoint, as the first attempt logged them
    } else complete = false;
  } else if (Object.keys(ev.evalBefore).length) {
    // the curve's first point on the same held-out sequences as its later ones (`during`: the first
    // VAL_DURING), so a plotted curve compares like with like; the summary's _before keeps VAL_FINAL
    const { val_loss: _summaryOnly, ...before } = ev.evalBefore; // val_loss_before is the summary's, on VAL_FINAL
    // a held-out pair accuracy's rows carry what response length alone orders (figures38 #11: the summary had it, the rows not)
    const first = { ...before, ...(ev.during?.() ?? {}), ...ev.rowBaselines };
    log({ step: 0, ...Object.fromEntries(Object.entries(first).map(([k, v]) => [k, Number(v.toPrecision(6))])) });
  }
  const bar = ctx.progress(total, trainer.stepCount);
  const checkpoint = async (s: number): Promise<void> => {
    const state = trainer.state();
    const progress = JSON.stringify({ history, logged });
    await ctx.saveCheckpoint(s, (dir) => {
      saveTrainerState(join(dir, STATE_FILE), state);
      writeFileSync(join(dir, PROGRESS_FILE), progress);
    });
  };
  let stoppedEarly: string | null = null;
  while (trainer.stepCount < total) {
    await yieldToSignals();
    let m: StepMetrics;
    try {
      m = trainer.step();
    } catch (err) {
      if (!(err instanceof NonFiniteError)) throw err;
      // a NaN/Inf step applied nothing: the trainer holds the last good state, so save it
      const saved = trainer.stepCount > 0 ? trainer.stepCount : null;
      if (saved !== null) await checkpoint(saved);
      throw nonFiniteDiagnostic(recipe, ctx.node, err, saved, trainer.cfg.lr);
    }
    history.push(m);
    const s = trainer.stepCount;
    const extra: Record<string, number> = {};
    if (typeof m.reward === "number") extra.reward = m.reward;
    if (typeof m.kl === "number") extra.kl = m.kl;
    if (typeof m.rule_score === "number") extra.rule = m.rule_score;
    if (typeof m.batch_accuracy === "number") extra.acc = m.batch_accuracy;
    bar.update(s, { loss: m.loss, tokensPerSec: m.tokens_per_s, extra });
    if (s % logEvery === 0 || s === total) {
      const val = ev.during && (s % valEvery === 0 || s === total) ? ev.during() : {};
      log({ step: s, ...row(m), ...val });
    }
    if (klBudget !== null && typeof m.kl === "number" && m.kl > klBudget) {
      stoppedEarly = `KL ${m.kl.toFixed(2)} exceeded kl_budget ${klBudget} at step ${s}`;
      break;
    }
    if (ctx.interrupted() || (s % ckEvery === 0 && s < total)) {
      await checkpoint(s);
      if (ctx.interrupted()) {
        bar.done(`interrupted at step ${s}`);
        return { status: "interrupted", step: s };
      }
    }
  }
  const after = ev.evalAfter();
  // a figure measured only before and after (a reward model's held-out accuracy, PPO's probe) gets its
  // after point at the last step, so its curve in metrics.jsonl and the report runs before → after
  // (it was the untrained model's point alone, under the trained name); val_loss has its curve already
  const afterPoint = Object.entries(after).filter(([k, v]) => k in ev.evalBefore && k !== "val_loss" && Number.isFinite(v));
  if (afterPoint.length) log({ step: trainer.stepCount, ...Object.fromEntries([...afterPoint, ...Object.entries(ev.rowBaselines)].map(([k, v]) => [k, Number(v.toPrecision(6))])) });
  const window = history.slice(-Math.max(1, Math.ceil(history.length / 10)));
  const first = history.slice(0, Math.max(1, Math.ceil(history.length / 10)));
  const summary: Record<string, number> = { steps: trainer.stepCount, workers: replicas };
  for (const [k] of BATCH_MEANS) {
    const v = meanOf(window, k);
    if (v !== undefined) summary[k] = v;
  }
  const r0 = meanOf(first, "reward");
  if (r0 !== undefined && complete) summary.reward_start = r0;
  for (const [k, v] of Object.entries(ev.evalBefore)) summary[`${k}_before`] = v;
  Object.assign(summary, after);
  if (typeof after.heldout_accuracy === "number") summary.accuracy = after.heldout_accuracy;
  const tps = meanOf(history, "tokens_per_s");
  if (tps !== undefined) summary.tokens_per_s = tps;
  saveModel(join(ctx.outDir, MODEL_FILE), trainer.model, { node_hash: ctx.node.hash }); // its hash, not its name (recordTrainedWith)
  // each before → after with what it is measured on: PPO's greedy_* on its probe of its own training
  // prompts (ppo-stage.ts), a reward model's held-out pairs against chance
  // a loss in its unit, and figures rounded as the closing summary and the report round them (fmtNum: the
  // live line said 0.455 where they said 0.4555; figuresP41)
  const unit = (k: string) => (k === "val_loss" ? " nats/token" : "");
  const gains = Object.keys(ev.evalBefore).map((k) => `${k} ${fmtNum(ev.evalBefore[k])} → ${fmtNum(after[k])}${unit(k)}${k === "heldout_accuracy" ? ` (chance 0.5${typeof after.heldout_accuracy_length_baseline === "number" ? `, length alone ${fmtNum(after.heldout_accuracy_length_baseline)}` : ""})` : ""}`);
  if (Object.keys(ev.evalBefore).some((k) => k.startsWith("greedy_"))) gains.push("greedy answers to a probe of its own training prompts, not held out");
  if (typeof after.val_loss_baseline === "number") gains.push(`best constant distribution ${fmtNum(after.val_loss_baseline)}`);
  bar.done(stoppedEarly ?? (gains.length ? gains.join(", ") : undefined));
  return { status: "done", summary, resumedFromStep: resumedFrom, data: stoppedEarly ? { stoppedEarly } : undefined };
}

export type { Gpt };

/** A checkpoint's progress file (the rows logged before it). alignc writes a checkpoint whole (the cache
 * renames it into place with DONE last), so one that does not read was damaged since: said with its
 * path and the way out, never as a bare JSON error. */
function readProgress(path: string): { history: StepMetrics[]; logged: Row[] } {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new DamagedCheckpointError(path, (err as Error).message);
  }
  const p = v as { history?: unknown; logged?: unknown } | null;
  if (p === null || typeof p !== "object" || !Array.isArray(p.history) || !Array.isArray(p.logged)) throw new DamagedCheckpointError(path, "not a checkpoint's progress (no history and logged lists)");
  return p as { history: StepMetrics[]; logged: Row[] };
}

/** A checkpoint damaged after alignc wrote it: the user's to clear, with `--force NODE` (which starts anew). */
export class DamagedCheckpointError extends Error {
  constructor(readonly path: string, why: string) {
    super(`the checkpoint ${dirname(path)} is damaged (${basename(path)}: ${why}); run with --force on this node to compute it anew, or remove that folder to resume from an earlier checkpoint`);
    this.name = "DamagedCheckpointError";
  }
}
