// The library pipeline, as the compiler reads: recipe file → parse → check → lower → plan.
//
//   const { plan, diagnostics } = await compile("recipes/quickstart.align");
//
// Parsing and checking (src/lang, src/check; `extends` resolved there), then the data layer's cheap
// sizes (src/data countExamples: row counts, token lengths of a sample) and its contamination check
// (src/data/leaks.ts: AL3070 warnings for eval prompts found in training pools), then the plan compiler
// (src/plan: lowering to nodes, content hashes, estimates, cross-stage checks). Never throws on bad
// input: every problem is a Diagnostic.
import { createRequire } from "node:module";
import { totalmem } from "node:os";
import { checkRecipeFile } from "./check/index.js";
import type { CheckedRecipe } from "./check/ir.js";
import type { countExamples as CountExamples } from "./data/stats.js";
import { DiagnosticError, type Diagnostic, dedupeDiagnostics, sortDiagnostics } from "./lang/diagnostic.js";
import { planRecipe, type CompilePlanOptions, type Structure } from "./plan/compile.js";
import { PLAN_CODES } from "./plan/codes.js";
import { refId } from "./plan/estimate.js";
import { FileHashes } from "./plan/file-hashes.js";
import { DigestCache } from "./plan/digest-cache.js";
import { SizesCache } from "./plan/sizes-cache.js";
import { TruncationCache, truncationMemo } from "./plan/truncation-cache.js";
import { flopsPerSecond } from "./plan/throughput.js";
import type { DataSize, Plan, TruncationEstimate } from "./plan/types.js";
import { expandVariants, findSweeps, findVariant } from "./plan/variants.js";
import { tasksReadingRows } from "./data/task-rows.js";
import { defaultTokenizerId } from "./plan/default-tokenizer.js";
import type { Tokenizer } from "./data/types.js";
import { dataPlanFromPlan, keyOf } from "./data/plan-input.js";

export interface CompileOptions {
  /** Backend for time estimates and the wasm memory cap: auto | tensorflow | wasm | cpu (default: the recipe's, else auto). */
  backend?: string;
  /** One variant of a swept recipe (full name or label); default: all variants folded into one plan. */
  variant?: string;
  /** Measure data sizes with the data layer (default true); false gives a plan without sizes, faster. */
  measure?: boolean;
  /** Check the memory estimate against this machine (default true); false for machine-independent plans (goldens). */
  machine?: boolean;
  /** Cache measured data sizes by node hash (src/plan/sizes-cache.ts) and file content hashes by stat data (src/plan/digest-cache.ts); default true. */
  cache?: boolean;
  /** Check for contamination (AL3070 warnings, src/data/leaks.ts; default true): reads the recipe's data. */
  leaks?: boolean;
  /** Count what truncation cuts at each stage (AL3032 warnings over 1%, src/data/truncation-report.ts; default true): reads the recipe's data. */
  truncation?: boolean;
  /** Accept a time estimate past the 30-day ceiling when the recipe declares no time budget (`--no-budget`). */
  noBudget?: boolean;
  /** A rewrite of the checked recipe before it is planned (e.g. `alignc run --tiny` scaling). */
  rewrite?: (recipe: CheckedRecipe) => CheckedRecipe;
}

export interface CompileResult {
  recipe: CheckedRecipe | null;
  plan: Plan | null; // null when the recipe has errors that prevent a plan
  diagnostics: Diagnostic[];
  sources: Map<string, string>; // files read, for rendering carets
  backend: string; // the backend time estimates are for
  /** Wall and CPU milliseconds per phase, for benchmarks (on a shared machine wall time includes waiting for a core). */
  timings: { check_ms: number; lower_ms: number; measure_ms: number; plan_ms: number; cpu: { check_ms: number; lower_ms: number; measure_ms: number; plan_ms: number } };
}

export async function compile(path: string, opts: CompileOptions = {}): Promise<CompileResult> {
  const timings = { check_ms: 0, lower_ms: 0, measure_ms: 0, plan_ms: 0, cpu: { check_ms: 0, lower_ms: 0, measure_ms: 0, plan_ms: 0 } };
  let t = performance.now();
  let c = process.cpuUsage();
  const lap = (k: "check_ms" | "lower_ms" | "measure_ms" | "plan_ms"): void => {
    const now = performance.now();
    const cpu = process.cpuUsage(c);
    timings[k] += now - t;
    timings.cpu[k] += (cpu.user + cpu.system) / 1000;
    t = now;
    c = process.cpuUsage();
  };
  // parse → check
  const checked = await checkRecipeFile(path);
  lap("check_ms");
  const { sources } = checked;
  const recipe = checked.recipe && opts.rewrite ? opts.rewrite(checked.recipe) : checked.recipe;
  const diagnostics = [...checked.diagnostics];
  const backend = resolveBackend(opts.backend, recipe);
  if (!recipe) return { recipe, plan: null, diagnostics, sources, backend, timings };

  // lower → (data sizes) → plan
  const files = new FileHashes(opts.cache === false ? null : new DigestCache(recipe.dir));
  const base: CompilePlanOptions = {
    backend,
    flopsPerSecond: flopsPerSecond(backend),
    files,
    memo: new Map<string, Structure>(),
    variants: expandVariants(recipe), // walked for sweeps once (a FLAN-scale recipe has 1,836 blocks)
    ...(opts.variant !== undefined ? { variant: opts.variant } : {}),
    ...(opts.machine === false ? {} : { machine: { totalMemory: totalmem(), backend } }),
    ...(opts.noBudget ? { noBudget: true } : {}),
  };
  if (opts.measure !== false) {
    const bySizes = new Map<string | null, ReadonlyMap<string, DataSize>>();
    const byCuts = new Map<string | null, ReadonlyMap<string, TruncationEstimate>>();
    const variants = base.variants!;
    const targets = variants.length === 0 ? [{ name: null, recipe }] : variants.filter((v) => opts.variant === undefined || v === findVariant(variants, opts.variant));
    // sweeps of training hyperparameters leave every data size as it is: measure the first variant only
    const shared = targets.length > 1 && !sweepsTouchData(recipe);
    for (const target of shared ? targets.slice(0, 1) : targets) {
      // the nodes (and their ids) of this variant, without sizes; kept in base.memo for the final pass
      const shape = planRecipe(recipe, { ...base, ...(target.name !== null ? { variant: target.name } : {}), machine: undefined, structureOnly: true }).plan;
      lap("lower_ms");
      if (!shape) continue;
      // the data layer builds from this recipe's data nodes: the ones just lowered (with the files hashed
      // here, each file read once), not lowered again
      const structure = base.memo!.get(target.name ?? "");
      const { dataPlanOf, dataPlanFromLowered } = await import("./data/plan-input.js");
      if (structure) dataPlanFromLowered(target.recipe, structure.ordered, files); // target.recipe has no sweeps: a variant, or a recipe without any
      else dataPlanOf(target.recipe, files);
      const { sizes, diagnostics: ds } = await measureData(target.recipe, shape, opts.cache === false ? null : new SizesCache());
      lap("measure_ms");
      bySizes.set(target.name, sizes);
      diagnostics.push(...ds);
      // what truncation to each stage's max_length cuts (AL3032 over 1%), from the same data
      if (opts.truncation !== false) {
        const cuts = await measureTruncation(target.recipe, shape, opts.cache === false ? null : new TruncationCache());
        byCuts.set(target.name, cuts.counts);
        diagnostics.push(...cuts.diagnostics);
        lap("measure_ms");
      }
    }
    base.sizes = (variant) => (shared ? bySizes.values().next().value : bySizes.get(variant)) ?? new Map();
    base.truncation = (variant) => (shared ? byCuts.values().next().value : byCuts.get(variant)) ?? new Map();
    // the contamination check reads the same data the sizes did (cached per recipe by the data layer)
    if (opts.leaks !== false) {
      const [{ leakWarnings }, { LeakCache }] = await Promise.all([import("./data/leaks.js"), import("./data/leak-cache.js")]);
      diagnostics.push(...(await leakWarnings(recipe, opts.cache === false ? null : new LeakCache())));
      lap("measure_ms");
    }
  }
  const planned = planRecipe(recipe, base);
  files.save();
  lap("plan_ms");
  diagnostics.push(...planned.diagnostics);
  return { recipe, plan: planned.plan, diagnostics: sortDiagnostics(dedupeDiagnostics(diagnostics)), sources, backend, timings };
}

/**
 * Above this many sources, tasks and mixtures, only the stages' data is measured (what estimates and
 * the context check need): per-block sizes are display detail, and a FLAN-scale recipe (1,836 tasks)
 * would spend seconds on them.
 */
export const MEASURE_BLOCKS_MAX = 100;

/**
 * Sizes of the plan's data nodes from the data layer: sources, tasks and mixtures by block name,
 * and each stage's tokenized data (formatted with the stage's chat format, tokenized with its
 * model's tokenizer) under its tokenize node's id. Data errors become diagnostics.
 */
export async function measureData(recipe: CheckedRecipe, plan: Plan, cache: SizesCache | null = null): Promise<{ sizes: Map<string, DataSize>; diagnostics: Diagnostic[] }> {
  const sizes = new Map<string, DataSize>();
  const diagnostics: Diagnostic[] = [];
  const hashOf = new Map(plan.nodes.map((n) => [n.id, n.hash]));
  // the data layer (Handlebars, Jinja, tokenizers: ~100 ms of module loading) is loaded on the first cache miss only
  let data: Promise<{ countExamples: typeof CountExamples; recipeTokenizer: typeof import("./data/recipe-tokenizer.js").recipeTokenizer }> | undefined;
  const dataLayer = () =>
    (data ??= Promise.all([import("./data/stats.js"), import("./data/recipe-tokenizer.js")]).then(([stats, tok]) => ({ countExamples: stats.countExamples, recipeTokenizer: tok.recipeTokenizer })));
  // A source, task or mixture is counted in the tokens of the recipe's default tokenizer (recipeTokenizer:
  // src/plan/default-tokenizer.ts), which its own hash does not cover: its entry is keyed by that
  // tokenizer's hash too, or a recipe that changed tokenizer showed the other tokenizer's counts from
  // the cache. A stage's tokenize node names its own.
  const dp = dataPlanFromPlan(plan, recipe);
  const counting = defaultTokenizerId(plan.nodes, (id) => keyOf(dp, id));
  const countedWithHash = (counting !== undefined ? hashOf.get(counting) : undefined) ?? "byte_level";
  // `also`: what else the count reads that the node's hash does not cover (a pretrain stage's holdout)
  const sizeKey = (id: string, byDefaultTokenizer: boolean, also = ""): string | undefined => {
    const nodeHash = hashOf.get(id);
    if (nodeHash === undefined) return undefined;
    return `${nodeHash}${byDefaultTokenizer ? `\ncounted with ${countedWithHash}` : ""}${also}`;
  };
  const measure = async (id: string, block: string, o: Parameters<typeof CountExamples>[2] = {}, byDefaultTokenizer = false, also = ""): Promise<void> => {
    if (sizes.has(id)) return;
    const hash = sizeKey(id, byDefaultTokenizer, also);
    const hit = hash !== undefined ? cache?.get(hash) : undefined;
    if (hit) {
      sizes.set(id, hit);
      return;
    }
    try {
      const s = await (await dataLayer()).countExamples(recipe, block, o);
      const size: DataSize = {
        examples: s.examples,
        tokens: s.tokens,
        max_tokens: s.maxTokens,
        ...(s.lengths ? { lengths: s.lengths } : {}),
        heldout: s.heldout,
        ...(s.comparisons !== undefined ? { comparisons: s.comparisons } : {}),
        ...(s.responses !== undefined ? { responses: s.responses } : {}),
        ...(s.estimated ? { estimated: true as const } : {}),
      };
      sizes.set(id, size);
      if (hash !== undefined) cache?.set(hash, size);
    } catch (err) {
      if (err instanceof DiagnosticError) diagnostics.push(...err.diagnostics);
      else diagnostics.push({ code: "AL4013", severity: "warning", message: `${PLAN_CODES.AL4013}: ${id}: ${(err as Error).message}`, file: recipe.file, span: null });
    }
  };
  // a candidates source is read by `alignc label`, not trained on: it is no plan node and has no size
  // and rows only tasks read are sized as those tasks' examples (src/data/task-rows.ts)
  const dataBlocks = recipe.blocks.filter((b) => (b.keyword === "source" && b.role !== "candidates" && !tasksReadingRows(recipe, b.name)) || b.keyword === "task" || b.keyword === "mixture");
  if (dataBlocks.length <= MEASURE_BLOCKS_MAX) for (const b of dataBlocks) await measure(b.name, b.name, {}, true);
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  for (const n of plan.nodes) {
    if (n.kind !== "stage" || !n.block) continue;
    for (const prop of ["data", "prompts", "ptx_data"]) {
      const tok = byId.get(refId(n.params[prop]) ?? "");
      if (!tok || tok.op !== "tokenize") continue;
      const tokenizer = refId(tok.params.tokenizer);
      // a pretrain stage holds out its own share of the corpus (data/stats.ts), a parameter of the stage, not
      // of its tokenize node: its held-out count came back from another recipe's holdout (review38 H1)
      const also = n.op === "pretrain" && prop === "data" ? `\nheld out ${JSON.stringify(n.params.holdout ?? null)}` : "";
      const key = sizeKey(tok.id, false, also);
      if (sizes.has(tok.id) || (cache && key !== undefined && cache.get(key))) {
        await measure(tok.id, n.block, {}, false, also); // from the cache: no tokenizer needed (a BPE one would be trained)
        continue;
      }
      // a BPE tokenizer is trained here from its corpus: a corpus that cannot be read (a row without its
      // text field, bytes that are not UTF-8) is the data layer's located diagnostic, as in measure (exit 70 before)
      let built: Tokenizer | undefined;
      try {
        built = tokenizer ? await (await dataLayer()).recipeTokenizer(recipe, tokenizer) : undefined;
      } catch (err) {
        if (!(err instanceof DiagnosticError)) throw err;
        diagnostics.push(...err.diagnostics);
        continue;
      }
      await measure(tok.id, n.block, { prop, ...(built ? { tokenizer: built } : {}) }, false, also);
    }
  }
  return { sizes, diagnostics };
}

/** Truncation counts of a recipe's stages by block name, as the plan carries them (src/data/truncation-report.ts),
 * through the memo `alignc check` shares (src/plan/truncation-cache.ts). */
export async function measureTruncation(recipe: CheckedRecipe, plan: Plan, cache: TruncationCache | null): Promise<{ counts: Map<string, TruncationEstimate>; diagnostics: Diagnostic[] }> {
  const { truncationReport } = await import("./data/truncation-report.js");
  const hashOf = new Map(plan.nodes.filter((n) => n.kind === "stage").map((n) => [n.block ?? n.id, n.hash]));
  const r = await truncationReport(recipe, cache ? truncationMemo(cache, (stage) => hashOf.get(stage)) : undefined);
  const counts = new Map(
    r.counts.map((t) => [t.stage, { examples: t.examples, lose_prompt: t.losePrompt, lose_response: t.loseResponse, max_length: t.maxLength, truncate: t.policy, ...(t.sampled ? { sampled: true as const } : {}) }]),
  );
  return { counts, diagnostics: r.diagnostics };
}

/** Whether a sweep changes what the data layer measures: data blocks, tokenizers, a model's tokenizer or
 * context (the default max_length), or a stage's data, format, max_length, truncate, init (which picks
 * the model, so the tokenizer) or holdout (a pretraining stage's held-out share of its text). */
function sweepsTouchData(recipe: CheckedRecipe): boolean {
  const blocks = new Map(recipe.blocks.map((b) => [b.name, b]));
  return findSweeps(recipe).some((s) => {
    const b = blocks.get(s.block);
    if (!b) return true; // the header: seed changes splits and samples
    const prop = s.path[0] ?? "";
    if (b.keyword === "stage") return ["data", "prompts", "ptx_data", "format", "max_length", "truncate", "init", "holdout"].includes(prop);
    if (b.keyword === "model") return prop === "tokenizer" || prop === "context";
    return b.keyword !== "eval";
  });
}

/** auto → tensorflow when @tensorflow/tfjs-node(-gpu) is installed, else wasm (src/train picks the same way).
 * The "auto" below is not a parameter default: the header's default is filled by the checker; `recipe` is
 * null only for commands that plan no recipe, where "auto" means "what this machine has". */
export function resolveBackend(asked: string | undefined, recipe: CheckedRecipe | null): string {
  const want = asked && asked !== "auto" ? asked : typeof recipe?.header.backend === "string" && recipe.header.backend !== "auto" ? recipe.header.backend : "auto";
  if (want !== "auto") return want;
  const require = createRequire(import.meta.url);
  for (const pkg of ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"]) {
    try {
      require.resolve(pkg);
      return "tensorflow";
    } catch {
      // not installed: next
    }
  }
  return "wasm";
}
