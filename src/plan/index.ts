// The plan compiler's public API: CheckedRecipe → Plan (content-hashed DAG), diffs, the JSON Schema,
// rendering and goldens.
export { compilePlan, planRecipe, variantNames, engineVersion, type CompilePlanOptions, type PlanResult } from "./compile.js";
export { diffPlans, type PlanDiff, type DiffEntry, type Action, type ParamChange } from "./diff.js";
export { PLAN_SCHEMA, DIFF_SCHEMA, SCHEMAS } from "./schema.js";
export { renderPlan, renderDiff } from "./render.js";
export { goldenPath, goldenPlan, goldenText, writeGolden, readGolden, compareGolden, type GoldenComparison } from "./golden.js";
export { ENGINE_EPOCH, NOT_HASHED, hashMaterial } from "./hash.js";
export { canonicalJson } from "./canonical.js";
export { PLAN_CODES } from "./codes.js";
export { WASM_HEAP_BYTES } from "./estimate.js";
export { expandVariants, findSweeps } from "./variants.js";
export * from "./types.js";
