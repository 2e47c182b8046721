// How many variants a recipe's sweeps make: their cross product, one plan compiled per variant. Two
// sweeps of 1,000 values (a 10 KB recipe) are a million plans, which ran `alignc plan` out of memory
// after minutes while `check` passed it; a grid a researcher runs is tens to hundreds of variants.
import type { Diagnostic } from "../lang/diagnostic.js";
import type { Span } from "../lang/ast.js";
import { canonicalJson } from "../plan/canonical.js";
import { findSweeps, formatValue, siteKey } from "../plan/variants.js";
import type { CheckedRecipe } from "./ir.js";
import type { CheckContext } from "./context.js";

/** Variants one recipe may expand to (every one is planned; `alignc run --all-variants` runs each). */
export const MAX_VARIANTS = 4096;

/** AL2033 at the sweep that takes the cross product past MAX_VARIANTS, or null. */
export function sweepLimit(recipe: CheckedRecipe, ctx: CheckContext): Diagnostic | null {
  const sites = findSweeps(recipe);
  let product = 1;
  for (const s of sites) {
    product *= s.values.length;
    if (product <= MAX_VARIANTS) continue;
    const prop = s.path[0] ?? "";
    const { file, span } = s.block ? blockSite(recipe, s.block, prop) : headerSite(ctx, prop);
    const sizes = sites.map((x) => x.values.length.toLocaleString("en-US")).join(" × ");
    return {
      code: "AL2033",
      severity: "error",
      message: `${sites.length === 1 ? "the sweep makes" : `the sweeps make ${sizes} =`} ${sites.reduce((n, x) => n * x.values.length, 1).toLocaleString("en-US")} variants, past the ${MAX_VARIANTS.toLocaleString("en-US")} one recipe may hold (each is a plan): \`${siteKey(s)}\` takes it past`,
      file: file ?? recipe.file,
      span,
      hint: "sweep fewer values, or split the grid into recipes that each `extends` the base",
    };
  }
  return null;
}

/** AL2033 at each sweep that lists one value twice (`sweep [0.1, 1e-1]`, `sweep [chars, chars]`): two
 * variants of one name and one plan, which `--all-variants` ran twice and `--variant` could not tell apart. */
export function sweepRepeats(recipe: CheckedRecipe, ctx: CheckContext): Diagnostic[] {
  return findSweeps(recipe).flatMap((s) => {
    const seen = new Map<string, number>();
    const repeated = s.values.map((v, i) => [canonicalJson(v), i] as const).filter(([key, i]) => seen.has(key) || (seen.set(key, i), false));
    if (repeated.length === 0) return [];
    const { file, span } = s.block ? blockSite(recipe, s.block, s.path[0] ?? "") : headerSite(ctx, s.path[0] ?? "");
    const values = repeated.map(([key, i]) => `${formatValue(s.values[i]!)} (values ${seen.get(key)! + 1} and ${i + 1})`).join(", ");
    return [{ code: "AL2033", severity: "error" as const, message: `the sweep of \`${siteKey(s)}\` lists a value twice: ${values}; its variants would have one name and one plan`, file: file ?? recipe.file, span, hint: "list each value once" }];
  });
}

type Site = { file: string | null; span: Span | null };

function blockSite(recipe: CheckedRecipe, name: string, prop: string): Site {
  const block = recipe.blocks.find((b) => b.name === name);
  return { file: block ? (block.propFiles?.[prop] ?? block.file ?? null) : null, span: block?.propSpans[prop] ?? null };
}

/** The header keeps no spans in the IR (no check after lowering needed one): read them off its AST. */
function headerSite(ctx: CheckContext, prop: string): Site {
  const entry = ctx.headerNode?.body.entries.find((e) => e.type === "Assignment" && e.path[0]?.name === prop);
  const node = entry?.type === "Assignment" ? entry.value : null;
  return node ? { file: ctx.fileOf(node), span: node.span } : { file: null, span: null };
}
