// The checker's API: a recipe file or text → its diagnostics and, when there is no error, the
// CheckedRecipe IR. `extends` is resolved here (overrides applied), sweeps stay `{ $sweep: [...] }`.
import { InputFileError, NotUtf8Error, READ_LIMITS, readRegularText } from "../lang/read-file.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { dedupeDiagnostics, hasErrors, sortDiagnostics } from "../lang/diagnostic.js";
import type { CheckedRecipe } from "./ir.js";
import type { RecipeFile, RecipeHeader } from "../lang/ast.js";
import { loadRecipe } from "./extends.js";
import { CheckContext } from "./context.js";
import { runChecks } from "./checks/index.js";
import { buildRecipe } from "./build.js";
import { sweepLimit, sweepRepeats } from "./sweep-limit.js";

export interface CheckResult {
  recipe: CheckedRecipe | null; // null when any error was found
  diagnostics: Diagnostic[]; // sorted by file, position, code
  sources: Map<string, string>; // every file read (the recipe and its bases), for rendering carets
}

export async function checkRecipeFile(path: string): Promise<CheckResult> {
  let text: string;
  try {
    text = readRegularText(path, READ_LIMITS.recipe, "recipe");
  } catch (err) {
    if (err instanceof NotUtf8Error) {
      const hint = "convert the file to UTF-8 (iconv -f latin1 -t utf-8), or write the character as an escape in a string (\\u{e9})";
      return { recipe: null, diagnostics: [{ code: "AL1007", severity: "error", message: err.located, file: path, span: err.span, hint }], sources: new Map([[path, err.lossyText]]) };
    }
    if (!(err instanceof InputFileError)) throw err;
    return { recipe: null, diagnostics: [{ code: "AL2016", severity: "error", message: err.message, file: path, span: null }], sources: new Map() };
  }
  return checkRecipeText(text, path);
}

export async function checkRecipeText(text: string, file: string): Promise<CheckResult> {
  return checkRecipeTextSync(text, file);
}

/** The synchronous core (the CLI and benchmarks await the async wrappers). */
export function checkRecipeTextSync(text: string, file: string): CheckResult {
  return checkRecipeAst(text, file);
}

/** Check an AST that is already parsed (`text` is its source, for messages); for tools and tests that build ASTs. */
export function checkRecipeAst(text: string, file: string, ast?: RecipeFile): CheckResult {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const loaded = loadRecipe(text, file, { sources, diagnostics }, [], ast);
  if (!loaded || loaded.syntaxErrors) {
    // semantic checks on a file that did not parse would report the parser's recovery guesses
    return { recipe: null, diagnostics: sortDiagnostics(diagnostics), sources };
  }
  const ctx = new CheckContext(loaded, sources);
  ctx.analyse();
  runChecks(ctx);
  for (const d of ctx.diagnostics) diagnostics.push(d); // not push(...): 150k diagnostics overflow the call stack
  const nothing = declaresNothing(loaded.ast, ctx.fileOf, file);
  if (nothing) diagnostics.push(nothing);
  let recipe = hasErrors(diagnostics) ? null : buildRecipe(ctx);
  const sweepErrors = recipe ? [...sweepRepeats(recipe, ctx), ...[sweepLimit(recipe, ctx)].filter((d) => d !== null)] : [];
  if (sweepErrors.length) {
    diagnostics.push(...sweepErrors);
    recipe = null;
  }
  return { recipe, diagnostics: sortDiagnostics(dedupeDiagnostics(diagnostics)), sources };
}

/**
 * A recipe with no block (an empty file, only comments, only a `recipe` header) is almost always a
 * mistake — the wrong file, or one not saved yet — and would otherwise "check" clean and plan 0 nodes.
 * Located at the header when there is one, else at 1:1 of the file as given.
 */
function declaresNothing(ast: RecipeFile, fileOf: (node: object) => string, given: string): Diagnostic | null {
  if (ast.items.some((i) => i.type === "Declaration")) return null;
  const header = ast.items.find((i): i is RecipeHeader => i.type === "RecipeHeader");
  const file = header ? fileOf(header) : given;
  const span = header?.name.span ?? { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };
  return {
    code: "AL2039",
    severity: "error",
    message: header ? "the recipe declares nothing: it has a `recipe` header but no block" : "the recipe declares nothing: the file is empty or holds only comments",
    file,
    span,
    hint: "declare at least one block (tokenizer, model, source, task, mixture, format, stage, eval); recipes/quickstart.align is a complete example",
  };
}

export { CODES } from "./codes.js";
export type { Code } from "./codes.js";
