// From a recipe path to what runPlan needs: check (with `extends`), the --tiny scaling, the plan
// (with the data layer's sizes, so PLAN's cross-stage checks — context fits the longest example,
// memory, budgets — run before any compute). Never throws on bad input: diagnostics instead.
import { totalmem } from "node:os";
import { checkRecipeFile } from "../check/index.js";
import type { CheckedRecipe } from "../check/ir.js";
import { measureData, resolveBackend } from "../compile.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { hasErrors, sortDiagnostics } from "../lang/diagnostic.js";
import { planRecipe } from "../plan/compile.js";
import { flopsPerSecond } from "../plan/throughput.js";
import { expandVariants } from "../plan/variants.js";
import type { Plan } from "../plan/types.js";
import { tinyRecipe } from "./tiny.js";

export interface RunInput {
  /** the recipe the plan was compiled from: for a variant, the sweep-free recipe of that variant
   * (its swept properties bound), which is what the data layer must build examples from */
  recipe: CheckedRecipe | null;
  plan: Plan | null;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export async function compileForRun(path: string, opts: { tiny?: boolean; variant?: string; backend?: string; measure?: boolean; noBudget?: boolean } = {}): Promise<RunInput> {
  const checked = await checkRecipeFile(path);
  if (!checked.recipe) return { recipe: null, plan: null, diagnostics: checked.diagnostics, sources: checked.sources };
  const base = opts.tiny ? tinyRecipe(checked.recipe) : checked.recipe;
  const diagnostics = [...checked.diagnostics];
  const backend = resolveBackend(opts.backend, base);
  // one variant: the data layer and the handlers read the variant's own recipe (a swept `holdout`
  // or `seed` changes the examples); an unknown name is the planner's diagnostic below
  const variant = opts.variant === undefined ? undefined : expandVariants(base).find((v) => v.name === opts.variant || v.label === opts.variant);
  const recipe = variant?.recipe ?? base;
  let sizes: Awaited<ReturnType<typeof measureData>>["sizes"] | undefined;
  if (opts.measure !== false) {
    const shape = planRecipe(base, opts.variant !== undefined ? { variant: opts.variant } : {}).plan;
    if (shape) {
      const m = await measureData(recipe, shape);
      sizes = m.sizes;
      diagnostics.push(...m.diagnostics);
    }
  }
  if (hasErrors(diagnostics)) return { recipe, plan: null, diagnostics: sortDiagnostics(diagnostics), sources: checked.sources };
  const planned = planRecipe(base, {
    backend,
    flopsPerSecond: flopsPerSecond(backend),
    machine: { totalMemory: totalmem(), backend },
    ...(opts.noBudget ? { noBudget: true } : {}),
    ...(sizes ? { sizes } : {}),
    ...(opts.variant !== undefined ? { variant: opts.variant } : {}),
  });
  diagnostics.push(...planned.diagnostics);
  return { recipe, plan: hasErrors(diagnostics) ? null : planned.plan, diagnostics: sortDiagnostics(diagnostics), sources: checked.sources };
}
