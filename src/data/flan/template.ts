// A FLAN task template: an input part (the prompt) and a target part (the response), each rendered
// over a dataset row. Three sources produce them: alignc's Handlebars files (templates/flan/<task>/),
// FLAN's Python `{name}` patterns and promptsource's Jinja; all compile to this one shape.
import Handlebars from "handlebars";
import type { Fields } from "../readers.js";
import { guardRender, HANDLEBARS_RUNTIME, type TemplateOrigin } from "../template-guard.js";
import { CODES } from "../diag.js";

// `{{log}}` would print to stdout in the middle of alignc's own output: it renders nothing instead
Handlebars.registerHelper("log", () => "");

/** A placeholder used by a template, located in the template's own file (1-based). */
export interface Placeholder {
  name: string;
  line: number;
  col: number;
  /** read under `{{#if name}}` / `{{#unless name}}` (or as that test): a row may lack it */
  optional?: boolean;
  /** the whole path where it reads into the field (`{{a.b.c}}`: ["a", "b", "c"]) */
  path?: string[];
  /** its value is printed into the text (`{{a}}`, a FLAN `{a}`), not tested, iterated or passed to a helper */
  printed?: boolean;
  /** walked by `{{#each name}}`: a list or an object; over a string, number or boolean it renders nothing */
  iterated?: boolean;
}

/**
 * Why a row cannot give a placeholder its value, or null: the field is missing (a `name` a row may lack
 * is fine), or a path into it (`{{a.b}}`) leads nowhere. Handlebars renders both as "" without a word,
 * so a template path into a number or a text field gave every example an empty prompt.
 */
export function placeholderProblem(p: Placeholder, data: Readonly<Record<string, unknown>>): { code: typeof CODES.missingField | typeof CODES.wrongType; message: string } | null {
  const head = data[p.name];
  if (head === undefined || head === null) return p.optional ? null : head === null ? { code: CODES.wrongType, message: `field \`${p.name}\` is null; the template needs a value` } : { code: CODES.missingField, message: `missing field \`${p.name}\`` };
  let cur: unknown = head;
  const path = p.path ?? [p.name];
  for (let i = 1; i < path.length; i++) {
    const at = path.slice(0, i).join(".");
    if (cur === null || typeof cur !== "object") return { code: CODES.wrongType, message: `\`{{${path.join(".")}}}\` reads \`${path[i]}\` of \`${at}\`, which is ${cur === null ? "null" : `a ${typeof cur}`} (it has no fields)` };
    if (!Object.prototype.hasOwnProperty.call(cur, path[i]!)) return { code: CODES.wrongType, message: `\`{{${path.join(".")}}}\`: \`${at}\` has no \`${path[i]}\` (it has: ${Object.keys(cur).slice(0, 12).join(", ") || "nothing"})` };
    cur = (cur as Record<string, unknown>)[path[i]!];
  }
  // a list printed as `a,b` (an object as `[object Object]`) is no text a data set meant (Python's
  // str.format would print its repr): said at the row, as an object field always was
  // `{{#each x}}` over a string renders nothing (or its else) without a word: every prompt came out empty (huntZ40 M3)
  if (p.iterated && (cur === null || typeof cur !== "object"))
    return { code: CODES.wrongType, message: `\`{{#each ${path.join(".")}}}\` walks a list or an object; \`${path.join(".")}\` is ${cur === null ? "null" : `a ${typeof cur}`}, over which it renders nothing` };
  if (p.printed && cur !== null && typeof cur === "object")
    return { code: CODES.wrongType, message: `\`${path.join(".")}\` is ${Array.isArray(cur) ? "a list" : "an object"}; a template prints strings, numbers and booleans` };
  return null;
}

export interface TaskTemplate {
  id: string; // "03-question" (file name), "v1/3" (FLAN), a promptsource name
  file: string; // the file the template came from, for located errors
  line: number; // line of the template inside `file` (1 for one-template-per-file)
  /** direct: asks for the task's target; inverted: asks for an input field given the target;
   * auxiliary: asks for another field without giving the target (FLAN's title-writing, "write a
   * sentence") — trained on as FLAN does, never held out or scored. See README "FLAN templates". */
  role: TemplateRole;
  /** why the role was decided (shown by `alignc data --stats`) */
  roleReason: string;
  format: TemplateFormat;
  usesOptions: boolean; // places the OPTIONS list itself (`{{options_}}`)
  placeholders: Placeholder[]; // row fields (and built-ins) the template reads
  answerChoices?: string[]; // promptsource `answer_choices`
  indexFields?: string[]; // promptsource: fields used as `answer_choices[field]` (must be integers)
  render(ctx: Fields): { input: string; target: string };
}

export type TemplateRole = "direct" | "inverted" | "auxiliary";
/** hbs: alignc's own files (an OPTIONS list is appended when shown and not placed); flan: FLAN's
 * str.format patterns; promptsource: Jinja. FLAN and promptsource render byte-exact. */
export type TemplateFormat = "hbs" | "flan" | "promptsource";

/** Names every template may use besides the row's fields. */
export const BUILTINS = ["options_", "options", "answer_choices"] as const;

/** FLAN's option rendering (flan/preprocessors.py format_options, v1). */
export function formatOptions(options: readonly string[]): string {
  return "OPTIONS:\n- " + options.join("\n- ");
}

/** Python's str.strip(): the characters str.isspace() accepts (promptsource strips with it; JS's
 * trim() differs: it also strips U+FEFF and keeps U+001C–U+001F and U+0085). */
const PY_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";
export function pyStrip(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.includes(s[a]!)) a++;
  while (b > a && PY_SPACE.includes(s[b - 1]!)) b--;
  return s.slice(a, b);
}

/** A compiled piece of template text: literal strings and field reads in order. */
type Segment = string | { field: string };

function stringify(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map(stringify).join(",");
  return String(v);
}

/** Concatenation of segments: the fast path every simple template takes. */
export function segmentRenderer(segs: readonly Segment[]): (ctx: Fields) => string {
  return (ctx) => {
    let out = "";
    // own fields only: `{{toString}}` is no field of a row (Object.prototype's would render as code)
    for (const s of segs) out += typeof s === "string" ? s : stringify(Object.hasOwn(ctx, s.field) ? ctx[s.field] : undefined);
    return out;
  };
}

/** A compiled Handlebars part plus the placeholders it reads. */
export interface CompiledPart {
  render: (ctx: Fields) => string;
  placeholders: Placeholder[];
}

/**
 * Compile Handlebars text. Templates that are only text and `{{name}}` reads become segment
 * lists (concatenation, ~10× faster than the Handlebars runtime); others use Handlebars itself
 * (noEscape: the output is training text, not HTML). `lineOffset` maps lines to the file.
 */
export function compileHandlebars(text: string, lineOffset = 0, origin?: TemplateOrigin): CompiledPart {
  const ast = Handlebars.parse(text);
  const placeholders: Placeholder[] = [];
  collectPlaceholders(ast, placeholders, lineOffset, 0, new Set());
  const segs: Segment[] = [];
  let simple = true;
  for (const st of ast.body) {
    if (st.type === "ContentStatement") segs.push((st as hbs.AST.ContentStatement).value);
    else if (st.type === "CommentStatement") continue;
    else if (st.type === "MustacheStatement") {
      const m = st as hbs.AST.MustacheStatement;
      const p = m.path as hbs.AST.PathExpression;
      if (m.params.length || (m.hash && m.hash.pairs.length) || p.type !== "PathExpression" || p.parts.length !== 1 || p.data || p.depth) {
        simple = false;
        break;
      }
      segs.push({ field: p.parts[0]! });
    } else {
      simple = false;
      break;
    }
  }
  // a field holding a JSON object would render as "[object Object]" and be trained on: an error
  // (checked where a field is read whole; `{{a.b}}` reads into an object on the Handlebars path)
  const whole = simple ? segs.flatMap((s) => (typeof s === "string" ? [] : [s.field])) : [];
  const objectField = (ctx: Fields): void => {
    for (const name of whole) {
      const v = ctx[name];
      if (v !== null && typeof v === "object" && !Array.isArray(v)) throw new TypeError(`field \`${name}\` holds ${JSON.stringify(v).slice(0, 60)}, an object, not text`);
    }
  };
  const seg = simple ? segmentRenderer(mergeLiterals(segs)) : undefined;
  const fn = seg ? undefined : Handlebars.compile(text, { noEscape: true });
  // runtime errors (unknown helper/partial/decorator, #each without argument) become located errors
  const render = (ctx: Fields): string => (objectField(ctx), seg ? seg(ctx) : fn!(ctx, HANDLEBARS_RUNTIME));
  return { render: guardRender(render, "template", origin), placeholders };
}

function mergeLiterals(segs: Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (typeof s === "string" && typeof last === "string") out[out.length - 1] = last + s;
    else out.push(s);
  }
  return out;
}

const HELPERS = new Set(["if", "unless", "each", "with", "lookup", "log"]);

/** The names a Handlebars text reads at its top level (as compileHandlebars collects them); throws on a parse error. */
export function handlebarsPlaceholders(text: string): Placeholder[] {
  const out: Placeholder[] = [];
  collectPlaceholders(Handlebars.parse(text), out, 0, 0, new Set());
  return out;
}

/**
 * Field names read at the top level of a Handlebars AST (inside #each/#with the context changes:
 * skipped). A name tested by #if/#unless is optional there and inside that block.
 */
function collectPlaceholders(node: hbs.AST.Program, out: Placeholder[], lineOffset: number, depth: number, guarded: ReadonlySet<string>): void {
  const visitPath = (p: hbs.AST.Expression, loc: hbs.AST.SourceLocation, optional: boolean, printed = false, iterated = false): void => {
    if (p.type !== "PathExpression") return;
    const path = p as hbs.AST.PathExpression;
    if (path.data || depth > 0) return;
    // at a row template's top level `{{this}}` and `{{.}}` print the whole row ("[object Object]") and
    // `{{../x}}` prints nothing: named as what they are, they fail as a field the rows lack (AL3010), where
    // every row trained on "[object Object]" or on nothing (huntZ40 M3)
    if (path.depth || path.parts.length === 0 || path.parts[0] === "this") {
      if (printed) out.push({ name: path.original, line: loc.start.line + lineOffset, col: loc.start.column + 1 });
      return;
    }
    const name = path.parts[0]!;
    if (HELPERS.has(name)) return;
    out.push({ name, line: loc.start.line + lineOffset, col: loc.start.column + 1, ...(optional || guarded.has(name) ? { optional: true } : {}), ...(path.parts.length > 1 ? { path: [...path.parts] } : {}), ...(printed ? { printed: true } : {}), ...(iterated ? { iterated: true } : {}) });
  };
  for (const st of node.body) {
    if (st.type === "MustacheStatement") {
      const m = st as hbs.AST.MustacheStatement;
      visitPath(m.path, m.loc, false, m.params.length === 0 && m.hash === undefined);
      for (const p of m.params) visitPath(p, p.loc ?? m.loc, false); // each argument at its own column (`{{lookup a b}}`)
    } else if (st.type === "BlockStatement") {
      const b = st as hbs.AST.BlockStatement;
      const helper = (b.path as hbs.AST.PathExpression).original;
      const test = helper === "if" || helper === "unless";
      // an #each with an {{else}} says what to print where there is nothing to walk: a string there is its author's case
      for (const p of b.params) visitPath(p, p.loc ?? b.loc, test, false, helper === "each" && !b.inverse);
      const scoped = helper === "each" || helper === "with";
      const inner = new Set(guarded);
      if (test) for (const p of b.params) if (p.type === "PathExpression") inner.add((p as hbs.AST.PathExpression).parts[0] ?? "");
      if (b.program) collectPlaceholders(b.program, out, lineOffset, depth + (scoped ? 1 : 0), helper === "if" ? inner : guarded);
      if (b.inverse) collectPlaceholders(b.inverse, out, lineOffset, depth, helper === "unless" ? inner : guarded);
    }
  }
}

/** Python str.format pattern → segments: `{name}` reads a field, `{{`/`}}` are literal braces. */
export function parsePythonFormat(pattern: string): { segs: Segment[]; names: { name: string; offset: number }[] } {
  const segs: Segment[] = [];
  const names: { name: string; offset: number }[] = [];
  let lit = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "{" && pattern[i + 1] === "{") {
      lit += "{";
      i++;
    } else if (c === "}" && pattern[i + 1] === "}") {
      lit += "}";
      i++;
    } else if (c === "{") {
      const close = pattern.indexOf("}", i);
      if (close < 0) throw new Error(`unclosed \`{\` at offset ${i}`);
      const name = pattern.slice(i + 1, close);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`unsupported placeholder \`{${name}}\` at offset ${i} (only {name} is supported)`);
      if (lit) segs.push(lit);
      lit = "";
      segs.push({ field: name });
      names.push({ name, offset: i });
      i = close;
    } else if (c === "}") {
      throw new Error(`single \`}\` at offset ${i}`);
    } else lit += c;
  }
  if (lit) segs.push(lit);
  return { segs, names };
}
