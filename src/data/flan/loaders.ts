// Template readers: a folder of alignc Handlebars files, FLAN's templates.py patterns (as JSON) and
// promptsource's templates.yaml (Jinja through @huggingface/jinja, limited to a checked subset).
import { existsSync, statSync } from "node:fs";
import { templateNames } from "../../common/template-folder.js";
import { readTemplateText } from "../template-text.js";
import { createRequire } from "node:module";
import { basename, join } from "node:path";
import type { YAMLMap, Scalar } from "yaml";
import { tokenize, parse as parseJinja, type Template } from "@huggingface/jinja";
import { renderBudgeted } from "../jinja-budget.js";
import { engineMessage, guardRender } from "../template-guard.js";
import { CODES, fail } from "../diag.js";
import { lineSpan } from "../../lang/diagnostic.js";
import type { Fields } from "../readers.js";
import { compileHandlebars, formatOptions, parsePythonFormat, pyStrip, segmentRenderer, type Placeholder, type TaskTemplate, type TemplateRole } from "./template.js";

/** The line that separates a template file's input part from its target part. */
export const SEPARATOR = "|||";

/**
 * One alignc template file (`templates/flan/<task>/NN-name.hbs`):
 *
 *     {{!-- inverted --}}          optional: marks an input-inverted template
 *     Write a {{label}} phrase.    input part (Handlebars)
 *     |||                          separator line
 *     {{phrase}}                   target part (Handlebars)
 */
export function parseTemplateFile(file: string, text: string): TaskTemplate {
  const lines = text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  const sep = lines.findIndex((l) => l.trim() === SEPARATOR);
  if (sep < 0) fail(CODES.templateSyntax, `a template needs an input part, a line \`${SEPARATOR}\`, then a target part`, file, lineSpan(text, 1));
  if (lines.indexOf(SEPARATOR, sep + 1) > 0) fail(CODES.templateSyntax, `a second \`${SEPARATOR}\` line`, file, lineSpan(text, lines.indexOf(SEPARATOR, sep + 1) + 1));
  const inputText = lines.slice(0, sep).join("\n");
  const targetText = lines.slice(sep + 1).join("\n");
  const inverted = /\{\{!--?\s*inverted\b/.test(inputText);
  const compile = (src: string, offset: number) => {
    try {
      return compileHandlebars(src, offset, { file, span: lineSpan(text, offset + 1) });
    } catch (err) {
      const m = /line (\d+)/.exec((err as Error).message);
      const line = (m ? Number(m[1]) : 1) + offset;
      fail(CODES.templateSyntax, engineMessage(err), file, lineSpan(text, line)); // the parser's first and last lines: the place and what it expected
    }
  };
  const input = compile(inputText, 0);
  const target = compile(targetText, sep + 1);
  if (targetText.trim() === "") fail(CODES.templateSyntax, `the target part is empty`, file, lineSpan(text, Math.min(sep + 2, lines.length)));
  const placeholders = [...input.placeholders, ...target.placeholders];
  return {
    id: basename(file).replace(/\.(hbs|handlebars|txt)$/, ""),
    file,
    line: 1,
    role: inverted ? "inverted" : "direct",
    roleReason: inverted ? "marked {{!-- inverted --}}" : "not marked inverted",
    format: "hbs",
    usesOptions: placeholders.some((p) => p.name === "options_"),
    placeholders,
    render: (ctx) => ({ input: input.render(ctx).replace(/\s+$/, ""), target: target.render(ctx).trim() }),
  };
}


/** Every `.hbs` file of a folder, sorted by name (the order holdout_templates counts from). Hidden
 * files are skipped, as glob tools skip them (src/common/template-folder.ts: the plan hashes what this reads). */
export function loadTemplateDir(dir: string): TaskTemplate[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(CODES.fileMissing, "template folder not found", dir);
  const files = templateNames(dir);
  if (files.length === 0) fail(CODES.fileMissing, "no .hbs templates in the folder", dir);
  return files.map((f) => parseTemplateFile(join(dir, f), readTemplateText(join(dir, f), "template")));
}

// ---------------------------------------------------------------------------------------------
// FLAN: {tasks: {<task>: {v1: [{input, target}], v2: [...], options?}}} with Python placeholders.

export interface FlanTaskTemplates {
  templates: TaskTemplate[];
  options: string[] | null;
  /** the task's target field: what its direct templates produce (`answer`, `summary`, `sent2`, …) */
  targetField: string;
}

/** The single field a target pattern is made of (`{summary}` → summary), else null. */
function soleField(pattern: string): string | null {
  const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(pattern);
  return m ? m[1]! : null;
}

/**
 * A FLAN task's target field: the field most of its patterns produce on their own (ties: `answer`,
 * then the earliest pattern's). FLAN lists a task's patterns for its own target first and adds a few
 * that turn the task around, so the majority is the task's target: `answer` for classification and
 * QA, `summary`/`highlights`/`subject` for summarisation, `sent2` for translation, `target` for
 * concept-to-sentence tasks.
 */
export function flanTargetField(patterns: readonly { input: string; target: string }[]): string | null {
  const counts = new Map<string, number>();
  for (const p of patterns) {
    const f = soleField(p.target);
    if (f) counts.set(f, (counts.get(f) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [f, n] of counts) {
    const b = best === null ? 0 : counts.get(best)!;
    if (n > b || (n === b && f === "answer")) best = f;
  }
  return best;
}

/**
 * The role of one FLAN pattern given the task's target field T (FLAN's own notion: a pattern "turns
 * the task around" when it gives the target and asks for an input):
 *   - direct: the target pattern is exactly `{T}`;
 *   - inverted: otherwise, when the input reads `{T}` (given the target, produce an input);
 *   - auxiliary: neither — another field is asked for without the target being given (title
 *     writing of a classification task, "Write a sentence.", "Which language is this?").
 */
export function flanRole(p: { input: string; target: string }, target: string): { role: TemplateRole; reason: string } {
  if (soleField(p.target) === target) return { role: "direct", reason: `target is {${target}}` };
  const reads = (s: string) => s.includes(`{${target}}`);
  const asked = [...p.target.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]).join(", ") || "text";
  if (reads(p.input)) return { role: "inverted", reason: `gives {${target}}, asks for ${asked}` };
  return { role: "auxiliary", reason: `asks for ${asked} without {${target}}` };
}

/** FLAN's patterns for one task, each with its role (flanRole) against the task's target field. */
export function loadFlanTemplates(file: string, task: string, version: "v1" | "v2" = "v1", targetOverride?: string): FlanTaskTemplates {
  if (!existsSync(file)) fail(CODES.fileMissing, "FLAN template file not found", file);
  const text = readTemplateText(file, "FLAN template file");
  let all: { tasks?: Record<string, Record<string, unknown>> } | null;
  try {
    all = JSON.parse(text) as typeof all;
  } catch (err) {
    // at its line, as a data file's broken JSON is (a byte position was all it said)
    const pos = /position (\d+)/.exec((err as Error).message);
    fail(CODES.templateSyntax, `not valid JSON (${(err as Error).message})`, file, pos ? lineSpan(text, text.slice(0, Number(pos[1])).split("\n").length) : null);
  }
  // `null`, a list, or a task that is not an object reached `.tasks` / `[version]` as a TypeError (exit 70)
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
  if (!isObj(all) || (all.tasks !== undefined && !isObj(all.tasks))) fail(CODES.templateSyntax, `a FLAN template file holds an object with a \`tasks\` object`, file);
  const entry = Object.hasOwn(all.tasks ?? {}, task) ? all.tasks![task] : undefined;
  if (entry !== undefined && !isObj(entry)) fail(CODES.templateSyntax, `task \`${task}\` is not an object of pattern lists`, file);
  if (!entry) fail(CODES.templateSyntax, `no task \`${task}\` (tasks: ${Object.keys(all.tasks ?? {}).join(", ")})`, file);
  const patterns = entry[version] as { input: string; target: string }[] | undefined;
  if (!Array.isArray(patterns)) fail(CODES.templateSyntax, `task \`${task}\` has no ${version} patterns`, file);
  if (patterns.length === 0) fail(CODES.templateSyntax, `task \`${task}\`: its ${version} pattern list is empty`, file);
  const badPattern = patterns.findIndex((p) => !isObj(p) || typeof p.input !== "string" || typeof p.target !== "string");
  if (badPattern >= 0) fail(CODES.templateSyntax, `FLAN pattern ${version}/${badPattern} of ${task} is not an object with \`input\` and \`target\` strings`, file);
  // FLAN's options are a list of strings (flan/tasks.py): anything else rendered `- [object Object]` or was
  // dropped; null is none, as Python converters write a task without options (squad_v1)
  if (entry.options !== undefined && entry.options !== null && !(Array.isArray(entry.options) && entry.options.length > 0 && entry.options.every((o) => typeof o === "string")))
    fail(CODES.templateSyntax, `\`options\` of task \`${task}\` must be a non-empty list of strings`, file);
  const options = entry.options === undefined || entry.options === null ? null : (entry.options as string[]);
  const targetField = targetOverride ?? flanTargetField(patterns);
  if (!targetField) fail(CODES.templateSyntax, `task \`${task}\` (${version}): no pattern's target is a single field, so the task's target field is unknown; name it with target_field = "…"`, file);
  let searchFrom = text.indexOf(JSON.stringify(task));
  const templates = patterns.map((p, i): TaskTemplate => {
    // locate the pattern in the JSON text for error lines
    const at = text.indexOf(JSON.stringify(p.input), Math.max(0, searchFrom));
    if (at >= 0) searchFrom = at + 1;
    const line = at >= 0 ? text.slice(0, at).split("\n").length : 1;
    const parsePart = (s: string) => {
      try {
        return parsePythonFormat(s);
      } catch (err) {
        fail(CODES.templateSyntax, `FLAN pattern ${version}/${i} of ${task}: ${(err as Error).message}`, file, lineSpan(text, line));
      }
    };
    const inp = parsePart(p.input);
    const tgt = parsePart(p.target);
    // an empty target is the pattern's fault on every row (it was reported at the data's first row)
    if (p.target.trim() === "") fail(CODES.templateSyntax, `FLAN pattern ${version}/${i} of ${task}: its target is empty`, file, lineSpan(text, line));
    const renderShown = segmentRenderer(inp.segs);
    // options hidden (`with_options` < 1): the pattern without `{options_}` and the newlines before it,
    // FLAN v2's no-options chain (flan/v2/templates.py PATTERNS_NO_OPTIONS; Python's replace takes every
    // occurrence, so replaceAll); substituting "" left the newlines
    const renderHidden = segmentRenderer(parsePart(p.input.replaceAll("\n\n{options_}", "").replaceAll("\n{options_}", "").replaceAll("{options_}", "")).segs);
    const renderIn = (ctx: Fields) => (ctx.options_ === "" ? renderHidden : renderShown)(ctx);
    const renderTgt = segmentRenderer(tgt.segs);
    const placeholders: Placeholder[] = [...inp.names, ...tgt.names].map((n) => ({ name: n.name, line, col: 1, printed: true }));
    const { role, reason } = flanRole(p, targetField);
    return {
      id: `${version}/${i}`,
      file,
      line,
      role,
      roleReason: reason,
      format: "flan",
      usesOptions: placeholders.some((q) => q.name === "options_"),
      placeholders,
      // str.format: every byte of the pattern kept, no strip (FLAN's format_from_feature_dictionary)
      render: (ctx) => ({ input: renderIn(ctx), target: renderTgt(ctx) }),
    };
  });
  return { templates, options, targetField };
}

// ---------------------------------------------------------------------------------------------
// promptsource templates.yaml: `jinja` is "<input> ||| <target>", `answer_choices` is "a ||| b".

/** The Jinja node types alignc renders exactly (jinja2 semantics); anything else is an error. */
const JINJA_NODES = new Set(["Program", "StringLiteral", "IntegerLiteral", "FloatLiteral", "Identifier", "MemberExpression", "If", "BinaryExpression", "UnaryExpression", "FilterExpression", "Comment"]);
const JINJA_OPERATORS = new Set(["==", "!=", "<", ">", "<=", ">=", "and", "or", "not", "-", "+"]);
const JINJA_FILTERS = new Set(["lower", "upper", "trim"]);

interface JinjaNode {
  type: string;
  [k: string]: unknown;
}

/** Check a parsed Jinja program against the supported subset; collect the free variables. */
function checkJinja(node: JinjaNode, names: Set<string>, problems: string[], indexes: Set<string> = new Set()): void {
  if (!JINJA_NODES.has(node.type)) {
    problems.push(`\`${node.type}\` is not supported`);
    return;
  }
  if (node.type === "Identifier") names.add(node.value as string);
  if (node.type === "BinaryExpression" || node.type === "UnaryExpression") {
    const op = (node.operator as { value: string }).value;
    if (!JINJA_OPERATORS.has(op)) problems.push(`operator \`${op}\` is not supported`);
  }
  if (node.type === "FilterExpression") {
    const f = node.filter as JinjaNode;
    if (f.type !== "Identifier" || !JINJA_FILTERS.has(f.value as string)) problems.push(`filter \`${f.type === "Identifier" ? (f.value as string) : f.type}\` is not supported (supported: ${[...JINJA_FILTERS].join(", ")})`);
    checkJinja(node.operand as JinjaNode, names, problems, indexes);
    return;
  }
  if (node.type === "MemberExpression") {
    if (!node.computed) {
      problems.push("attribute access `a.b` is not supported");
      return;
    }
    const obj = node.object as JinjaNode;
    const prop = node.property as JinjaNode;
    // answer_choices[label]: the row's `label` must be an integer index (checked per row in render.ts)
    if (obj.type === "Identifier" && obj.value === "answer_choices" && prop.type === "Identifier") indexes.add(prop.value as string);
    checkJinja(obj, names, problems, indexes);
    checkJinja(prop, names, problems, indexes);
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === "type" || k === "operator") continue;
    if (Array.isArray(v)) for (const c of v) if (c && typeof c === "object" && "type" in c) checkJinja(c as JinjaNode, names, problems, indexes);
    if (v && typeof v === "object" && !Array.isArray(v) && "type" in v) checkJinja(v as JinjaNode, names, problems, indexes);
  }
}

const mapTag = (tag: string) => ({ tag, collection: "map" as const, resolve: (m: unknown) => m });

/** The yaml package (~70 modules, ~60 ms of start-up) is read by promptsource files alone: required
 * on first use (the same file an import loads: the package is CommonJS), not by every data command. */
let yamlModule: typeof import("yaml") | undefined;
const yaml = (): typeof import("yaml") => (yamlModule ??= createRequire(import.meta.url)("yaml") as typeof import("yaml"));

/** promptsource templates of one file; answer choices become `answer_choices` and the task's options. */
export function loadPromptsource(file: string): TaskTemplate[] {
  if (!existsSync(file)) fail(CODES.fileMissing, "promptsource file not found", file);
  const text = readTemplateText(file, "promptsource file");
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, customTags: [mapTag("!Template"), mapTag("!TemplateMetadata")] });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? 1;
    fail(CODES.templateSyntax, `${e.message.split("\n")[0]}`, file, lineSpan(text, line));
  }
  const ts = doc.get("templates") as YAMLMap | undefined;
  // isMap: a `templates:` list or tagged scalar, or an entry that is not a mapping (`x: 5`), reached
  // t.get as a TypeError (exit 70)
  if (!ts || !yaml().isMap(ts)) fail(CODES.templateSyntax, `no \`templates\` mapping`, file);
  const out: TaskTemplate[] = [];
  // a YAML alias (`answer_choices: *choices`) is the node it names: read as itself it was absent
  const real = (v: unknown): unknown => (yaml().isAlias(v) ? v.resolve(doc) : v);
  const scalarOf = (v: unknown): unknown => {
    const r = real(v);
    return yaml().isScalar(r) ? r.value : r;
  };
  // templates are told apart by name (held out, scored, reported): promptsource's names are unique
  // within a data set, and a second one of a name was merged with the first (one held out trained)
  const lineOfName = new Map<string, number>();
  for (const pair of ts.items) {
    if (!yaml().isMap(pair.value)) {
      const key = pair.key as Scalar | null;
      fail(CODES.templateSyntax, `template \`${String(key?.value ?? "?")}\` is not a mapping (a !Template with jinja, name, …)`, file, lineSpan(text, lc.linePos(key?.range?.[0] ?? 0).line));
    }
    const t = pair.value as YAMLMap;
    const jinjaNode = t.get("jinja", true) as Scalar | undefined;
    const keyNode = pair.key as Scalar;
    const line = lc.linePos((jinjaNode ?? keyNode).range?.[0] ?? 0).line;
    const name = String(scalarOf(t.get("name", true)) ?? keyNode.value);
    const jinja = scalarOf(jinjaNode);
    const src = jinja === undefined || jinja === null ? "" : String(jinja);
    const at = (msg: string): never => fail(CODES.unsupportedJinja, `template \`${name}\`: ${msg}`, file, lineSpan(text, line));
    const first = lineOfName.get(name);
    if (first !== undefined) fail(CODES.templateSyntax, `a second template named \`${name}\` (the first is at line ${first}): templates are told apart by name, and promptsource's are unique within a data set`, file, lineSpan(text, line), "rename one of them");
    lineOfName.set(name, line);
    if (!src.includes(SEPARATOR)) at(`no \`${SEPARATOR}\` between input and target`);
    const choicesRaw = scalarOf(t.get("answer_choices", true));
    const choices = typeof choicesRaw === "string" ? choicesRaw.split(SEPARATOR).map(pyStrip) : null;
    if (typeof choicesRaw === "string" && /[{%]/.test(choicesRaw)) at("Jinja inside answer_choices is not supported");
    let program: JinjaNode;
    try {
      // jinja2's defaults: no trim_blocks / lstrip_blocks (the HF Template class turns them on)
      program = parseJinja(tokenize(src, {})) as unknown as JinjaNode;
    } catch (err) {
      return at(`Jinja does not parse: ${(err as Error).message}`);
    }
    const names = new Set<string>();
    const problems: string[] = [];
    const indexes = new Set<string>();
    checkJinja(program, names, problems, indexes);
    if (problems.length) at(problems.join("; "));
    const placeholders = [...names].filter((n) => n !== "answer_choices").map((n) => ({ name: n, line, col: 1 }));
    // promptsource marks templates that are not the data set's own task (`original_task: false`):
    // like FLAN's title-writing patterns, they are trained on but never held out or scored
    const meta = real(t.get("metadata", true)) as YAMLMap | undefined;
    const original = yaml().isMap(meta) ? scalarOf(meta.get("original_task", true)) : undefined;
    // guarded and budgeted as chat templates are: an engine error (`answer_choices[0]` when
    // answer_choices is not a string) was an internal error (exit 70), and a `range(100000000)`
    // loop ran unbounded
    const renderGuarded = guardRender(
      (ctx: Fields) => renderBudgeted({ parsed: program } as unknown as Template, { ...ctx, ...(choices ? { answer_choices: choices } : {}) }),
      "template",
      { file, span: lineSpan(text, line) },
    );
    out.push({
      id: name,
      file,
      line,
      role: original === false ? "auxiliary" : "direct",
      roleReason: original === false ? "original_task: false" : "original_task: true",
      format: "promptsource",
      usesOptions: false,
      placeholders,
      ...(choices ? { answerChoices: choices } : {}),
      ...(indexes.size ? { indexFields: [...indexes] } : {}),
      render: (ctx: Fields) => {
        const rendered = renderGuarded(ctx);
        // promptsource's Template.apply: split on ||| and str.strip() each part; its callers take two
        // parts, input and target (a third was dropped without a word)
        const parts = rendered.split(SEPARATOR).map(pyStrip);
        if (parts.length > 2) fail(CODES.templateSyntax, `template \`${name}\` renders ${parts.length} parts separated by \`${SEPARATOR}\` for this row (the template, or a field of the row that holds \`${SEPARATOR}\`): promptsource takes an input and a target`, file, lineSpan(text, line));
        const [input = "", target = ""] = parts;
        return { input, target };
      },
    });
  }
  if (out.length === 0) fail(CODES.templateSyntax, "the `templates` mapping holds no template", file);
  return out;
}

/** The answer choices a promptsource template declares (null when none). */
export function answerChoices(t: TaskTemplate): string[] | null {
  return t.answerChoices ?? null;
}

export { formatOptions };
