// How many of a stage's training examples lose response tokens to truncation, counted exactly as
// the stage will cut them (truncation.ts): its model's tokenizer, its chat format, its max_length
// (declared, else the model context; never above it) and its `truncate` policy. Shown by
// `alignc data --stats` (per consuming stage) and `alignc plan` (per stage); `check` and `plan`
// warn (AL3032, at the stage's max_length, else its data) when over 1% of a stage's examples lose
// any. A stage whose data cannot be built gets no count here: the data errors are reported where
// data is built (plan sizes, `alignc data`, the run).
import { isDrawn, rankNodeOf } from "./build-samples.js";
import type { CheckedRecipe } from "../check/ir.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";
import { refOf } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { chatFormatOf, examplesOf } from "./build.js";
import { componentsOf } from "./build-mix.js";
import { numP } from "./build-source.js";
import { CODES } from "./diag.js";
import { dataPlanOf, declaredAt, nodeOf, siteOf, type DataNode, type DataPlan } from "./plan-input.js";
import { tokenizerOf } from "./recipe-tokenizer.js";
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

/** The model node a stage trains: its `init`, followed through stages. */
function modelOf(dp: DataPlan, stage: DataNode): DataNode | undefined {
  const seen = new Set<string>();
  let cur: DataNode | undefined = stage;
  while (cur && cur.kind === "stage" && !seen.has(cur.id)) {
    seen.add(cur.id);
    const init = refOf(cur.params.init);
    cur = init === null ? undefined : dp.nodes.get(init);
  }
  return cur?.kind === "model" ? cur : undefined;
}

/**
 * The truncation count of stage node `stageId` on the examples of `blockName` (default: the stage's
 * own data), formatted with the stage's inlined format; null for stages that do not truncate by
 * `truncate`. Every value from the plan's nodes (max_length resolved by the lowering: declared, else
 * the model context; truncate filled by the checker).
 */
export async function measureTruncation(recipe: CheckedRecipe, stageId: string, blockName = stageId, sample?: number): Promise<StageTruncation | null> {
  const dp = dataPlanOf(recipe);
  const stage = nodeOf(dp, stageId);
  if (stage.kind !== "stage" || !(TRUNCATING_STAGES as readonly string[]).includes(stage.op) || stage.params.data === undefined || stage.params.data === null) return null;
  // ranked samples before their draw: no responses to count yet (the run truncates them as it trains)
  const rank = rankNodeOf(dp, blockName === stageId ? stage.params.data : { $ref: blockName });
  if (rank && !isDrawn(dp, rank)) return null;
  const model = modelOf(dp, stage);
  const context = model ? numP(model.params.context) : undefined;
  if (!model || context === undefined) return null;
  const declared = numP(stage.params.max_length);
  const maxLength = declared === undefined ? context : Math.min(context, declared);
  const tok = await tokenizerOf(dp, stageId);
  const policy = truncatePolicy(stage.params.truncate);
  const fmt = chatFormatOf(dp, stage.params.format);
  const built = blockName === stageId ? await examplesOf(dp, stageId, { prop: "data", format: fmt }) : await examplesOf(dp, blockName, { format: fmt });
  const base = { stage: stageId, maxLength, policy };
  if (built.kind === "sft") {
    const xs = sample !== undefined ? built.train.slice(0, sample) : built.train;
    // an LM stage's sequences hold max_length inputs and one more target token (run/nodes/tokens.ts lmData)
    return { ...base, ...countSft(xs, tok, maxLength + 1, policy), sampled: xs.length < built.train.length };
  }
  if (built.kind === "comparisons") {
    const gs = sample !== undefined ? built.train.slice(0, sample) : built.train;
    return { ...base, ...countGroups(gs, fmt, tok, maxLength, policy), sampled: gs.length < built.train.length };
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

/** The data node a stage's data parameter trains on whole (a plain reference through its format/tokenize chain), if any. */
function plainDataOf(dp: DataPlan, v: Json | undefined): string | null {
  const id = refOf(v);
  if (id === null || (v as { member?: unknown }).member !== undefined) return null;
  const n = dp.nodes.get(id);
  // a chain node says its split where it splits (format; tokenize of text); `all` is a plain reference
  if (n && (n.op === "format" || n.op === "tokenize")) return n.params.split === undefined || n.params.split === "all" ? plainDataOf(dp, n.params.examples) : null;
  return id;
}

/** Stage nodes that train on `blockName`: directly, through a mixture, or the stage itself (plan order). */
export function consumingStages(recipe: CheckedRecipe, blockName: string): string[] {
  const dp = dataPlanOf(recipe);
  const users = new Set([blockName]);
  for (const m of dp.nodes.values()) if (m.op === "mix" && componentsOf(dp, m).some((c) => c.id === blockName)) users.add(m.id);
  return [...dp.nodes.values()].filter((n) => n.kind === "stage" && (n.id === blockName || users.has(plainDataOf(dp, n.params.data) ?? ""))).map((n) => n.id);
}

/**
 * Stage counts measured before, by stage id (`alignc plan` keys them by the stage's plan-node hash:
 * src/compile.ts); null records a stage that truncates nothing. A stage whose data fails to build is
 * never stored, so its errors are reported on every call.
 */
export interface TruncationMemo {
  get(stage: string): StageTruncation | null | undefined;
  set(stage: string, t: StageTruncation | null): void;
}

/** Per-stage counts of a recipe (sampled), AL3032 warnings for those over 1%, and the data layer's errors for stages whose data does not build. */
export async function truncationReport(recipe: CheckedRecipe, memo?: TruncationMemo): Promise<{ counts: StageTruncation[]; diagnostics: Diagnostic[] }> {
  const dp = dataPlanOf(recipe);
  const counts: StageTruncation[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const node of dp.nodes.values()) {
    if (node.kind !== "stage") continue;
    let t = memo?.get(node.id);
    try {
      if (t === undefined) {
        t = await measureTruncation(recipe, node.id, node.id, PLAN_SAMPLE);
        memo?.set(node.id, t);
      }
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
    // located at the stage's max_length where the recipe writes one, else at its data
    const at = declaredAt(dp, node, "max_length") ?? siteOf(dp, node, "data");
    diagnostics.push({
      code: CODES.truncation,
      severity: "warning",
      message: `stage \`${node.id}\`: ${t.loseResponse} of ${t.examples}${t.sampled ? " sampled" : ""} training examples (${pct(t.loseResponse, t.examples)}) lose response tokens to truncation at max_length ${t.maxLength} (truncate = "${t.policy}")`,
      file: at.file,
      span: at.span,
      hint: `over ${LOSE_RESPONSE_WARN * 100}% lose part of what the loss trains on: raise max_length (and the model context), shorten the prompts, or keep the response whole with truncate = "prompt_first"; \`alignc data --stats\` shows the counts`,
    });
  }
  return { counts, diagnostics };
}
