// From a recipe path to what runPlan needs: check (with `extends`), the --tiny scaling, the plan
// (with the data layer's sizes, so PLAN's cross-stage checks — context fits the longest example,
// memory, budgets — run before any compute). Never throws on bad input: diagnostics instead.
import { totalmem } from "node:os";
import { checkRecipeFile } from "../check/index.js";
import type { CheckedRecipe } from "../check/ir.js";
import { measureData, resolveBackend } from "../compile.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { dedupeDiagnostics, hasErrors, sortDiagnostics } from "../lang/diagnostic.js";
import { BaseFormats, baseFormatDiagnostic } from "../plan/base-format.js";
import { planRecipe } from "../plan/compile.js";
import { flopsPerSecond } from "../plan/throughput.js";
import { expandVariants, findVariant } from "../plan/variants.js";
import type { Plan } from "../plan/types.js";
import type { Contamination } from "./storage/rundir.js";
import { tinyRaised, tinyRecipe } from "./tiny.js";

export interface RunInput {
  /** the recipe the plan was compiled from: for a variant, the sweep-free recipe of that variant
   * (its swept properties bound), which is what the data layer must build examples from */
  recipe: CheckedRecipe | null;
  plan: Plan | null;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  /** the contamination check of the recipe that runs (src/data/leaks.ts): absent when it was not made
   * (`alignc label`'s cut recipe) */
  contamination?: Contamination;
  /** what --tiny did that the recipe's numbers do not show (tiny.ts tinyRaised), said as the run starts */
  notes?: string[];
  /** a sweep asked for without a variant: the variants' names, and no plan (run one with --variant) */
  sweep?: string[];
}

/**
 * The recipe cut down to one block and the blocks it depends on (no expects, no budget): what
 * `alignc label` plans to draw a `samples(…)` source before any label exists (the rankings source that
 * will read the labels has no file yet). Node hashes are content hashes, so they equal the full plan's
 * (a base model's chat format, which stages the cut drops decide, is written into the cut: below).
 */
export function onlyBlock(recipe: CheckedRecipe, name: string): CheckedRecipe {
  // recipe blocks, not plan nodes: the cut is made before planning (it decides what gets planned) and
  // follows names and dependencies; only the base format below reads values (format references)
  const byName = new Map(recipe.blocks.map((b) => [b.name, b]));
  const keep = new Set<string>();
  const stack = [name];
  while (stack.length) {
    const n = stack.pop()!;
    if (keep.has(n) || !byName.has(n)) continue;
    keep.add(n);
    const b = byName.get(n)!;
    // a candidates source names its labels' source for `alignc label`, not as an input: not followed
    const { labels: _labels, ...inputs } = b.role === "candidates" ? b.props : {};
    stack.push(...(b.role === "candidates" ? b.deps.filter((d) => refsIn([b.args, inputs]).has(d)) : b.deps));
  }
  // a recipe rewrite before planning (see above): the kept blocks as they are, but for the chat format
  // a kept draw or eval prompts a base model in, which the full recipe decides (the stages trained
  // from it, which the cut drops: src/plan/base-format.ts) and the cut then names
  const decide = new BaseFormats(recipe);
  const named = new Map<string, string>();
  for (const b of recipe.blocks) {
    if (!keep.has(b.name)) continue;
    const c = decide.choice(b);
    if (c.kind === "format" && !c.written) named.set(b.name, c.name);
  }
  for (const f of named.values()) keep.add(f);
  const blocks = recipe.blocks
    .filter((b) => keep.has(b.name))
    .map((b) => (named.has(b.name) ? { ...b, props: { ...b.props, base_format: { $ref: named.get(b.name)! } } } : b));
  return { ...recipe, blocks, expects: [], budget: [] };
}

/** What the full recipe cannot decide for the blocks a cut keeps (AL4026): the cut, which lacks the
 * stages that make it ambiguous, must not decide it alone. */
function cutDiagnostics(full: CheckedRecipe, cut: CheckedRecipe): Diagnostic[] {
  const decide = new BaseFormats(full);
  return cut.blocks.flatMap((b) => {
    const c = decide.choice(full.blocks.find((x) => x.name === b.name)!);
    if (c.kind === "swept")
      return [{ code: "AL4026", severity: "error" as const, message: `alignc label draws \`${b.name}\` from one plan, but the chat format it prompts ${c.models.map((m) => `\`${m}\``).join(", ")} in depends on a sweep`, hint: "write its `base_format = …` on the draw, unswept", file: b.file ?? full.file, span: b.decl.span }];
    const d = c.kind === "ambiguous" ? baseFormatDiagnostic(full, b, c) : null;
    return d ? [d] : [];
  });
}

export async function compileForRun(path: string, opts: { tiny?: boolean; variant?: string; backend?: string; measure?: boolean; noBudget?: boolean; only?: string } = {}): Promise<RunInput> {
  const checked = await checkRecipeFile(path);
  if (!checked.recipe) return { recipe: null, plan: null, diagnostics: checked.diagnostics, sources: checked.sources };
  const cut = opts.only !== undefined ? onlyBlock(checked.recipe, opts.only) : checked.recipe;
  const base = opts.tiny ? tinyRecipe(cut) : cut;
  const diagnostics = [...checked.diagnostics, ...(opts.only !== undefined ? cutDiagnostics(checked.recipe, cut) : [])];
  const backend = resolveBackend(opts.backend, base);
  // one variant: the data layer and the handlers read the variant's own recipe (a swept `holdout`
  // or `seed` changes the examples); an unknown name is the planner's diagnostic below. --tiny scales
  // each variant once its values are bound, keeping its full-size name (scaled before, a swept `steps`
  // was no number to scale: it became 60 and the sweep was gone, one unswept run without a word; audit38 #1)
  const plain = expandVariants(cut);
  const variants = opts.tiny ? plain.map((v) => ({ ...v, recipe: tinyRecipe(v.recipe) })) : plain;
  const variant = opts.variant === undefined ? undefined : findVariant(variants, opts.variant);
  const recipe = variant?.recipe ?? base;
  // a sweep without --variant runs nothing: refused before its data is measured (a swept recipe's data
  // layer has none of the variants' node ids: exit 70 before) or its budget weighed (the whole sweep's
  // estimate failed AL4009, exit 1, where `alignc plan` weighs each variant)
  if (variants.length > 0 && opts.variant === undefined && !hasErrors(diagnostics))
    return { recipe: base, plan: null, diagnostics: sortDiagnostics(diagnostics), sources: checked.sources, sweep: variants.map((v) => v.name) };
  let sizes: Awaited<ReturnType<typeof measureData>>["sizes"] | undefined;
  if (opts.measure !== false) {
    const shape = planRecipe(base, { variants, ...(opts.variant !== undefined ? { variant: opts.variant } : {}) }).plan;
    if (shape) {
      const m = await measureData(recipe, shape);
      sizes = m.sizes;
      diagnostics.push(...m.diagnostics);
    }
  }
  if (hasErrors(diagnostics)) return { recipe, plan: null, diagnostics: sortDiagnostics(diagnostics), sources: checked.sources };
  const planned = planRecipe(base, {
    variants,
    backend,
    flopsPerSecond: flopsPerSecond(backend),
    machine: { totalMemory: totalmem(), backend },
    ...(opts.noBudget ? { noBudget: true } : {}),
    ...(sizes ? { sizes } : {}),
    ...(opts.variant !== undefined ? { variant: opts.variant } : {}),
  });
  diagnostics.push(...planned.diagnostics);
  if (hasErrors(diagnostics)) return { recipe, plan: null, diagnostics: sortDiagnostics(diagnostics), sources: checked.sources };
  // "held out" is checked, not assumed: the run warns as `alignc check` does (AL3070) and its
  // manifest records what was found, so its report says which figures read text a stage trained on.
  // Of the recipe that runs (--tiny's eval sizes, the variant's values). `only` (alignc label's cut
  // recipe) draws samples and reports no figure.
  let contamination: Contamination | undefined;
  if (opts.only === undefined) {
    const [{ leakCheck }, { LeakCache }] = await Promise.all([import("../data/leaks.js"), import("../data/leak-cache.js")]);
    const { findings, diagnostics: found } = await leakCheck(recipe, new LeakCache());
    diagnostics.push(...found);
    if (findings) contamination = { leaks: findings.pairs.reduce((a, l) => a + l.count, 0), pairs: findings.pairs, checked: findings.checked, notChecked: findings.notChecked, ...(findings.tokenizerPairs ? { tokenizerCorpora: findings.tokenizerPairs } : {}) };
  }
  // a tiny plan says so: `alignc run` of its saved plan.json scales the recipe as this run did
  if (opts.tiny && planned.plan) planned.plan.recipe = { ...planned.plan.recipe, tiny: true };
  const notes = opts.tiny ? tinyRaised(plain.find((v) => v.name === variant?.name)?.recipe ?? cut, recipe) : [];
  return {
    recipe,
    plan: hasErrors(diagnostics) ? null : planned.plan,
    diagnostics: sortDiagnostics(dedupeDiagnostics(diagnostics)),
    sources: checked.sources,
    ...(contamination ? { contamination } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/** Block names a checked value references: `{ $ref }` anywhere inside it, and mixture components. */
function refsIn(v: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.$ref === "string") out.add(o.$ref);
    if (o.components && typeof o.components === "object") for (const k of Object.keys(o.components)) out.add(k);
    for (const x of Object.values(o)) refsIn(x, out);
  }
  return out;
}
