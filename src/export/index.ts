// `alignc export`: a checked recipe's plan compiled for the distributed engines people already run
// (TRL, OpenRLHF, Axolotl): the exact training examples in each engine's row shape, one config per
// stage chained in plan order, the launch script for the cluster it is sized for, and EXPORT.md listing every
// approximation. alignc grows no distributed trainer of its own.
import { checkRecipeFile } from "../check/index.js";
import type { CheckedRecipe } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { compileExport } from "./compile.js";
import { recipeInputs } from "../data/export-file.js";
import { gatherExport } from "./from-plan.js";
import type { ExportOptions, ExportResult } from "./types.js";

export { compileExport, EXPORT_CODES } from "./compile.js";
export { gatherExport } from "./from-plan.js";
// the unlocked writer stays inside: a library user writes through writeExportDirLocked, as `alignc export` does
export { ExportWriteError } from "./write.js";
export { writeExportDirLocked, exportLockPath } from "./lock.js";
export { toYaml } from "./yaml.js";
export { validateExport, loadSurfaces } from "./validate/index.js";
export { schemasAvailable, defaultSchemaDir } from "./validate/schemas.js";
export { TARGETS, TARGET_VERSIONS } from "./types.js";
export { launchPath } from "./launch.js";
export type { Target, ExportOptions, ExportResult, ExportFile, ExportInput, ExportStage, Approximation } from "./types.js";

/** The export of a checked recipe (one variant when it sweeps). Never throws on bad input. */
export async function exportRecipe(recipe: CheckedRecipe, opts: ExportOptions & { variant?: string; until?: string }): Promise<ExportResult> {
  const g = await gatherExport(recipe, { ...(opts.variant !== undefined ? { variant: opts.variant } : {}), ...(opts.until !== undefined ? { until: opts.until } : {}) });
  if (!g.input) return { files: [], diagnostics: g.diagnostics, approximations: [] };
  const r = compileExport(g.input, opts, g.tokens);
  return { ...r, diagnostics: [...g.diagnostics, ...r.diagnostics] };
}

/** Check a recipe file and export it; `sources` is for rendering the diagnostics. */
export async function exportRecipeFile(path: string, opts: ExportOptions & { variant?: string; until?: string }): Promise<ExportResult & { sources: Map<string, string>; inputs: string[] }> {
  const checked = await checkRecipeFile(path);
  const errors: Diagnostic[] = checked.diagnostics.filter((d) => d.severity === "error");
  if (!checked.recipe || errors.length) return { files: [], diagnostics: checked.diagnostics, approximations: [], sources: checked.sources, inputs: [] };
  const r = await exportRecipe(checked.recipe, opts);
  // every path the recipe reads: the export folder must be none of them nor inside one
  const inputs = recipeInputs(checked.recipe, checked.sources.keys());
  return { ...r, diagnostics: [...checked.diagnostics, ...r.diagnostics], sources: checked.sources, inputs };
}
