// One call from a recipe path to a finished run: compile (check, --tiny, plan), refuse bad input
// before anything is written, then runPlan with the real node handlers. Used by `alignc run` and
// `alignc test`.
import type { CheckedRecipe } from "../check/ir.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { DiagnosticError } from "../lang/diagnostic.js";
import { compileForRun, type RunInput } from "./compile-run.js";
import { PlanError } from "./executor.js";
import type { Interrupt } from "./storage/interrupt.js";
import { backendSession, createHandlers } from "./nodes/index.js";
import { resolveWorkers } from "./nodes/parallel.js";
import type { Progress } from "./presentation/progress.js";
import { PREPARING, runPlan, type RunOutcome } from "./run-plan.js";
import { signalWordsDuring } from "./storage/interrupt.js";

export interface RunRecipeOptions {
  backend?: string;
  tiny?: boolean;
  force?: string[];
  until?: string | null;
  variant?: string;
  runsDir?: string;
  cacheRoot?: string;
  progress?: Progress;
  interrupt?: Interrupt | { readonly requested: boolean };
  /** accept a time estimate past the 30-day ceiling when the recipe declares no time budget (`--no-budget`) */
  noBudget?: boolean;
  /** data-parallel replicas for pretrain, SFT, reward_model, DPO and PPO's updates on wasm/cpu (src/run/nodes/parallel.ts); default auto: the number of cores (see resolveWorkers) */
  workers?: number | "auto";
}

export type RunRecipeResult =
  | { ok: true; outcome: RunOutcome; diagnostics: Diagnostic[]; sources: Map<string, string> }
  | { ok: false; diagnostics: Diagnostic[]; sources: Map<string, string>; message: string | null; /** the command line asked for what cannot be: exit 2 */ usage?: true };

export async function runRecipe(path: string, o: RunRecipeOptions = {}): Promise<RunRecipeResult> {
  // checking and planning read the data too: a signal then stops at the first stop point of prepare()
  const endPhase = signalWordsDuring(PREPARING);
  let input: RunInput;
  try {
    input = await compileForRun(path, { tiny: o.tiny, variant: o.variant, backend: o.backend, noBudget: o.noBudget });
  } finally {
    endPhase();
  }
  return runCompiled(path, input, o);
}

/** Run a compiled plan with the real handlers; `input.recipe` is the (variant's) recipe the data layer builds from. */
export async function runCompiled(path: string, input: RunInput, o: RunRecipeOptions = {}): Promise<RunRecipeResult> {
  const { recipe, plan, diagnostics, sources } = input;
  const sweep = input.sweep ?? plan?.variants?.map((v) => v.name) ?? [];
  if (recipe && sweep.length > 0) return { ok: false, diagnostics, sources, message: `${path} sweeps ${sweep.length} variants; run one with --variant NAME (${sweep.join(", ")})`, usage: true };
  if (!recipe || !plan) return { ok: false, diagnostics, sources, message: null };
  if (o.backend !== undefined && !["auto", "tensorflow", "wasm", "cpu"].includes(o.backend)) return { ok: false, diagnostics, sources, message: `--backend ${o.backend}: choose one of auto, tensorflow, wasm, cpu`, usage: true };
  // `expect full_size { … }` gates hold at full size only: a --tiny run says it skips them
  const expects = o.tiny ? recipe.expects.filter((c) => !c.fullSizeOnly) : recipe.expects;
  for (const c of recipe.expects) if (o.tiny && c.fullSizeOnly) o.progress?.info(`expect full_size (skipped by --tiny): ${c.text}`);
  for (const note of input.notes ?? []) o.progress?.info(note);
  if (o.workers !== undefined && o.workers !== "auto" && !(Number.isInteger(o.workers) && o.workers >= 1)) return { ok: false, diagnostics, sources, message: `--workers ${o.workers}: a positive whole number or auto`, usage: true };
  const workers = resolveWorkers(o.workers);
  // --backend, else the recipe header's `backend` (the checker filled its default from HEADER_PROPS)
  const session = backendSession(o.backend ?? headerBackend(recipe), (l) => o.progress?.info(l));
  try {
    const outcome = await runPlan({
      plan,
      recipe: { name: recipe.name, file: recipe.file, seed: recipe.seed, expects },
      handlers: createHandlers({ recipe, backend: session, workers }),
      workers,
      backend: session,
      runsDir: o.runsDir,
      cacheRoot: o.cacheRoot,
      tiny: o.tiny,
      force: o.force,
      until: o.until ?? null,
      variant: plan.recipe.variant ?? o.variant ?? null,
      progress: o.progress,
      interrupt: o.interrupt,
      beforeCompute: () => session.ensure(),
      ...(input.contamination ? { contamination: input.contamination } : {}),
    });
    return { ok: true, outcome, diagnostics, sources };
  } catch (err) {
    if (err instanceof DiagnosticError) return { ok: false, diagnostics: [...diagnostics, ...err.diagnostics], sources, message: null };
    if (err instanceof PlanError) return { ok: false, diagnostics, sources, message: err.message, ...(err.usage ? { usage: true as const } : {}) };
    if ((err as Error).name === "BackendUnavailableError") return { ok: false, diagnostics, sources, message: (err as Error).message };
    throw err;
  }
}

/** The checked recipe's resolved `backend` header property; a recipe that lacks it was not checked by this alignc. */
function headerBackend(recipe: CheckedRecipe): string {
  const b = recipe.header.backend;
  if (typeof b !== "string") throw new Error(`internal: recipe ${recipe.name} has no resolved \`backend\` (the checker fills it from HEADER_PROPS)`);
  return b;
}
