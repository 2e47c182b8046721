// `alignc run RECIPE --all-variants`: every variant of a swept recipe, one after another, each as its
// own run of its own plan. Stages that do not depend on the swept values have the same hash in every
// variant, so the first run computes them and the others reuse them from the cache.
import { checkRecipeFile } from "../check/index.js";
import { expandVariants } from "../plan/variants.js";
import { runRecipe, type RunRecipeOptions, type RunRecipeResult } from "./run-recipe.js";
import { isInterruptedCode } from "./storage/interrupt.js";

export interface VariantRun {
  variant: string;
  result: RunRecipeResult;
}

/** The variant names of a recipe ([] when it does not sweep, or does not check); --tiny keeps them (compile-run.ts scales each variant). */
export async function variantNames(path: string): Promise<string[]> {
  const { recipe } = await checkRecipeFile(path);
  return recipe ? expandVariants(recipe).map((v) => v.name) : [];
}

/**
 * Runs every variant in order; stops early only when one was interrupted (Ctrl-C) or could not start
 * for a reason that holds for all (the recipe does not check; the command line asks what no variant
 * has, `--until nope`). `each` sees every result as it ends. `total`: the variants there are.
 */
export async function runAllVariants(path: string, o: RunRecipeOptions = {}, each: (r: VariantRun) => void = () => {}): Promise<{ total: number; runs: VariantRun[] }> {
  const names = await variantNames(path);
  const runs: VariantRun[] = [];
  for (const variant of names) {
    const result = await runRecipe(path, { ...o, variant });
    const r = { variant, result };
    runs.push(r);
    each(r);
    if (!result.ok && (result.message === null || result.usage)) break; // the same recipe and command line fail the same way for every variant
    if (result.ok && isInterruptedCode(result.outcome.exitCode)) break;
  }
  return { total: names.length, runs };
}

/** The closing line of `--all-variants`: how many variants ran to the end, and which did not. */
export function variantsSummary(total: number, runs: readonly VariantRun[]): string {
  const ended = (r: VariantRun) => r.result.ok && r.result.outcome.exitCode === 0;
  const ok = runs.filter(ended).length;
  const not = runs.filter((r) => !ended(r)).map((r) => `${r.variant} (${r.result.ok ? `exit ${r.result.outcome.exitCode}` : "did not start"})`);
  const skipped = total - runs.length;
  return `${total} variant${total === 1 ? "" : "s"}: ${ok} ran to the end${not.length ? `, ${not.length} did not: ${not.join(", ")}` : ""}${skipped ? `; ${skipped} not started` : ""}`;
}
