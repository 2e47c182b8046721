// buildExamples: a checked recipe's data block → training examples. Tasks expand FLAN templates,
// sources read demonstrations / rankings / text, mixtures mix their components, stages and evals
// build the data property they name; a format block turns prompt/response pairs into text with
// spans. Results are cached per recipe object (a mixture reads each component once).
import { basename } from "node:path";
import type { CheckedBlock, CheckedRecipe, IRValue } from "../check/ir.js";
import { CODES, fail } from "./diag.js";
import { RAW_FORMAT, formatExample, handlebarsChat, hfChat } from "./chat.js";
import { readDemonstrations } from "./demos.js";
import { deriveFields } from "./fields.js";
import { loadFlanTemplates, loadPromptsource, loadTemplateDir } from "./flan/loaders.js";
import { renderFlan, withOptionsFor, renderHeldoutTask, type FlanTaskSpec } from "./flan/render.js";
import type { TaskTemplate } from "./flan/template.js";
import { blockIdentity, byIdentity, valueIdentity } from "./identity.js";
import { findBlock, heldoutTaskNames, isCall, isRef, num, pathArg, range, str, strList } from "./ir.js";
import { mix, type MixComponent } from "./mix.js";
import { readRankings } from "./rankings.js";
import { READER_KINDS, fieldString, readRows, type ReaderKind, type Row, type RowSet } from "./readers.js";
import { rngFor, splitIndices } from "./rng.js";
import type { BuiltData, ChatFormat, ComparisonGroup, DataNotes, PromptResponse, SkippedRows, TextCorpus } from "./types.js";
import { BadRows, mergeSkipped, type OnError } from "./bad-rows.js";

export interface BuildOptions {
  /** chat format: a format block name, a ChatFormat, or null for the raw `prompt\nresponse` layout.
   * Default: the `format` property of the stage/eval being built, else raw. */
  format?: string | ChatFormat | null;
  /** for a stage or eval block: the property holding the data (default `data`; `prompts`, `ptx_data`). */
  prop?: string;
  /** mixture components kept out of training and evaluated zero-shot (held-out tasks), besides the
   * ones a mixture's `heldout_tasks` property lists. */
  heldoutTasks?: string[];
  /** read at most this many rows per file (previews and estimates). */
  limit?: number;
}

/** Unformatted data: prompt/response pairs, comparison groups or text. */
export type RawData =
  | {
      kind: "sft";
      name: string;
      train: PromptResponse[];
      heldout: PromptResponse[];
      heldoutTemplates: PromptResponse[];
      heldoutTasks: PromptResponse[];
      mixCounts?: Record<string, number>;
      notes?: DataNotes;
    }
  | { kind: "comparisons"; name: string; train: ComparisonGroup[]; heldout: ComparisonGroup[]; notes?: DataNotes }
  | { kind: "text"; name: string; train: TextCorpus; heldout: TextCorpus; notes?: DataNotes };

/** Notes of several builds in one (a mixture's components). */
export function mergeNotes(...ns: (DataNotes | undefined)[]): DataNotes | undefined {
  const templates = ns.flatMap((n) => n?.templates ?? []);
  const skipped = mergeSkipped(ns.flatMap((n) => n?.skipped ?? []));
  if (!templates.length && !skipped.length) return undefined;
  return { ...(templates.length ? { templates } : {}), ...(skipped.length ? { skipped } : {}) };
}

type Cache = Map<string, Promise<unknown>>;
const caches = new WeakMap<CheckedRecipe, Cache>();

function cached<T>(recipe: CheckedRecipe, key: string, make: () => Promise<T>): Promise<T> {
  let c = caches.get(recipe);
  if (!c) caches.set(recipe, (c = new Map()));
  let p = c.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    c.set(key, p);
    p.catch(() => c!.delete(key));
  }
  return p;
}

/** Rows of a data value: a reader call or a reference to a source block. */
export function readData(recipe: CheckedRecipe, v: IRValue | undefined, opts: { limit?: number; what: string; onError?: OnError; source?: string }): Promise<RowSet> {
  if (isCall(v) && (READER_KINDS as readonly string[]).includes(v.$call)) {
    const file = pathArg(recipe, v.args[0]);
    const onError = opts.onError ?? "fail";
    return cached(recipe, `rows:${v.$call}:${file}:${opts.limit ?? ""}:${onError}`, () => readRows(file, v.$call as ReaderKind, { limit: opts.limit, onError, source: opts.source }));
  }
  if (isRef(v)) {
    const b = findBlock(recipe, v.$ref);
    return readSourceRows(recipe, b, opts.limit);
  }
  fail(CODES.unsupported, `${opts.what}: expected a reader call (jsonl("…")) or a source`, recipe.file);
}

function readSourceRows(recipe: CheckedRecipe, b: CheckedBlock, limit?: number): Promise<RowSet> {
  if (b.keyword !== "source" || !(READER_KINDS as readonly string[]).includes(b.kind)) fail(CODES.unsupported, `\`${b.name}\` is not a data source`, recipe.file, b.decl.span);
  const file = pathArg(recipe, b.args[0]);
  const lim = limit ?? num(b.props.limit);
  const both = limit !== undefined && num(b.props.limit) !== undefined ? Math.min(limit, num(b.props.limit)!) : lim;
  const [onError, encoding] = [onErrorOf(b), str(b.props.encoding)]; // encoding: kinds.ts ENCODINGS, UTF-8 when left out
  return cached(recipe, `rows:${b.kind}:${file}:${both ?? ""}:${onError}:${encoding ?? ""}`, () => readRows(file, b.kind as ReaderKind, { limit: both, onError, source: b.name, ...(encoding ? { encoding } : {}) }));
}

/** A block's bad-row policy (kinds.ts: on_error, default fail). */
function onErrorOf(b: CheckedBlock): OnError {
  return str(b.props.on_error) === "skip" ? "skip" : "fail";
}

/** Templates of a flan task's `templates` property. */
export function loadTemplates(recipe: CheckedRecipe, block: CheckedBlock): { templates: TaskTemplate[]; options: string[] | null; targetField?: string } {
  const v = block.props.templates;
  if (!isCall(v)) fail(CODES.unsupported, `task \`${block.name}\`: templates must be dir("…"), flan_templates("…") or promptsource("…")`, recipe.file, block.propSpans.templates ?? block.decl.span);
  const file = pathArg(recipe, v.args[0]);
  switch (v.$call) {
    case "dir":
      return { templates: loadTemplateDir(file), options: null };
    case "flan_templates": {
      // optional second argument: the FLAN task name (default: the block's name)
      const task = typeof v.args[1] === "string" ? v.args[1] : block.name;
      const version = v.args[2] === "v2" ? "v2" : "v1";
      return loadFlanTemplates(file, task, version, str(block.props.target_field));
    }
    case "promptsource":
      // each template's options are its own answer_choices (render.ts), never the task's
      return { templates: loadPromptsource(file), options: null };
    default:
      fail(CODES.unsupported, `task \`${block.name}\`: unknown template reader ${v.$call}`, recipe.file, block.propSpans.templates ?? null);
  }
}

async function taskSpec(recipe: CheckedRecipe, b: CheckedBlock, limit?: number): Promise<FlanTaskSpec> {
  const p = b.props;
  const onError = onErrorOf(b);
  const read = await readData(recipe, p.data, { limit: limit ?? num(p.limit), what: `task \`${b.name}\``, onError, source: b.name });
  const fields = p.fields;
  const bad = new BadRows(b.name, read.file, onError);
  const rows = fields && typeof fields === "object" && !Array.isArray(fields) && !isRef(fields) && !isCall(fields) ? deriveFields(read, fields as Record<string, IRValue>, { file: recipe.file, span: b.propSpans.fields }, bad) : read;
  const { templates, options: fileOptions } = loadTemplates(recipe, b);
  const options = strList(p.options) ?? str(p.options) ?? fileOptions;
  return {
    name: b.name,
    key: blockIdentity(recipe, b.name),
    // the row split depends on the data alone, so ablating templates, shots or inversion keeps the
    // same rows held out (and two tasks over one file hold out the same rows)
    rowsKey: valueIdentity(recipe, { data: p.data ?? null, fields: p.fields ?? null, limit: p.limit ?? null, holdout: p.holdout ?? null }),
    file: rows.file,
    rows: rows.rows,
    bad,
    ...(read.skipped ? { readSkipped: read.skipped } : {}),
    templates,
    options,
    shots: range(p.shots, [0, 0]),
    invert: num(p.invert) ?? 0,
    holdoutTemplates: num(p.holdout_templates) ?? 0,
    holdoutTemplatesAt: { file: b.propFiles?.holdout_templates ?? b.file ?? recipe.file, span: b.propSpans.holdout_templates ?? b.decl.span },
    ...(num(p.train_templates) !== undefined ? { trainTemplates: num(p.train_templates)! } : {}),
    holdout: num(p.holdout) ?? 0.1,
    withOptions: withOptionsFor(templates, num(p.with_options) ?? 0.5, b.propSpans.with_options !== undefined),
    seed: recipe.seed,
  };
}

async function buildTask(recipe: CheckedRecipe, b: CheckedBlock, limit?: number): Promise<RawData> {
  const spec = await taskSpec(recipe, b, limit);
  const out = renderFlan(spec);
  const held = new Set(out.evalTemplates);
  const templates = spec.templates.map((t) => ({ task: b.name, id: t.id, role: t.role, reason: t.roleReason, heldout: held.has(t.id) }));
  const skipped = mergeSkipped([spec.readSkipped, spec.bad?.finish()].filter((x): x is SkippedRows => x !== undefined));
  return { kind: "sft", name: b.name, train: out.train, heldout: out.heldout, heldoutTemplates: out.heldoutTemplates, heldoutTasks: [], notes: { templates, ...(skipped.length ? { skipped } : {}) } };
}

/** A mixture component held out as a task: all of it, zero-shot (a task over all its templates; every row of a demonstrations source). */
function buildHeldoutComponent(recipe: CheckedRecipe, b: CheckedBlock, opts: BuildOptions): Promise<PromptResponse[]> {
  return cached(recipe, `heldout-task:${b.name}:${opts.limit ?? ""}`, async () => {
    if (b.keyword === "task" && b.kind === "flan") {
      const spec = await taskSpec(recipe, b, opts.limit);
      const out = renderHeldoutTask(spec);
      spec.bad?.finish(); // fail: report the bad rows (skip: they are left out of the evaluation)
      return out;
    }
    const built = await buildRaw(recipe, b, { limit: opts.limit });
    if (built.kind !== "sft") fail(CODES.mixture, `\`${b.name}\` gives ${built.kind}, not prompt/response examples; it cannot be a held-out task`, recipe.file, b.decl.span);
    return [...built.train, ...built.heldout].map((e) => ({ ...e, meta: { ...e.meta, heldout: true } }));
  });
}


/** Seeded train/held-out split; `key` is a content identity (identity.ts), never a block name. */
function split<T>(recipe: CheckedRecipe, key: string, xs: T[], share: number): { train: T[]; heldout: T[] } {
  const s = splitIndices(xs.length, share, rngFor(recipe.seed, key, "holdout"));
  return { train: s.train.map((i) => xs[i]!), heldout: s.heldout.map((i) => xs[i]!) };
}

function roleOf(b: CheckedBlock, rows: readonly Row[]): string {
  if (b.role) return b.role;
  const f = rows[0]?.data ?? {};
  if ("responses" in f || "responses_ranked" in f) return "rankings";
  if ("chosen" in f) return "pairs";
  if (Object.keys(f).length === 1 && "text" in f) return "text";
  return "demonstrations";
}

async function buildSource(recipe: CheckedRecipe, b: CheckedBlock, limit?: number): Promise<RawData> {
  if (b.role === "candidates") fail(CODES.unsupported, `\`${b.name}\` holds candidate sets to label (\`alignc label\`), not training examples; train on the rankings source its \`labels\` names`, recipe.file, b.decl.span);
  const rs = await readSourceRows(recipe, b, limit);
  const p = b.props;
  const holdout = num(p.holdout) ?? 0;
  const role = roleOf(b, rs.rows);
  const bad = new BadRows(b.name, rs.file, onErrorOf(b));
  const skippedNotes = (extra: SkippedRows[] = []): { notes?: DataNotes } => {
    const skipped = mergeSkipped([rs.skipped, bad.finish(), ...extra].filter((x): x is SkippedRows => x !== undefined));
    return skipped.length ? { notes: { skipped } } : {};
  };
  if (role === "demonstrations") {
    const exs = readDemonstrations({
      name: b.name,
      file: rs.file,
      rows: rs.rows,
      shape: str(p.shape),
      prompt: str(p.prompt),
      response: str(p.response),
      context: str(p.context),
      system: str(p.system),
      categories: strList(p.categories),
      bad,
      templateSite: { file: recipe.file, spans: { prompt: b.propSpans.prompt, response: b.propSpans.response, context: b.propSpans.context } },
    });
    const notes = skippedNotes();
    const s = split(recipe, blockIdentity(recipe, b.name), exs, holdout);
    return { kind: "sft", name: b.name, train: s.train, heldout: s.heldout.map((e) => ({ ...e, meta: { ...e.meta, heldout: true } })), heldoutTemplates: [], heldoutTasks: [], ...notes };
  }
  if (role === "rankings" || role === "pairs") {
    const kSkipped = { count: 0 };
    const groups = readRankings({
      name: b.name,
      file: rs.file,
      rows: rs.rows,
      shape: str(p.shape),
      role,
      promptTemplate: str(p.prompt),
      templateSite: { file: recipe.file, span: b.propSpans.prompt },
      responses: str(p.responses),
      ranking: str(p.ranking),
      chosen: str(p.chosen),
      rejected: str(p.rejected),
      k: p.k !== undefined ? range(p.k, [2, 9]) : undefined,
      kOutside: str(p.k_outside) === "skip" ? "skip" : "fail",
      kSkipped,
      bad,
      system: str(p.system),
    });
    const kNote: SkippedRows[] = kSkipped.count ? [{ source: b.name, file: rs.file, count: kSkipped.count, reasons: [`K outside k = ${range(p.k, [2, 9]).join("..")} (k_outside = "skip")`] }] : [];
    const notes = skippedNotes(kNote);
    const s = split(recipe, blockIdentity(recipe, b.name), groups, holdout);
    return { kind: "comparisons", name: b.name, train: s.train, heldout: s.heldout, ...notes };
  }
  const field = str(p.field) ?? "text";
  const lines = rs.rows.map((r) => fieldString(r, field, rs.file));
  return textData(recipe, b.name, blockIdentity(recipe, b.name), lines, holdout, rs.file);
}

function textData(recipe: CheckedRecipe, name: string, key: string, lines: string[], holdout: number, file?: string): RawData {
  const s = split(recipe, key, lines, holdout);
  const meta = { source: name, ...(file ? { file } : {}) };
  return { kind: "text", name, train: { id: `${name}:train`, lines: s.train, meta }, heldout: { id: `${name}:heldout`, lines: s.heldout, meta } };
}

async function buildMixture(recipe: CheckedRecipe, b: CheckedBlock, opts: BuildOptions): Promise<RawData> {
  const comps = (b.props.components ?? {}) as Record<string, Record<string, IRValue>>;
  // components in identity order: dedup keeps the first occurrence and the mix's shuffle starts from
  // this order, so ordering by name would make a rename change the examples (identity.ts)
  const names = byIdentity(recipe, Object.keys(comps));
  const listed = Object.keys(comps).sort().join(", ");
  if (names.length === 0) fail(CODES.mixture, `mixture \`${b.name}\` has no components`, recipe.file, b.decl.span);
  const heldTasks = new Set([...heldoutTaskNames(b.props.heldout_tasks), ...(opts.heldoutTasks ?? [])]);
  const where = b.propSpans.heldout_tasks ?? b.decl.span;
  for (const name of heldTasks)
    if (!names.includes(name)) fail(CODES.mixture, `mixture \`${b.name}\`: held-out task \`${name}\` is not one of its components (${listed})`, recipe.file, where);
  if (names.every((n) => heldTasks.has(n))) fail(CODES.mixture, `mixture \`${b.name}\` holds out every component: nothing is left to train on`, recipe.file, where);
  const parts: MixComponent[] = [];
  const heldout: PromptResponse[] = [];
  const heldoutTemplates: PromptResponse[] = [];
  const heldoutTasks: PromptResponse[] = [];
  const notes: (DataNotes | undefined)[] = [];
  for (const name of names) {
    const c = comps[name]!;
    const block = findBlock(recipe, name);
    if (heldTasks.has(name)) {
      // a held-out task: none of it is trained on (nor takes part in dedup); all of it is zero-shot evaluation
      heldoutTasks.push(...(await buildHeldoutComponent(recipe, block, opts)));
      continue;
    }
    const built = await buildRaw(recipe, block, { ...opts, heldoutTasks: undefined }); // opts.heldoutTasks names this mixture's components
    if (built.kind !== "sft") fail(CODES.mixture, `mixture \`${b.name}\`: component \`${name}\` gives ${built.kind}, not prompt/response examples`, recipe.file, b.decl.span);
    heldout.push(...built.heldout);
    notes.push(built.notes);
    heldoutTemplates.push(...built.heldoutTemplates);
    heldoutTasks.push(...built.heldoutTasks); // a nested mixture's own held-out tasks
    parts.push({
      name,
      key: blockIdentity(recipe, name),
      examples: built.train,
      proportional: c.proportional === true,
      ...(typeof c.cap === "number" ? { cap: c.cap } : {}),
      ...(typeof c.weight === "number" ? { weight: c.weight } : {}),
    });
  }
  const dedup = str(b.props.dedup) as "none" | "exact" | "normalized" | undefined;
  const r = mix(parts, {
    seed: recipe.seed,
    total: num(b.props.total),
    dedup: dedup ?? "exact",
    minLength: num(b.props.min_length),
    maxLength: num(b.props.max_length),
    perCategory: num(b.props.per_category),
    where: { file: recipe.file, span: b.decl.span },
  });
  const merged = mergeNotes(...notes);
  return { kind: "sft", name: b.name, train: r.examples, heldout, heldoutTemplates, heldoutTasks, mixCounts: r.counts, ...(merged ? { notes: merged } : {}) };
}

/** Build a data value: a block reference, a reader call (text), or heldout(x) / train(x). */
export async function buildValue(recipe: CheckedRecipe, v: IRValue | undefined, opts: BuildOptions, what: string): Promise<RawData> {
  if (isRef(v)) return buildRaw(recipe, findBlock(recipe, v.$ref), opts);
  if (isCall(v) && (v.$call === "heldout" || v.$call === "train")) {
    const inner = await buildValue(recipe, v.args[0], opts, what);
    const take = v.$call;
    if (inner.kind === "sft")
      return take === "heldout" ? { ...inner, train: inner.heldout, heldout: [] } : { ...inner, heldout: [], heldoutTemplates: [], heldoutTasks: [] };
    if (inner.kind === "comparisons") return { ...inner, train: take === "heldout" ? inner.heldout : inner.train, heldout: [] };
    return { ...inner, train: take === "heldout" ? inner.heldout : inner.train, heldout: { ...inner.heldout, lines: [] } };
  }
  if (isCall(v) && (READER_KINDS as readonly string[]).includes(v.$call)) {
    const rs = await readData(recipe, v, { limit: opts.limit, what });
    const lines = rs.rows.map((r) => fieldString(r, "text", rs.file));
    return textData(recipe, basename(rs.file), valueIdentity(recipe, v), lines, 0, rs.file);
  }
  fail(CODES.unsupported, `${what}: no data to build`, recipe.file);
}

/** Unformatted data of a block. */
export function buildRaw(recipe: CheckedRecipe, b: CheckedBlock, opts: BuildOptions = {}): Promise<RawData> {
  const key = `raw:${b.name}:${opts.prop ?? ""}:${opts.limit ?? ""}:${(opts.heldoutTasks ?? []).join(",")}`;
  return cached(recipe, key, async () => {
    switch (b.keyword) {
      case "task":
        if (b.kind !== "flan") fail(CODES.unsupported, `task kind \`${b.kind}\` has no data builder`, recipe.file, b.decl.span);
        return buildTask(recipe, b, opts.limit);
      case "source":
        return buildSource(recipe, b, opts.limit);
      case "mixture":
        return buildMixture(recipe, b, opts);
      case "stage":
      case "eval": {
        const prop = opts.prop ?? ["data", "prompts", "task"].find((k) => b.props[k] !== undefined) ?? "data";
        const v = b.props[prop];
        const built = await buildValue(recipe, v, { ...opts, prop: undefined }, `${b.keyword} \`${b.name}\`.${prop}`);
        if (built.kind === "sft" && prop === "task") {
          // accuracy evals: the split they score becomes `train` (the examples to run)
          const which = str(b.props.split) ?? "heldout_templates";
          const splits = { heldout_templates: built.heldoutTemplates, heldout: built.heldout, heldout_tasks: built.heldoutTasks, train: built.train };
          const pick = Object.hasOwn(splits, which) ? splits[which as keyof typeof splits] : undefined;
          if (!pick) fail(CODES.unsupported, `eval \`${b.name}\`: unknown split \`${which}\` (${Object.keys(splits).join(", ")})`, recipe.file, b.propSpans.split ?? b.decl.span);
          return { ...built, train: pick, heldout: [], heldoutTemplates: [], heldoutTasks: [] };
        }
        if (built.kind === "text" && b.kind === "pretrain" && prop === "data") {
          const holdout = num(b.props.holdout) ?? 0.05;
          return textData(recipe, `${b.name}.data`, valueIdentity(recipe, { data: v ?? null, holdout }), [...built.train.lines, ...built.heldout.lines], holdout, built.train.meta.file);
        }
        return built;
      }
      default:
        fail(CODES.unsupported, `\`${b.name}\` is a ${b.keyword}; it has no examples`, recipe.file, b.decl.span);
    }
  });
}

/** The chat format a format block declares. */
export function loadFormat(recipe: CheckedRecipe, name: string): ChatFormat {
  const b = findBlock(recipe, name);
  if (b.keyword !== "format") fail(CODES.unsupported, `\`${name}\` is not a format block`, recipe.file, b.decl.span);
  const file = pathArg(recipe, b.args[0]);
  const system = str(b.props.system) ?? "";
  const base = b.kind === "hf_chat_template" ? hfChat(file) : handlebarsChat(file);
  if (!system) return base;
  return { name: base.name, format: (p, r, s) => base.format(p, r, s || system), promptOnly: (p, s) => base.promptOnly(p, s || system) };
}

/** The chat format a block's examples are formatted with: opts.format, else its `format` property, else raw. */
export function formatFor(recipe: CheckedRecipe, b: CheckedBlock, opts: BuildOptions): ChatFormat {
  if (opts.format === null) return RAW_FORMAT;
  if (typeof opts.format === "object") return opts.format;
  if (typeof opts.format === "string") return loadFormat(recipe, opts.format);
  const f = b.props.format;
  if (isRef(f)) return loadFormat(recipe, f.$ref);
  return RAW_FORMAT;
}

/**
 * Examples of a data block (task, source, mixture) or of a stage/eval's data property, formatted
 * through the chat format (SFT data), as comparison groups (rankings) or as text.
 */
export async function buildExamples(recipe: CheckedRecipe, blockName: string, opts: BuildOptions = {}): Promise<BuiltData> {
  const b = findBlock(recipe, blockName);
  const raw = await buildRaw(recipe, b, opts);
  if (raw.kind !== "sft") return raw;
  const fmt = formatFor(recipe, b, opts);
  const f = (xs: PromptResponse[]) => xs.map((x) => formatExample(fmt, x));
  return { kind: "sft", name: raw.name, train: f(raw.train), heldout: f(raw.heldout), heldoutTemplates: f(raw.heldoutTemplates), heldoutTasks: f(raw.heldoutTasks), ...(raw.notes ? { notes: raw.notes } : {}) };
}

/** The prompts a win-rate eval scores: heldout(x) hands its held-out part over as `train`; a plain
 * reference evaluates on its held-out prompts when it has them, else on all of them. */
export function evaluatedPrompts(v: IRValue, ps: { train: PromptResponse[]; heldout: PromptResponse[] }): PromptResponse[] {
  return isCall(v) || ps.heldout.length === 0 ? ps.train : ps.heldout;
}

/** Prompts of a block (PPO rollouts, win-rate evals): with the reference response when one exists. */
export async function buildPrompts(recipe: CheckedRecipe, v: IRValue | string, opts: BuildOptions = {}): Promise<{ train: PromptResponse[]; heldout: PromptResponse[]; skipped?: SkippedRows[] }> {
  const raw = typeof v === "string" ? await buildRaw(recipe, findBlock(recipe, v), opts) : await buildValue(recipe, v, opts, "prompts");
  if (raw.kind === "text") fail(CODES.unsupported, `\`${raw.name}\` is text; it has no prompts`, recipe.file);
  if (raw.kind === "sft") return { train: raw.train, heldout: [...raw.heldout, ...raw.heldoutTemplates, ...raw.heldoutTasks], ...(raw.notes?.skipped ? { skipped: raw.notes.skipped } : {}) };
  const best = (g: ComparisonGroup): PromptResponse => {
    const ranks = g.ranks ?? g.responses.map((_, i) => i);
    const top = ranks.indexOf(Math.min(...ranks));
    return { id: g.id, prompt: g.prompt, response: g.responses[top] ?? "", ...(g.system ? { system: g.system } : {}), meta: g.meta };
  };
  return { train: raw.train.map(best), heldout: raw.heldout.map(best), ...(raw.notes?.skipped ? { skipped: raw.notes.skipped } : {}) };
}

