// CheckedRecipe → Plan: lower, order, hash, estimate, check. One variant per call; a recipe with
// sweeps compiles each variant and folds them into one plan with a `variants` list.
import { basename } from "node:path";
import { alignVersion } from "../common/repo-root.js";
import type { CheckedRecipe, IRCondition, IRTerm, IRValue } from "../check/ir.js";
import { canonicalJson } from "./canonical.js";
import { type Diagnostic, DiagnosticError, hasErrors, sortDiagnostics } from "../lang/diagnostic.js";
import { runChecks } from "./checks.js";
import { PLAN_CODES } from "./codes.js";
import { estimateNodes } from "./estimate.js";
import { ENGINE_EPOCH, hashNodes } from "./hash.js";
import { FileHashes } from "./file-hashes.js";
import { lowerRecipe, type LoweredNode, type LowerResult } from "./lower.js";
import type { Throughput } from "./throughput.js";
import { topoSortNodes } from "../common/graph.js";
import { PLAN_FORMAT_VERSION, type DataSize, type Json, type Plan, type PlanEngine, type PlanNode, type TruncationEstimate } from "./types.js";
import { expandVariants, findVariant, mergeVariantPlans, variantDiagnostics, type Variant } from "./variants.js";

export interface CompilePlanOptions {
  /** Measured sizes of data nodes by node id (src/compile.ts fills them from the data layer); a
   * function gives them per variant (its full name; null for a recipe without sweeps). */
  sizes?: ReadonlyMap<string, DataSize> | ((variant: string | null) => ReadonlyMap<string, DataSize>);
  /** Truncation counts by stage block name (src/compile.ts, from the data layer), per variant as sizes. */
  truncation?: (variant: string | null) => ReadonlyMap<string, TruncationEstimate>;
  /** Backend the time estimates are for ("wasm", "cpu", "tensorflow"); none: no time estimates. */
  backend?: string;
  /** Achieved training FLOP/s of that backend, or a function of the model shape (src/plan/throughput.ts); null: no time estimates. */
  flopsPerSecond?: number | Throughput | null;
  /** Machine facts for the memory checks; leave out for machine-independent plans (goldens, tests). */
  machine?: { totalMemory: number; backend: string };
  /** Accept an estimate past the 30-day ceiling in a recipe without a time budget (`--no-budget`). */
  noBudget?: boolean;
  /** One variant of a swept recipe, by full name or by label ("kl_coef=0.05"). */
  variant?: string;
  /** Engine identity; defaults to this package's version and ENGINE_EPOCH (tests override it). */
  engine?: PlanEngine;
  /** Files read, shared between compilations of one recipe (each file hashed once). */
  files?: FileHashes;
  /** Lowered, ordered and hashed nodes by variant name ("" without sweeps), shared between two
   * compilations of the same CheckedRecipe object (src/compile.ts: once to find what to measure,
   * once with the sizes): sizes change estimates and checks, never the nodes or their hashes. */
  memo?: Map<string, Structure>;
  /** `expandVariants(recipe)` when the caller has it already (src/compile.ts plans one recipe twice). */
  variants?: Variant[];
  /** The nodes and their hashes only, without estimates or plan checks (every node's `estimates` is
   * empty, no diagnostic is returned): src/compile.ts's first pass, which reads nodes and hashes to
   * find what to measure and plans again with the sizes. */
  structureOnly?: boolean;
}

/** What a compilation computes before estimates: the part that does not depend on data sizes. */
export interface Structure {
  lowered: LowerResult;
  ordered: LoweredNode[];
  hashes: Map<string, string>;
}

export interface PlanResult {
  plan: Plan | null; // null when errors prevented a plan (see diagnostics)
  diagnostics: Diagnostic[];
}

/** The plan of a checked recipe, with every diagnostic found on the way (never throws on bad input). */
export function planRecipe(recipe: CheckedRecipe, opts: CompilePlanOptions = {}): PlanResult {
  const engine = opts.engine ?? engineVersion();
  const files = opts.files ?? new FileHashes();
  const variants = opts.variants ?? expandVariants(recipe);
  if (variants.length === 0) {
    if (opts.variant !== undefined)
      return { plan: null, diagnostics: [{ code: "AL4011", severity: "error", message: `${PLAN_CODES.AL4011}: ${opts.variant} (${recipe.name} has no sweep, so no variants)`, file: recipe.file, span: null }] };
    return compileOne(recipe, opts, engine, files, null);
  }
  if (opts.variant !== undefined) {
    const v = findVariant(variants, opts.variant);
    if (!v) {
      const names = variants.map((x) => x.name).join(", ");
      return { plan: null, diagnostics: [{ code: "AL4011", severity: "error", message: `${PLAN_CODES.AL4011}: ${opts.variant} (variants: ${names})`, file: recipe.file, span: null }] };
    }
    const r = compileOne(v.recipe, opts, engine, files, v.name);
    if (r.plan) r.plan.recipe = { ...r.plan.recipe, variant: v.name, bindings: v.bindings };
    return r;
  }
  const results: { variant: Variant; plan: Plan; diagnostics: Diagnostic[] }[] = [];
  for (const v of variants) {
    const r = compileOne(v.recipe, opts, engine, files, v.name);
    if (!r.plan) return { plan: null, diagnostics: r.diagnostics };
    results.push({ variant: v, plan: r.plan, diagnostics: r.diagnostics });
  }
  const diagnostics = variantDiagnostics(results.map((r) => ({ name: r.variant.name, diagnostics: r.diagnostics })));
  const merged = mergeVariantPlans(results.map((r) => ({ variant: r.variant, nodes: r.plan.nodes })));
  const plan: Plan = { ...results[0]!.plan, nodes: merged.nodes, variants: merged.variants };
  return { plan, diagnostics: sortDiagnostics(diagnostics) };
}

/** The plan, or a DiagnosticError carrying the errors (warnings are dropped: use planRecipe to see them). */
export function compilePlan(recipe: CheckedRecipe, opts: CompilePlanOptions = {}): Plan {
  const r = planRecipe(recipe, opts);
  if (!r.plan || hasErrors(r.diagnostics)) throw new DiagnosticError(r.diagnostics.filter((d) => d.severity === "error"));
  return r.plan;
}

/** Names of the variants of a recipe ([] when it has no sweep). */
export function variantNames(recipe: CheckedRecipe): string[] {
  return expandVariants(recipe).map((v) => v.name);
}

function compileOne(recipe: CheckedRecipe, opts: CompilePlanOptions, engine: PlanEngine, files: FileHashes, variant: string | null): PlanResult {
  const key = variant ?? "";
  let structure = opts.memo?.get(key);
  if (!structure) {
    const lowered = lowerRecipe(recipe, files);
    let ordered: LoweredNode[];
    try {
      ordered = topoSortNodes(lowered.nodes);
    } catch (err) {
      // the checker rejects reference cycles (AL2010); reaching this is a bug in the lowering
      throw new Error(`internal: ${(err as Error).message}`);
    }
    structure = { lowered, ordered, hashes: hashNodes(ordered, engine) };
    opts.memo?.set(key, structure);
  }
  const { lowered, ordered, hashes } = structure;
  if (opts.structureOnly) return { plan: planOf(recipe, engine, ordered, hashes, new Map()), diagnostics: [] };
  const estimates = estimateNodes(ordered, {
    sizes: (typeof opts.sizes === "function" ? opts.sizes(variant) : opts.sizes) ?? new Map(),
    ...(opts.truncation ? { truncation: opts.truncation(variant) } : {}),
    flopsPerSecond: opts.flopsPerSecond ?? null,
    backend: opts.backend ?? "",
  });
  const diagnostics = [
    ...lowered.diagnostics,
    ...runChecks({ recipe, nodes: ordered, hashes, estimates, lineage: lowered.lineage, ...(opts.machine ? { machine: opts.machine } : {}), noBudget: opts.noBudget === true }),
  ];
  return { plan: planOf(recipe, engine, ordered, hashes, estimates), diagnostics: sortDiagnostics(diagnostics) };
}

function planOf(recipe: CheckedRecipe, engine: PlanEngine, ordered: LoweredNode[], hashes: Map<string, string>, estimates: Map<string, PlanNode["estimates"]>): Plan {
  const nodes: PlanNode[] = ordered.map((n) => ({
    id: n.id,
    kind: n.kind,
    op: n.op,
    params: n.params,
    inputs: n.inputs,
    files: n.files,
    hash: hashes.get(n.id)!,
    estimates: estimates.get(n.id) ?? {},
    ...(n.block ? { block: n.block } : {}),
  }));
  const description = recipe.header.description;
  const expect = recipe.expects.map(gateText);
  return {
    version: PLAN_FORMAT_VERSION,
    recipe: { name: recipe.name, file: basename(recipe.file), seed: recipe.seed, ...(typeof description === "string" ? { description } : {}), expect },
    engine,
    nodes,
  };
}

/** An `expect` line as the plan records it: rendered from what it means, so that a layout `alignc fmt`
 * changes (`a<1.0` and `a < 1`) records one line (the text as written did: review38 M1); marked when it
 * holds at full size only. */
export function gateText(c: IRCondition): string {
  const value = (v: IRValue): string => {
    if (typeof v === "number") return String(v);
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const o = v as { $ref?: unknown; member?: unknown; $quantity?: unknown; unit?: unknown };
      if (typeof o.$ref === "string") return typeof o.member === "string" ? `${o.$ref}.${o.member}` : o.$ref;
      if (typeof o.$quantity === "number") return `${o.$quantity}${typeof o.unit === "string" ? o.unit : ""}`;
    }
    return canonicalJson(v as Json);
  };
  const side = (v: IRValue, terms: readonly IRTerm[] | undefined) => [value(v), ...(terms ?? []).map((t) => `${t.op} ${value(t.value)}`)].join(" ");
  const text = `${side(c.left, c.leftTerms)} ${c.op} ${side(c.right, c.rightTerms)}`;
  return c.fullSizeOnly ? `full_size: ${text}` : text;
}

let cachedEngine: PlanEngine | undefined;
/** alignc's version (src/common/repo-root.ts) and ENGINE_EPOCH. */
export function engineVersion(): PlanEngine {
  return (cachedEngine ??= { alignc: alignVersion(), epoch: ENGINE_EPOCH });
}
