// Template runtime errors become located data errors instead of crashes: a Handlebars template that
// names an unknown partial, helper or decorator, `{{#each}}` without an argument, a Hugging Face chat
// template that calls `raise_exception(...)` or adds a number to a string. Each is reported at the
// template (its file and line where known) with the engine's message, exit 1, at `plan` already
// (plan renders every example when it measures the data) as well as at `run`.
//
// Rendering is also bounded: a result over MAX_TEMPLATE_OUTPUT characters is an error, and Jinja
// chat templates run on a budgeted interpreter (jinja-budget.ts) so a `range(100000000)` loop stops
// with an error in milliseconds instead of taking gigabytes.
import type { Span } from "../lang/ast.js";
import { CODES, DataError, dataDiag } from "./diag.js";

/** Where a template is written: its file (a template file, or the recipe for inline templates). */
export interface TemplateOrigin {
  file: string;
  span?: Span | null;
  /** for a template that is a whole file (no span): the file line its text starts at, so that an
   * engine error that knows its line is located there; one that does not has no line:col */
  firstLine?: number;
}

/**
 * Handlebars runtime options for every render: no template reads a prototype property (`{{toString}}`,
 * `{{constructor}}`, `{{x.__proto__}}` render nothing). Saying so explicitly, rather than leaving the
 * library's default, also keeps Handlebars from printing its own unlocated three-line warning on
 * stderr; alignc reports such names itself, located (AL3010, the placeholder checks).
 */
export const HANDLEBARS_RUNTIME = { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false } as const;

/** One rendered template result above this is an error: ~1M characters is 250k+ tokens, far past any
 * context alignc trains, and the cap keeps a runaway template from exhausting memory. */
export const MAX_TEMPLATE_OUTPUT = 1 << 20;

/** The message of a thrown engine error, one line, without Handlebars' multi-line excerpt. */
export function engineMessage(err: unknown): string {
  if (err instanceof RangeError && /call stack/i.test(err.message)) return "recursion too deep (a partial or macro that calls itself?)";
  const m = err instanceof Error ? err.message : String(err);
  // Handlebars compiles lazily, so a parse error shows up at the first render: first and last line
  // ("Parse error on line 2: … Expecting 'ID', got 'EOF'")
  const lines = m.split("\n").map((l) => l.trim()).filter(Boolean);
  if (/^Parse error/.test(lines[0] ?? "") && lines.length > 1) return `${lines[0]} ${lines[lines.length - 1]}`;
  // the Handlebars runtime calls a field as a helper when it is given arguments: `{{field 1}}`
  if (/\.call is not a function|helperMissing/.test(m)) return "it calls a value that is not a helper (`{{name argument}}` calls `name`; a data field is read as `{{name}}`)";
  return lines[0] || (err as Error)?.name || "error";
}

/** A DataError for a template that failed while rendering. */
export function templateRuntimeError(what: string, err: unknown, origin: TemplateOrigin | undefined, line?: number): DataError {
  const file = origin?.file ?? "";
  const at = line === undefined ? (origin?.span ?? null) : origin?.span ? { ...origin.span, line, col: 1, endLine: line, endCol: 1 } : { start: 0, end: 0, line, col: 1, endLine: line, endCol: 1 };
  return new DataError([dataDiag(CODES.templateRuntime, `${what} fails when rendered: ${engineMessage(err)}`, file, at)]);
}

/** `render` with its engine errors turned into located DataErrors and its output size capped. */
export function guardRender<A extends unknown[]>(render: (...a: A) => string, what: string, origin?: TemplateOrigin): (...a: A) => string {
  return (...a: A) => {
    let out: string;
    try {
      out = render(...a);
    } catch (err) {
      if (err instanceof DataError) throw err;
      // Handlebars exceptions carry the template line (relative to the compiled text) when known
      const first = origin?.span?.line ?? origin?.firstLine;
      const line = typeof (err as { lineNumber?: unknown }).lineNumber === "number" && first !== undefined ? first + (err as { lineNumber: number }).lineNumber - 1 : undefined;
      throw templateRuntimeError(what, err, origin, line);
    }
    if (out.length > MAX_TEMPLATE_OUTPUT) throw templateRuntimeError(what, new Error(`its output is ${out.length} characters, over the ${MAX_TEMPLATE_OUTPUT} alignc allows for one render`), origin);
    return out;
  };
}
