// Diagnostics are data: a stable code, a severity, a message and a span in a file. Everything that
// reads user input (parser, checker, data readers, plan checks) reports through this shape; the
// renderer in src/lang/render.ts turns them into `file:line:col: error AL2003: message` + caret.
//
// Code ranges: AL1xxx syntax, AL2xxx semantics (names, types, schemas, references), AL3xxx data
// (readers, templates, rankings), AL4xxx plan (cross-stage checks, budgets), AL5xxx run.
import type { Span } from "./ast.js";
import { byCodeUnits } from "../common/code-order.js";

export type Severity = "error" | "warning" | "info";

export interface Diagnostic {
  code: string; // "AL2003"
  severity: Severity;
  message: string;
  file: string; // path as given by the user (or resolved), "" when there is no file
  span: Span | null; // null when the problem has no location (e.g. a missing file named on the CLI)
  hint?: string; // "did you mean `layers`?"
  dataFile?: string; // a data diagnostic located at the recipe line that names its file: that file (src/data/at-recipe.ts)
}

export type Accept = (d: Omit<Diagnostic, "file"> & { file?: string }) => void;

/** An error that carries diagnostics to the CLI boundary (for code that cannot return them as data). */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join("\n"));
    this.name = "DiagnosticError";
  }
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === "error");
}

/** The same message at the same place twice (a node reached by two checks, one data error met by two
 * consumers of the data) is reported once; the first is kept. */
export function dedupeDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.file}\0${d.span?.start}\0${d.code}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Sort by file, then position, then code: output must be deterministic. */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) =>
      byCodeUnits(a.file, b.file) ||
      (a.span?.start ?? -1) - (b.span?.start ?? -1) ||
      byCodeUnits(a.code, b.code) ||
      byCodeUnits(a.message, b.message),
  );
}

/** A span for the whole of line `line` (1-based) of `text`, for errors found outside the parser. */
export function lineSpan(text: string, line: number): Span {
  let start = 0;
  for (let l = 1; l < line && start >= 0; l++) start = text.indexOf("\n", start) + 1 || -1;
  if (start < 0) start = text.length;
  let end = text.indexOf("\n", start);
  if (end < 0) end = text.length;
  return { start, end, line, col: 1, endLine: line, endCol: end - start + 1 };
}
