// Cheap sizes for the planner. The rule (what the plan's sizes mean):
//   - examples: exact row counts from the files (streaming newline counts, no parsing), split by the
//     holdout share and mixed with the mixture's caps/weights/total exactly as the build allocates
//     them; dedup, length bounds and category quotas are not applied (an upper bound for mixtures),
//     nor is the split's grouping of copies (src/data/split.ts draws over distinct texts: where a file
//     has copies, the built sides differ from round(n × holdout) by how the copies fall);
//   - tokens/chars: the mean per example of a sample × the example count. The sample is the first
//     SAMPLE_ROWS rows of each file, formatted and tokenized exactly as training will do. A mixture
//     is sampled per component (SAMPLE_COMPONENTS of them at most, spread evenly over a rename-
//     invariant order) and each component's mean is weighted by its own count; components not
//     sampled take the count-weighted mean of the sampled ones. Mixing is never run, so a
//     FLAN-scale mixture (1,836 tasks) costs SAMPLE_COMPONENTS small renders, not 1,836;
//   - maxTokens: the longest sampled example;
//   - lengths: the token length of a training row at each twentieth of the sample (LENGTH_QUANTILES),
//     as the stage's trainer packs it, so the plan can estimate how far a batch is padded (a batch
//     is padded to its own longest row): an SFT example as formatted and tokenized; a ranking group
//     its longest prompt + response in the stage's chat format (the reward model packs all K of a
//     group together); a prompt its prompt-only text. Mixture components weigh by their counts.
//   - estimated: true whenever any of these come from a sample (always for prompt/response data).
// Prompts (a PPO stage's or a win-rate eval's `prompts`) are measured as the model sees them: the
// chat format's prompt-only text, no response.
import type { CheckedRecipe } from "../check/ir.js";
import { paramsOf, refOf, type ParamsNode } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { buildExamples, buildNode, buildParam, formatFor, promptsOfRaw, type RecipeBuildOptions as BuildOptions } from "./build.js";
import { componentsOf, heldoutTaskIds } from "./build-mix.js";
import { drawOf, isDrawn, rankNodeOf } from "./build-samples.js";
import { holdoutOf, numP, readNodeRows, roleOf, strListP, strP } from "./build-source.js";
import { formatExample } from "./chat.js";
import { comparisonLengths } from "./truncation.js";
import { CODES, fail } from "./diag.js";
import { failOrSkip } from "./bad-rows.js";
import { dataPlanOf, fileSiteOf, nodeOf, pathOf, siteOf, type DataNode, type DataPlan } from "./plan-input.js";
import { atRecipeAsync } from "./at-recipe.js";
import { componentCounts } from "./mix.js";
import { READER_KINDS, type ReaderKind } from "./readers.js";
import { countRows } from "./count-rows.js";
import { recipeTokenizer } from "./recipe-tokenizer.js";
import type { BuiltData, ChatFormat, DataStats, Tokenizer } from "./types.js";

/** Quantiles of the row lengths a DataStats carries: the lengths at (i + ½)/20, i = 0 … 19. */
export const LENGTH_QUANTILES = 20;

/** Rows sampled per file for token-length estimates. */
export const SAMPLE_ROWS = 200;
/** Mixture components sampled for token-length estimates (all of them when there are no more). */
export const SAMPLE_COMPONENTS = 32;

interface Size {
  train: number;
  heldout: number;
  perTask?: Record<string, number>;
}

/** The parameter of a stage/eval node that holds its data (as the build picks it). */
function dataProp(node: DataNode, prop: string | undefined): string {
  return prop ?? ["data", "prompts", "task"].find((k) => node.params[k] !== undefined && node.params[k] !== null) ?? "data";
}

/** Sizes of a parameter value: a reference (through a stage's format/tokenize chain, with its split), heldout(x)/train(x), a reader call. */
async function sizeOfParam(dp: DataPlan, v: Json | undefined): Promise<Size> {
  const id = refOf(v);
  if (id !== null) {
    const n = nodeOf(dp, id);
    if (n.op !== "format" && n.op !== "tokenize") return sizeOf(dp, n);
    const inner = await sizeOfParam(dp, n.params.examples);
    return n.params.split === "heldout" ? { train: inner.heldout, heldout: 0 } : n.params.split === "train" ? { train: inner.train, heldout: 0 } : inner;
  }
  const call = v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$call === "string" ? (v as { $call: string; args: Json[] }) : null;
  if (call && (READER_KINDS as readonly string[]).includes(call.$call)) return { train: await countRows(pathOf(dp, call.args[0], call.$call), call.$call as ReaderKind), heldout: 0 };
  if (call && (call.$call === "heldout" || call.$call === "train")) {
    const inner = await sizeOfParam(dp, call.args[0]);
    return { train: call.$call === "heldout" ? inner.heldout : inner.train, heldout: 0 };
  }
  return { train: 0, heldout: 0 };
}

const sizeMemo = new WeakMap<DataPlan, Map<string, Promise<Size>>>();

/** Train/held-out example counts of a plan node without reading rows (dedup not applied; a `categories` filter reads the rows' categories); memoised per plan. */
function sizeOf(dp: DataPlan, node: DataNode, heldoutTasks: readonly string[] = [], prop?: string): Promise<Size> {
  let memo = sizeMemo.get(dp);
  if (!memo) sizeMemo.set(dp, (memo = new Map()));
  const key = `${node.id}\u0000${prop ?? ""}\u0000${heldoutTasks.join(",")}`;
  let p = memo.get(key);
  if (!p) {
    p = computeSize(dp, node, heldoutTasks, prop);
    memo.set(key, p);
    p.catch(() => memo!.delete(key));
  }
  return p;
}

async function computeSize(dp: DataPlan, node: DataNode, heldoutTasks: readonly string[], prop?: string): Promise<Size> {
  const p = node.params;
  const limit = numP(p.limit); // no default in kinds.ts: left out, every row
  const cap = (n: number) => (limit !== undefined ? Math.min(n, limit) : n);
  const splitN = (n: number, share: number) => ({ train: n - Math.round(n * share), heldout: Math.round(n * share) });
  if (node.kind === "data") {
    switch (node.op) {
      case "read": {
        // rows a "skip" policy leaves out (bad rows, K outside k) are known only by reading them: the line count
        // overstated such a source (900 examples where 599 were left; huntA39 F3), so it is built and counted
        // (a source of records is rows a task renders: the task's own build counts those)
        if ((failOrSkip(p.on_error) === "skip" || failOrSkip(p.k_outside) === "skip") && ["demonstrations", "prompts", "rankings", "pairs"].includes(strP(p.role) ?? "")) {
          const raw = await buildNode(dp, node.id);
          const n = (side: "train" | "heldout") => (raw.kind === "text" ? raw[side].lines.length : raw[side].length);
          return { train: n("train"), heldout: n("heldout") };
        }
        const reader = strP(p.reader) as ReaderKind;
        const categories = strListP(p.categories);
        if (categories) {
          // the rows a `categories` filter keeps, counted exactly (their category fields read): an
          // estimate of every row hid a filter that keeps none (AL4020 then stops the plan); it filters
          // demonstrations only (declared, or a records source read as them: the check refuses it elsewhere)
          const keep = new Set(categories);
          const rows = (await readNodeRows(dp, node, { onError: "skip" })).rows;
          if (["demonstrations", "prompts"].includes(roleOf(strP(p.role), rows, dp, node)))
            return splitN(rows.filter((r) => typeof r.data.category === "string" && keep.has(r.data.category)).length, holdoutOf(dp, node));
        }
        // an unreadable file is said where the recipe names it, as the reader says it (at-recipe.ts)
        const file = pathOf(dp, p.path, `\`${node.id}\``);
        return splitN(cap(await atRecipeAsync(fileSiteOf(dp, node), file, dp.dir, countRows(file, reader, strP(p.encoding)))), holdoutOf(dp, node));
      }
      case "expand":
        return splitN(cap((await sizeOfParam(dp, p.data)).train), holdoutOf(dp, node));
      case "mix": {
        const comps = componentsOf(dp, node);
        const held = new Set([...heldoutTaskIds(p.heldout_tasks), ...heldoutTasks]);
        const kept = comps.filter((c) => !held.has(c.id)); // held-out tasks are not trained on
        const total = numP(p.total);
        // with a total, largest-remainder ties go by component order: the build's (by seed key, build-mix.ts)
        const ordered = total !== undefined ? bySeedKey(dp, kept.map((c) => c.id)).map((id) => kept.find((c) => c.id === id)!) : kept.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const sizes = await Promise.all(ordered.map((c) => sizeOf(dp, nodeOf(dp, c.id))));
        const counts = componentCounts(
          ordered.map((c, i) => ({ n: sizes[i]!.train, proportional: c.clauses.proportional === true, cap: numP(c.clauses.cap), weight: numP(c.clauses.weight) })),
          total,
        );
        return { train: counts.reduce((a, c) => a + c, 0), heldout: sizes.reduce((a, s) => a + s.heldout, 0), perTask: Object.fromEntries(ordered.map((c, i) => [c.id, counts[i]!])) };
      }
      case "samples": {
        // a draw: the first n prompts of its prompts' training share (some may be left out when drawn)
        // the draw's resolved n (kinds.ts default filled by the checker; paramsOf refuses a node without it)
        const n = paramsOf(node as ParamsNode, "source.samples").n;
        return { train: Math.min(n, (await sizeOfParam(dp, p.prompts)).train), heldout: 0 };
      }
      case "rank": {
        // ranked samples: the draw's prompts split by the held-out share (all-tie groups are left out when ranked: an upper bound)
        const draw = nodeOf(dp, refOf(p.draw) ?? "");
        // lowered with RANKED_SAMPLES_DEFAULTS (kinds.ts) filled, as build-samples.ts reads it: no second default here
        const holdout = numP(p.holdout);
        if (holdout === undefined) throw new Error(`plan node \`${node.id}\` lacks its resolved \`holdout\`: plan the recipe again`);
        return splitN((await sizeOf(dp, draw)).train, holdout);
      }
      default:
        return { train: 0, heldout: 0 };
    }
  }
  if (node.kind === "stage" || node.kind === "eval") {
    const d = dataProp(node, prop);
    if (d === "task") return { train: 0, heldout: 0 }; // accuracy evals: measured from the built split (countExamples)
    const n = (await sizeOfParam(dp, p[d])).train;
    // pretraining holds out its own share of the corpus (kinds.ts fills `holdout`)
    if (node.op === "pretrain" && d === "data") return splitN(n, holdoutOf(dp, node));
    return { train: n, heldout: 0 };
  }
  return { train: 0, heldout: 0 };
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
  /** per unit: the tokens of its longest row as the trainer packs it, and the unit's weight */
  rows: { tokens: number; weight: number }[];
}
const empty = (): Sample => ({ units: 0, seqs: 0, tokens: 0, chars: 0, max: 0, pairs: 0, rows: [] });

/** The row length at each quantile (i + ½)/LENGTH_QUANTILES of a weighted sample (empty: none). */
export function lengthQuantiles(rows: readonly { tokens: number; weight: number }[]): number[] | undefined {
  const sorted = rows.filter((r) => r.weight > 0).sort((a, b) => a.tokens - b.tokens);
  const total = sorted.reduce((a, r) => a + r.weight, 0);
  if (sorted.length === 0 || !(total > 0)) return undefined;
  const out: number[] = [];
  let i = 0;
  let cum = sorted[0]!.weight;
  for (let q = 0; q < LENGTH_QUANTILES; q++) {
    const at = ((q + 0.5) / LENGTH_QUANTILES) * total;
    while (cum < at && i < sorted.length - 1) cum += sorted[++i]!.weight;
    out.push(sorted[i]!.tokens);
  }
  return out;
}

/**
 * Token sums of built data (SFT examples as formatted; comparison groups' responses after their prompt
 * in `fmt`, the stage's chat format, as the reward model reads them), and their row lengths.
 */
function measureBuilt(built: BuiltData, tok: Tokenizer, fmt: ChatFormat): Sample {
  const s = empty();
  const add = (text: string, tokens: number) => {
    s.seqs++;
    s.tokens += tokens;
    s.chars += text.length;
    s.max = Math.max(s.max, tokens);
  };
  if (built.kind === "sft")
    for (const e of built.train) {
      const n = tok.encode(e.text).length + 1;
      add(e.text, n);
      s.units++;
      s.rows.push({ tokens: n, weight: 1 });
    }
  else if (built.kind === "comparisons")
    for (const g of built.train) {
      s.pairs += g.pairs.length;
      s.units++;
      // each response as the reward model reads it: through the stage's chat format (src/run/nodes/tokens.ts).
      // Counted unformatted until 6 Dec 2026, so `plan` let through a stage whose formatted pairs passed the
      // model's context (no AL4005) while `check`, counting them formatted, refused it (audit35 L3)
      const lengths = comparisonLengths(fmt, tok, g);
      g.responses.forEach((r, i) => add(g.prompt + r, lengths[i]!));
      s.rows.push({ tokens: Math.max(0, ...lengths), weight: 1 });
    }
  else for (const l of built.train.lines) (add(l, tok.encode(l).length + 1), s.units++);
  return s;
}

/** Sums over the prompts of ranked samples before their draw: K responses of max_new_tokens each,
 * C(K,2) pairs per group (ties not yet known). The longest a response may be, so an upper bound. */
function undrawnSample(groups: readonly { prompt: string; system?: string }[], draw: DataNode, tok: Tokenizer, fmt: ChatFormat): Sample {
  const { k, max_new_tokens: maxNew } = paramsOf(draw as ParamsNode, "source.samples");
  const s = empty();
  for (const g of groups) {
    // as the reward model will read each: through the chat format, the longest response, the format's
    // closing text and EOS (comparisonLengths of an empty response, plus max_new_tokens); counted
    // unformatted, it was no upper bound (review35 L2)
    const n = comparisonLengths(fmt, tok, { ...g, responses: [""] })[0]! + maxNew;
    s.units++;
    s.rows.push({ tokens: n, weight: 1 });
    s.pairs += (k * (k - 1)) / 2;
    s.seqs += k;
    s.tokens += k * n;
    s.chars += k * g.prompt.length;
    s.max = Math.max(s.max, n);
  }
  return s;
}

/** Names (node ids) in the order of their plan nodes' seed keys, as a mixture's build orders its components. */
function bySeedKey(dp: DataPlan, names: readonly string[]): string[] {
  const keys = dp.keys;
  return names
    .map((n) => [keys.get(n) ?? "", n] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([, n]) => n);
}

/** Components of a mixture to sample: every one, or SAMPLE_COMPONENTS evenly spaced in an order that a rename does not change. */
function sampledComponents(dp: DataPlan, names: string[]): string[] {
  const order = bySeedKey(dp, names); // the plan's keys: the files were hashed when the plan was lowered
  if (order.length <= SAMPLE_COMPONENTS) return order;
  return Array.from({ length: SAMPLE_COMPONENTS }, (_, i) => order[Math.floor(((i + 0.5) * order.length) / SAMPLE_COMPONENTS)]!);
}

/**
 * Token sums of a mixture's training examples, scaled to `counts`: each sampled component's mean
 * per example × its count, the others at the sampled components' count-weighted mean. Response
 * length bounds (min_response_chars, max_response_chars) are applied to the sample as mixing would apply them.
 */
async function mixtureSample(dp: DataPlan, mixture: DataNode, counts: Record<string, number>, fmt: ChatFormat, tok: Tokenizer): Promise<Sample & { scaled: { tokens: number; chars: number } }> {
  const names = Object.keys(counts).filter((n) => counts[n]! > 0);
  const minLength = numP(mixture.params.min_response_chars); // no defaults: left out, no bound
  const maxLength = numP(mixture.params.max_response_chars);
  const total = empty();
  let sampledCount = 0;
  let tokens = 0;
  let chars = 0;
  for (const name of sampledComponents(dp, names)) {
    const raw = await buildNode(dp, name, { limit: SAMPLE_ROWS });
    const at = siteOf(dp, mixture);
    if (raw.kind !== "sft") fail(CODES.mixture, `mixture \`${mixture.id}\`: component \`${name}\` gives ${raw.kind}, not prompt/response examples`, at.file, at.span);
    const kept = raw.train.filter((e) => (minLength === undefined || e.response.length >= minLength) && (maxLength === undefined || e.response.length <= maxLength));
    const s = measureBuilt({ kind: "sft", name, train: kept.map((e) => formatExample(fmt, e)), heldout: [], heldoutTemplates: [], heldoutTasks: [] }, tok, fmt);
    if (s.units === 0) continue;
    total.units += s.units;
    total.seqs += s.seqs;
    total.tokens += s.tokens;
    total.chars += s.chars;
    total.max = Math.max(total.max, s.max);
    // each sampled row stands for counts / units rows of its component
    for (const r of s.rows) total.rows.push({ tokens: r.tokens, weight: counts[name]! / s.units });
    tokens += (s.tokens / s.units) * counts[name]!;
    chars += (s.chars / s.units) * counts[name]!;
    sampledCount += counts[name]!;
  }
  const all = names.reduce((a, n) => a + counts[n]!, 0);
  const scale = sampledCount ? all / sampledCount : 0; // unsampled components at the sampled mean
  return { ...total, scaled: { tokens: tokens * scale, chars: chars * scale } };
}

/** The mix node a parameter value trains on (a reference to it, through a stage's chain, or train(it)), if any. */
function mixtureOf(dp: DataPlan, v: Json | undefined): DataNode | null {
  const call = v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$call === "string" ? (v as { $call: string; args: Json[] }) : null;
  if (call?.$call === "train") return mixtureOf(dp, call.args[0]);
  const id = refOf(v);
  if (id === null || (v as { member?: unknown }).member !== undefined) return null;
  const n = nodeOf(dp, id);
  if (n.op === "format" || n.op === "tokenize") return n.params.split === "heldout" ? null : mixtureOf(dp, n.params.examples);
  return n.op === "mix" ? n : null;
}

/**
 * Examples and tokens of a block (or of a stage/eval's `opts.prop`), cheaply: see the rule at the
 * top of this file.
 */
export async function countExamples(recipe: CheckedRecipe, blockName: string, opts: BuildOptions & { tokenizer?: Tokenizer } = {}): Promise<DataStats> {
  const dp = dataPlanOf(recipe);
  const node = nodeOf(dp, blockName);
  const staged = node.kind === "stage" || node.kind === "eval";
  const prop = staged ? dataProp(node, opts.prop) : undefined;
  const value: Json = staged ? (node.params[prop!] ?? null) : { $ref: blockName };
  const size = await sizeOf(dp, node, opts.heldoutTasks, prop);
  const tok = opts.tokenizer ?? (await recipeTokenizer(recipe));
  const stats = (kind: DataStats["kind"], examples: number, s: Sample, estimated: boolean, totals?: { tokens: number; chars: number }): DataStats => {
    const per = (x: number) => (s.units ? x / s.units : 0);
    const lengths = lengthQuantiles(s.rows);
    return {
      name: blockName,
      kind,
      examples,
      heldout: size.heldout,
      ...(kind === "comparisons" ? { comparisons: Math.round(per(s.pairs) * examples), responses: Math.round(per(s.seqs) * examples) } : {}),
      chars: Math.round(totals?.chars ?? per(s.chars) * examples),
      tokens: Math.round(totals?.tokens ?? per(s.tokens) * examples),
      meanTokens: totals ? (examples ? totals.tokens / examples : 0) : s.seqs ? s.tokens / s.seqs : 0, // per sequence
      maxTokens: s.max,
      ...(kind !== "text" && lengths ? { lengths } : {}),
      estimated,
      ...(size.perTask ? { perTask: size.perTask } : {}),
    };
  };

  if (staged && prop === "prompts") {
    // what the policy is given to continue: the format's prompt-only text
    const fmt = formatFor(recipe, blockName, opts);
    const ps = promptsOfRaw(dp, await buildParam(dp, node, value, { limit: SAMPLE_ROWS }, `${node.kind} \`${node.id}\`.${prop}`));
    const s = empty();
    for (const p of ps.train) {
      const text = fmt.promptOnly(p.prompt, p.system ?? "");
      const n = tok.encode(text).length;
      s.units++;
      s.rows.push({ tokens: n, weight: 1 });
      s.seqs++;
      s.tokens += n;
      s.chars += text.length;
      s.max = Math.max(s.max, n);
    }
    return stats("prompts", size.train, s, s.units < size.train);
  }

  const mixture = mixtureOf(dp, value);
  if (mixture && prop !== "task") {
    const mixSize = staged ? await sizeOf(dp, mixture, opts.heldoutTasks) : size;
    const fmt = formatFor(recipe, blockName, opts);
    const s = await mixtureSample(dp, mixture, mixSize.perTask ?? {}, fmt, tok);
    return { ...stats("sft", mixSize.train, s, true, s.scaled), ...(mixSize.perTask ? { perTask: mixSize.perTask } : {}) };
  }

  // ranked samples not drawn yet: their prompts, each with K responses of max_new_tokens (an upper bound)
  const rank = rankNodeOf(dp, value);
  const sample = await buildExamples(recipe, blockName, { ...opts, ...(prop ? { prop } : {}), limit: SAMPLE_ROWS, ...(rank ? { undrawn: "prompts" as const } : {}) });
  const undrawn = rank !== null && !isDrawn(dp, rank) && sample.kind === "comparisons";
  const fmt = formatFor(recipe, blockName, opts);
  const s = undrawn ? undrawnSample(sample.train, drawOf(dp, rank), tok, fmt) : measureBuilt(sample, tok, fmt);
  // accuracy evals: their split is only known from the build (the sample is every row when files are small)
  const examples = prop === "task" ? s.units : size.train;
  return stats(sample.kind, examples, s, s.units < examples || sample.kind === "sft" || undrawn);
}
