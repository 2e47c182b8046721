// `alignc check FILE…`: parse and check each recipe, print every diagnostic. Exit 0 clean, 1 when
// any error was found, 2 on usage problems (no file, a file that cannot be read). A recipe without
// errors is also checked for contamination (AL3070 warnings) and truncation (AL3032 warnings), which
// read its data, so data that cannot be read is an error here too (AL3xxx), and for prompts read from
// a source without `as ROLE` that its first row makes text (AL3060); `--no-leaks` skips all three.
// ALIGNC_TIMINGS=1 prints per-phase milliseconds on stderr (used by `npm run bench -- check`).
import { assertRegularFile, InputFileError } from "../../lang/read-file.js";
import { escapeControl } from "../../lang/escape.js";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { checkRecipeFile } from "../../check/index.js";
import type { CheckedRecipe } from "../../check/ir.js";
import type { Diagnostic } from "../../lang/diagnostic.js";
import { dedupeDiagnostics, hasErrors, sortDiagnostics } from "../../lang/diagnostic.js";
import { parseTimings, resetParseTimings } from "../../lang/parse.js";
import { diagnosticsJson, renderDiagnostics, summarize, useColor } from "../../lang/render.js";

/** Why `path` cannot be checked (missing, a folder, a device or FIFO that would never end), or null. */
async function readable(path: string): Promise<string | null> {
  try {
    assertRegularFile(path, "recipe");
    return null;
  } catch (err) {
    if (err instanceof InputFileError) return err.message;
    throw err;
  }
}

/**
 * The files of rankings sources that a candidates source names as its `labels`, where they do not exist
 * yet: `alignc label` writes them, so `check` accepts their absence (README, labeling) and the data
 * layer's "not found" for them is not an error here (`plan` says the file is missing, with the hint).
 */
function labelFilesNotYetWritten(recipe: CheckedRecipe): Set<string> {
  const byName = new Map(recipe.blocks.map((b) => [b.name, b]));
  const out = new Set<string>();
  for (const b of recipe.blocks) {
    const labels = b.role === "candidates" ? b.props["labels"] : undefined;
    const target = labels && typeof labels === "object" && "$ref" in labels ? byName.get(String(labels.$ref)) : undefined;
    const file = target?.args[0];
    if (typeof file === "string" && !existsSync(file)) out.add(resolve(file));
  }
  return out;
}

/** Whether a model block starts from a file (`weights = safetensors(…)`): only then is the planner's
 * lowering loaded, so a recipe without one checks as fast as before. */
function hasWeightsFile(recipe: CheckedRecipe): boolean {
  return recipe.blocks.some((b) => b.keyword === "model" && b.props["weights"] !== undefined);
}

/** AL4023 for each variant of `recipe` (a swept `layers` is another network per variant), lowered as
 * `alignc plan` lowers it, with the file digests plan caches. */
async function weightsShape(recipe: CheckedRecipe): Promise<Diagnostic[]> {
  const [{ weightsShapeDiagnostics }, { lowerRecipe }, { expandVariants }, { FileHashes }, { DigestCache }] = await Promise.all([
    import("../../plan/checks.js"),
    import("../../plan/lower.js"),
    import("../../plan/variants.js"),
    import("../../plan/file-hashes.js"),
    import("../../plan/digest-cache.js"),
  ]);
  const files = new FileHashes(new DigestCache(recipe.dir));
  const queue: (CheckedRecipe | null)[] = expandVariants(recipe).map((v) => v.recipe);
  if (queue.length === 0) queue.push(recipe);
  const out: Diagnostic[] = [];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i]!;
    queue[i] = null; // let go once lowered, as the data checks do
    out.push(...weightsShapeDiagnostics(v, lowerRecipe(v, files).nodes));
  }
  files.save();
  return out;
}

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  if (args.length === 0) {
    process.stderr.write("usage: alignc check [--json] FILE…\n");
    return 2;
  }
  const t0 = performance.now();
  const cpu0 = process.env["ALIGNC_TIMINGS"] ? process.cpuUsage() : null; // start-up on CPU (wall time also counts waiting for a core)
  const all: Diagnostic[] = [];
  const sources = new Map<string, string>();
  let usage = false;
  let checkMs = 0;
  resetParseTimings();
  for (const file of args) {
    const problem = await readable(file);
    if (problem) {
      process.stderr.write(`alignc check: ${escapeControl(problem)}\n`);
      usage = true;
      continue;
    }
    const t = performance.now();
    const r = await checkRecipeFile(file);
    checkMs += performance.now() - t;
    all.push(...r.diagnostics);
    // a model's weights file of another shape than its block (AL4023), read from the file's header as
    // `alignc plan` reads it: with or without --no-leaks, since it reads no data, only each file's header
    if (r.recipe && !hasErrors(r.diagnostics) && hasWeightsFile(r.recipe)) all.push(...(await weightsShape(r.recipe)));
    // a recipe that checks clean is also checked for contamination (eval prompts in training pools):
    // that reads its data, so the data layer is loaded only then
    // and for truncation (AL3032: over 1% of a stage's examples lose response tokens), from the same data;
    // data that does not build (an unreadable file or folder) comes back as the data layer's errors
    if (r.recipe && !hasErrors(r.diagnostics) && opts["leaks"] !== false) {
      // every variant of a sweep, its data built once per distinct data node (src/data/check-variants.ts)
      const { variantDataChecks } = await import("../../data/check-variants.js");
      const fromData = await variantDataChecks(r.recipe);
      const unlabeled = labelFilesNotYetWritten(r.recipe);
      for (const d of fromData) if (!unlabeled.has(resolve(d.dataFile ?? d.file))) all.push(d);
    }
    for (const [k, v] of r.sources) sources.set(k, v);
  }
  const ds = sortDiagnostics(dedupeDiagnostics(all)); // one data error met by the leak and the truncation check is one
  if (opts["json"]) {
    process.stdout.write(`${diagnosticsJson(ds)}\n`);
  } else if (ds.length) {
    process.stderr.write(`${renderDiagnostics(ds, sources, { color: useColor(process.stderr) })}\n\n${summarize(ds)}\n`);
  } else if (!usage) {
    process.stdout.write(`${args.length} file${args.length === 1 ? "" : "s"} checked: no problems\n`);
  }
  if (process.env["ALIGNC_TIMINGS"]) {
    const { lex, parse, build } = parseTimings;
    const rest = Math.max(0, checkMs - lex - parse - build);
    const f = (n: number): string => n.toFixed(1);
    const cpu = process.cpuUsage(); // the whole process so far, start-up included
    // performance.now() counts from process start, so t0 is node start-up plus module loading
    process.stderr.write(`timings ms: startup ${f(t0)} startup_cpu ${f(((cpu0?.user ?? 0) + (cpu0?.system ?? 0)) / 1000)} lex ${f(lex)} parse ${f(parse)} build ${f(build)} check ${f(rest)} total ${f(performance.now() - t0)} cpu ${f((cpu.user + cpu.system) / 1000)}\n`);
  }
  if (usage) return 2;
  return hasErrors(ds) ? 1 : 0;
}
