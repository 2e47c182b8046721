// Contamination check: every prompt an eval scores (and every held-out text an lm_loss eval reads)
// that some training pool of the same recipe contains verbatim. "Held out" must mean disjoint text:
// a model that saw an eval prompt in training is scored on memory, not on generalisation.
//
// Pools are built by the data layer exactly as the stages and evals build them:
//   training  pretrain text (its training split), SFT examples (per component of a mixture),
//             reward-model / DPO comparison prompts (training split; of ranked samples, the
//             prompts drawn for, known before the draw), PPO prompts (training
//             split) and PPO's ptx data;
//   evaluated accuracy examples (the split the eval scores, first n), win-rate prompts (first n),
//             rm_accuracy comparison prompts, lm_loss data (prompts, or text lines), and each
//             stage's own held-out split (its val_loss / heldout_accuracy: pretraining lines, SFT
//             prompts, comparison prompts); an eval of the training split (`split = train`,
//             `train(x)`) is listed as not checked.
// Texts are compared after whitespace normalisation (trim, runs of whitespace → one space), case
// kept. Against a prompt pool an evaluated text leaks when it equals a training prompt; against
// pretraining text when it occurs anywhere in the corpus as a substring, if it has MIN_SUBSTRING
// characters or more, else when it is a whole line of the corpus (one pass of a rolling hash
// over the normalised corpus, windows of the shortest evaluated text, candidates verified; one pass
// per corpus for the texts of every eval together).
import type { CheckedRecipe, IRValue } from "../check/ir.js";
import { DiagnosticError, type Diagnostic } from "../lang/diagnostic.js";
import { CODES } from "./diag.js";
import { emptyEval, emptySplitDiagnostics, type EmptySplit } from "./empty-splits.js";
import { LeakCache, type LeakFindings, type LeakPair } from "./leak-cache.js";
import { isCall } from "./ir.js";
import { dataPlanOf, type DataNode, type DataPlan } from "./plan-input.js";
import { normalizeWhitespace } from "./normalize.js";
import { overlaps } from "./leak-overlaps.js";
import { tokenizerPools } from "./tokenizer-corpora.js";

export { normalizeWhitespace };
export { inCorpus, MIN_SUBSTRING, type InCorpusWork } from "./in-corpus.js";

const isTrainCall = (v: IRValue | undefined): boolean => isCall(v) && v.$call === "train";

export interface Pool {
  name: string; // "sft.data (demos)", "eval zero_shot_after"
  block: string; // the stage or eval that reads it (where a warning points)
  prop: string; // its property that names the data
  kind: "prompts" | "text"; // text: substring search (pretraining corpora)
  texts: string[];
}

export interface Leak {
  evalPool: Pool;
  trainPool: Pool;
  count: number; // evaluated texts found in the training pool
  found: string[]; // the distinct ones (normalised)
  examples: string[]; // a few of them
}

export interface LeakReport {
  evalPools: Pool[];
  notChecked: string[]; // evals that score training data on purpose (split = train)
  trainPools: Pool[];
  leaks: Leak[];
  total: number; // Σ count over every (evaluated, training) pair of pools
  tokenizerCorpora: Leak[]; // evaluated texts in a BPE tokenizer's corpus: no model trains on it, so not in `total`
  empty: EmptySplit[]; // evals with nothing to evaluate, pretrain stages that held nothing out (src/data/empty-splits.ts)
}

// ---------------------------------------------------------------- pools

/** The data layer (Handlebars, YAML, CSV: ~130 modules) is loaded when an eval's pool is built,
 * so a recipe without evals (or whose evals all score training data) never loads it. */
const dataLayer = (): Promise<typeof import("./build.js")> => import("./build.js");

/** A parameter the checker fills from the kinds table (ptx_coef, n): refused when a node lacks it. */
function filled(node: DataNode, prop: string): number {
  const v = node.params[prop];
  if (typeof v !== "number") throw new Error(`plan node \`${node.id}\` lacks its resolved \`${prop}\`: plan the recipe again`);
  return v;
}

async function trainingPools(dp: DataPlan, node: DataNode): Promise<Pool[]> {
  const { buildNode, promptsOf } = await dataLayer();
  const pool = (suffix: string, prop: string, kind: Pool["kind"], texts: string[]): Pool => ({ name: `${node.id}.${prop}${suffix}`, block: node.id, prop, kind, texts });
  const sftPools = (prop: string, xs: { prompt: string; meta: { source: string } }[]): Pool[] => {
    const sources = [...new Set(xs.map((x) => x.meta.source))].sort();
    return sources.map((s) => pool(sources.length > 1 || s !== node.id ? ` (${s})` : "", prop, "prompts", xs.filter((x) => x.meta.source === s).map((x) => x.prompt)));
  };
  switch (node.op) {
    case "pretrain": {
      const raw = await buildNode(dp, node.id, { prop: "data" });
      return raw.kind === "text" ? [pool(" (pretraining text)", "data", "text", raw.train.lines)] : [];
    }
    case "sft": {
      const raw = await buildNode(dp, node.id, { prop: "data" });
      return raw.kind === "sft" ? sftPools("data", raw.train) : [];
    }
    case "reward_model":
    case "dpo": {
      // ranked samples not drawn yet: their prompts (known before the draw) are the pool
      const raw = await buildNode(dp, node.id, { prop: "data", undrawn: "prompts" });
      return raw.kind === "comparisons" ? [pool("", "data", "prompts", raw.train.map((g) => g.prompt))] : [];
    }
    case "ppo": {
      // ranked samples not drawn yet: their prompts' training share (known before the draw) is the pool
      const out = [pool("", "prompts", "prompts", (await promptsOf(dp, node, "prompts", { undrawn: "prompts" })).train.map((p) => p.prompt))];
      if (node.params.ptx_data !== undefined && node.params.ptx_data !== null && filled(node, "ptx_coef") > 0) {
        const raw = await buildNode(dp, node.id, { prop: "ptx_data" });
        if (raw.kind === "sft") out.push(...sftPools("ptx_data", raw.train));
        if (raw.kind === "text") out.push(pool("", "ptx_data", "text", raw.train.lines));
      }
      return out;
    }
    default:
      return [];
  }
}

/** The stage kinds whose own held-out split a figure scores (heldoutPool). */
const HELD_OUT_STAGES: ReadonlySet<string> = new Set(["pretrain", "sft", "reward_model", "dpo"]);

/** A training stage's own held-out split, what its `val_loss` (pretrain, SFT) or `heldout_accuracy`
 * (reward model, DPO) scores, and what `expect` gates on: a held-out claim like an eval's, checked
 * the same way; empty when the stage holds nothing out (holdout = 0, or data without a held-out part). */
async function heldoutPool(dp: DataPlan, node: DataNode): Promise<Pool | null> {
  const { buildNode } = await dataLayer();
  const pool = (texts: string[]): Pool => ({ name: `stage ${node.id} (held-out split)`, block: node.id, prop: "data", kind: "prompts", texts });
  switch (node.op) {
    case "pretrain": {
      const raw = await buildNode(dp, node.id, { prop: "data" });
      return raw.kind === "text" ? pool(raw.heldout.lines) : null;
    }
    case "sft": {
      const raw = await buildNode(dp, node.id, { prop: "data" });
      return raw.kind === "sft" ? pool(raw.heldout.map((x) => x.prompt)) : null;
    }
    case "reward_model":
    case "dpo": {
      const raw = await buildNode(dp, node.id, { prop: "data", undrawn: "prompts" });
      return raw.kind === "comparisons" ? pool(raw.heldout.map((g) => g.prompt)) : null;
    }
    default:
      return null;
  }
}

/** An eval that scores training data on purpose (`split = train`, `train(x)`): the seen-vs-unseen
 * comparison, not a held-out claim; reported as not checked. */
/** An eval that scores training text on purpose (`split = train`, `train(…)`): not checked for leaks, and
 * said "not held out" wherever its figure is printed. */
export function scoresTraining(node: Pick<DataNode, "op" | "params">): boolean {
  if (node.op === "accuracy") return node.params.split === "train";
  const v = node.params.data ?? node.params.prompts;
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) && v.$call === "train";
}

async function evalPool(dp: DataPlan, node: DataNode): Promise<Pool | null> {
  const { buildNode, buildParam, promptsOf, evaluatedPrompts } = await dataLayer();
  const pool = (prop: string, kind: Pool["kind"], texts: string[]): Pool => ({ name: `eval ${node.id}`, block: node.id, prop, kind, texts });
  switch (node.op) {
    case "accuracy": {
      if (scoresTraining(node)) return null;
      const raw = await buildNode(dp, node.id);
      return raw.kind === "sft" ? pool("task", "prompts", raw.train.slice(0, filled(node, "n")).map((x) => x.prompt)) : null;
    }
    case "win_rate": {
      const v = node.params.prompts;
      if (v === undefined || v === null) return null;
      try {
        return pool("prompts", "prompts", evaluatedPrompts(v, await promptsOf(dp, node, "prompts")).slice(0, filled(node, "n")).map((x) => x.prompt));
      } catch (err) {
        // ranked samples not drawn yet: which of their prompts the draw keeps (the first n it kept are
        // judged) is known after it only, so every prompt it may keep is checked (hunt36: the AL3061 here
        // stopped the run that would draw them, a dead end)
        if (!(err instanceof DiagnosticError && err.diagnostics.some((d) => d.code === CODES.notDrawn))) throw err;
        return pool("prompts", "prompts", evaluatedPrompts(v, await promptsOf(dp, node, "prompts", { undrawn: "prompts" })).map((x) => x.prompt));
      }
    }
    // rm_accuracy and lm_loss declare no `n`: every example they read is evaluated
    case "rm_accuracy": {
      const raw = await buildParam(dp, node, node.params.data, { undrawn: "prompts" }, `eval \`${node.id}\`.data`);
      return raw.kind === "comparisons" ? pool("data", "prompts", raw.train.map((g) => g.prompt)) : null;
    }
    case "lm_loss": {
      const raw = await buildParam(dp, node, node.params.data, {}, `eval \`${node.id}\`.data`);
      if (raw.kind === "text") return pool("data", "prompts", raw.train.lines);
      return raw.kind === "sft" ? pool("data", "prompts", raw.train.map((x) => x.prompt)) : null;
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------- the report

/** Every evaluated text of the recipe found verbatim in one of its training pools (pools from the plan's nodes, in plan order). */
export async function findLeaks(recipe: CheckedRecipe): Promise<LeakReport> {
  const dp = dataPlanOf(recipe);
  const nodes = [...dp.nodes.values()];
  const evalPools: Pool[] = [];
  const notChecked: string[] = [];
  const empty: EmptySplit[] = [];
  for (const n of nodes) {
    if (n.kind === "stage") {
      const p = await heldoutPool(dp, n);
      if (p?.texts.length) evalPools.push(p);
      // a share that rounds to no line: the stage's held-out figure is silently gone
      else if (p && n.op === "pretrain" && filled(n, "holdout") > 0) empty.push({ block: n.id, prop: p.prop, stage: true });
      continue;
    }
    if (n.kind !== "eval") continue;
    if (scoresTraining(n)) {
      notChecked.push(n.id);
      continue;
    }
    const p = await evalPool(dp, n);
    if (p?.texts.length) evalPools.push(p);
    else if (p) empty.push(emptyEval(dp, n, p.prop));
  }
  // nothing evaluated, nothing to leak: the training data is not even built
  const trainPools: Pool[] = [];
  if (evalPools.length) for (const n of nodes) if (n.kind === "stage") trainPools.push(...(await trainingPools(dp, n)));
  const evaluated = evalPools.map((e) => e.texts.map(normalizeWhitespace).filter((t) => t.length > 0));
  // the comparison, memoised by the texts it compares (leak-overlaps.ts)
  const leaks = await overlaps(dp, evalPools, evaluated, trainPools);
  const tokenizerCorpora = evalPools.length ? await overlaps(dp, evalPools, evaluated, await tokenizerPools(dp)) : [];
  return { evalPools, notChecked, trainPools, leaks, total: leaks.reduce((a, l) => a + l.count, 0), empty, tokenizerCorpora };
}

/** One warning per leaking eval, on the property that reads the evaluated pool; the empty splits' diagnostics. */
export function leakDiagnostics(recipe: CheckedRecipe, r: LeakReport): Diagnostic[] {
  return diagnosticsOf(recipe, { pairs: pairsOf(r), empty: r.empty });
}

function diagnosticsOf(recipe: CheckedRecipe, f: Pick<LeakFindings, "pairs" | "empty">): Diagnostic[] {
  return [...warningsOf(recipe, f.pairs), ...emptySplitDiagnostics(recipe, f.empty)];
}

/** What the warnings need of a report (and all the leak cache keeps). */
function pairsOf(r: LeakReport, leaks: readonly Leak[] = r.leaks): LeakPair[] {
  return leaks.map((l) => ({ evalBlock: l.evalPool.block, evalProp: l.evalPool.prop, trainPool: l.trainPool.name, count: l.count }));
}

function warningsOf(recipe: CheckedRecipe, pairs: readonly LeakPair[]): Diagnostic[] {
  const byEval = new Map<string, LeakPair[]>();
  for (const l of pairs) byEval.set(l.evalBlock, [...(byEval.get(l.evalBlock) ?? []), l]);
  const out: Diagnostic[] = [];
  for (const [name, ls] of byEval) {
    const b = recipe.blocks.find((x) => x.name === name); // where the warning points: the eval's block in the recipe
    const prop = ls[0]!.evalProp;
    const span = b?.propSpans[prop] ?? b?.decl.span ?? null;
    out.push({
      code: CODES.leak,
      severity: "warning",
      // per training pool, not added up: one text in two pools (ptx_data = the SFT data) is one text
      message: `${b?.keyword === "stage" ? `stage \`${name}\`'s held-out split` : `eval \`${name}\``}: evaluated texts found in training: ${ls.map((l) => `${l.count} in ${l.trainPool}`).join(", ")}`,
      file: b?.propFiles?.[prop] ?? b?.file ?? recipe.file,
      span,
      hint: "held out means disjoint text; `alignc data RECIPE --leaks` lists them",
    });
  }
  return out;
}

/** What a contamination check found (the findings, null when the data did not build: `diagnostics`
 * are then its located errors) and its warnings. */
export interface LeakCheck {
  findings: LeakFindings | null;
  diagnostics: Diagnostic[];
}

/** The warnings `alignc check` and `alignc plan` add. When the data does not build, the data layer's
 * located errors instead: returning nothing would let `check` say "no problems" about a recipe whose
 * data cannot be read (`plan` reports the same errors from its measurements; callers dedupe).
 * `cache`: findings are kept by content (src/data/leak-cache.ts; null: always rebuilt; errors are
 * never cached). */
export async function leakWarnings(recipe: CheckedRecipe, cache: LeakCache | null = new LeakCache()): Promise<Diagnostic[]> {
  return (await leakCheck(recipe, cache)).diagnostics;
}

/** An eval block that scores training data whatever its variant: `split = train`, `train(x)`. */
function scoresTrainingBlock(b: CheckedRecipe["blocks"][number]): boolean {
  return b.kind === "accuracy" ? b.props.split === "train" : isTrainCall(b.props.data ?? b.props.prompts);
}

/** The findings behind leakWarnings: also what `alignc run` records in its manifest (the report says
 * whether "held out" was checked, and which figures read text a stage trained on). */
export async function leakCheck(recipe: CheckedRecipe, cache: LeakCache | null = new LeakCache()): Promise<LeakCheck> {
  // nothing evaluated, nothing to leak (findLeaks would build no data either): no key to compute and
  // nothing lowered (lowering hashes every data file). A look at the recipe's blocks decides whether
  // to look at all, never a value: an eval whose data is `train(x)` or whose split is train scores
  // training data whatever its variant; a stage that may hold data out (HELD_OUT_STAGES) is checked.
  if (!recipe.blocks.some((b) => (b.keyword === "eval" && !scoresTrainingBlock(b)) || (b.keyword === "stage" && HELD_OUT_STAGES.has(b.kind))))
    return { findings: { pairs: [], checked: [], notChecked: recipe.blocks.filter((b) => b.keyword === "eval").map((b) => b.name), empty: [] }, diagnostics: [] };
  const key = cache?.key(recipe) ?? null;
  const hit = key !== null ? cache!.get(key) : undefined;
  if (hit) return { findings: hit, diagnostics: diagnosticsOf(recipe, hit) };
  try {
    const r = await findLeaks(recipe);
    // the blocks whose pools were compared (a stage that held nothing out has none), in plan order
    const findings: LeakFindings = { pairs: pairsOf(r), checked: [...new Set(r.evalPools.map((p) => p.block))], notChecked: r.notChecked, empty: r.empty, tokenizerPairs: pairsOf(r, r.tokenizerCorpora) };
    if (key !== null) cache!.set(key, findings);
    return { findings, diagnostics: diagnosticsOf(recipe, findings) };
  } catch (err) {
    if (err instanceof DiagnosticError) return { findings: null, diagnostics: err.diagnostics };
    throw err;
  }
}
