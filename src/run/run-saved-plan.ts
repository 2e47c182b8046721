// `alignc run plan.json`: execute a saved plan exactly (Terraform's `apply PLAN`). The plan names its
// recipe and, per node, the content hash of every file it reads. Before anything runs: every file must
// still hash as the plan says (else: refused, naming the files), and the recipe must still compile to
// the very same nodes and hashes (else: refused, naming the nodes). The saved plan is then executed
// with the real handlers, so its stages land in (and are reused from) the cache entries their hashes
// name: `alignc run R --variant V` and `alignc plan R --variant V --json > p.json && alignc run p.json`
// share every entry. Its gates are the plan's (`recipe.expect`, as they mean): a recipe whose expect
// block changed since is refused as one whose nodes did.
import { PREPARING } from "./run-plan.js";
import { signalWordsDuring } from "./storage/interrupt.js";
import { existsSync, statSync } from "node:fs";
import { missingReason, specialInput } from "../common/fs-probe.js";
import { dirname, join, resolve } from "node:path";
import { readPlanFile, PlanFileError } from "../plan/load.js";
import type { Plan } from "../plan/types.js";
import { hashRegularFile } from "../lang/read-file.js";
import { gateChanges } from "../plan/diff.js";
import { hashNodes } from "../plan/hash.js";
import { compileForRun } from "./compile-run.js";
import { runCompiled, type RunRecipeOptions, type RunRecipeResult } from "./run-recipe.js";
import { recipeFolder } from "../check/recipe-folder.js";

export interface RunSavedPlanOptions extends RunRecipeOptions {
  /** the recipe the plan was made from; default: the plan's `recipe.file` next to the plan, in the working folder, or in recipes/ */
  recipe?: string;
}

/** Whether a path names a saved plan rather than a recipe (a .json file, or a run directory's plan.json). */
export function isPlanFile(path: string): boolean {
  return path.endsWith(".json");
}

const refuse = (message: string, usage = false): RunRecipeResult => ({ ok: false, diagnostics: [], sources: new Map(), message, ...(usage ? { usage: true as const } : {}) });

export async function runSavedPlan(planPath: string, o: RunSavedPlanOptions = {}): Promise<RunRecipeResult> {
  if (o.variant !== undefined || o.tiny) return refuse(`--variant and --tiny choose what to plan; ${planPath} is already planned (plan the recipe with them instead; a tiny run's plan.json says it is tiny)`, true);
  let plan: Plan;
  try {
    plan = readPlanFile(planPath);
  } catch (err) {
    if (err instanceof PlanFileError) return refuse(err.message);
    throw err;
  }
  if (plan.variants && plan.variants.length > 0)
    return refuse(`${planPath} holds ${plan.variants.length} variants; save one with \`alignc plan RECIPE --variant NAME --json > plan.json\` (${plan.variants.map((v) => v.name).join(", ")})`, true);
  // --recipe names it: that file must be a recipe file, said as such (its folder is where the plan's
  // input files are looked up, so a FIFO there reported them all missing)
  if (o.recipe !== undefined) {
    const why = !existsSync(o.recipe) ? missingReason(o.recipe) : specialInput(o.recipe) ?? (statSync(o.recipe).isDirectory() ? "a folder" : null);
    if (why !== null) return refuse(`--recipe ${o.recipe}: ${why}, not a recipe file (${planPath} was made from ${plan.recipe.file})`, true);
  }
  const recipePath = o.recipe ?? findRecipe(plan.recipe.file, planPath);
  if (!recipePath || !existsSync(recipePath)) return refuse(`${planPath} was made from ${plan.recipe.file}, which is not next to it, in the working folder or in recipes/; pass --recipe PATH`, true);

  // its gates are part of what it runs: a plan made before plans recorded them cannot say which apply
  if (plan.recipe.expect === undefined) return refuse(`${planPath} was made before plans recorded their gates (alignc before 7 Dec 2026), so it cannot say which \`expect\` lines its run applies; plan the recipe again`);
  const edited = editedNodes(plan);
  if (edited.length)
    return refuse(`${planPath} was edited after it was made: ${edited.length === 1 ? "a node no longer hashes" : `${edited.length} nodes no longer hash`} as recorded, so the cache entry it names would hold another computation:\n${edited.map((l) => `  ${l}`).join("\n")}\nchange the recipe and plan it again`);
  const stale = staleFiles(plan, recipeFolder(recipePath)); // the folder its paths are relative to (recipe-folder.ts)
  if (stale.length) return refuse(`${planPath}: ${stale.length} input file${stale.length > 1 ? "s" : ""} changed since the plan was made, so it no longer describes what would run:\n${stale.map((l) => `  ${l}`).join("\n")}\nplan the recipe again`);

  // checking and planning read the data: a signal then says what is true (run-recipe.ts does the same)
  const endPhase = signalWordsDuring(PREPARING);
  let input: Awaited<ReturnType<typeof compileForRun>>;
  try {
    input = await compileForRun(recipePath, { ...(plan.recipe.variant ? { variant: plan.recipe.variant } : {}), ...(plan.recipe.tiny ? { tiny: true } : {}), backend: o.backend, noBudget: o.noBudget });
  } finally {
    endPhase();
  }
  if (!input.recipe || !input.plan) {
    // a recipe that compiles, but has no variant of the plan's name, is another recipe than the plan's
    const otherRecipe = plan.recipe.variant && input.diagnostics.some((d) => d.code === "AL4011");
    return { ok: false, diagnostics: input.diagnostics, sources: input.sources, message: otherRecipe ? `${recipePath} has no variant ${plan.recipe.variant}: it is not the recipe ${planPath} was made from (${plan.recipe.file})` : `${recipePath} no longer compiles; ${planPath} cannot be run` };
  }
  const differs = planDifferences(plan, input.plan);
  if (differs.length)
    return refuse(`${recipePath} no longer compiles to ${planPath} (the recipe or alignc changed since):\n${differs.map((l) => `  ${l}`).join("\n")}\nsee \`alignc diff ${planPath} ${recipePath}\`, and plan the recipe again`);
  // the saved plan itself is what runs (its estimates included); the recipe only feeds the data layer
  return runCompiled(recipePath, { ...input, plan }, { ...o, ...(plan.recipe.tiny ? { tiny: true } : {}) });
}

/** The plan's recipe file: next to the plan, then in the working folder, then in ./recipes. */
function findRecipe(file: string, planPath: string): string | null {
  for (const dir of [dirname(planPath), ".", "recipes"]) {
    const p = resolve(join(dir, file));
    if (existsSync(p)) return p;
  }
  return null;
}

/** Files whose content no longer hashes as the plan recorded, as "path: why". */
function staleFiles(plan: Plan, recipeDir: string): string[] {
  const seen = new Map<string, string>();
  for (const n of plan.nodes) for (const f of n.files) seen.set(f.path, f.sha256);
  const out: string[] = [];
  for (const [path, sha] of [...seen].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const abs = resolve(recipeDir, path);
    let now: string;
    try {
      now = hashRegularFile(abs);
    } catch (err) {
      out.push(`${path}: ${existsSync(abs) ? (err as Error).message : "missing"}`);
      continue;
    }
    if (now !== sha) out.push(`${path}: sha256 ${sha.slice(0, 12)}… in the plan, ${now.slice(0, 12)}… now`);
  }
  return out;
}

/**
 * Nodes whose recorded hash is not the hash of what the plan file says they are (their kind, op,
 * parameters, inputs and file hashes): a plan edited by hand. The recipe then still compiles to the
 * recorded hashes, but the saved node — what would run — is another computation, and its results
 * would be cached under a hash that promises the recipe's.
 */
function editedNodes(plan: Plan): string[] {
  let now: Map<string, string>;
  try {
    now = hashNodes(plan.nodes, plan.engine);
  } catch (err) {
    return [`the nodes are not in an order that can be hashed (${(err as Error).message})`];
  }
  return plan.nodes.filter((n) => now.get(n.id) !== n.hash).map((n) => `~ ${n.id}: recorded hash ${n.hash.slice(0, 8)}, its parameters hash to ${now.get(n.id)!.slice(0, 8)}`);
}

/** What differs between the saved and the recompiled plan: nodes (id and hash), then gates (`expect` lines). */
function planDifferences(saved: Plan, now: Plan): string[] {
  const a = new Map(saved.nodes.map((n) => [n.id, n.hash]));
  const b = new Map(now.nodes.map((n) => [n.id, n.hash]));
  const out: string[] = [];
  for (const [id, h] of a) if (!b.has(id)) out.push(`- ${id}: no longer in the recipe`);
  else if (b.get(id) !== h) out.push(`~ ${id}: hash ${h.slice(0, 8)} in the plan, ${b.get(id)!.slice(0, 8)} now`);
  for (const id of b.keys()) if (!a.has(id)) out.push(`+ ${id}: new in the recipe`);
  // the gates are part of what the plan runs: a run of it must not judge by gates edited since
  for (const g of gateChanges(saved, now)) out.push(`${g.action} expect ${g.text}: ${g.action === "-" ? "no longer in the recipe" : "new in the recipe"}`);
  return out;
}

