// How many of a stage's training examples lose response tokens to truncation, counted exactly as
// the stage will cut them (truncation.ts): its model's tokenizer, its chat format, its max_length
// (declared, else the model context; never above it) and its `truncate` policy. Shown by
// `alignc data --stats` (per consuming stage) and `alignc plan` (per stage); `check` and `plan`
// warn (AL3032, at the stage's max_length, else its data) when over 1% of a stage's examples lose
// any. A stage whose data cannot be built gets no count here: the data errors are reported where
// data is built (plan sizes, `alignc data`, the run).
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";
import { buildExamples, formatFor } from "./build.js";
import { CODES } from "./diag.js";
import { isRef, num } from "./ir.js";
import { recipeTokenizer } from "./recipe-tokenizer.js";
import { countGroups, countSft, LOSE_RESPONSE_WARN, pct, truncatePolicy, type TruncatePolicy, type TruncationCount } from "./truncation.js";

/** Stage kinds whose examples are cut by `truncate` (pretraining packs text; PPO cuts prompts only). */
export const TRUNCATING_STAGES = ["sft", "reward_model", "dpo"] as const;

/** Examples counted per stage by check and plan: the first of the built training set (already
 * shuffled and mixed); `data --stats` counts every one. */
export const PLAN_SAMPLE = 5000;

export interface StageTruncation extends TruncationCount {
  stage: string;
  maxLength: number; // the stage's window in tokens (max_length, else the model context)
  policy: TruncatePolicy;
  sampled: boolean; // counted on the first PLAN_SAMPLE examples only
}

/** The model block a stage trains: its `init`, followed through stages. */
function modelOf(recipe: CheckedRecipe, b: CheckedBlock): CheckedBlock | undefined {
  const seen = new Set<string>();
  let cur: CheckedBlock | undefined = b;
  while (cur && cur.keyword === "stage" && !seen.has(cur.name)) {
    seen.add(cur.name);
    const init: IRValue | undefined = cur.props.init;
    cur = isRef(init) ? recipe.blocks.find((x) => x.name === init.$ref) : undefined;
  }
  return cur?.keyword === "model" ? cur : undefined;
}

/**
 * The truncation count of `stage` on the examples of `blockName` (default: the stage's own data),
 * formatted with the stage's format; null for stages that do not truncate by `truncate`.
 */
export async function measureTruncation(recipe: CheckedRecipe, stage: CheckedBlock, blockName = stage.name, sample?: number): Promise<StageTruncation | null> {
  if (!(TRUNCATING_STAGES as readonly string[]).includes(stage.kind) || stage.props.data === undefined) return null;
  const model = modelOf(recipe, stage);
  const context = num(model?.props.context);
  if (!model || context === undefined) return null;
  const maxLength = Math.min(context, num(stage.props.max_length) ?? Infinity);
  const tok = await recipeTokenizer(recipe, isRef(model.props.tokenizer) ? model.props.tokenizer.$ref : undefined);
  const policy = truncatePolicy(stage.props.truncate);
  const format = isRef(stage.props.format) ? stage.props.format.$ref : null;
  const built = blockName === stage.name ? await buildExamples(recipe, stage.name, { prop: "data" }) : await buildExamples(recipe, blockName, { format });
  const base = { stage: stage.name, maxLength, policy };
  if (built.kind === "sft") {
    const xs = sample !== undefined ? built.train.slice(0, sample) : built.train;
    // an LM stage's sequences hold max_length inputs and one more target token (run/nodes/tokens.ts lmData)
    return { ...base, ...countSft(xs, tok, maxLength + 1, policy), sampled: xs.length < built.train.length };
  }
  if (built.kind === "comparisons") {
    const gs = sample !== undefined ? built.train.slice(0, sample) : built.train;
    return { ...base, ...countGroups(gs, formatFor(recipe, stage, {}), tok, maxLength, policy), sampled: gs.length < built.train.length };
  }
  return null;
}

/** Whether a count is over the warning line. */
export function overWarnLine(t: TruncationCount): boolean {
  return t.loseResponse / Math.max(1, t.examples) > LOSE_RESPONSE_WARN;
}

/** `data --stats`' line for one consuming stage. */
export function truncationLine(t: StageTruncation): string {
  const ex = `${t.examples} example${t.examples === 1 ? "" : "s"}`;
  return `truncation by stage ${t.stage} (max_length ${t.maxLength}, truncate = "${t.policy}") of ${ex}: ${t.losePrompt} (${pct(t.losePrompt, t.examples)}) lose prompt tokens, ${t.loseResponse} (${pct(t.loseResponse, t.examples)}) lose response tokens${overWarnLine(t) ? "  WARNING: over 1% lose part of their target" : ""}`;
}

/** Stages that train on `blockName`: directly, through a mixture, or the stage itself. */
export function consumingStages(recipe: CheckedRecipe, blockName: string): CheckedBlock[] {
  const users = new Set([blockName]);
  for (const m of recipe.blocks) if (m.keyword === "mixture" && Object.hasOwn((m.props.components ?? {}) as object, blockName)) users.add(m.name);
  return recipe.blocks.filter((b) => b.keyword === "stage" && (b.name === blockName || (isRef(b.props.data) && users.has(b.props.data.$ref))));
}

/** Per-stage counts of a recipe (sampled), AL3032 warnings for those over 1%, and the data layer's errors for stages whose data does not build. */
export async function truncationReport(recipe: CheckedRecipe): Promise<{ counts: StageTruncation[]; diagnostics: Diagnostic[] }> {
  const counts: StageTruncation[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const b of recipe.blocks) {
    if (b.keyword !== "stage") continue;
    let t: StageTruncation | null;
    try {
      t = await measureTruncation(recipe, b, b.name, PLAN_SAMPLE);
    } catch (err) {
      // the data layer's located errors (an unreadable file, a broken row): reported, not dropped,
      // so `check` never calls such a recipe clean; two stages on the same data give one (callers dedupe)
      if (!(err instanceof DiagnosticError)) throw err;
      for (const d of err.diagnostics) diagnostics.push(d);
      continue;
    }
    if (!t) continue;
    counts.push(t);
    if (!overWarnLine(t)) continue;
    const prop = b.propSpans.max_length ? "max_length" : "data";
    diagnostics.push({
      code: CODES.truncation,
      severity: "warning",
      message: `stage \`${b.name}\`: ${t.loseResponse} of ${t.examples}${t.sampled ? " sampled" : ""} training examples (${pct(t.loseResponse, t.examples)}) lose response tokens to truncation at max_length ${t.maxLength} (truncate = "${t.policy}")`,
      file: b.propFiles?.[prop] ?? b.file ?? recipe.file,
      span: b.propSpans[prop] ?? b.decl.span,
      hint: `over ${LOSE_RESPONSE_WARN * 100}% lose part of what the loss trains on: raise max_length (and the model context), shorten the prompts, or keep the response whole with truncate = "prompt_first"; \`alignc data --stats\` shows the counts`,
    });
  }
  return { counts, diagnostics };
}
