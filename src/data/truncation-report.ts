// How many of a stage's training examples lose response tokens to truncation, counted exactly as
// the stage will cut them (truncation.ts): its model's tokenizer, its chat format, its max_length
// (declared, else the model context; never above it) and its `truncate` policy. Shown by
// `alignc data --stats` (per consuming stage) and `alignc plan` (per stage); `check` and `plan`
// warn (AL3032, at the stage's max_length, else its data) when over 1% of a stage's examples lose
// any, and refuse (AL3030, no-response-left.ts) a stage with an example that keeps no response token. A stage whose data cannot be built gets no count here: the data errors are reported where
// data is built (plan sizes, `alignc data`, the run).
// Counting builds the data (stage-truncation.ts: Handlebars, Jinja, readers, tokenizers, ~110
// modules); it is imported on the first count not found in the memo, so a plan whose counts are all
// cached loads none of it.
import type { CheckedRecipe } from "../check/ir.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";
import { CODES } from "./diag.js";
import { noResponseLeftDiagnostic } from "./no-response-left.js";
import { dataPlanOf, declaredAt, siteOf } from "./plan-input.js";
import { LOSE_RESPONSE_WARN, pct, type TruncatePolicy, type TruncationCount } from "./truncation.js";

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

/** Whether a count is over the warning line. */
export function overWarnLine(t: TruncationCount): boolean {
  return t.loseResponse / Math.max(1, t.examples) > LOSE_RESPONSE_WARN;
}

/** `data --stats`' line for one consuming stage. */
export function truncationLine(t: StageTruncation): string {
  const ex = `${t.examples} example${t.examples === 1 ? "" : "s"}`;
  return `truncation by stage ${t.stage} (max_length ${t.maxLength}, truncate = "${t.policy}") of ${ex}: ${t.losePrompt} (${pct(t.losePrompt, t.examples)}) lose prompt tokens, ${t.loseResponse} (${pct(t.loseResponse, t.examples)}) lose response tokens${t.noResponse ? `, ${t.noResponse} keep none (the run refuses them: AL3030)` : ""}${overWarnLine(t) ? "  WARNING: over 1% lose part of their target" : ""}`;
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
        const { measureTruncation } = await import("./stage-truncation.js");
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
    // an example that keeps no response token is refused by the run (AL3030): an error here, before it
    if (t.noResponse > 0 && t.firstNoResponse) diagnostics.push(noResponseLeftDiagnostic(dp, node, t.firstNoResponse, t.maxLength, t.policy, { n: t.noResponse, of: t.examples, sampled: t.sampled }));
    if (!overWarnLine(t)) continue;
    // located at the stage's max_length where the recipe writes one, else at its data
    const at = declaredAt(dp, node, "max_length") ?? siteOf(dp, node, "data");
    diagnostics.push({
      code: CODES.truncation,
      severity: "warning",
      message: `stage \`${node.id}\`: ${t.loseResponse} of ${t.examples}${t.sampled ? " sampled" : ""} training examples (${pct(t.loseResponse, t.examples)}) lose response tokens to truncation at max_length ${t.maxLength} (truncate = "${t.policy}")`,
      file: at.file,
      span: at.span,
      // prompt_first already keeps the response while the prompt can give: offered only where it is not the policy
      hint: `over ${LOSE_RESPONSE_WARN * 100}% lose part of what the loss trains on: raise max_length (and the model context), shorten the ${t.policy === "prompt_first" ? "responses (under prompt_first a response is cut only where it does not fit max_length by itself: the prompt's length does not matter)" : 'prompts, or keep the response whole with truncate = "prompt_first"'}; \`alignc data --stats\` shows the counts`,
    });
  }
  return { counts, diagnostics };
}

/**
 * `check`'s form of the plan's AL4005: a stage that declares no max_length trains in its model's context,
 * and examples longer than that are refused by `plan` (which sizes the data). `check` counted them
 * already (the counts above) and said "no problems"; it now says what `plan` will. Not run by `plan`,
 * which reports AL4005 itself.
 */
export function contextOverflows(recipe: CheckedRecipe, counts: readonly StageTruncation[]): Diagnostic[] {
  const dp = dataPlanOf(recipe);
  const out: Diagnostic[] = [];
  for (const t of counts) {
    const node = dp.nodes.get(t.stage);
    if (!node || declaredAt(dp, node, "max_length") || t.losePrompt + t.loseResponse === 0) continue;
    const at = siteOf(dp, node, "data");
    out.push({
      code: "AL4005",
      severity: "error",
      message: `stage \`${t.stage}\` declares no max_length, and of its ${t.examples}${t.sampled ? " sampled" : ""} training examples some are longer than the model context ${t.maxLength} (${t.losePrompt} would lose prompt tokens, ${t.loseResponse} response tokens)`,
      file: at.file,
      span: at.span,
      hint: `declare \`max_length = ${t.maxLength}\` to truncate (\`truncate\` says how), or raise the model's context; \`alignc plan\` refuses the stage as it is`,
    });
  }
  return out;
}
