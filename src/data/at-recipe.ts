// A data diagnostic about a file as a whole (a template folder without templates, an empty data file,
// a chat template that fails or lacks a placeholder) has no line:col of its own: reported at the
// file alone, an editor's problem list cannot jump anywhere useful. Such diagnostics are re-reported
// at the recipe span that brought the file in (the source's path argument, the task's `templates`,
// the format block), the file named at the head of the message, so the reader still sees which
// file is wrong. A diagnostic located at a line of its file (a row that is not JSON, a template line
// that does not parse) stays there: that line is what to fix.
import { relative, sep } from "node:path";
import type { Span } from "../lang/ast.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { DataError } from "./diag.js";

/** Where the recipe names a file: its file and span (null when unknown: then nothing moves). */
export interface RecipeSite {
  file: string;
  span: Span | null;
}

/** The file as the recipe's reader knows it: relative to the recipe folder when inside it. */
export function shownPath(file: string, recipeDir: string): string {
  const rel = relative(recipeDir, file);
  return rel === "" ? "." : rel.startsWith("..") ? file : rel.split(sep).join("/");
}

/** `d` at `site` when it is about `dataFile` (or a file in that folder) and has no line:col; else `d`. */
export function diagnosticAtRecipe(d: Diagnostic, site: RecipeSite, dataFile: string, recipeDir: string): Diagnostic {
  if (d.span !== null || site.span === null) return d;
  if (d.file !== dataFile && !d.file.startsWith(dataFile + sep)) return d;
  return { ...d, file: site.file, span: site.span, message: `${shownPath(d.file, recipeDir)}: ${d.message}`, dataFile: d.file };
}

/** `err` with its whole-file diagnostics about `dataFile` moved to `site`; any other error as it is. */
export function errorAtRecipe(err: unknown, site: RecipeSite, dataFile: string, recipeDir: string): unknown {
  if (!(err instanceof DataError) || site.span === null) return err;
  return new DataError(err.diagnostics.map((d) => diagnosticAtRecipe(d, site, dataFile, recipeDir)));
}

/** Run `fn`; a DataError it throws has its whole-file diagnostics about `dataFile` moved to `site`. */
export function atRecipe<T>(site: RecipeSite, dataFile: string, recipeDir: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw errorAtRecipe(err, site, dataFile, recipeDir);
  }
}

/** atRecipe for a promise. */
export function atRecipeAsync<T>(site: RecipeSite, dataFile: string, recipeDir: string, p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw errorAtRecipe(err, site, dataFile, recipeDir);
  });
}
