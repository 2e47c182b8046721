// A NaN/Inf training step as a located diagnostic (AL5001): which stage, at which step, whether a last
// good state was saved, and where in the recipe to look (the stage's `lr`, else its declaration).
// The trainer applied nothing on that step (src/train/trainer.ts), so the saved state is the one
// before it; running the same recipe again resumes from it (a changed recipe is a new stage).
import type { CheckedRecipe } from "../../check/ir.js";
import { DiagnosticError } from "../../lang/diagnostic.js";
import { locator } from "../../plan/checks.js";
import type { PlanNode } from "../../plan/types.js";
import type { NonFiniteError } from "../../train/errors.js";

export function nonFiniteDiagnostic(recipe: CheckedRecipe, node: PlanNode, err: NonFiniteError, savedStep: number | null, lr: number): DiagnosticError {
  const at = locator(recipe)(node.block ?? node.id, "lr");
  const kept =
    savedStep !== null
      ? `the last good state (step ${savedStep}) is saved as a checkpoint; running the same recipe again resumes from step ${savedStep}`
      : "no step had completed, so there is no good state to save (the stage's init or its first batch already gives a non-finite value)";
  return new DiagnosticError([
    {
      code: "AL5001",
      severity: "error",
      message: `stage \`${node.id}\`: non-finite ${err.what} (${err.value}) at step ${err.step}, the update was not applied; ${kept}`,
      file: at.file,
      span: at.span,
      hint: `a learning rate too high for the model is the usual cause (lr = ${lr} here; with weight_decay, lr × weight_decay above 1 flips the weights' sign each step): lower it and keep grad_clip > 0${ppoFactors(node)}; the changed recipe is a new stage and trains from step 0`,
    },
  ]);
}

/** A PPO stage's other factors of the loss, named beside lr (a tiny temperature or a huge coefficient
 * overflowed while the hint blamed lr alone; hunt38). */
function ppoFactors(node: PlanNode): string {
  if (node.op !== "ppo") return "";
  const p = node.params;
  return `; in PPO the sampling temperature (${String(p.temperature)}) divides the logits and kl_coef (${String(p.kl_coef)}), ptx_coef (${String(p.ptx_coef)}) and vf_coef (${String(p.vf_coef)}) scale the loss's terms: an extreme one overflows too`;
}
