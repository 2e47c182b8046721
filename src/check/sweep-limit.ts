// How many variants a recipe's sweeps make: their cross product, one plan compiled per variant. Two
// sweeps of 1,000 values (a 10 KB recipe) are a million plans, which ran `alignc plan` out of memory
// after minutes while `check` passed it; a grid a researcher runs is tens to hundreds of variants.
import type { Diagnostic } from "../lang/diagnostic.js";
import { findSweeps, siteKey } from "../plan/variants.js";
import type { CheckedRecipe } from "./ir.js";

/** Variants one recipe may expand to (every one is planned; `alignc run --all-variants` runs each). */
export const MAX_VARIANTS = 4096;

/** AL2033 at the sweep that takes the cross product past MAX_VARIANTS, or null. */
export function sweepLimit(recipe: CheckedRecipe): Diagnostic | null {
  const sites = findSweeps(recipe);
  let product = 1;
  for (const s of sites) {
    product *= s.values.length;
    if (product <= MAX_VARIANTS) continue;
    const block = recipe.blocks.find((b) => b.name === s.block);
    const prop = s.path[0] ?? "";
    const span = block?.propSpans[prop] ?? null;
    const sizes = sites.map((x) => x.values.length).join(" × ");
    return {
      code: "AL2033",
      severity: "error",
      message: `the sweeps make ${sizes} = ${sites.reduce((n, x) => n * x.values.length, 1).toLocaleString("en-US")} variants, past the ${MAX_VARIANTS.toLocaleString("en-US")} one recipe may hold (each is a plan): \`${siteKey(s)}\` takes it past`,
      file: (block && (block.propFiles?.[prop] ?? block.file)) ?? recipe.file,
      span,
      hint: "sweep fewer values, or split the grid into recipes that each `extends` the base",
    };
  }
  return null;
}
