// Template readers: a folder of alignc Handlebars files, FLAN's templates.py patterns (as JSON) and
// promptsource's templates.yaml (Jinja through @huggingface/jinja, limited to a checked subset).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import YAML, { LineCounter, type YAMLMap, type Scalar } from "yaml";
import { tokenize, parse as parseJinja, Environment, Interpreter } from "@huggingface/jinja";
import { CODES, fail } from "../diag.js";
import { lineSpan } from "../../lang/diagnostic.js";
import type { Fields } from "../readers.js";
import { compileHandlebars, formatOptions, parsePythonFormat, segmentRenderer, type Placeholder, type TaskTemplate } from "./template.js";

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
  if (sep < 0) fail(CODES.templateSyntax, `${file}: a template needs an input part, a line \`${SEPARATOR}\`, then a target part`, file, lineSpan(text, 1));
  if (lines.indexOf(SEPARATOR, sep + 1) > 0) fail(CODES.templateSyntax, `${file}:${lines.indexOf(SEPARATOR, sep + 1) + 1}: a second \`${SEPARATOR}\` line`, file, lineSpan(text, lines.indexOf(SEPARATOR, sep + 1) + 1));
  const inputText = lines.slice(0, sep).join("\n");
  const targetText = lines.slice(sep + 1).join("\n");
  const inverted = /\{\{!--?\s*inverted\b/.test(inputText);
  const compile = (src: string, offset: number) => {
    try {
      return compileHandlebars(src, offset, { file, span: lineSpan(text, offset + 1) });
    } catch (err) {
      const m = /line (\d+)/.exec((err as Error).message);
      const line = (m ? Number(m[1]) : 1) + offset;
      fail(CODES.templateSyntax, `${file}:${line}: ${(err as Error).message.split("\n")[0]}`, file, lineSpan(text, line));
    }
  };
  const input = compile(inputText, 0);
  const target = compile(targetText, sep + 1);
  if (targetText.trim() === "") fail(CODES.templateSyntax, `${file}:${sep + 2}: the target part is empty`, file, lineSpan(text, Math.min(sep + 2, lines.length)));
  const placeholders = [...input.placeholders, ...target.placeholders];
  return {
    id: basename(file).replace(/\.(hbs|handlebars|txt)$/, ""),
    file,
    line: 1,
    inverted,
    usesOptions: placeholders.some((p) => p.name === "options_"),
    placeholders,
    render: (ctx) => ({ input: input.render(ctx).replace(/\s+$/, ""), target: target.render(ctx).trim() }),
  };
}

/** Every `.hbs` file of a folder, sorted by name (the order holdout_templates counts from). */
export function loadTemplateDir(dir: string): TaskTemplate[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(CODES.fileMissing, `template folder not found: ${dir}`, dir);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".hbs"))
    .sort();
  if (files.length === 0) fail(CODES.fileMissing, `no .hbs templates in ${dir}`, dir);
  return files.map((f) => parseTemplateFile(join(dir, f), readFileSync(join(dir, f), "utf8")));
}

// ---------------------------------------------------------------------------------------------
// FLAN: {tasks: {<task>: {v1: [{input, target}], v2: [...], options?}}} with Python placeholders.

export interface FlanTaskTemplates {
  templates: TaskTemplate[];
  options: string[] | null;
}

/** FLAN's patterns for one task. A pattern whose target is not `{answer}` asks for the input: inverted. */
export function loadFlanTemplates(file: string, task: string, version: "v1" | "v2" = "v1"): FlanTaskTemplates {
  if (!existsSync(file)) fail(CODES.fileMissing, `FLAN template file not found: ${file}`, file);
  const text = readFileSync(file, "utf8");
  const all = JSON.parse(text) as { tasks?: Record<string, Record<string, unknown>> };
  const entry = all.tasks?.[task];
  if (!entry) fail(CODES.templateSyntax, `${file}: no task \`${task}\` (tasks: ${Object.keys(all.tasks ?? {}).join(", ")})`, file);
  const patterns = entry[version] as { input: string; target: string }[] | undefined;
  if (!Array.isArray(patterns)) fail(CODES.templateSyntax, `${file}: task \`${task}\` has no ${version} patterns`, file);
  const options = Array.isArray(entry.options) ? (entry.options as string[]) : null;
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
        fail(CODES.templateSyntax, `${file}:${line}: FLAN pattern ${version}/${i} of ${task}: ${(err as Error).message}`, file, lineSpan(text, line));
      }
    };
    const inp = parsePart(p.input);
    const tgt = parsePart(p.target);
    const renderIn = segmentRenderer(inp.segs);
    const renderTgt = segmentRenderer(tgt.segs);
    const placeholders: Placeholder[] = [...inp.names, ...tgt.names].map((n) => ({ name: n.name, line, col: 1 }));
    return {
      id: `${version}/${i}`,
      file,
      line,
      inverted: p.target.trim() !== "{answer}",
      usesOptions: placeholders.some((q) => q.name === "options_"),
      placeholders,
      render: (ctx) => ({ input: renderIn(ctx), target: renderTgt(ctx) }),
    };
  });
  return { templates, options };
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
function checkJinja(node: JinjaNode, names: Set<string>, problems: string[]): void {
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
    checkJinja(node.operand as JinjaNode, names, problems);
    return;
  }
  if (node.type === "MemberExpression") {
    if (!node.computed) {
      problems.push("attribute access `a.b` is not supported");
      return;
    }
    checkJinja(node.object as JinjaNode, names, problems);
    checkJinja(node.property as JinjaNode, names, problems);
    return;
  }
  for (const [k, v] of Object.entries(node)) {
    if (k === "type" || k === "operator") continue;
    if (Array.isArray(v)) for (const c of v) if (c && typeof c === "object" && "type" in c) checkJinja(c as JinjaNode, names, problems);
    if (v && typeof v === "object" && !Array.isArray(v) && "type" in v) checkJinja(v as JinjaNode, names, problems);
  }
}

const mapTag = (tag: string) => ({ tag, collection: "map" as const, resolve: (m: unknown) => m });

/** promptsource templates of one file; answer choices become `answer_choices` and the task's options. */
export function loadPromptsource(file: string): TaskTemplate[] {
  if (!existsSync(file)) fail(CODES.fileMissing, `promptsource file not found: ${file}`, file);
  const text = readFileSync(file, "utf8");
  const lc = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lc, customTags: [mapTag("!Template"), mapTag("!TemplateMetadata")] });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line ?? 1;
    fail(CODES.templateSyntax, `${file}:${line}: ${e.message.split("\n")[0]}`, file, lineSpan(text, line));
  }
  const ts = doc.get("templates") as YAMLMap | undefined;
  if (!ts || !Array.isArray(ts.items)) fail(CODES.templateSyntax, `${file}: no \`templates\` mapping`, file);
  const out: TaskTemplate[] = [];
  for (const pair of ts.items) {
    const t = pair.value as YAMLMap;
    const jinjaNode = t.get("jinja", true) as Scalar | undefined;
    const keyNode = pair.key as Scalar;
    const line = lc.linePos((jinjaNode ?? keyNode).range?.[0] ?? 0).line;
    const name = String(t.get("name") ?? keyNode.value);
    const src = jinjaNode ? String(jinjaNode.value) : "";
    const at = (msg: string): never => fail(CODES.unsupportedJinja, `${file}:${line}: template \`${name}\`: ${msg}`, file, lineSpan(text, line));
    if (!src.includes(SEPARATOR)) at(`no \`${SEPARATOR}\` between input and target`);
    const choicesRaw = t.get("answer_choices");
    const choices = typeof choicesRaw === "string" ? choicesRaw.split(SEPARATOR).map((s) => s.trim()) : null;
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
    checkJinja(program, names, problems);
    if (problems.length) at(problems.join("; "));
    const placeholders = [...names].filter((n) => n !== "answer_choices").map((n) => ({ name: n, line, col: 1 }));
    out.push({
      id: name,
      file,
      line,
      inverted: false,
      usesOptions: false,
      placeholders,
      ...(choices ? { answerChoices: choices } : {}),
      render: (ctx: Fields) => {
        const env = new Environment();
        for (const [k, v] of Object.entries(ctx)) env.set(k, v as never);
        if (choices) env.set("answer_choices", choices as never);
        const rendered = String(new Interpreter(env).run(program as never).value);
        // promptsource: split on ||| and strip each part
        const [input = "", target = ""] = rendered.split(SEPARATOR).map((s) => s.trim());
        return { input, target };
      },
    });
  }
  return out;
}

/** The answer choices a promptsource template declares (null when none). */
export function answerChoices(t: TaskTemplate): string[] | null {
  return t.answerChoices ?? null;
}

export { formatOptions };
