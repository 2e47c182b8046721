// Checks of a sweep (`kl_coef = sweep [0.01, 0.02]`): the whole value of a property, not empty.
import type { SweepValue } from "../../lang/ast.js";
import type { Check } from "./types.js";

const checkSweep: Check<"Sweep"> = (s: SweepValue, accept, ctx) => {
  const assignment = ctx.parent(1) as { type?: string } | undefined;
  const body = ctx.parent(2) as { type?: string } | undefined;
  const owner = ctx.parent(3) as { type?: string } | undefined;
  const placed = assignment?.type === "Assignment" && body?.type === "Block" && (owner?.type === "Declaration" || owner?.type === "RecipeHeader");
  if (!placed) {
    ctx.poisoned.add(s);
    accept("AL2033", s, "a sweep is the whole value of a property (`kl_coef = sweep [0.01, 0.02]`), not part of a list, call, clause or another sweep");
    return;
  }
  if (s.values.items.length === 0) accept("AL2033", s, "an empty sweep expands to no plan: give at least one value");
};

export const sweepChecks: Check<"Sweep">[] = [checkSweep];
