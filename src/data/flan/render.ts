// FLAN task expansion: a dataset + templates → prompt/response examples. Each training row is
// rendered once with a seeded draw of template, input inversion, OPTIONS and k-shot exemplars
// (drawn from the training rows, never the query); held-out templates give zero-shot eval examples.
import { readFileSync, existsSync } from "node:fs";
import type { Span } from "../../lang/ast.js";
import { CODES, DataError, dataDiag, fail, rowSpan } from "../diag.js";
import { lineSpan, type Diagnostic } from "../../lang/diagnostic.js";
import { rngFor, shuffled, type Rng } from "../../common/rng.js";
import { canonicalJson } from "../../plan/canonical.js";
import { splitKeepingTexts } from "../split.js";
import { normalizeWhitespace } from "../normalize.js";
import type { Fields, Row } from "../readers.js";
import type { PromptResponse, SkippedRows } from "../types.js";
import type { BadRows } from "../bad-rows.js";
import { didYouMean } from "../../common/did-you-mean.js";
import { BUILTINS, formatOptions, placeholderProblem, type TaskTemplate } from "./template.js";

export interface FlanTaskSpec {
  name: string; // task block name (ids and meta only: never a seed, see ../plan-input.ts)
  key?: string; // seed label of the per-example draws: the task node's seed key (default: name)
  rowsKey?: string; // seed label of the train/held-out row split: the seed key of the task's data (default: key)
  file: string; // data file, for located row errors
  rows: Row[];
  templates: TaskTemplate[];
  options: readonly string[] | string | null; // answer options, or the field holding each row's options
  shots: [number, number]; // k drawn uniformly in [lo, hi]
  invert: number; // share of input-inverted examples
  holdoutTemplates: number; // last N non-inverted templates (by id) kept for zero-shot eval
  holdoutTemplatesAt?: { file: string; span: Span | null }; // where the recipe writes it, for its errors
  shotsAt?: { file: string; span: Span | null }; // where the recipe writes `shots`, for its error
  trainTemplates?: number; // train on the first N (by id) of the rest only (ablation; held-out templates unchanged)
  holdout: number; // share of distinct rows (records) kept out of training
  withOptions: number; // share of examples showing OPTIONS
  seed: number;
  /** bad-row policy (../bad-rows.ts): a row that does not render is reported or skipped; default: fail at once */
  bad?: BadRows;
  /** lines the reader skipped (on_error = "skip"), carried to the task's notes */
  readSkipped?: SkippedRows;
}

export interface FlanOutput {
  train: PromptResponse[];
  heldout: PromptResponse[]; // held-out rows, training templates
  heldoutTemplates: PromptResponse[]; // held-out rows (all rows when none are held out), held-out templates, zero-shot
  trainTemplates: string[];
  evalTemplates: string[];
}

/** The instruction of a derived inversion: the target is given, the input is asked for. */
export const DERIVED_INVERSION = "What was the question?";

/** Separates k-shot exemplars from each other and from the query. */
export const SHOT_SEPARATOR = "\n\n";

/** Every field any row has. */
export function fieldsOf(rows: readonly Row[]): Set<string> {
  const s = new Set<string>();
  for (const r of rows) for (const k of Object.keys(r.data)) s.add(k);
  return s;
}

/**
 * Static check: every placeholder of every template is a dataset field or a built-in. Reports every
 * offender, located in the template file, naming the field and the data file.
 */
export function checkPlaceholders(templates: readonly TaskTemplate[], fields: ReadonlySet<string>, dataFile: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const texts = new Map<string, string>();
  for (const t of templates) {
    for (const p of t.placeholders) {
      if (fields.has(p.name) || (BUILTINS as readonly string[]).includes(p.name)) continue;
      if (!texts.has(t.file)) texts.set(t.file, existsSync(t.file) ? readFileSync(t.file, "utf8") : "");
      const text = texts.get(t.file)!;
      const span = text ? { ...lineSpan(text, p.line), col: p.col } : null;
      out.push(
        dataDiag(
          CODES.templateField,
          `template \`${t.id}\` uses \`${p.name}\`, which is not a field of ${dataFile} (fields: ${[...fields].sort().join(", ") || "none"})`,
          t.file,
          span,
          didYouMean(p.name, fields),
        ),
      );
    }
  }
  return out;
}

function rowOptions(spec: FlanTaskSpec, row: Row, t?: TaskTemplate): readonly string[] | null {
  // a promptsource template's options are its own answer_choices, never another template's
  if (t?.answerChoices) return t.answerChoices;
  if (t?.format === "promptsource") return null;
  if (spec.options === null) return null;
  if (typeof spec.options !== "string") return spec.options;
  const v = row.data[spec.options];
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
    fail(CODES.wrongType, `field \`${spec.options}\` (the task's options) must be a list of strings`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
  return v as string[];
}

/** A row's render context: its fields plus the OPTIONS built-ins. */
function context(spec: FlanTaskSpec, row: Row, showOptions: boolean, t: TaskTemplate): Fields {
  const opts = rowOptions(spec, row, t);
  return { ...row.data, options: opts ?? [], options_: showOptions && opts ? formatOptions(opts) : "" };
}

function checkRow(spec: FlanTaskSpec, t: TaskTemplate, row: Row): void {
  for (const p of t.placeholders) {
    if ((BUILTINS as readonly string[]).includes(p.name)) continue;
    const v = row.data[p.name];
    const problem = placeholderProblem(p, row.data);
    if (problem) fail(problem.code, `${problem.message} (used by template ${t.id} at ${t.file}:${p.line})`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
    if (v === undefined || v === null) continue; // optional, and absent
    if (!p.path && typeof v === "object" && !Array.isArray(v))
      fail(CODES.wrongType, `field \`${p.name}\` is an object; templates read strings, numbers and booleans`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
  }
  for (const f of t.indexFields ?? []) {
    const v = row.data[f];
    if (v !== undefined && v !== null && !Number.isInteger(v))
      fail(
        CODES.wrongType,
        `\`${f}\` = ${clip(JSON.stringify(v), 60)}, but promptsource template \`${t.id}\` (${t.file}:${t.line}) reads answer_choices[${f}], which needs an integer index 0..${(t.answerChoices?.length ?? 1) - 1}`,
        spec.file,
        rowSpan(row.line, row.start, row.end, row.col),
        indexHint(f, v, t.answerChoices),
      );
  }
}

/** How to map a label to answer_choices' index: the index is the user's to decide (promptsource's
 * templates of one data set share its integer label, each with its own choices: RTE's 0 is "Yes" in
 * one, "True" in another), so it reads `?`, which does not parse until it is filled. The hint once
 * offered `= 0` for whatever value the first bad row had: copied, it inverted every RTE target. */
function indexHint(field: string, v: unknown, choices: readonly string[] | undefined): string {
  const key = typeof v === "string" && /^[A-Za-z_]\w*$/.test(v) ? v : JSON.stringify(String(v));
  const listed = choices?.length ? ` (this template's answer_choices: ${choices.map((c, i) => `${i} = ${JSON.stringify(c)}`).join(", ")})` : "";
  return `map each value to the integer label the data set's templates index answer_choices with${listed}: fields = { ${field} = { from = "${field}"  map = { ${key} = ? … } } }`;
}

/**
 * Render one row with one template: the (input, target) pair before any shots. Byte-exact: FLAN
 * patterns as Python's str.format renders them, promptsource as jinja2 + its `|||` split and strip;
 * nothing is cleaned up afterwards (README "Rendering"). OPTIONS fill every template that places
 * `{options_}`, whatever its role (FLAN v2's inverted sst2 pattern "Write a … movie review
 * ({options_})." is filled upstream; it rendered "()" until 6 Dec 2026); an alignc .hbs direct template
 * that does not place them gets the list appended on its own line, FLAN and promptsource templates only
 * show what their text places.
 */
export function renderPair(spec: FlanTaskSpec, t: TaskTemplate, row: Row, showOptions: boolean, invertDerived: boolean): { input: string; target: string } {
  checkRow(spec, t, row);
  const show = showOptions && !invertDerived && (t.role === "direct" || t.usesOptions);
  const { input, target } = t.render(context(spec, row, show, t));
  let inp = input;
  const opts = show && t.format === "hbs" && !t.usesOptions ? rowOptions(spec, row, t) : null;
  if (opts) inp = `${inp}\n${formatOptions(opts)}`;
  if (target.trim() === "")
    fail(CODES.emptyResponse, `template ${t.id} (${t.file}) renders an empty target for this row; it would train on nothing${emptyTargetHint(t, row)}`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
  if (invertDerived) {
    // the derived inversion trains on the input as its target: an empty one would train on nothing
    // (and give a rule labeler no reference answer), the same fault as an empty target
    if (inp.trim() === "")
      fail(CODES.emptyResponse, `template ${t.id} (${t.file}) renders an empty input for this row, which its derived inversion (\`invert\`) takes as the target; it would train on nothing${emptyTargetHint(t, row)}`, spec.file, rowSpan(row.line, row.start, row.end, row.col));
    return { input: `${target}\n${DERIVED_INVERSION}`, target: inp };
  }
  return { input: inp, target };
}

/** Whether the rendered prompt lists the options (renderPair's rule). */
function optionsShown(t: TaskTemplate, showOptions: boolean, derived: boolean): boolean {
  return showOptions && !derived && (t.usesOptions || (t.role === "direct" && t.format === "hbs"));
}

/** Why a target may render empty: the fields its template reads, with their values in this row. */
function emptyTargetHint(t: TaskTemplate, row: Row): string {
  const reads = t.placeholders.filter((p) => !(BUILTINS as readonly string[]).includes(p.name)).map((p) => `${p.name} = ${clip(JSON.stringify(row.data[p.name]) ?? "undefined", 40)}`);
  const ps = t.format === "promptsource" ? " (promptsource indexes answer_choices by an integer label: map the label to 0, 1, … in `fields`)" : "";
  return reads.length ? ` (fields read: ${[...new Set(reads)].join(", ")})${ps}` : ps;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…`;
}

function sameRow(a: Row, b: Row): boolean {
  return a === b || JSON.stringify(a.data) === JSON.stringify(b.data);
}

/** Draw k exemplar rows from the pool, never the query row nor a row with the same content. */
function drawExemplars(pool: readonly Row[], query: Row, k: number, rng: Rng): Row[] {
  const out: Row[] = [];
  if (k <= 0 || pool.length === 0) return out;
  const tried = new Set<number>();
  while (out.length < k && tried.size < pool.length) {
    const i = rng.int(pool.length);
    if (tried.has(i)) continue;
    tried.add(i);
    const r = pool[i]!;
    if (!sameRow(r, query)) out.push(r);
  }
  return out;
}

/**
 * Split templates by role: direct ones train, except the last N by id held out for zero-shot eval;
 * inverted ones serve the `invert` share; auxiliary ones (title writing …) train alongside the direct
 * ones, as in FLAN, but are never held out nor used for held-out rows (their target is not the answer).
 */
export function splitTemplates(
  templates: readonly TaskTemplate[],
  holdout: number,
  task: string,
  holdoutAt?: { file: string; span: Span | null },
): { train: TaskTemplate[]; direct: TaskTemplate[]; inverted: TaskTemplate[]; auxiliary: TaskTemplate[]; heldout: TaskTemplate[] } {
  const sorted = [...templates].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const normal = sorted.filter((t) => t.role === "direct");
  const inverted = sorted.filter((t) => t.role === "inverted");
  const auxiliary = sorted.filter((t) => t.role === "auxiliary");
  if (normal.length === 0)
    throw new DataError([
      dataDiag(
        CODES.templateSyntax,
        `task \`${task}\`: no template asks for the task's target (${sorted.map((t) => `${t.id}: ${t.role}, ${t.roleReason}`).join("; ")})`,
        templates[0]?.file ?? "",
      ),
    ]);
  if (holdout >= normal.length)
    throw new DataError([dataDiag(CODES.templateSyntax, `task \`${task}\`: holdout_templates = ${holdout} leaves no training template (${normal.length} direct templates)`, holdoutAt?.file ?? templates[0]?.file ?? "", holdoutAt?.span ?? null)]);
  const direct = normal.slice(0, normal.length - holdout);
  return { train: [...direct, ...auxiliary], direct, inverted, auxiliary, heldout: normal.slice(normal.length - holdout) };
}

/** A record as one text for the split (split.ts): its fields in canonical order, string values
 * whitespace-normalised, as the rendered prompts are when the contamination check compares them. */
function recordText(data: Fields): string {
  return canonicalJson(Object.fromEntries(Object.entries(data).map(([k, v]) => [k, typeof v === "string" ? normalizeWhitespace(v) : v])));
}

/** Expand a FLAN task into examples. Deterministic in (spec, seed). */
export function renderFlan(spec: FlanTaskSpec): FlanOutput {
  if (spec.rows.length === 0) fail(CODES.emptyData, `the file has no rows (task \`${spec.name}\`)`, spec.file);
  const problems = checkPlaceholders(spec.templates, fieldsOf(spec.rows), spec.file);
  if (problems.length) throw new DataError(problems);
  const all = splitTemplates(spec.templates, spec.holdoutTemplates, spec.name, spec.holdoutTemplatesAt);
  const tsplit = spec.trainTemplates !== undefined ? { ...all, train: all.train.slice(0, spec.trainTemplates) } : all;
  // rows, with every copy of one record on one side (split.ts): a record listed twice renders the same prompts
  const { train: trainIdx, heldout: heldIdx } = splitKeepingTexts(spec.rows.length, spec.holdout, rngFor(spec.seed, spec.rowsKey ?? spec.key ?? spec.name, "rows"), (i) => recordText(spec.rows[i]!.data));
  const trainRows = trainIdx.map((i) => spec.rows[i]!);
  const heldRows = heldIdx.map((i) => spec.rows[i]!);
  const hasOptions = spec.options !== null;
  const [lo, hi] = spec.shots;
  // exemplars are other training rows: fewer than the least `shots` asks for trained zero-shot without a word
  if (lo > 0 && trainRows.length - 1 < lo)
    throw new DataError([dataDiag(CODES.emptyData, `task \`${spec.name}\`: shots = ${lo}..${hi} needs at least ${lo + 1} training rows (each example's exemplars are other rows); it has ${trainRows.length}`, spec.shotsAt?.file ?? spec.file, spec.shotsAt?.span ?? null)]);

  const example = (row: Row, split: string, templates: TaskTemplate[], allowInvert: boolean, allowShots: boolean): PromptResponse => {
    const rng = rngFor(spec.seed, spec.key ?? spec.name, split, row.index);
    const inverted = allowInvert && spec.invert > 0 && rng.next() < spec.invert;
    let template: TaskTemplate;
    let derived = false;
    if (inverted && tsplit.inverted.length > 0) template = tsplit.inverted[rng.int(tsplit.inverted.length)]!;
    else if (inverted) {
      // a derived inversion gives the target of a direct template and asks for its input
      template = tsplit.direct[rng.int(tsplit.direct.length)]!;
      derived = true;
    } else template = templates[rng.int(templates.length)]!;
    // an inverted template shows the options only where its text places them (a draw only then, so
    // examples of templates that cannot show them keep their draws)
    const showOptions = hasOptions && (!inverted || (!derived && template.usesOptions)) && rng.next() < spec.withOptions;
    const k = allowShots && hi > 0 ? lo + rng.int(hi - lo + 1) : 0;
    const query = renderPair(spec, template, row, showOptions, derived);
    // exemplars: other rows whose rendered input also differs from the query's (an inverted template
    // such as "Write a positive phrase." renders many rows alike; those would give the answer away)
    const shots: string[] = [];
    if (k > 0) {
      for (const r of drawExemplars(trainRows, row, Math.min(trainRows.length, 4 * k + 4), rng)) {
        let p: { input: string; target: string };
        try {
          p = renderPair(spec, template, r, showOptions, derived);
        } catch (e) {
          // a bad row is reported (or skipped) as its own example, never blamed on the query
          if (spec.bad && e instanceof DataError) continue;
          throw e;
        }
        if (p.input === query.input) continue;
        shots.push(`${p.input}\n${p.target}`);
        if (shots.length === k) break;
      }
    }
    const prompt = shots.length ? [...shots, query.input].join(SHOT_SEPARATOR) : query.input;
    return {
      id: `${spec.name}:${row.index}:${template.id}${inverted ? ":inv" : ""}${shots.length ? `:k${shots.length}` : ""}`,
      prompt,
      response: query.target,
      meta: {
        source: spec.name,
        task: spec.name,
        template: derived ? `${template.id}~inv` : template.id,
        shots: shots.length,
        inverted,
        options: optionsShown(template, showOptions, derived),
        category: spec.name,
        row: row.index,
        line: row.line,
        ...(split !== "train" ? { heldout: true } : {}),
      },
    };
  };

  // a row that does not render is a bad row (every one reported, or skipped): guard each example
  const each = (rows: readonly Row[], make: (r: Row) => PromptResponse): PromptResponse[] =>
    spec.bad ? rows.flatMap((r) => spec.bad!.guard(r, () => [make(r)]) ?? []) : rows.map(make);
  const train = shuffled(
    each(trainRows, (r) => example(r, "train", tsplit.train, true, true)),
    rngFor(spec.seed, spec.key ?? spec.name, "order"),
  );
  const heldout = each(heldRows, (r) => example(r, "heldout", tsplit.direct, false, true));
  const evalRows = heldRows.length ? heldRows : trainRows;
  const heldoutTemplates = tsplit.heldout.length ? each(evalRows, (r) => example(r, "heldout_templates", tsplit.heldout, false, false)) : [];
  return { train, heldout, heldoutTemplates, trainTemplates: tsplit.train.map((t) => t.id), evalTemplates: tsplit.heldout.map((t) => t.id) };
}

/**
 * A held-out task (a mixture's `heldout_tasks`): nothing of it is trained on, so every row is a
 * zero-shot evaluation example, rendered with a template drawn (seeded, per row) from all of the
 * task's non-inverted templates — training and held-out ones alike — without inversion or shots.
 * OPTIONS are shown with the task's `with_options` share, as in training. One template per row
 * (rather than rows × templates) keeps a prefix of n examples n distinct rows; the seeded order
 * makes any prefix an unbiased sample over rows and templates.
 */
export function renderHeldoutTask(spec: FlanTaskSpec): PromptResponse[] {
  if (spec.rows.length === 0) fail(CODES.emptyData, `the file has no rows (task \`${spec.name}\`)`, spec.file);
  const problems = checkPlaceholders(spec.templates, fieldsOf(spec.rows), spec.file);
  if (problems.length) throw new DataError(problems);
  const templates = splitTemplates(spec.templates, 0, spec.name).direct; // every direct template, by id
  const hasOptions = spec.options !== null;
  const one = (row: Row): PromptResponse => {
    const rng = rngFor(spec.seed, spec.key ?? spec.name, "heldout_task", row.index);
    const template = templates[rng.int(templates.length)]!;
    const showOptions = hasOptions && rng.next() < spec.withOptions;
    const q = renderPair(spec, template, row, showOptions, false);
    return {
      id: `${spec.name}:${row.index}:${template.id}:task`,
      prompt: q.input,
      response: q.target,
      meta: { source: spec.name, task: spec.name, template: template.id, shots: 0, inverted: false, options: optionsShown(template, showOptions, false), category: spec.name, row: row.index, line: row.line, heldout: true },
    };
  };
  const out = spec.bad ? spec.rows.flatMap((r) => spec.bad!.guard(r, () => [one(r)]) ?? []) : spec.rows.map(one);
  return shuffled(out, rngFor(spec.seed, spec.key ?? spec.name, "heldout_task", "order"));
}
