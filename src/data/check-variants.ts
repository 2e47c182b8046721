// `alignc check`'s data checks of a recipe that checks clean: text prompts (AL3060), contamination
// (AL3070 and the empty splits), truncation (AL3032, AL3030) and the context check (AL4005), with the
// data layer's located errors where data does not build. A swept recipe is checked variant by
// variant, as `alignc plan` plans each (its first only passed a swept max_length that truncates, or a
// swept holdout that leaks: audit38 #3); what every variant finds is said once, what some find
// names them (variantDiagnostics).
//
// The variants share one memo of builds (shared-builds.ts), keyed by the data nodes' seed keys (their
// plan hashes, src/plan/hash.ts): a data node that is the same in two variants is built once, so a
// hyperparameter sweep reads, renders and splits its data once; each variant's checks still run on
// its own plan (its stages' max_length, ptx_coef, evals' n), over those shared builds.
import type { CheckedRecipe } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { DigestCache } from "../plan/digest-cache.js";
import { FileHashes } from "../plan/file-hashes.js";
import { dataPlanTruncationMemo } from "../plan/truncation-cache.js";
import { expandVariants, variantDiagnostics } from "../plan/variants.js";
import { leakWarnings } from "./leaks.js";
import { dataPlanOf } from "./plan-input.js";
import { SharedBuilds } from "./shared-builds.js";
import { textPromptErrors } from "./text-prompts.js";
import { contextOverflows, truncationReport } from "./truncation-report.js";

export interface DataCheckOptions {
  /** The builds the variants share (a test passes its own to count them); default: a new one. */
  builds?: SharedBuilds;
  /** false: each variant builds its own data, as before the memo was shared (the test that sharing
   * changes no finding compares the two) */
  share?: boolean;
}

/** Every data diagnostic of `recipe` (a checked recipe, sweeps and all), variants' findings merged. */
export async function variantDataChecks(recipe: CheckedRecipe, opts: DataCheckOptions = {}): Promise<Diagnostic[]> {
  // the file hashes and truncation counts `alignc plan` caches (by stat data, by stage hash): a warm
  // check renders no example
  const files = new FileHashes(new DigestCache(recipe.dir));
  const builds = opts.builds ?? new SharedBuilds();
  const variants = expandVariants(recipe);
  const names = variants.map((v) => v.name);
  // one variant at a time: each variant's recipe and data plan (held by a WeakMap on the recipe) is
  // let go once checked, and the builds they share are bounded (shared-builds.ts); all 1,000 variants
  // held at once took 7 MB each and ended in an out-of-memory crash (huntZ40; the sweep cap is 4,096)
  const queue: (CheckedRecipe | null)[] = variants.length ? variants.map((v) => v.recipe) : [recipe];
  variants.length = 0;
  const found: Diagnostic[][] = [];
  for (let i = 0; i < queue.length; i++) {
    const variant = queue[i]!;
    queue[i] = null;
    builds.nextVariant();
    const dp = dataPlanOf(variant, files, opts.share === false ? new SharedBuilds() : builds);
    const truncation = await truncationReport(variant, dataPlanTruncationMemo(dp));
    found.push([...(await textPromptErrors(variant)), ...(await leakWarnings(variant)), ...truncation.diagnostics, ...contextOverflows(variant, truncation.counts)]);
  }
  files.save();
  return names.length ? variantDiagnostics(found.map((diagnostics, i) => ({ name: names[i]!, diagnostics }))) : found[0]!;
}
