// runPlan: one `alignc run`. Prepares (cache lookup, data for the nodes to compute) before it
// writes anything, then creates the run directory, executes, keeps manifest.json current after
// every node, and writes report.html at the end, whatever the outcome.
import { createHash } from "node:crypto";
import { backendLabel } from "../common/tfjs-version.js";
import { alignVersion } from "../common/repo-root.js";
import type { IRCondition } from "../check/ir.js";
import type { Plan, PlanNode } from "../plan/types.js";
import { StageCache, defaultCacheRoot } from "./storage/cache.js";
import { GenerationCache } from "./storage/generation-cache.js";
import { clearFinishedCheckpoints } from "./storage/finished-checkpoints.js";
import { EXIT, Executor, PlanError } from "./executor.js";
import { cacheRootProblem } from "./storage/cache-root.js";
import { PlannedFiles } from "./storage/planned-files.js";
import type { HandlerTable } from "./handler.js";
import { createProgress, type Progress } from "./presentation/progress.js";
import { writeReport } from "./presentation/report.js";
import { describePlan } from "./presentation/plan-lines.js";
import { markActive, recordCacheUser } from "./storage/cache-users.js";
import { RunDir, hostInfo, peakRssBytes, type Contamination, type Manifest } from "./storage/rundir.js";
import { processStart } from "../common/fs-probe.js";
import { resolveWorkers } from "./nodes/parallel.js";
import { isInterruptedCode, onStopNow, signalWordsDuring } from "./storage/interrupt.js";
import { StopRequested } from "../common/stop-point.js";
import { recipeFolder } from "../check/recipe-folder.js";

export interface RunPlanOptions {
  plan: Plan;
  /** the checked recipe's identity and its `expect` conditions */
  recipe: { name: string; file: string; seed: number; expects: readonly IRCondition[] };
  handlers: HandlerTable;
  /** the backend the handlers run on: a name, or a session that selects one on first use */
  backend: string | { readonly requested: string; readonly selected: string | null };
  runsDir?: string;
  cacheRoot?: string;
  tiny?: boolean;
  force?: readonly string[];
  until?: string | null;
  variant?: string | null;
  progress?: Progress;
  interrupt?: { readonly requested: boolean; readonly exitCode?: number };
  /** called after prepare() when some node must be computed, before the run directory exists
   * (selects the backend, so an unavailable one is an error that leaves nothing behind) */
  beforeCompute?: () => Promise<unknown>;
  /** data-parallel replicas the training stages may use (recorded in the manifest; default 1) */
  workers?: number;
  /** write report.html at the end (default true) */
  report?: boolean;
  /** what the contamination check found (compile-run.ts), recorded in the manifest; absent: not checked */
  contamination?: Contamination;
}

export interface RunOutcome {
  exitCode: number;
  runDir: string;
  manifest: Manifest;
  /** the error that stopped the run (exit 1), already recorded in manifest.json */
  error: Error | null;
}


/** What a signal does while the run checks, plans and prepares its data (storage/interrupt.ts). */
export const PREPARING = { first: "stopping data preparation (nothing computed yet, nothing to save)", again: "stopping now (nothing computed yet)" };

/** The plan's identity: sha256 over its node hashes (what the `<hash8>` of a run id names). */
export function planHash(plan: Plan): string {
  // node hashes already cover parameters, inputs, files and engine; their list in order names the plan
  return createHash("sha256").update(plan.nodes.map((n) => `${n.id}=${n.hash}`).join("\n")).digest("hex");
}

function backendName(b: RunPlanOptions["backend"]): string {
  if (typeof b === "string") return b;
  return b.selected ?? `${b.requested} (not loaded: nothing to compute)`;
}

/**
 * Throws before creating anything when the plan cannot run (unknown --force/--until node, a stage cache
 * folder that is a file: PlanError;
 * bad data: DiagnosticError from the data layer). Otherwise returns the outcome with its exit code:
 * 0 ok, 1 a node failed, 3 expectations failed, 130 interrupted (129 when by SIGHUP).
 */
export async function runPlan(o: RunPlanOptions): Promise<RunOutcome> {
  const progress = o.progress ?? createProgress();
  const cache = new StageCache(o.cacheRoot ?? defaultCacheRoot(o.runsDir));
  // before anything is made: a cache that cannot exist fails the first node, in a run folder of its own
  const unusable = cacheRootProblem(cache.root);
  if (unusable !== null) {
    const fix = o.cacheRoot !== undefined ? "name another folder" : process.env.ALIGNC_CACHE ? "point ALIGNC_CACHE at a folder" : "move it away, or point ALIGNC_CACHE at another folder";
    throw new PlanError(`the stage cache ${unusable} (${fix}); nothing run, no run folder made`);
  }
  cache.sweep();
  new GenerationCache(cache.root).sweep();
  // from before any entry is read until the run ends: `alignc cache prune` keeps what this plan names
  const unmark = markActive(cache.root, o.plan.nodes.map((n) => n.hash));
  try {
    return await runMarked(o, cache, progress);
  } finally {
    unmark();
  }
}

async function runMarked(o: RunPlanOptions, cache: StageCache, progress: Progress): Promise<RunOutcome> {
  const exec = new Executor({
    plan: o.plan,
    expects: o.recipe.expects,
    handlers: o.handlers,
    cache,
    progress,
    interrupt: o.interrupt ?? { requested: false },
    backend: typeof o.backend === "string" ? o.backend : o.backend.requested,
    // recorded with each entry it computes, with the TensorFlow.js release (src/common/tfjs-version.ts)
    selectedBackend: () => {
      const b = typeof o.backend === "string" ? null : o.backend.selected;
      return b === null ? null : backendLabel(b);
    },
    tiny: o.tiny ?? false,
    force: o.force,
    until: o.until ?? null,
    // against the folder the plan's paths are relative to: the recipe's, its links followed (recipe-folder.ts)
    plannedFiles: new PlannedFiles(o.plan, recipeFolder(o.recipe.file)),
  });
  // a signal while the data is prepared stops the preparation: there is no step to finish and nothing to save
  const endPhase = signalWordsDuring(PREPARING);
  let misses: PlanNode[] = [];
  let stoppedPreparing = false;
  try {
    ({ misses } = await exec.prepare());
  } catch (err) {
    if (!(err instanceof StopRequested)) throw err;
    stoppedPreparing = true;
    misses = exec.stoppedPreparing();
  } finally {
    endPhase();
  }
  if (!stoppedPreparing && misses.length > 0 && o.beforeCompute) await o.beforeCompute();

  const hash = planHash(o.plan);
  const pidStart = processStart(process.pid);
  const run = RunDir.create(o.runsDir ?? "runs", o.recipe.name, hash); // --runs-dir: a run option, not a recipe parameter
  run.writePlan(o.plan);
  recordCacheUser(cache.root, o.runsDir ?? "runs"); // `alignc cache prune` keeps what this folder's runs name
  const manifest: Manifest = {
    alignc: alignVersion(),
    runId: run.id,
    recipe: { name: o.recipe.name, file: o.recipe.file },
    planHash: hash,
    variant: o.variant ?? null,
    created: new Date().toISOString(),
    finished: null,
    status: "running",
    pid: process.pid,
    ...(pidStart !== null ? { pidStart } : {}),
    exitCode: null,
    backend: backendName(o.backend),
    seed: o.recipe.seed,
    tiny: o.tiny ?? false,
    workers: resolveWorkers(o.workers), // a run option (--workers), not a recipe parameter: its one default is there
    options: { force: [...(o.force ?? [])], until: o.until ?? null },
    host: hostInfo(),
    cache: { root: cache.root, hits: 0, misses: 0 },
    peakRssBytes: peakRssBytes(),
    ...(o.contamination ? { contamination: o.contamination } : {}),
    nodes: [],
    expectations: [],
    error: null,
  };
  const save = () => {
    manifest.backend = backendName(o.backend);
    manifest.nodes = exec.nodeRecords;
    manifest.expectations = exec.expectations;
    Object.assign(manifest.cache, exec.cacheCounts);
    manifest.peakRssBytes = peakRssBytes();
    run.writeManifest(manifest);
  };
  exec.onChange = save;
  progress.info(`run ${run.path}`);
  for (const line of describePlan(o.plan.nodes, exec.nodeRecords, misses, o.force ?? [], cache, exec.inputs)) progress.info(line);
  save();

  const end = (code: number) => {
    manifest.finished = new Date().toISOString();
    manifest.exitCode = code;
    manifest.status = code === EXIT.ok ? "ok" : isInterruptedCode(code) ? "interrupted" : code === EXIT.expectations ? "expectations_failed" : "failed";
    save();
  };
  if (stoppedPreparing) {
    // recorded, not left as an empty folder that says nothing: no node was started, nothing was saved
    manifest.interrupted = "data preparation";
    progress.stop();
    end(o.interrupt?.exitCode ?? EXIT.interrupted);
    if (o.report !== false) writeReport(run.path);
    return { exitCode: manifest.exitCode!, runDir: run.path, manifest, error: null };
  }
  // checkpoints (and the lock) of a reused node that a run killed after writing its entry left (finished-checkpoints.ts)
  for (const r of exec.nodeRecords.filter((r) => r.status === "cached"))
    for (const k of await clearFinishedCheckpoints(cache, r.hash)) progress.info(`${r.label}: kept files alignc did not write, found where it removed its own: ${k.files.join(", ")} (in ${k.path})`);
  // a second Ctrl-C exits at once: the run is still recorded as interrupted, not left "running"
  // (which `alignc runs` shows as dead), and the locks of its nodes are released
  const offStopNow = onStopNow((code) => {
    exec.stopNow();
    end(code);
  });
  let exitCode: number;
  let error: Error | null = null;
  try {
    exitCode = await exec.execute(run);
  } catch (err) {
    error = err as Error;
    exitCode = EXIT.failed;
    manifest.error = error.message;
  } finally {
    offStopNow();
    progress.stop();
  }
  end(exitCode);
  if (o.report !== false) writeReport(run.path);
  return { exitCode, runDir: run.path, manifest, error };
}
