// Diagnostics → text for people (`file:line:col: error AL2003: message`, the source line, carets
// under the span, the hint) or JSON for machines. Rendering is apart from finding: every producer
// returns Diagnostic data and the CLI picks the form. Colour is the caller's choice (useColor()).
import type { Diagnostic, Severity } from "./diagnostic.js";

export interface RenderOptions {
  color: boolean;
}

/** Colour only on a terminal and never when NO_COLOR is set to a non-empty value (no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env["NO_COLOR"];
}

const SGR = { bold: "1", red: "31", yellow: "33", cyan: "36", blue: "34", dim: "2" } as const;
const SEVERITY_COLOR: Record<Severity, keyof typeof SGR> = { error: "red", warning: "yellow", info: "cyan" };

/** Line `line` (1-based) of `text`, without its line break. */
function sourceLine(text: string, line: number): string | null {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) return null;
    start = nl + 1;
  }
  const end = text.indexOf("\n", start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, "");
}

/** Characters of a source line shown at most (data files can be one multi-megabyte line). */
const MAX_SHOWN = 160;

/** The part of a long line around the span, with `…` where it was cut; the span's offsets in it. */
function window(line: string, col0: number, end0: number): { text: string; from: number; to: number } {
  const from = Math.min(col0, line.length);
  const to = Math.min(Math.max(end0, from), line.length);
  if (line.length <= MAX_SHOWN) return { text: line, from, to };
  const a = Math.max(0, from - 40);
  const b = Math.min(line.length, a + MAX_SHOWN);
  const pre = a > 0 ? "…" : "";
  const text = `${pre}${line.slice(a, b)}${b < line.length ? "…" : ""}`;
  return { text, from: from - a + pre.length, to: Math.min(to, b) - a + pre.length };
}

function renderOne(d: Diagnostic, sources: Map<string, string>, paint: (c: keyof typeof SGR, s: string) => string): string {
  const where = d.span ? `${d.file || "<input>"}:${d.span.line}:${d.span.col}` : d.file || "alignc";
  const out = [`${paint("bold", `${where}:`)} ${paint(SEVERITY_COLOR[d.severity], `${d.severity} ${d.code}`)}${paint("bold", `: ${d.message}`)}`];
  const text = sources.get(d.file);
  const line = d.span && text !== undefined ? sourceLine(text, d.span.line) : null;
  if (d.span && line !== null) {
    const shown = window(line, d.span.col - 1, d.span.endLine === d.span.line ? d.span.endCol - 1 : line.length);
    const num = String(d.span.line);
    const pad = " ".repeat(num.length);
    const { text: shownLine, from, to } = shown;
    const width = Math.max(1, to - from);
    const lead = shownLine.slice(0, from).replace(/[^\t]/g, " "); // keep tabs so the caret lines up
    out.push(`${paint("blue", `${num} |`)} ${shownLine}`);
    out.push(`${paint("blue", `${pad} |`)} ${lead}${paint(SEVERITY_COLOR[d.severity], "^".repeat(width))}`);
  }
  if (d.hint) out.push(`${paint("cyan", "hint:")} ${d.hint}`);
  return out.join("\n");
}

/** Human-readable diagnostics, one block each, separated by blank lines; "" when there are none. */
export function renderDiagnostics(ds: Diagnostic[], sources: Map<string, string>, opts: RenderOptions): string {
  const paint = (c: keyof typeof SGR, s: string): string => (opts.color ? `\u001b[${SGR[c]}m${s}\u001b[0m` : s);
  return ds.map((d) => renderOne(d, sources, paint)).join("\n\n");
}

/** `3 errors, 1 warning` (empty string when there is nothing to count). */
export function summarize(ds: Diagnostic[]): string {
  const n = (sev: Severity): number => ds.filter((d) => d.severity === sev).length;
  const part = (k: number, word: string): string => (k ? `${k} ${word}${k === 1 ? "" : "s"}` : "");
  return [part(n("error"), "error"), part(n("warning"), "warning")].filter(Boolean).join(", ");
}

/** Diagnostics as JSON text: an array of Diagnostic objects exactly as typed in diagnostic.ts. */
export function diagnosticsJson(ds: Diagnostic[]): string {
  return JSON.stringify(
    ds.map((d) => ({ code: d.code, severity: d.severity, message: d.message, file: d.file, span: d.span, ...(d.hint ? { hint: d.hint } : {}) })),
    null,
    2,
  );
}
