// The library entry: `import { compile, run } from "alignc"`. Each area re-exports its public API here.
export type * from "./lang/ast.js";
export type { Diagnostic, Severity } from "./lang/diagnostic.js";
export type * from "./check/ir.js";
export { parseRecipe } from "./lang/parse.js";
export { printRecipe } from "./lang/print.js";
export { renderDiagnostics, diagnosticsJson } from "./lang/render.js";
export { SYNTAX_CODES } from "./lang/codes.js";
export { checkRecipeFile, checkRecipeText, CODES as CHECK_CODES, type CheckResult } from "./check/index.js";
export { KINDS, HEADER_PROPS, METRICS, BUDGETS, COMPONENT_CLAUSES } from "./check/kinds.js";
export { compile, measureData, type CompileOptions, type CompileResult } from "./compile.js";
export { compilePlan, planRecipe, diffPlans, renderPlan, renderDiff, PLAN_SCHEMA, DIFF_SCHEMA, PLAN_CODES, goldenPath, compareGolden, goldenText, writeGolden, ENGINE_EPOCH, type Plan, type PlanNode, type PlanDiff, type DiffEntry, type CompilePlanOptions } from "./plan/index.js";
export { exportRecipe, exportRecipeFile, compileExport, writeExportDirLocked, validateExport, loadSurfaces, EXPORT_CODES, TARGETS as EXPORT_TARGETS, TARGET_VERSIONS as EXPORT_TARGET_VERSIONS, type Target as ExportTarget, type ExportOptions, type ExportResult, type ExportFile } from "./export/index.js";
export { buildExamples, buildPrompts, countExamples, recipeTokenizer, readRows, renderFlan, loadTemplateDir, loadFlanTemplates, loadPromptsource, readDemonstrations, readRankings, expandRankings, mix, handlebarsChat, hfChat, formatExample, tokenizeExample, byteLevel, trainBpe, bpeTokenizer, gpt2, DataError, DATA_CODES, type SFTExample, type TokenizedExample, type ComparisonGroup, type TextCorpus, type PromptResponse, type BuiltData, type DataStats, type Tokenizer, type ChatFormat, type BuildOptions } from "./data/index.js";
export { runPlan, runRecipe, compileForRun, createHandlers, StageCache, RunDir, listRuns, findRun, writeReport, renderReport, diffRunMetrics, renderRunMetricDiff, tinyRecipe, winRate, ruleOutcome, EXIT as RUN_EXIT, type RunPlanOptions, type RunOutcome, type RunRecipeOptions, type Manifest, type RunMetricDiff } from "./run/index.js";
export * as train from "./train/index.js";
export { loadLabelConfig, drawSamples, LabelSession, startLabelServer, labelStats, statsText as labelStatsText, LABEL_FLAGS, type LabelConfig, type LabelServer, type LabelStats, type LabelLine } from "./label/index.js";
