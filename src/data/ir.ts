// Small readers of checked IR values (src/check/ir.ts): the data layer's view of block properties.
import { isAbsolute, resolve } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRCall, IRRange, IRRef, IRValue } from "../check/ir.js";
import { CODES, fail } from "./diag.js";

export const isCall = (v: IRValue | undefined): v is IRCall => !!v && typeof v === "object" && !Array.isArray(v) && "$call" in v;
export const isRef = (v: IRValue | undefined): v is IRRef => !!v && typeof v === "object" && !Array.isArray(v) && "$ref" in v;
export const isRange = (v: IRValue | undefined): v is IRRange => !!v && typeof v === "object" && !Array.isArray(v) && "$range" in v;

export function num(v: IRValue | undefined): number | undefined {
  return typeof v === "number" ? v : undefined;
}
export function str(v: IRValue | undefined): string | undefined {
  return typeof v === "string" ? v : undefined;
}
export function strList(v: IRValue | undefined): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;
}
export function range(v: IRValue | undefined, dflt: [number, number]): [number, number] {
  return isRange(v) ? [v.$range[0], v.$range[1]] : typeof v === "number" ? [v, v] : dflt;
}

/** A path argument: absolute after checking; resolved against the recipe folder when built by hand. */
export function pathArg(recipe: CheckedRecipe, v: IRValue | undefined): string {
  if (typeof v !== "string") fail(CODES.unsupported, "expected a path argument", recipe.file);
  return isAbsolute(v) ? v : resolve(recipe.dir, v);
}

const indexes = new WeakMap<CheckedRecipe, { blocks: CheckedBlock[]; byName: Map<string, CheckedBlock> }>();

/**
 * A recipe block by name. The data layer reads blocks only where a plan node cannot stand in: spans
 * and files for located diagnostics (plan-input.ts siteOf/declaredAt), format blocks (no node of their
 * own: lowering inlines them into the stages, build.ts loadFormat) and `alignc label`'s candidates
 * sources (no plan node); every other parameter value comes from plan nodes (plan-input.ts).
 */
export function findBlock(recipe: CheckedRecipe, name: string): CheckedBlock {
  // an index per recipe (rebuilt if its block list is replaced): a FLAN-scale mixture looks up 1,836 components
  let ix = indexes.get(recipe);
  if (!ix || ix.blocks !== recipe.blocks || ix.byName.size !== recipe.blocks.length) indexes.set(recipe, (ix = { blocks: recipe.blocks, byName: new Map(recipe.blocks.map((x) => [x.name, x])) }));
  const b = ix.byName.get(name) ?? recipe.blocks.find((x) => x.name === name);
  if (!b) fail(CODES.unsupported, `no block named \`${name}\` in ${recipe.file}`, recipe.file, null, `blocks: ${recipe.blocks.map((x) => x.name).join(", ")}`);
  return b;
}

/** Names listed by a mixture's `heldout_tasks` (references in the IR; plain strings when built by hand). */
export function heldoutTaskNames(v: IRValue | undefined): string[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((x) => (isRef(x) ? [x.$ref] : typeof x === "string" ? [x] : []));
}
