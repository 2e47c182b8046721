// Cheap sizes for the planner. The rule (what the plan's sizes mean):
//   - examples: exact row counts from the files (streaming newline counts, no parsing), split by the
//     holdout share and mixed with the mixture's caps/weights/total exactly as the build allocates
//     them; dedup, length bounds and category quotas are not applied (an upper bound for mixtures);
//   - tokens/chars: the mean per example of a sample × the example count. The sample is the first
//     SAMPLE_ROWS rows of each file, formatted and tokenized exactly as training will do. A mixture
//     is sampled per component (SAMPLE_COMPONENTS of them at most, spread evenly over a rename-
//     invariant order) and each component's mean is weighted by its own count; components not
//     sampled take the count-weighted mean of the sampled ones. Mixing is never run, so a
//     FLAN-scale mixture (1,836 tasks) costs SAMPLE_COMPONENTS small renders, not 1,836;
//   - maxTokens: the longest sampled example;
//   - estimated: true whenever any of these come from a sample (always for prompt/response data).
// Prompts (a PPO stage's or a win-rate eval's `prompts`) are measured as the model sees them: the
// chat format's prompt-only text, no response.
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { buildExamples, buildPrompts, buildRaw, formatFor, type RecipeBuildOptions as BuildOptions } from "./build.js";
import { formatExample } from "./chat.js";
import { CODES, fail } from "./diag.js";
import { dataPlanOf } from "./plan-input.js";
import { findBlock, heldoutTaskNames, isCall, isRef, num, pathArg } from "./ir.js";
import { componentCounts } from "./mix.js";
import { READER_KINDS, countRows, type ReaderKind } from "./readers.js";
import { recipeTokenizer } from "./recipe-tokenizer.js";
import type { BuiltData, ChatFormat, DataStats, Tokenizer } from "./types.js";

/** Rows sampled per file for token-length estimates. */
export const SAMPLE_ROWS = 200;
/** Mixture components sampled for token-length estimates (all of them when there are no more). */
export const SAMPLE_COMPONENTS = 32;

interface Size {
  train: number;
  heldout: number;
  perTask?: Record<string, number>;
}

/** The property of a stage/eval that holds its data (as buildRaw picks it). */
function dataProp(b: CheckedBlock, prop: string | undefined): string {
  return prop ?? ["data", "prompts", "task"].find((k) => b.props[k] !== undefined) ?? "data";
}

async function sizeOfValue(recipe: CheckedRecipe, v: IRValue | undefined): Promise<Size> {
  if (isCall(v) && (READER_KINDS as readonly string[]).includes(v.$call)) return { train: await countRows(pathArg(recipe, v.args[0]), v.$call as ReaderKind), heldout: 0 };
  if (isRef(v)) return sizeOf(recipe, findBlock(recipe, v.$ref));
  if (isCall(v) && (v.$call === "heldout" || v.$call === "train")) {
    const inner = await sizeOfValue(recipe, v.args[0]);
    return { train: v.$call === "heldout" ? inner.heldout : inner.train, heldout: 0 };
  }
  return { train: 0, heldout: 0 };
}

const sizeMemo = new WeakMap<CheckedRecipe, Map<string, Promise<Size>>>();

/** Train/held-out example counts without reading rows (dedup and category filters not applied); memoised per recipe object. */
function sizeOf(recipe: CheckedRecipe, b: CheckedBlock, heldoutTasks: readonly string[] = [], prop?: string): Promise<Size> {
  let memo = sizeMemo.get(recipe);
  if (!memo) sizeMemo.set(recipe, (memo = new Map()));
  const key = `${b.name}\u0000${prop ?? ""}\u0000${heldoutTasks.join(",")}`;
  let p = memo.get(key);
  if (!p) {
    p = computeSize(recipe, b, heldoutTasks, prop);
    memo.set(key, p);
    p.catch(() => memo!.delete(key));
  }
  return p;
}

async function computeSize(recipe: CheckedRecipe, b: CheckedBlock, heldoutTasks: readonly string[], prop?: string): Promise<Size> {
  const cap = (n: number) => (num(b.props.limit) !== undefined ? Math.min(n, num(b.props.limit)!) : n);
  const splitN = (n: number, share: number) => ({ train: n - Math.round(n * share), heldout: Math.round(n * share) });
  switch (b.keyword) {
    case "source":
      return splitN(cap(await countRows(pathArg(recipe, b.args[0]), b.kind as ReaderKind, typeof b.props.encoding === "string" ? b.props.encoding : undefined)), num(b.props.holdout) ?? 0);
    case "task":
      return splitN(cap((await sizeOfValue(recipe, b.props.data)).train), num(b.props.holdout) ?? 0.1);
    case "mixture": {
      const comps = (b.props.components ?? {}) as Record<string, Record<string, IRValue>>;
      const held = new Set([...heldoutTaskNames(b.props.heldout_tasks), ...heldoutTasks]);
      const kept = Object.keys(comps).filter((n) => !held.has(n)); // held-out tasks are not trained on
      // with a total, largest-remainder ties go by component order: the build's (by seed key, build-mix.ts)
      const names = num(b.props.total) !== undefined ? bySeedKey(recipe, kept) : kept.sort();
      const sizes = await Promise.all(names.map((n) => sizeOf(recipe, findBlock(recipe, n))));
      const counts = componentCounts(
        names.map((n, i) => ({ n: sizes[i]!.train, proportional: comps[n]!.proportional === true, cap: num(comps[n]!.cap), weight: num(comps[n]!.weight) })),
        num(b.props.total),
      );
      return { train: counts.reduce((a, c) => a + c, 0), heldout: sizes.reduce((a, s) => a + s.heldout, 0), perTask: Object.fromEntries(names.map((n, i) => [n, counts[i]!])) };
    }
    case "stage":
    case "eval": {
      const p = dataProp(b, prop);
      if (p === "task") return { train: 0, heldout: 0 }; // accuracy evals: measured from the built split (countExamples)
      const n = (await sizeOfValue(recipe, b.props[p])).train;
      if (b.kind === "pretrain" && p === "data") return splitN(n, num(b.props.holdout) ?? 0.05);
      return { train: n, heldout: 0 };
    }
    default:
      return { train: 0, heldout: 0 };
  }
}

/** Sums over a sample: units (examples, groups or lines), sequences (a group has one per response),
 * their tokens and characters, the longest, pairs. */
interface Sample {
  units: number;
  seqs: number;
  tokens: number;
  chars: number;
  max: number;
  pairs: number;
}
const EMPTY: Sample = { units: 0, seqs: 0, tokens: 0, chars: 0, max: 0, pairs: 0 };

/** Token sums of built data (SFT examples as formatted; comparison groups as prompt + response, unformatted). */
function measureBuilt(built: BuiltData, tok: Tokenizer): Sample {
  const s = { ...EMPTY };
  const add = (text: string, tokens: number) => {
    s.seqs++;
    s.tokens += tokens;
    s.chars += text.length;
    s.max = Math.max(s.max, tokens);
  };
  if (built.kind === "sft") for (const e of built.train) (add(e.text, tok.encode(e.text).length + 1), s.units++);
  else if (built.kind === "comparisons")
    for (const g of built.train) {
      s.pairs += g.pairs.length;
      s.units++;
      // unformatted prompt + response, as before: measuring them through the stage's chat format (as
      // the reward model sees them) pushes RUN's micro fixture (context 64) over the context check;
      // left for the RUN team to decide (see the DATA report)
      for (const r of g.responses) add(g.prompt + r, tok.encode(g.prompt + r).length + 1);
    }
  else for (const l of built.train.lines) (add(l, tok.encode(l).length + 1), s.units++);
  return s;
}

/** Names (node ids) in the order of their plan nodes' seed keys, as a mixture's build orders its components. */
function bySeedKey(recipe: CheckedRecipe, names: readonly string[]): string[] {
  const keys = dataPlanOf(recipe).keys;
  return names
    .map((n) => [keys.get(n) ?? "", n] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([, n]) => n);
}

/** Components of a mixture to sample: every one, or SAMPLE_COMPONENTS evenly spaced in an order that a rename does not change. */
function sampledComponents(recipe: CheckedRecipe, names: string[]): string[] {
  const order = bySeedKey(recipe, names); // the plan's keys: the files were hashed when the plan was lowered
  if (order.length <= SAMPLE_COMPONENTS) return order;
  return Array.from({ length: SAMPLE_COMPONENTS }, (_, i) => order[Math.floor(((i + 0.5) * order.length) / SAMPLE_COMPONENTS)]!);
}

/**
 * Token sums of a mixture's training examples, scaled to `counts`: each sampled component's mean
 * per example × its count, the others at the sampled components' count-weighted mean. Response
 * length bounds (min_length, max_length) are applied to the sample as mixing would apply them.
 */
async function mixtureSample(recipe: CheckedRecipe, mixture: CheckedBlock, counts: Record<string, number>, fmt: ChatFormat, tok: Tokenizer): Promise<Sample & { scaled: { tokens: number; chars: number } }> {
  const names = Object.keys(counts).filter((n) => counts[n]! > 0);
  const minLength = num(mixture.props.min_length);
  const maxLength = num(mixture.props.max_length);
  const total: Sample = { ...EMPTY };
  let sampledCount = 0;
  let tokens = 0;
  let chars = 0;
  for (const name of sampledComponents(recipe, names)) {
    const raw = await buildRaw(recipe, findBlock(recipe, name), { limit: SAMPLE_ROWS });
    if (raw.kind !== "sft") fail(CODES.mixture, `mixture \`${mixture.name}\`: component \`${name}\` gives ${raw.kind}, not prompt/response examples`, recipe.file, mixture.decl.span);
    const kept = raw.train.filter((e) => (minLength === undefined || e.response.length >= minLength) && (maxLength === undefined || e.response.length <= maxLength));
    const s = measureBuilt({ kind: "sft", name, train: kept.map((e) => formatExample(fmt, e)), heldout: [], heldoutTemplates: [], heldoutTasks: [] }, tok);
    if (s.units === 0) continue;
    total.units += s.units;
    total.seqs += s.seqs;
    total.tokens += s.tokens;
    total.chars += s.chars;
    total.max = Math.max(total.max, s.max);
    tokens += (s.tokens / s.units) * counts[name]!;
    chars += (s.chars / s.units) * counts[name]!;
    sampledCount += counts[name]!;
  }
  const all = names.reduce((a, n) => a + counts[n]!, 0);
  const scale = sampledCount ? all / sampledCount : 0; // unsampled components at the sampled mean
  return { ...total, scaled: { tokens: tokens * scale, chars: chars * scale } };
}

/** The mixture a data value trains on (a reference to it, or train(it)), if any. */
function mixtureOf(recipe: CheckedRecipe, v: IRValue | undefined): CheckedBlock | null {
  if (isCall(v) && v.$call === "train") return mixtureOf(recipe, v.args[0]);
  if (!isRef(v) || v.member !== undefined) return null;
  const b = findBlock(recipe, v.$ref);
  return b.keyword === "mixture" ? b : null;
}

/**
 * Examples and tokens of a block (or of a stage/eval's `opts.prop`), cheaply: see the rule at the
 * top of this file.
 */
export async function countExamples(recipe: CheckedRecipe, blockName: string, opts: BuildOptions & { tokenizer?: Tokenizer } = {}): Promise<DataStats> {
  const b = findBlock(recipe, blockName);
  const staged = b.keyword === "stage" || b.keyword === "eval";
  const prop = staged ? dataProp(b, opts.prop) : undefined;
  const value: IRValue = staged ? (b.props[prop!] ?? null) : { $ref: blockName };
  const size = await sizeOf(recipe, b, opts.heldoutTasks, prop);
  const tok = opts.tokenizer ?? (await recipeTokenizer(recipe));
  const stats = (kind: DataStats["kind"], examples: number, s: Sample, estimated: boolean, totals?: { tokens: number; chars: number }): DataStats => {
    const per = (x: number) => (s.units ? x / s.units : 0);
    return {
      name: blockName,
      kind,
      examples,
      heldout: size.heldout,
      ...(kind === "comparisons" ? { comparisons: Math.round(per(s.pairs) * examples) } : {}),
      chars: Math.round(totals?.chars ?? per(s.chars) * examples),
      tokens: Math.round(totals?.tokens ?? per(s.tokens) * examples),
      meanTokens: totals ? (examples ? totals.tokens / examples : 0) : s.seqs ? s.tokens / s.seqs : 0, // per sequence
      maxTokens: s.max,
      estimated,
      ...(size.perTask ? { perTask: size.perTask } : {}),
    };
  };

  if (staged && prop === "prompts") {
    // what the policy is given to continue: the format's prompt-only text
    const fmt = formatFor(recipe, b, opts);
    const ps = await buildPrompts(recipe, value, { limit: SAMPLE_ROWS });
    const s = { ...EMPTY };
    for (const p of ps.train) {
      const text = fmt.promptOnly(p.prompt, p.system ?? "");
      const n = tok.encode(text).length;
      s.units++;
      s.seqs++;
      s.tokens += n;
      s.chars += text.length;
      s.max = Math.max(s.max, n);
    }
    return stats("prompts", size.train, s, s.units < size.train);
  }

  const mixture = mixtureOf(recipe, value);
  if (mixture && prop !== "task") {
    const mixSize = staged ? await sizeOf(recipe, mixture, opts.heldoutTasks) : size;
    const fmt = formatFor(recipe, b, opts);
    const s = await mixtureSample(recipe, mixture, mixSize.perTask ?? {}, fmt, tok);
    return { ...stats("sft", mixSize.train, s, true, s.scaled), ...(mixSize.perTask ? { perTask: mixSize.perTask } : {}) };
  }

  const sample = await buildExamples(recipe, blockName, { ...opts, ...(prop ? { prop } : {}), limit: SAMPLE_ROWS });
  const s = measureBuilt(sample, tok);
  // accuracy evals: their split is only known from the build (the sample is every row when files are small)
  const examples = prop === "task" ? s.units : size.train;
  return stats(sample.kind, examples, s, s.units < examples || sample.kind === "sft");
}
