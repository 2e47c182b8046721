// The data layer's builds, from the data nodes of a compiled plan (plan-input.ts): read nodes give
// sources (build-source.ts), expand nodes FLAN tasks (build-task.ts), mix nodes mixtures
// (build-mix.ts); a stage's or eval's data parameter is followed through its format and tokenize
// nodes to the data it names, with the split they carry. A chat format (the stage's inlined
// `format` parameter) turns prompt/response pairs into text with spans. Builds are memoised per plan
// by node seed key, so a mixture reads each component once.
//
// The recipe-facing functions at the end (buildExamples, buildRaw, buildValue, buildPrompts) take a
// checked recipe, lower it to its plan's data nodes (dataPlanOf) and build from those: the recipe
// names what to build, never how.
import { basename, resolve } from "node:path";
import { atRecipe, type RecipeSite } from "./at-recipe.js";
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { refOf } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { RAW_FORMAT, formatExample, formatPromptOnly, handlebarsChat, hfChat } from "./chat.js";
import { CODES, fail } from "./diag.js";
import { findBlock } from "./ir.js";
import { READER_KINDS, fieldString, readRows, type ReaderKind, type RowSet } from "./readers.js";
import { buildMix } from "./build-mix.js";
import { buildRead, cached, readNodeRows, strP, textData, textHasNoPrompts } from "./build-source.js";
import { failOrSkip } from "./bad-rows.js";
import { buildTask } from "./build-task.js";
import { buildRanked } from "./build-samples.js";
import type { BuildOptions, RawData } from "./build-types.js";
import { dataPlanOf, keyOf, nodeOf, pathOf, planValue, siteOf, valueKey, type DataNode, type DataPlan } from "./plan-input.js";
import type { BuiltData, ChatFormat, ComparisonGroup, PromptResponse, SkippedRows } from "./types.js";

export { mergeNotes, type BuildOptions, type RawData } from "./build-types.js";
export { dataPlanOf, dataPlanFromPlan, type DataPlan } from "./plan-input.js";
export { loadTemplates } from "./build-task.js";

type Call = { $call: string; args: Json[] };
const asCall = (v: Json | undefined): Call | null => (v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$call === "string" ? (v as Call) : null);
const isReaderCall = (c: Call | null): c is Call => c !== null && (READER_KINDS as readonly string[]).includes(c.$call);

/** The parameter of a stage or eval node that holds its data (as `prop`, else the first it has). */
function dataParam(node: DataNode, prop?: string): string {
  return prop ?? ["data", "prompts", "task"].find((k) => node.params[k] !== undefined && node.params[k] !== null) ?? "data";
}

/** Unformatted data of a plan node (a data node; a stage or eval node: the data its `opts.prop` names). */
export function buildNode(dp: DataPlan, id: string, opts: BuildOptions = {}): Promise<RawData> {
  const node = nodeOf(dp, id);
  // a stage's or eval's own (`owner:`) is its data parameter's build, keyed by the stage (a sweep of its
  // learning rate gives one per variant); the data node it reaches is memoised under its own key
  const owner = node.kind === "stage" || node.kind === "eval";
  const key = `${owner ? "owner" : "raw"}:${keyOf(dp, id)}:${opts.prop ?? ""}:${opts.limit ?? ""}:${(opts.heldoutTasks ?? []).join(",")}:${opts.undrawn ?? ""}`;
  return cached(dp, key, async () => {
    const at = siteOf(dp, node);
    if (owner) return buildOwnerData(dp, node, opts);
    if (node.kind !== "data") fail(CODES.unsupported, `\`${id}\` is a ${node.kind}; it has no examples`, at.file, at.span);
    switch (node.op) {
      case "read":
        return buildRead(dp, node, opts.limit);
      case "expand":
        return buildTask(dp, node, opts.limit);
      case "mix":
        return buildMix(dp, node, opts, buildNode);
      case "rank":
        return buildRanked(dp, node, opts, promptsOf);
      case "format":
      case "tokenize":
        return buildParam(dp, node, { $ref: id }, opts, `\`${id}\``);
      default:
        fail(CODES.unsupported, `\`${id}\` (${node.op}) has no examples before a run draws them`, at.file, at.span);
    }
  });
}

/** A stage's or eval's data parameter (`data`, `prompts`, `ptx_data`, an accuracy eval's `task`). */
async function buildOwnerData(dp: DataPlan, node: DataNode, opts: BuildOptions): Promise<RawData> {
  const prop = dataParam(node, opts.prop);
  const v = node.params[prop];
  const built = await buildParam(dp, node, v, { ...opts, prop: undefined }, `${node.kind} \`${node.id}\`.${prop}`);
  // a prompts source has no responses: read where prompts are, never trained on or scored as text (the
  // checker's roles refuse a plain reference; a split of one, `heldout(p)`, reaches here)
  if (built.kind === "sft" && built.promptsOnly && prop !== "prompts") {
    const at = siteOf(dp, node, prop);
    fail(CODES.unsupported, `${node.kind} \`${node.id}\`.${prop}: \`${built.name}\` is a prompts source (\`as prompts\`): its rows hold prompts alone, with no response to ${node.kind === "stage" ? "train on" : "score"}`, at.file, at.span, "read it as a stage's or a win-rate eval's `prompts`; responses come from a demonstrations source");
  }
  if (built.kind === "sft" && prop === "task") {
    // accuracy evals: the split they score (kinds.ts fills `split`) becomes `train` (the examples to run)
    const which = strP(node.params.split) ?? "";
    const splits = { heldout_templates: built.heldoutTemplates, heldout: built.heldout, heldout_tasks: built.heldoutTasks, train: built.train };
    const pick = Object.hasOwn(splits, which) ? splits[which as keyof typeof splits] : undefined;
    const at = siteOf(dp, node, "split");
    if (!pick) fail(CODES.unsupported, `eval \`${node.id}\`: unknown split \`${which}\` (${Object.keys(splits).join(", ")})`, at.file, at.span);
    return { ...built, train: pick, heldout: [], heldoutTemplates: [], heldoutTasks: [] };
  }
  if (built.kind === "text" && node.kind === "stage" && node.op === "pretrain" && prop === "data") {
    // pretraining holds out its own share of the corpus (kinds.ts fills `holdout`), seeded by the
    // data it names (not the tokenizer it is tokenized with) and the share
    const holdout = node.params.holdout as number;
    const key = valueKey(dp, { data: baseOf(dp, v), holdout });
    // memoised by that key (and the name the data carries), not by the stage's: the stages of a sweep's
    // variants that differ in other parameters split once (shared-builds.ts)
    return cached(dp, `split:${node.id}:${key}`, async () => textData(dp, `${node.id}.data`, key, [...built.train.lines, ...built.heldout.lines], holdout, built.train.meta.file));
  }
  return built;
}

/** The data a chain of format/tokenize nodes starts from ({ $ref } to it), or the value itself. */
function baseOf(dp: DataPlan, v: Json | undefined): Json {
  let cur: Json = v ?? null;
  for (let guard = 0; guard < 8; guard++) {
    const id = refOf(cur);
    const n = id === null ? undefined : dp.nodes.get(id);
    if (!n || (n.op !== "format" && n.op !== "tokenize")) return cur;
    cur = n.params.examples ?? null;
  }
  return cur;
}

/** heldout(x) / train(x), or a chain node's `split`: keep one part of x as `train`. */
function take(inner: RawData, part: "heldout" | "train"): RawData {
  if (inner.kind === "sft") return part === "heldout" ? { ...inner, train: inner.heldout, heldout: [] } : { ...inner, heldout: [], heldoutTemplates: [], heldoutTasks: [] };
  if (inner.kind === "comparisons") return { ...inner, train: part === "heldout" ? inner.heldout : inner.train, heldout: [] };
  return { ...inner, train: part === "heldout" ? inner.heldout : inner.train, heldout: { ...inner.heldout, lines: [] } };
}

/** Build a parameter value: a reference to a data node (through format/tokenize nodes), heldout(x) / train(x), or a reader call (text). */
export async function buildParam(dp: DataPlan, owner: DataNode, v: Json | undefined, opts: BuildOptions, what: string): Promise<RawData> {
  const id = refOf(v);
  if (id !== null) {
    const n = nodeOf(dp, id);
    if (n.op === "format" || n.op === "tokenize") {
      // a stage's data chain: the split the lowering wrote (`heldout(x)`, `train(x)`; `all` for a plain reference)
      const inner = await buildParam(dp, n, n.params.examples, opts, what);
      const part = n.params.split;
      return part === "heldout" || part === "train" ? take(inner, part) : inner;
    }
    return buildNode(dp, id, opts);
  }
  const call = asCall(v);
  if (call && (call.$call === "heldout" || call.$call === "train")) return take(await buildParam(dp, owner, call.args[0], opts, what), call.$call);
  if (isReaderCall(call)) {
    const rs = await readCallRows(dp, call, { limit: opts.limit, what });
    // memoised by what it reads (the rows are): a BPE tokenizer's corpus is asked for by every variant of a sweep
    const key = valueKey(dp, call);
    return cached(dp, `text:${rs.file}:${key}:${opts.limit ?? ""}`, async () => textData(dp, basename(rs.file), key, rs.rows.map((r) => fieldString(r, "text", rs.file)), 0, rs.file));
  }
  const at = siteOf(dp, owner);
  fail(CODES.unsupported, `${what}: no data to build`, at.file, at.span);
}

/** Rows of a reader call left in a parameter (`text("corpus.txt")` of an eval). */
function readCallRows(dp: DataPlan, call: Call, opts: { limit?: number; what: string }): Promise<RowSet> {
  const file = pathOf(dp, call.args[0], opts.what);
  return cached(dp, `rows:${call.$call}:${file}:${opts.limit ?? ""}:fail:`, () => readRows(file, call.$call as ReaderKind, { limit: opts.limit, onError: "fail" }));
}

/** The chat format an inlined `format` parameter declares ({ op, template: { $file }, system? }); null: raw. */
export function chatFormatOf(dp: DataPlan, f: Json | undefined): ChatFormat {
  if (f === null || f === undefined || typeof f !== "object" || Array.isArray(f)) return RAW_FORMAT;
  const file = pathOf(dp, f.template, "format");
  // the kinds table fills `system` ("": no system message); a plan without it was not made by this alignc
  const system = strP(f.system);
  if (system === undefined) fail(CODES.unsupported, `a chat format in the plan lacks its resolved \`system\`: plan the recipe again`, dp.recipe.file);
  // a template that fails as a whole (no placeholder, raises when rendered) is reported at the format
  // block that names it (at-recipe.ts); the template is read now and rendered at the first example
  const at = formatSite(dp, String(f.op), file);
  const located = <T>(fn: () => T): T => atRecipe(at, file, dp.dir, fn);
  const base = located(() => (f.op === "hf_chat_template" ? hfChat(file) : handlebarsChat(file)));
  return { name: base.name, format: (p, r, s) => located(() => base.format(p, r, s || system)), promptOnly: (p, s) => located(() => base.promptOnly(p, s || system)) };
}

/** The format block that names a chat template file (the lowering inlines format blocks without their names). */
function formatSite(dp: DataPlan, op: string, file: string): RecipeSite {
  const b = dp.recipe.blocks.find((x) => x.keyword === "format" && x.kind === op && typeof x.args[0] === "string" && resolve(dp.dir, x.args[0]) === file);
  return b ? { file: b.file ?? dp.recipe.file, span: b.decl.args?.[0]?.span ?? b.decl.span } : { file: dp.recipe.file, span: null };
}

/** The chat format a node's examples are formatted with: opts.format, else the stage's `format` parameter, else raw. */
export function formatOfNode(dp: DataPlan, node: DataNode, opts: BuildOptions): ChatFormat {
  if (opts.format === null) return RAW_FORMAT;
  if (opts.format) return opts.format;
  return chatFormatOf(dp, node.params.format);
}

/** Formatted examples of a plan node: SFT data through the chat format, comparison groups and text as built. */
export async function examplesOf(dp: DataPlan, id: string, opts: BuildOptions = {}): Promise<BuiltData> {
  const raw = await buildNode(dp, id, opts);
  if (raw.kind !== "sft") return raw;
  const fmt = formatOfNode(dp, nodeOf(dp, id), opts);
  // a prompts source's rows are prompts alone: formatted as the policy is asked them
  const one = raw.promptsOnly ? formatPromptOnly : formatExample;
  const f = (xs: PromptResponse[]) => xs.map((x) => one(fmt, x));
  return { kind: "sft", name: raw.name, train: f(raw.train), heldout: f(raw.heldout), heldoutTemplates: f(raw.heldoutTemplates), heldoutTasks: f(raw.heldoutTasks), ...(raw.notes ? { notes: raw.notes } : {}), ...(raw.promptsOnly ? { promptsOnly: true as const } : {}) };
}

/** The prompts a win-rate eval scores: heldout(x) hands its held-out part over as `train`; a plain
 * reference evaluates on its held-out prompts when it has them, else on all of them. */
export function evaluatedPrompts(v: Json | IRValue | undefined, ps: { train: PromptResponse[]; heldout: PromptResponse[] }): PromptResponse[] {
  return asCall(v as Json) !== null || ps.heldout.length === 0 ? ps.train : ps.heldout;
}

type Prompts = { train: PromptResponse[]; heldout: PromptResponse[]; skipped?: SkippedRows[] };

/** Prompts of built data (PPO rollouts, win-rate evals): with the reference response when one exists. */
export function promptsOfRaw(dp: DataPlan, raw: RawData): Prompts {
  // located at the text block's declaration: the recipe's error is the block read as text, which a
  // source without a role becomes when its rows have one text field (`alignc check` meets it first:
  // text-prompts.ts)
  if (raw.kind === "text") throw textHasNoPrompts(dp, raw.name);
  if (raw.kind === "sft") return { train: raw.train, heldout: [...raw.heldout, ...raw.heldoutTemplates, ...raw.heldoutTasks], ...(raw.notes?.skipped ? { skipped: raw.notes.skipped } : {}) };
  const best = (g: ComparisonGroup): PromptResponse => {
    const ranks = g.ranks ?? g.responses.map((_, i) => i);
    const top = ranks.indexOf(Math.min(...ranks));
    return { id: g.id, prompt: g.prompt, response: g.responses[top] ?? "", ...(g.system ? { system: g.system } : {}), meta: g.meta };
  };
  return { train: raw.train.map(best), heldout: raw.heldout.map(best), ...(raw.notes?.skipped ? { skipped: raw.notes.skipped } : {}) };
}

/** Prompts a node's parameter names (a stage's `prompts`, an eval's). */
export async function promptsOf(dp: DataPlan, owner: DataNode, prop: string, opts: BuildOptions = {}): Promise<Prompts> {
  return promptsOfRaw(dp, await buildParam(dp, owner, owner.params[prop], opts, `${owner.kind} \`${owner.id}\`.${prop}`));
}

/**
 * Prompts the rule reads (a PPO stage's `reward = "rule"`, a win-rate eval's rule judge or pick): each
 * must carry its reference answer. A prompts source (`as prompts`) has none, which the checker refuses
 * (AL2040); a ranking whose best response is empty has none either, known from its rows only: located
 * here, at the property, as the draw's rule labeler says it (build-samples.ts).
 */
export function needReferences(dp: DataPlan, owner: DataNode, prop: string, xs: readonly PromptResponse[], reader: string): void {
  const x = xs.find((e) => e.response.trim() === "");
  if (!x) return;
  const at = siteOf(dp, owner, prop);
  const row = x.meta.line !== undefined ? ` (line ${x.meta.line})` : "";
  const why = dp.recipe.blocks.find((b) => b.name === x.meta.source)?.role === "prompts" ? "a prompts source holds prompts alone" : "its best response is empty";
  fail(CODES.unsupported, `${owner.kind} \`${owner.id}\`: ${reader} compares each answer with its prompt's reference answer, and the prompt ${JSON.stringify(x.prompt.slice(0, 60))} of \`${x.meta.source}\`${row} has none (${why})`, at.file, at.span, "name prompts whose rows carry a reference answer: rankings (the best response), demonstrations or a task; or judge with a reward model");
}

// ---- recipe-facing: the recipe names the node; its plan's data nodes say how to build it ----

/** Options of the recipe-facing builds: a format may be named by its format block. */
export type RecipeBuildOptions = Omit<BuildOptions, "format"> & { format?: string | ChatFormat | null };

/** The chat format a format block declares, as the lowering inlines it into stages. */
export function loadFormat(recipe: CheckedRecipe, name: string): ChatFormat {
  const b = findBlock(recipe, name);
  if (b.keyword !== "format") fail(CODES.unsupported, `\`${name}\` is not a format block`, recipe.file, b.decl.span);
  const dp = dataPlanOf(recipe);
  // format blocks lower into the stages that use them (src/plan/lower.ts); this is the same inlining
  return chatFormatOf(dp, { op: b.kind, template: planValue(dp, b.args[0]), ...(typeof b.props.system === "string" ? { system: b.props.system } : {}) });
}

function coreOpts(recipe: CheckedRecipe, opts: RecipeBuildOptions): BuildOptions {
  const { format, ...rest } = opts;
  return { ...rest, ...(typeof format === "string" ? { format: loadFormat(recipe, format) } : format !== undefined ? { format } : {}) };
}

/** Unformatted data of a block: its plan node's build. */
export function buildRaw(recipe: CheckedRecipe, b: CheckedBlock | string, opts: RecipeBuildOptions = {}): Promise<RawData> {
  return buildNode(dataPlanOf(recipe), typeof b === "string" ? b : b.name, coreOpts(recipe, opts));
}

/** Examples of a data block (task, source, mixture) or of a stage/eval's data property, formatted. */
export function buildExamples(recipe: CheckedRecipe, blockName: string, opts: RecipeBuildOptions = {}): Promise<BuiltData> {
  return examplesOf(dataPlanOf(recipe), blockName, coreOpts(recipe, opts));
}

/** The chat format a block's examples are formatted with: opts.format, else its node's `format` parameter, else raw. */
export function formatFor(recipe: CheckedRecipe, b: CheckedBlock | string, opts: RecipeBuildOptions = {}): ChatFormat {
  const dp = dataPlanOf(recipe);
  const name = typeof b === "string" ? b : b.name;
  const node = dp.nodes.get(name);
  const core = coreOpts(recipe, opts);
  return node ? formatOfNode(dp, node, core) : core.format === null ? RAW_FORMAT : (core.format ?? RAW_FORMAT);
}

/** A recipe value (a property as checked: `heldout(prefs)`, `prefs`, `text("…")`) built as its plan parameter. */
export function buildValue(recipe: CheckedRecipe, v: IRValue | undefined, opts: RecipeBuildOptions, what: string): Promise<RawData> {
  const dp = dataPlanOf(recipe);
  return buildParam(dp, { id: "", kind: "data", op: "value", params: {}, inputs: [], files: [] }, planValue(dp, v), coreOpts(recipe, opts), what);
}

/** Prompts of a block or recipe value (PPO rollouts, win-rate evals). */
export async function buildPrompts(recipe: CheckedRecipe, v: IRValue | string, opts: RecipeBuildOptions = {}): Promise<Prompts> {
  const raw = typeof v === "string" ? await buildRaw(recipe, v, opts) : await buildValue(recipe, v, opts, "prompts");
  return promptsOfRaw(dataPlanOf(recipe), raw);
}

/** Rows of a source block (`alignc label` reads candidate sets this way: they have no plan node). */
export function readData(recipe: CheckedRecipe, v: IRValue | undefined, opts: { limit?: number; what: string }): Promise<RowSet> {
  const dp = dataPlanOf(recipe);
  const id = refOf(planValue(dp, v));
  const node = id === null ? undefined : dp.nodes.get(id);
  if (node?.op === "read") return readNodeRows(dp, node, { limit: opts.limit });
  // a candidates source is no plan node (src/plan/lower.ts): its file is read as the block names it
  const b = id === null ? undefined : recipe.blocks.find((x) => x.name === id);
  if (b?.keyword === "source" && b.role === "candidates" && typeof b.args[0] === "string" && (READER_KINDS as readonly string[]).includes(b.kind))
    return readRows(b.args[0], b.kind as ReaderKind, { limit: opts.limit, onError: failOrSkip(b.props.on_error), source: b.name, ...(typeof b.props.encoding === "string" ? { encoding: b.props.encoding } : {}), ...(typeof b.props.pattern === "string" ? { pattern: b.props.pattern } : {}) });
  fail(CODES.unsupported, `${opts.what}: expected a source`, recipe.file);
}
