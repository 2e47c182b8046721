// Cross-stage checks, run on the lowered and estimated plan before any compute. Each check is a
// small function in CHECKS (Langium style); each finding is a located AL4xxx diagnostic (codes.ts).
import { join } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import type { Span } from "../lang/ast.js";
import type { Diagnostic, Severity } from "../lang/diagnostic.js";
import { PLAN_CODES, type PlanCode } from "./codes.js";
import { modelConfig, refId, WASM_HEAP_BYTES } from "./estimate.js";
import { shapeMismatches } from "./engine-configs.js";
import { readWeightsShape } from "../common/weights-shape.js";
import { fmtDuration } from "../common/duration.js";
import { compare } from "../common/compare-op.js";
import { paramsOf } from "./params.js";
import { ROLLOUT_VALUE_PARAMS, unreadParams } from "./unread-params.js";
import { KINDS } from "../check/kinds.js";
import { checkJudgeMatch, checkRewardPolicyMatch } from "./checks-reward.js";
import { checkHeldOutGates } from "./checks-gates.js";
import type { Lineage, LoweredNode } from "./lower.js";
import type { Estimates } from "./types.js";

export interface CheckInput {
  recipe: CheckedRecipe;
  nodes: readonly LoweredNode[];
  hashes: ReadonlyMap<string, string>;
  estimates: ReadonlyMap<string, Estimates>;
  lineage: ReadonlyMap<string, Lineage>;
  /** Machine facts; absent in goldens and tests that must not depend on the machine. */
  machine?: { totalMemory: number; backend: string };
  /** `--no-budget`: a recipe without a time budget may pass the 30-day ceiling (a warning instead of AL4017). */
  noBudget?: boolean;
}

/** Where a diagnostic points: a file (inherited blocks and overrides live in other files) and a span. */
export interface Location {
  file: string;
  span: Span | null;
}
export type Report = (code: PlanCode, severity: Severity, detail: string, at: Location) => void;

const CHECKS: ((input: CheckInput, report: Report, at: Locator) => void)[] = [
  checkRewardPolicyMatch,
  checkJudgeMatch,
  checkBestOf,
  checkPtx,
  checkLeaveOneOut,
  checkPpoAccumulate,
  checkUnreadWritten,
  checkContext,
  checkRolloutLength,
  checkGenerationWindow,
  checkMemory,
  checkBudget,
  checkRunLength,
  checkRolloutGroups,
  checkWarmup,
  checkEmptyData,
  checkWeightsShape,
  checkHeldOutGates,
];

/** Without a time budget, an estimate past a day is probably a slip (steps = 1e6 for 1e4), and one
 * past 30 days certainly is unless the recipe says so with a budget. */
export const LONG_RUN_S = 24 * 3600;
export const RUN_CEILING_S = 30 * 24 * 3600;

function checkRunLength({ recipe, estimates, noBudget }: CheckInput, report: Report, at: Locator): void {
  if (recipe.budget.some((c) => budgetName(c.left) === "time")) return; // checkBudget holds it to the recipe's own limit
  const { time } = planTotals(estimates);
  if (time === undefined || time <= LONG_RUN_S) return;
  const stage = recipe.blocks.find((b) => b.keyword === "stage");
  const where = stage ? at(stage.name) : { file: recipe.file, span: null };
  if (time > RUN_CEILING_S && !noBudget) report("AL4017", "error", `the plan's estimate is ${formatSeconds(time)}; lower the steps, or declare \`budget { time <= ${Math.ceil(time / 86400)}d }\` to run it anyway`, where);
  else if (time > RUN_CEILING_S) report("AL4016", "warning", `the plan's estimate is ${formatSeconds(time)}, past the 30-day ceiling (accepted: --no-budget)`, where);
  else report("AL4016", "warning", `the plan's estimate is ${formatSeconds(time)}; declare \`budget { time <= … }\` to make it deliberate`, where);
}

function checkRolloutGroups({ nodes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "ppo") continue;
    const k = n.params.samples_per_prompt;
    const b = n.params.batch_size;
    if (typeof k === "number" && typeof b === "number" && k > 1 && b % k !== 0)
      report("AL4018", "error", `${n.id}: batch_size ${b} is not a multiple of samples_per_prompt ${k}; use batch_size = ${Math.max(k, Math.round(b / k) * k)}`, at(n.block, "samples_per_prompt")); // written whenever it is above 1
  }
}

function checkWarmup({ nodes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.kind !== "stage") continue;
    const w = n.params.warmup;
    const steps = n.params.steps;
    if (typeof w === "number" && typeof steps === "number" && w > 0 && w >= steps) report("AL4019", "warning", `${n.id}: warmup = ${w} with steps = ${steps}`, at(n.block, "warmup"));
  }
}

/** A stage whose measured data has no examples would fail after the stages before it have trained. */
function checkEmptyData({ nodes, estimates }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.kind !== "stage") continue;
    for (const prop of ["data", "prompts"]) {
      const id = refId(n.params[prop]);
      const e = id !== undefined ? estimates.get(id) : undefined;
      if (e?.size && e.size.examples === 0) report("AL4020", "error", `${n.id}: \`${prop}\` is ${id} (\`alignc data\` with --stats on this recipe says which rows were left out, and why)`, at(n.block, prop));
      else if (e?.size && e.size.comparisons === 0) report("AL4020", "error", `${n.id}: \`${prop}\` (${id}) has ${e.size.examples} ranked groups but not one comparison pair: every group is fully tied`, at(n.block, prop));
    }
  }
}

/** A model's weights file must be the network its block declares, or the plan's estimates, checks and
 * max_length describe another model: its shape is read from the file's header alone (a few KB). */
function checkWeightsShape({ recipe, nodes }: Pick<CheckInput, "recipe" | "nodes">, report: Report, at: Locator): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    const w = n.kind === "model" ? (n.params.weights as { $call?: unknown; args?: unknown[] } | undefined) : undefined;
    const arg = w?.$call === "safetensors" ? (w.args?.[0] as { $file?: unknown; missing?: unknown } | null | undefined) : undefined;
    if (!arg || typeof arg.$file !== "string" || arg.missing === true) continue; // an unreadable file is AL4010 already
    const want = modelConfig(n, byId);
    if (!want) continue;
    const path = join(recipe.dir, arg.$file);
    try {
      const mismatches = shapeMismatches(readWeightsShape(path), want);
      if (mismatches.length) report("AL4023", "error", `model \`${n.id}\`: ${arg.$file} has another shape (${mismatches.join("; ")}); declare the file's shape in the block, or use weights of the declared shape`, at(n.block, "weights"));
    } catch (e) {
      const why = (e as Error).message.startsWith(`${path}: `) ? (e as Error).message.slice(path.length + 2) : (e as Error).message;
      report("AL4023", "error", `model \`${n.id}\`: ${arg.$file} cannot be read as a model's weights (${why})`, at(n.block, "weights"));
    }
  }
}

const reportInto =
  (out: Diagnostic[]): Report =>
  (code, severity, detail, at) =>
    out.push({ code, severity, message: `${PLAN_CODES[code]}: ${detail}`, file: at.file, span: at.span });

export function runChecks(input: CheckInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = reportInto(out);
  const at = locator(input.recipe);
  for (const check of CHECKS) check(input, report, at);
  return out;
}

/** AL4023 alone, from a recipe's lowered nodes: `alignc check` plans nothing (no estimates), yet reads
 * each weights file's header as plan does (a few KB, no TensorFlow.js), so a file of another shape than
 * its model block is found by the command that checks the recipe, at the same place, with the same words. */
export function weightsShapeDiagnostics(recipe: CheckedRecipe, nodes: readonly LoweredNode[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkWeightsShape({ recipe, nodes }, reportInto(out), locator(recipe));
  return out;
}

/** Location of a property of a block (its value as written), else of the block's declaration. */
export type Locator = (block: string, prop?: string) => Location;
export function locator(recipe: CheckedRecipe): Locator {
  const blocks = new Map<string, CheckedBlock>(recipe.blocks.map((b) => [b.name, b]));
  return (block, prop) => {
    const b = blocks.get(block);
    if (!b) return { file: recipe.file, span: null };
    const propSpan = prop !== undefined ? b.propSpans[prop] : undefined;
    if (propSpan) return { file: b.propFiles?.[prop!] ?? b.file ?? recipe.file, span: propSpan };
    return { file: b.file ?? recipe.file, span: b.decl.span };
  };
}

/** Best-of-n needs something to pick with; a picker without samples to pick from sits in the plan doing nothing. */
function checkBestOf({ nodes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "win_rate") continue;
    const { best_of: k, select, temperature } = paramsOf(n, "eval.win_rate");
    const hasSelect = select !== null && select !== undefined;
    if (k > 1 && !hasSelect) report("AL4024", "error", `${n.id}: best_of = ${k} with nothing to pick a's best sample; add \`select = <reward model>\` or \`select = "rule"\``, at(n.block, "best_of"));
    if (k === 1 && hasSelect) report("AL4024", "warning", `${n.id}: select is ignored while best_of = 1 (a answers greedily)`, at(n.block, "select"));
    if (k === 1 && temperature !== KINDS.eval!.win_rate!.props.temperature!.default) report("AL4024", "warning", `${n.id}: temperature = ${temperature} is ignored while best_of = 1 (a answers greedily)`, at(n.block, "temperature"));
  }
}

function checkPtx({ nodes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "ppo") continue;
    const coef = paramsOf(n, "stage.ppo").ptx_coef; // resolved by the checker (kinds.ts); no second default here
    const hasData = n.params.ptx_data !== null && n.params.ptx_data !== undefined;
    if (coef > 0 && !hasData) report("AL4003", "error", `${n.id}: ptx_coef = ${coef}; add \`ptx_data = <mixture or corpus>\` or set ptx_coef = 0`, at(n.block, "ptx_coef"));
    if (coef === 0 && hasData) report("AL4004", "warning", `${n.id}: ptx_data is ignored while ptx_coef = 0`, at(n.block, "ptx_data"));
  }
}

/** Leave-one-out advantages have no baseline with one sample per prompt (and no value network to fall back on). */
function checkLeaveOneOut({ nodes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "ppo" || n.params.advantages !== "rloo") continue;
    const k = paramsOf(n, "stage.ppo").samples_per_prompt;
    if (k < 2) report("AL4021", "error", `${n.id}: advantages = "rloo" with samples_per_prompt = ${k}; sample at least 2 responses per prompt, or use advantages = "gae"`, at(n.block, "advantages"));
  }
}

/**
 * The plan is what runs: PPO's trainer samples batch_size rollouts a step and has no micro-batches,
 * so an accumulate the recipe sets on a PPO stage would sit in the plan (and its hash) doing nothing.
 * A warning, not an error: the kinds table shares `accumulate` between every training stage.
 */
function checkPpoAccumulate({ nodes }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "ppo") continue;
    const a = paramsOf(n, "stage.ppo").accumulate;
    if (a !== 1) report("AL4022", "warning", `${n.id}: accumulate = ${a} is ignored; a PPO step is batch_size = ${paramsOf(n, "stage.ppo").batch_size} rollouts (raise batch_size for more)`, at(n.block, "accumulate"));
  }
}

/** A parameter the recipe wrote that another value of its stage leaves unread (src/plan/unread-params.ts):
 * it sits in the recipe, out of the hash, changing nothing; said where it is written. */
function checkUnreadWritten({ recipe, nodes }: CheckInput, report: Report, at: Locator): void {
  const blocks = new Map(recipe.blocks.map((b) => [b.name, b]));
  for (const n of nodes) {
    if (n.kind !== "stage") continue;
    const written = blocks.get(n.block)?.propSpans ?? {};
    const unread = new Set(unreadParams(n.op, n.params));
    for (const p of ROLLOUT_VALUE_PARAMS)
      if (unread.has(p) && written[p] !== undefined) report("AL4028", "warning", `${n.id}: ${p} = ${String(n.params[p])} is ignored while advantages = "rloo" (no value network, no GAE)`, at(n.block, p));
    if (unread.has("min_lr_ratio") && written.min_lr_ratio !== undefined) report("AL4028", "warning", `${n.id}: min_lr_ratio = ${String(n.params.min_lr_ratio)} is ignored while schedule = "constant" (the learning rate does not decay)`, at(n.block, "min_lr_ratio"));
  }
}

/** The model context must hold the longest tokenized example, unless the stage declares max_length. */
function checkContext({ recipe, nodes, estimates, lineage }: CheckInput, report: Report, at: Locator): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const blocks = new Map(recipe.blocks.map((b) => [b.name, b]));
  for (const n of nodes) {
    if (n.kind !== "stage") continue;
    const model = blocks.get(lineage.get(n.id)?.model ?? "");
    const context = typeof model?.props.context === "number" ? model.props.context : null;
    if (context === null) continue;
    const declared = blocks.get(n.block)?.propSpans.max_length !== undefined;
    if (declared && typeof n.params.max_length === "number" && n.params.max_length > context) {
      report("AL4006", "error", `${n.id}: max_length ${n.params.max_length} > context ${context} of model ${model!.name}`, at(n.block, "max_length"));
      continue;
    }
    if (declared) continue;
    // one rule with `check` (src/data/truncation-report.ts contextOverflows): the examples the stage's
    // truncation count finds past the context (its first 5,000). The longest of the 200 rows the sizes
    // sample let a long row 260 through, and run trained on it cut (review35 M1)
    const cut = estimates.get(n.id)?.truncation;
    if (cut) {
      if (cut.lose_prompt + cut.lose_response > 0)
        report("AL4005", "error", `${n.id}: of its ${cut.examples}${cut.sampled ? " first" : ""} training examples ${cut.lose_prompt + cut.lose_response} are longer than the context ${context} of model ${model!.name} (${cut.lose_prompt} would lose prompt tokens, ${cut.lose_response} response tokens); declare \`max_length = ${context}\` to truncate (\`truncate\` says how), or raise context`, at(n.block, "data"));
      continue;
    }
    for (const [prop, v] of Object.entries(n.params)) {
      const tok = byId.get(refId(v) ?? "");
      if (!tok || tok.op !== "tokenize") continue;
      const size = estimates.get(tok.id)?.size;
      if (size && size.max_tokens > context)
        report("AL4005", "error", `${n.id}.${prop}: the longest example of ${tok.id} is ${size.max_tokens} tokens, model ${model!.name} has context ${context}; declare \`max_length = ${context}\` to truncate, or raise context`, at(n.block, prop));
    }
  }
}

/** A win rate's answers and a samples draw generate max_new_tokens after a prompt cut to the rest of
 * the model's context: with no rest, every prompt would be cut to one token (the run did so, silently;
 * PPO has its own check, AL4015). Each generating model is checked, a and b apart (they may differ). */
function checkGenerationWindow({ nodes, lineage }: CheckInput, report: Report, at: Locator): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    const sides = n.op === "win_rate" ? (["a", "b"] as const) : n.op === "samples" ? (["stage"] as const) : [];
    const maxNew = n.params.max_new_tokens;
    if (typeof maxNew !== "number") continue;
    for (const side of sides) {
      const id = refId(n.params[side]);
      const context = byId.get(lineage.get(id ?? "")?.model ?? "")?.params.context;
      if (id === null || typeof context !== "number" || maxNew < context) continue;
      report("AL4025", "error", `${n.id}: max_new_tokens ${maxNew} ≥ context ${context} of ${side} = ${id}; lower max_new_tokens below ${context}`, at(n.block, "max_new_tokens"));
    }
  }
}

/** PPO samples max_new_tokens after each prompt: both must fit the window the policy sees. */
function checkRolloutLength({ recipe, nodes, estimates }: CheckInput, report: Report, at: Locator): void {
  for (const n of nodes) {
    if (n.op !== "ppo" || typeof n.params.max_length !== "number" || typeof n.params.max_new_tokens !== "number") continue;
    // no room left for a prompt: every prompt would be cut to one token (the rollout keeps its max_new_tokens)
    if (n.params.max_new_tokens >= n.params.max_length) {
      const written = recipe.blocks.find((b) => b.name === n.block)?.propSpans.max_length !== undefined;
      report("AL4025", "error", `${n.id}: max_new_tokens ${n.params.max_new_tokens} ≥ max_length ${n.params.max_length}${written ? "" : " (its model's context: no max_length is written)"}: every prompt would be cut to its last token; lower max_new_tokens below ${n.params.max_length}`, at(n.block, "max_new_tokens"));
      continue;
    }
    const prompts = estimates.get(refId(n.params.prompts) ?? "")?.size;
    if (prompts && prompts.max_tokens + n.params.max_new_tokens > n.params.max_length)
      report(
        "AL4015",
        "warning",
        // the rollout keeps its max_new_tokens: a prompt is cut from its start to the rest (stage-data.ts)
        `${n.id}: prompts up to ${prompts.max_tokens} tokens + max_new_tokens ${n.params.max_new_tokens} > max_length ${n.params.max_length}: a prompt over ${Math.max(1, n.params.max_length - n.params.max_new_tokens)} tokens loses its first tokens; lower max_new_tokens, or raise max_length (and the context)`,
        at(n.block, "max_new_tokens"),
      );
  }
}

function checkMemory({ nodes, estimates, machine }: CheckInput, report: Report, at: Locator): void {
  if (!machine) return;
  for (const n of nodes) {
    const mem = estimates.get(n.id)?.memory_bytes;
    if (mem === undefined) continue;
    if (mem > machine.totalMemory) report("AL4007", "error", `${n.id} needs about ${formatBytes(mem)}, this machine has ${formatBytes(machine.totalMemory)}`, at(n.block));
    else if (machine.backend === "wasm" && mem > WASM_HEAP_BYTES)
      report("AL4008", "error", `${n.id} needs about ${formatBytes(mem)} on wasm (cap ${formatBytes(WASM_HEAP_BYTES)}); ${n.op === "ppo" ? "lower batch_size (PPO takes no accumulate)" : "lower batch_size and raise accumulate"}, or use --backend tensorflow`, at(n.block));
  }
}

/** Totals over the plan that budgets constrain: stages run one after another. */
export function planTotals(estimates: ReadonlyMap<string, Estimates>): { time?: number; memory?: number; flops: number; tokens: number } {
  let time: number | undefined = 0;
  let memory: number | undefined;
  let flops = 0;
  let tokens = 0;
  for (const e of estimates.values()) {
    if (e.flops !== undefined) {
      flops += e.flops;
      if (e.time_s === undefined) time = undefined;
      else if (time !== undefined) time += e.time_s;
    }
    tokens += e.tokens ?? 0;
    if (e.memory_bytes !== undefined) memory = Math.max(memory ?? 0, e.memory_bytes);
  }
  return { time, memory, flops, tokens };
}

const BUDGET_UNITS: Record<string, (v: number) => string> = {
  time: (v) => `${formatSeconds(v)}`,
  memory: formatBytes,
  flops: (v) => v.toExponential(2),
  tokens: (v) => v.toLocaleString("en-US"),
};

function checkBudget({ recipe, estimates }: CheckInput, report: Report): void {
  const totals = planTotals(estimates);
  for (const cond of recipe.budget) {
    const name = budgetName(cond.left);
    const limit = budgetNumber(cond.right);
    if (name === undefined || limit === undefined) continue;
    const value = totals[name as keyof typeof totals];
    if (value === undefined) {
      report("AL4012", "warning", `\`${cond.text}\`: no ${name} estimate (${name === "time" ? "no throughput for the backend" : "no sized stage"})`, { file: cond.file ?? recipe.file, span: cond.span });
      continue;
    }
    if (!compare(value, cond.op, limit)) {
      const fmt = BUDGET_UNITS[name] ?? String;
      report("AL4009", "error", `\`${cond.text}\`: the plan's estimate is ${fmt(value)}`, { file: cond.file ?? recipe.file, span: cond.span });
    }
  }
}

function budgetName(v: IRValue): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as { $ref?: unknown }).$ref === "string") return (v as { $ref: string }).$ref;
  return undefined;
}
function budgetNumber(v: IRValue): number | undefined {
  if (typeof v === "number") return v;
  if (v && typeof v === "object" && !Array.isArray(v) && typeof (v as { $quantity?: unknown }).$quantity === "number") return (v as { $quantity: number }).$quantity;
  return undefined;
}


export function formatBytes(b: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  return `${v < 10 && i > 0 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A plan estimate in seconds: one decimal under 10 s, else as fmtDuration (rounded before it is
 * split: 179.6 s is "3m00s", not "2m60s"). */
export function formatSeconds(s: number): string {
  return s < 9.95 ? `${s.toFixed(1)}s` : fmtDuration(s);
}
