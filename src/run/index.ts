// The executor's public API (`import { runPlan } from "alignc"`): run a compiled plan against the
// stage cache into a run directory; read runs back (report, listing, metric diff).
export { runPlan, planHash, type RunPlanOptions, type RunOutcome } from "./run-plan.js";
export { alignVersion } from "../common/repo-root.js";
export { compileForRun, type RunInput } from "./compile-run.js";
export { runRecipe, type RunRecipeOptions, type RunRecipeResult } from "./run-recipe.js";
export { Executor, PlanError, EXIT } from "./executor.js";
export { ancestors, descendants } from "../common/graph.js";
export type { NodeHandler, NodeContext, NodeResult, NodeOutput, HandlerTable } from "./handler.js";
export { createHandlers, backendSession, type BackendSession, type HandlerEnv } from "./nodes/index.js";
export { StageCache, defaultCacheRoot, type CacheEntry, type EntryMeta, type Checkpoint } from "./storage/cache.js";
export { acquireLock, LockTimeoutError, type Lock } from "./storage/lock.js";
export { RunDir, runId, readJsonl, type Manifest, type NodeRecord, type MetricRow, type SampleRow } from "./storage/rundir.js";
export { renderReport, writeReport } from "./presentation/report.js";
export { listRuns, findRun, type RunSummary } from "./presentation/list.js";
export { diffRunMetrics, renderRunMetricDiff, type RunMetricDiff, type MetricDiffRow } from "./evaluation/metrics-diff.js";
export { evaluateCondition, conditionBlocks } from "./evaluation/expect.js";
export { winRate, wilson, type WinRate } from "./evaluation/stats.js";
export { ruleClass, ruleOutcome } from "./evaluation/rule-judge.js";
export { tinyRecipe, TINY } from "./tiny.js";
export { createProgress, type Progress, type StageProgress } from "./presentation/progress.js";
export { Interrupt } from "./storage/interrupt.js";
