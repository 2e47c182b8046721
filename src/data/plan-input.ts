// What the data layer builds from: the data nodes of a compiled plan (src/plan/lower.ts), never the
// recipe's blocks. A node carries its resolved parameters (every default filled once by the checker
// from src/check/kinds.ts), its inputs by id and its files by content hash; the data layer reads
// those and nothing else that decides an example.
//
// Seeds. Every random choice of the data layer (splits, template draws, mixture draws) is seeded by a
// node's *seed key*: the node's plan hash (src/plan/hash.ts, the one hashing scheme) taken with a
// fixed engine in place of alignc's version, so that upgrading alignc does not reshuffle data nobody
// changed. Like the plan hash it is invariant under renaming a block (names never enter: a reference
// hashes through the referenced node, a file through its sha256) and changes with anything the node
// computes from, so a cached stage can never be reused for examples a fresh run would not reproduce.
//
// The recipe is kept beside the plan for one job: locating diagnostics (the file and span of the
// block a node lowers). It is never read for a value.
import { isAbsolute, join, relative } from "node:path";
import type { CheckedRecipe } from "../check/ir.js";
import type { Span } from "../lang/ast.js";
import { canonicalJson, sha256Hex } from "../plan/canonical.js";
import { hashMaterial, hashNodes, type HashableNode } from "../plan/hash.js";
import { FileHashes } from "../plan/file-hashes.js";
import { lowerRecipe } from "../plan/lower.js";
import { topoSortNodes as topoSort } from "../common/graph.js";
import { expandVariants } from "../plan/variants.js";
import type { Json, Plan, PlanEngine, PlanFile } from "../plan/types.js";
import { CODES, fail } from "./diag.js";
import { findBlock } from "./ir.js";

/** A plan node as the data layer reads it (a lowered node, or a node of a saved plan). */
export interface DataNode extends HashableNode {
  block?: string; // the recipe block it lowers ("" for derived nodes shared by several)
}

export interface DataPlan {
  /** Only for diagnostics: where the block a node lowers is written. */
  readonly recipe: CheckedRecipe;
  /** The recipe's folder: `{ $file }` / `{ $dir }` parameters are relative to it. */
  readonly dir: string;
  /** The plan's seed: every node carries it as its `seed` parameter (lower.ts), read from there. */
  readonly seed: number;
  readonly nodes: ReadonlyMap<string, DataNode>;
  /** Seed keys by node id (see the top of this file). */
  readonly keys: ReadonlyMap<string, string>;
  readonly files: FileHashes;
  /** Builds of this plan by node seed key and options (build.ts): a mixture reads each component once.
   * Keys are content keys only (never a name), so `alignc check` shares one memo between a sweep's
   * variants (shared-builds.ts). */
  readonly memo: Map<string, Promise<unknown>>;
}

/** The engine seed keys are hashed with: fixed, so alignc's version never enters a seed. */
const SEED_ENGINE: PlanEngine = { alignc: "seed", epoch: 0 };

/** `ordered`: the nodes in topological order (topoSortNodes' order). The seed keys are hashed on first
 * use: a warm `alignc plan` whose sizes and truncation counts all come from the cache builds nothing
 * and reads none (FLAN scale: ~0.15 s of CPU for 3,700 nodes). */
function makeDataPlan(recipe: CheckedRecipe, ordered: readonly DataNode[], files: FileHashes, memo: Map<string, Promise<unknown>> = new Map()): DataPlan {
  let keys: Map<string, string> | undefined;
  return {
    recipe,
    dir: recipe.dir,
    seed: planSeed(ordered, recipe),
    nodes: new Map(ordered.map((n) => [n.id, n])),
    get keys() {
      return (keys ??= hashNodes(ordered, SEED_ENGINE));
    },
    files,
    memo,
  };
}

/** The seed the nodes carry (one value: lower.ts writes the recipe's into each), so that the recipe is read
 * for no value (audit38 #8); a plan of no node, the recipe's. */
function planSeed(nodes: readonly DataNode[], recipe: CheckedRecipe): number {
  const seeds = new Set(nodes.map((n) => n.params.seed));
  if (seeds.size === 0) return recipe.seed;
  const [seed] = seeds;
  if (seeds.size > 1 || typeof seed !== "number") fail(CODES.unsupported, `the plan's nodes carry ${seeds.size > 1 ? "several seeds" : "no numeric seed"}: plan the recipe again`, recipe.file, null);
  return seed as number;
}

const ofRecipe = new WeakMap<CheckedRecipe, DataPlan>();
const ofPlan = new WeakMap<Plan, DataPlan>();

/**
 * The data nodes of a checked recipe (one variant: no sweeps left): lowered as `alignc plan` lowers
 * them, once per recipe object. `alignc data`, check's contamination and truncation checks and the
 * planner's sizes build from these. `memo`: builds to share with other data plans (the variants of a
 * sweep, shared-builds.ts); used only where the recipe has no data plan yet.
 */
export function dataPlanOf(recipe: CheckedRecipe, files: FileHashes = new FileHashes(), memo?: Map<string, Promise<unknown>>): DataPlan {
  let dp = ofRecipe.get(recipe);
  if (!dp) {
    // a swept recipe is built as its first variant (what `alignc plan --variant` lists first); the run
    // and `alignc data --variant` build each variant from its own plan
    const first = expandVariants(recipe)[0]?.recipe ?? recipe;
    ofRecipe.set(recipe, (dp = makeDataPlan(first, topoSort(lowerRecipe(first, files).nodes), files, memo)));
  }
  return dp;
}

/**
 * The data plan of `recipe` (one variant: no sweeps left) from the nodes the planner has just lowered
 * from it with `files` and put in topological order (src/compile.ts): exactly what dataPlanOf would
 * lower again (lowering is a function of the recipe and the files' hashes, which `files` holds), so the
 * second lowering, sort and hashing of a FLAN-scale plan are not done twice. `recipe` has no sweeps
 * (a variant, or a recipe without any: what lowering accepts). A recipe that already has a data plan
 * keeps it.
 */
export function dataPlanFromLowered(recipe: CheckedRecipe, ordered: readonly DataNode[], files: FileHashes): DataPlan {
  let dp = ofRecipe.get(recipe);
  if (!dp) ofRecipe.set(recipe, (dp = makeDataPlan(recipe, ordered, files)));
  return dp;
}

/** The data nodes of a plan being run (`alignc run`, a saved plan.json): the plan's own nodes. */
export function dataPlanFromPlan(plan: Plan, recipe: CheckedRecipe): DataPlan {
  let dp = ofPlan.get(plan);
  if (!dp) ofPlan.set(plan, (dp = makeDataPlan(recipe, topoSort(plan.nodes), new FileHashes())));
  return dp;
}

/** Memoise a build of this plan (node seed key + options are the key; a failed build is forgotten). */
export function cached<T>(dp: DataPlan, key: string, make: () => Promise<T>): Promise<T> {
  let p = dp.memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    dp.memo.set(key, p);
    p.catch(() => dp.memo.delete(key));
  }
  return p;
}

/** The node of an id; a located error when the plan has none. */
export function nodeOf(dp: DataPlan, id: string): DataNode {
  const n = dp.nodes.get(id);
  if (n) return n;
  const b = dp.recipe.blocks.find((x) => x.name === id); // for the message only: why this block has no node
  if (b?.role === "candidates") fail(CODES.unsupported, `\`${id}\` holds candidate sets to label (\`alignc label\`), not training examples; train on the rankings source its \`labels\` names`, dp.recipe.file, b.decl.span);
  if (b) fail(CODES.unsupported, `\`${id}\` is a ${b.keyword}; it has no examples`, dp.recipe.file, b.decl.span);
  fail(CODES.unsupported, `no data node \`${id}\` in the plan of ${dp.recipe.file}`, dp.recipe.file, null, `nodes: ${[...dp.nodes.keys()].join(", ")}`);
}

/** The seed key of a node. */
export function keyOf(dp: DataPlan, id: string): string {
  const k = dp.keys.get(id);
  if (k === undefined) throw new Error(`data: no seed key for plan node ${id}`);
  return k;
}

/**
 * The seed key of a value a node's parameters hold (a reader call, a split's parameters): hashed as
 * the plan hashes parameters (references through their nodes' keys, files through their content).
 */
export function valueKey(dp: DataPlan, value: Json): string {
  const files: PlanFile[] = [];
  const collect = (v: Json): void => {
    if (v === null || typeof v !== "object") return;
    if (Array.isArray(v)) return v.forEach(collect);
    if (typeof v.$file === "string" && v.missing !== true) files.push({ path: v.$file, sha256: dp.files.hash(join(dp.dir, v.$file)) });
    for (const x of Object.values(v)) collect(x);
  };
  collect(value);
  const material = hashMaterial({ id: "", kind: "data", op: "value", params: { value }, inputs: [], files }, (id) => keyOf(dp, id), SEED_ENGINE);
  return sha256Hex(canonicalJson(material));
}

/** An absolute path from a `{ $file }` / `{ $dir }` parameter (not a parameter value: where the file is). */
export function pathOf(dp: DataPlan, v: Json | undefined, what: string): string {
  const rel = v !== null && typeof v === "object" && !Array.isArray(v) ? (v.$file ?? v.$dir) : typeof v === "string" ? v : undefined;
  if (typeof rel !== "string") fail(CODES.unsupported, `${what}: expected a file`, dp.recipe.file);
  return isAbsolute(rel) ? rel : join(dp.dir, rel);
}

/** A recipe value (absolute paths, as the checker resolves them) in the form a plan parameter has. */
export function planValue(dp: DataPlan, v: unknown): Json {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return isAbsolute(v) ? { $file: relative(dp.dir, v).split("\\").join("/") || "." } : v;
  if (typeof v !== "object") return v as Json;
  if (Array.isArray(v)) return v.map((x) => planValue(dp, x));
  const o = v as Record<string, unknown>;
  if (typeof o.$call === "string") return { $call: o.$call, args: (o.args as unknown[]).map((a) => planValue(dp, a)) };
  const out: { [k: string]: Json } = {};
  for (const [k, x] of Object.entries(o)) out[k] = typeof x === "string" ? x : planValue(dp, x);
  return out;
}

/** Where to point a diagnostic about a node (or one of its parameters): its block's span in the recipe. */
export function siteOf(dp: DataPlan, node: DataNode, prop?: string): { file: string; span: Span | null } {
  const name = node.block || node.id;
  // the recipe's block for its spans only (a derived node has none): no value is read from it
  if (!dp.recipe.blocks.some((b) => b.name === name)) return { file: dp.recipe.file, span: null };
  const b = findBlock(dp.recipe, name);
  const span = (prop ? b.propSpans[prop] : undefined) ?? b.decl.span;
  return { file: (prop ? b.propFiles?.[prop] : undefined) ?? b.file ?? dp.recipe.file, span };
}

/** Where the recipe writes a node's parameter, or null when it does not (a filled default, a derived node). */
export function declaredAt(dp: DataPlan, node: DataNode, prop: string): { file: string; span: Span } | null {
  const name = node.block || node.id;
  // the recipe's block for its spans only: whether the recipe wrote the property, and where
  if (!dp.recipe.blocks.some((b) => b.name === name)) return null;
  const b = findBlock(dp.recipe, name);
  const span = b.propSpans[prop];
  return span ? { file: b.propFiles?.[prop] ?? b.file ?? dp.recipe.file, span } : null;
}

/**
 * Where the recipe names the file a read node reads: a source's path argument (`jsonl("demos.jsonl")`),
 * a task's or stage's property that reads a file in place (`data = jsonl("rows.jsonl")`, node `X/data`).
 */
export function fileSiteOf(dp: DataPlan, node: DataNode): { file: string; span: Span | null } {
  const name = node.block || node.id;
  if (!dp.recipe.blocks.some((b) => b.name === name)) return { file: dp.recipe.file, span: null };
  if (node.id !== name) return siteOf(dp, node, node.id.slice(name.length + 1));
  const b = findBlock(dp.recipe, name);
  return { file: b.file ?? dp.recipe.file, span: b.decl.args?.[0]?.span ?? b.decl.span };
}
