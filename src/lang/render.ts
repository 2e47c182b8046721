// Diagnostics → text for people (`file:line:col: error AL2003: message`, the source line, carets
// under the span, the hint) or JSON for machines. Rendering is apart from finding: every producer
// returns Diagnostic data and the CLI picks the form. Colour is the caller's choice (useColor()).
import { isAbsolute, relative } from "node:path";
import type { Diagnostic, Severity } from "./diagnostic.js";
import { escapeControl, escapeControlKeepLines } from "./escape.js";
import { palette, useColor, type Colour } from "../common/colour.js";

export interface RenderOptions {
  color: boolean;
}

export { useColor };

const SEVERITY_COLOR: Record<Severity, Colour> = { error: "red", warning: "yellow", info: "cyan" };

/** Source lines longer than this are shown as a window around the span. */
const MAX_LINE_SHOWN = 240;
const WINDOW_BEFORE = 80;
const WINDOW_AFTER = 80;
/** At most this many diagnostics are rendered; the rest are counted (`--json` lists them all). */
export const MAX_RENDERED = 200;

/** Line `line` (1-based) of `text`, without its line break. Lines end where the lexer's do (chevrotain's
 * default terminators: LF, CRLF and a lone CR), so the line shown is the one a span's line number counts. */
function sourceLine(text: string, line: number): string | null {
  const re = /\r\n?|\n/g;
  let start = 0;
  for (let l = 1; l < line; l++) {
    const m = re.exec(text);
    if (!m) return null;
    start = m.index + m[0].length;
  }
  re.lastIndex = start;
  const end = re.exec(text);
  return text.slice(start, end ? end.index : text.length);
}

/** A diagnostic's file as people read it: below the working directory, relative to it (`data/d.jsonl`,
 * as the recipe's own path is typed), else as given. Data and template paths arrive absolute (they are
 * resolved against the recipe's folder); `--json` keeps them so. */
export function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

function renderOne(d: Diagnostic, sources: Map<string, string>, paint: (c: Colour, s: string) => string): string {
  // every piece of user text (file names, messages that quote input, the source line, hints) is
  // escaped: a recipe must not be able to drive the terminal (escape.ts)
  const file = d.file ? displayPath(d.file) : "";
  const where = escapeControl(d.span ? `${file || "<input>"}:${d.span.line}:${d.span.col}` : file || "alignc");
  const out = [`${paint("bold", `${where}:`)} ${paint(SEVERITY_COLOR[d.severity], `${d.severity} ${d.code}`)}${paint("bold", `: ${escapeControlKeepLines(d.message)}`)}`];
  const text = sources.get(d.file);
  let line = d.span && text !== undefined ? sourceLine(text, d.span.line) : null;
  if (d.span && line !== null) {
    const num = String(d.span.line);
    const pad = " ".repeat(num.length);
    let from = Math.min(d.span.col - 1, line.length);
    // carets to the span's end, or to the end of the line when the span goes on to later lines
    let to = d.span.endLine === d.span.line ? Math.min(d.span.endCol - 1, line.length) : line.length;
    // a very long line (minified data, a generated recipe) is shown as a window around the span:
    // printing it whole for each of many diagnostics made the output quadratic in its length
    if (line.length > MAX_LINE_SHOWN) {
      const start = Math.max(0, from - WINDOW_BEFORE);
      const end = Math.min(line.length, Math.max(to, from + 1) + WINDOW_AFTER, start + MAX_LINE_SHOWN);
      const head = start > 0 ? "…" : "";
      line = head + line.slice(start, end) + (end < line.length ? "…" : "");
      from = from - start + head.length;
      to = Math.min(to - start + head.length, line.length);
    }
    // widths are measured on the escaped text, which is what the terminal shows
    const width = Math.max(1, escapeControl(line.slice(from, to)).length);
    const lead = escapeControl(line.slice(0, from)).replace(/[^\t]/g, " "); // keep tabs so the caret lines up
    out.push(`${paint("blue", `${num} |`)} ${escapeControl(line)}`);
    out.push(`${paint("blue", `${pad} |`)} ${lead}${paint(SEVERITY_COLOR[d.severity], "^".repeat(width))}`);
  }
  if (d.hint) out.push(`${paint("cyan", "hint:")} ${escapeControlKeepLines(d.hint)}`);
  return out.join("\n");
}

/** Human-readable diagnostics, one block each, separated by blank lines; "" when there are none. */
export function renderDiagnostics(ds: Diagnostic[], sources: Map<string, string>, opts: RenderOptions): string {
  const colours = palette(opts.color);
  const paint = (c: Colour, s: string): string => colours[c](s);
  const shown = ds.slice(0, MAX_RENDERED).map((d) => renderOne(d, sources, paint));
  if (ds.length > MAX_RENDERED) shown.push(`… ${ds.length - MAX_RENDERED} more diagnostics not shown (--json lists every one)`);
  return shown.join("\n\n");
}

/** `3 errors, 1 warning` (empty string when there is nothing to count). */
export function summarize(ds: Diagnostic[]): string {
  const n = (sev: Severity): number => ds.filter((d) => d.severity === sev).length;
  const part = (k: number, word: string): string => (k ? `${k} ${word}${k === 1 ? "" : "s"}` : "");
  return [part(n("error"), "error"), part(n("warning"), "warning")].filter(Boolean).join(", ");
}

/** Diagnostics as JSON text: an array of Diagnostic objects exactly as typed in diagnostic.ts. */
export function diagnosticsJson(ds: Diagnostic[]): string {
  return JSON.stringify(diagnosticObjects(ds), null, 2);
}

/** The objects diagnosticsJson prints, for commands that embed them in a larger JSON document (`alignc data --json`). */
export function diagnosticObjects(ds: Diagnostic[]): object[] {
  return ds.map((d) => ({ code: d.code, severity: d.severity, message: d.message, file: d.file, span: d.span, ...(d.hint ? { hint: d.hint } : {}) }));
}
