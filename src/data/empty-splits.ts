// Splits that hold nothing. A split holds out round(share × distinct texts) (src/data/split.ts), so a
// small source with `holdout = 0.1` of 3 prompts holds out none, and `heldout(x)` of it is empty:
// an eval of it would score 0 examples and print NaN under an "ok" run. The contamination check
// (src/data/leaks.ts) builds every evaluated set anyway, so it finds these on the way and they
// become diagnostics here:
//   AL3071 (error)   an eval whose data holds no example: no figure can be measured, so the recipe
//                    is refused before any stage trains;
//   AL3072 (warning) a pretrain stage whose written `holdout` (or whose gated figures) its corpus
//                    is too small to keep a line out for: it trains on everything, reports no
//                    val_loss, and a gate on it fails by name at the end of the run. The default
//                    share on a corpus of a few lines (a test's) says nothing and is not warned about.
// (An SFT or reward-model stage whose data holds nothing out reports no held-out figure either; its
// data's `holdout` is a share of each source or task, so an empty split there is not one setting's
// rounding, and a gate reading its figure fails by name at the end of the run.)
import type { CheckedRecipe, IRValue } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { CODES } from "./diag.js";
import { isCall } from "./ir.js";
import type { DataNode, DataPlan } from "./plan-input.js";

/** A block whose evaluated set is empty: an eval (`stage` false) or a pretrain stage's held-out split. */
export interface EmptySplit {
  block: string;
  prop: string;
  stage: boolean;
  /** an accuracy eval's `split` (heldout_templates, heldout_tasks, heldout) */
  split?: string;
  /** the eval reads a stage's held-out split (`heldout(pre)`): the stage's `holdout` decides it */
  ofStage?: boolean;
}

/** An eval whose evaluated set came out empty, with what its diagnostic needs to say which split. */
export function emptyEval(dp: DataPlan, node: DataNode, prop: string): EmptySplit {
  if (node.op === "accuracy") return { block: node.id, prop: "split", stage: false, split: String(node.params.split) };
  // heldout(pre): the stage's own `holdout` decides what it holds out
  const v = node.params[prop] as IRValue | undefined;
  const inner = isCall(v) ? v.args[0] : undefined;
  const ref = inner !== null && typeof inner === "object" && !Array.isArray(inner) && "$ref" in inner ? inner.$ref : undefined;
  const ofStage = typeof ref === "string" && dp.nodes.get(ref)?.kind === "stage";
  return { block: node.id, prop, stage: false, ...(ofStage ? { ofStage } : {}) };
}

/** What to change, by what kind of split came out empty. */
const SPLIT_HINTS: Record<string, string> = {
  heldout_templates: "give the task `holdout_templates = N` (templates kept out of training for this split)",
  heldout_tasks: "name the components to hold out in the mixture's `heldout_tasks = [...]`",
  heldout: "a split holds out round(holdout × distinct texts): raise the task's or source's `holdout`, or give it more rows",
};

/** What AL3071 says of an empty eval and what to change, as the check and the run (src/run/nodes/eval-data.ts) both say it. */
export function emptyEvalText(e: EmptySplit): { what: string; hint: string } {
  const what = e.split !== undefined ? `its \`split = ${e.split}\` holds no example` : `its \`${e.prop}\` holds no example`;
  if (e.split !== undefined) return { what, hint: SPLIT_HINTS[e.split] ?? "evaluate a split that holds examples" };
  if (e.ofStage) return { what, hint: "a split holds out round(holdout × distinct lines): raise the stage's `holdout`, or give its corpus more lines" };
  return { what, hint: "a split holds out round(holdout × distinct texts): raise the source's `holdout`, give it more rows, or evaluate other data" };
}

/** The recipe's gates that read a stage's held-out figures (val_loss, val_loss_before, val_loss_baseline). */
function gatesOn(recipe: CheckedRecipe, stage: string): string[] {
  const reads = (v: IRValue | undefined): boolean => {
    const m = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as { $ref?: unknown; member?: unknown }) : null;
    return m?.$ref === stage && typeof m.member === "string" && m.member.startsWith("val_loss");
  };
  return recipe.expects.filter((c) => reads(c.left) || reads(c.right) || [...(c.leftTerms ?? []), ...(c.rightTerms ?? [])].some((t) => reads(t.value))).map((c) => c.text);
}

export function emptySplitDiagnostics(recipe: CheckedRecipe, empty: readonly EmptySplit[]): Diagnostic[] {
  return empty.flatMap((e): Diagnostic[] => {
    const b = recipe.blocks.find((x) => x.name === e.block);
    if (!e.stage) {
      // an accuracy eval's split is named by `split` where written, else by its default
      const prop = e.split !== undefined && !b?.propSpans[e.prop] ? "task" : e.prop;
      const at = { file: b?.propFiles?.[prop] ?? b?.file ?? recipe.file, span: b?.propSpans[prop] ?? b?.decl.span ?? null };
      const { what, hint } = emptyEvalText(e);
      return [{ code: CODES.emptyEval, severity: "error", message: `eval \`${e.block}\` has nothing to evaluate: ${what}`, ...at, hint }];
    }
    // the default share on a corpus of a few lines (a test's, an example's) is no claim; a written
    // share, or a gate on the stage's figures, is one that the data cannot keep
    const written = b?.propSpans["holdout"] !== undefined;
    const gates = gatesOn(recipe, e.block);
    if (!written && gates.length === 0) return [];
    const prop = written ? "holdout" : e.prop;
    const at = { file: b?.propFiles?.[prop] ?? b?.file ?? recipe.file, span: b?.propSpans[prop] ?? b?.decl.span ?? null };
    const gated = gates.length ? `; gated by ${gates.map((g) => `\`${g}\``).join(", ")}` : "";
    return [
      {
        code: CODES.emptyHeldout,
        severity: "warning",
        message: `stage \`${e.block}\` holds no line out: its \`holdout\` share of the corpus's distinct lines rounds to none, so it trains on every line and reports no val_loss${gated}`,
        ...at,
        hint: "a split holds out round(holdout × distinct lines): raise `holdout`, or give the corpus more lines",
      },
    ];
  });
}
