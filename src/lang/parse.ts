// parseRecipe: text → AST + AL1xxx diagnostics. Never throws: lexer errors, parser errors (with
// recovery, so independent errors are all reported) and build problems come back as diagnostics,
// and anything unexpected becomes AL1999 with the location reached.
import { EOF, type IRecognitionException, type IToken } from "../../grammar/chevrotain.js";
import * as T from "../../grammar/lexer.js";
import { alignParser, TOP_LEVEL_WANTED } from "./parser-instance.js";
import type { RecipeFileCstNode } from "../../generated/cst.js";
import type { Comment, RecipeFile, Span } from "./ast.js";
import { buildItems } from "./build.js";
import { tokenSpan } from "./token-span.js";
import type { SyntaxCode } from "./codes.js";
import type { Diagnostic } from "./diagnostic.js";
import { structureLimits } from "./limits.js";
import { byCodeUnits } from "../common/code-order.js";

export interface ParseResult {
  ast: RecipeFile;
  diagnostics: Diagnostic[];
}

/** Milliseconds spent in each phase by all parseRecipe calls since the last reset (for the benchmark). */
export const parseTimings = { lex: 0, parse: 0, build: 0 };
export function resetParseTimings(): void {
  parseTimings.lex = parseTimings.parse = parseTimings.build = 0;
}

/** Offsets where each line starts, for turning offsets into line:col without rescanning the text. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

function pointIn(text: string, starts: number[], offset: number): Span {
  const o = Math.max(0, Math.min(offset, text.length));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= o) lo = mid;
    else hi = mid - 1;
  }
  const col = o - starts[lo]! + 1;
  return { start: o, end: o, line: lo + 1, col, endLine: lo + 1, endCol: col };
}

/** Span of the point at `offset` (zero width, shown as one caret). */
export function pointSpan(text: string, offset: number): Span {
  return pointIn(text, lineStarts(text), offset);
}

function fileSpan(text: string): Span {
  const end = pointSpan(text, text.length);
  return { start: 0, end: text.length, line: 1, col: 1, endLine: end.line, endCol: end.col };
}

// `samples(stage, prompts = …, k = …)`: calls take no named arguments in .align; a syntax error
// inside a `samples(` call says where its settings go instead.
const SAMPLES_HINT = "`samples(…)` takes only the stage; its settings go in the block: `source cands = samples(sft) as candidates { prompts = prefs.prompts  k = 4  labels = labeled }`";
function insideSamplesCall(text: string, offset: number): boolean {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return /\bsamples\s*\([^)]*$/.test(text.slice(lineStart, offset));
}

/** Syntax errors reported per file; the rest are summed up in one AL1013. */
export const MAX_SYNTAX_ERRORS = 100;

/** Characters people carry over from other languages, with what .align writes instead. */
const LEXICAL_HINTS: Record<string, string> = {
  "'": 'strings use double quotes: "…"',
  "#": "comments start with // or /* … */",
  ";": "no `;` needed: entries are separated by spaces or line breaks",
  "\u00a0": "a no-break space (often pasted from a web page or a word processor): replace it with a plain space",
  "\u200b": "a zero-width space (often pasted from a web page): delete it",
  "\ufeff": "a byte-order mark inside the file: delete it",
  "\u201c": 'a curly quote: strings use straight double quotes "…"',
  "\u201d": 'a curly quote: strings use straight double quotes "…"',
};

// Characters a terminal shows as nothing or as a plain space (spaces, format characters, controls):
// named by code point so that the message says what is there.
const INVISIBLE = /[\p{Z}\p{Cf}\p{Cc}]/u;

/** The unexpected characters as the message shows them: visible ones as they are (at most 20), an
 * invisible one as `U+00A0`. */
function showUnexpected(ch: string): string {
  const chars = [...ch];
  const shown = chars.slice(0, chars.length > 20 ? 17 : 20).map((c) => (INVISIBLE.test(c) ? `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}` : c));
  return chars.some((c) => INVISIBLE.test(c)) ? shown.join(" ") + (chars.length > 20 ? " …" : "") : `\`${shown.join("")}${chars.length > 20 ? "…" : ""}\``;
}

/** Index of the first token starting at or after `offset` (tokens.length when none does). */
function firstTokenAt(tokens: IToken[], offset: number): number {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid]!.startOffset < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A reserved word followed by `=`, `:` or `.`, i.e. written where a property name goes. */
function usedAsName(t: IToken, tokens: IToken[]): boolean {
  const next = tokens[firstTokenAt(tokens, t.startOffset) + 1]?.tokenType;
  return next === T.Equals || next === T.Colon || next === T.Dot;
}

function codeOf(e: IRecognitionException): SyntaxCode {
  switch (e.name) {
    case "MismatchedTokenException":
      // the file rule expecting end of input means a stray token between items
      return e.message.endsWith(TOP_LEVEL_WANTED) ? "AL1012" : "AL1010";
    case "NotAllInputParsedException":
      return "AL1012";
    default:
      return "AL1011";
  }
}

function lexerErrorDiagnostic(t: IToken, file: string): Diagnostic {
  const span = tokenSpan(t)!;
  const first = { ...span, end: span.start + 1, endLine: span.line, endCol: span.col + 1 };
  switch (t.tokenType) {
    case T.UnterminatedString:
      return { code: "AL1002", severity: "error", message: "unterminated string", file, span, hint: 'close it with `"` on the same line, or use `"""` for text over several lines' };
    case T.UnterminatedTripleString:
      return { code: "AL1003", severity: "error", message: "unterminated multi-line string", file, span: { ...first, end: span.start + 3, endCol: span.col + 3 }, hint: 'close it with `"""`' };
    default:
      return { code: "AL1004", severity: "error", message: "unterminated block comment", file, span: { ...first, end: span.start + 2, endCol: span.col + 2 }, hint: "close it with `*/`" };
  }
}

export function parseRecipe(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  let reached = 0; // furthest offset handled, for an AL1999 location
  try {
    let t0 = performance.now();
    const lexed = T.AlignLexer.tokenize(text);
    parseTimings.lex += performance.now() - t0;
    let starts: number[] | null = null; // computed on the first error that needs it
    const at = (offset: number): Span => pointIn(text, (starts ??= lineStarts(text)), offset);
    for (const e of lexed.errors) {
      const span: Span = { ...at(e.offset), end: e.offset + e.length };
      span.endCol = span.col + e.length;
      const ch = text.slice(e.offset, e.offset + e.length);
      const hint = LEXICAL_HINTS[ch[0] ?? ""];
      diagnostics.push({
        code: "AL1001",
        severity: "error",
        message: `unexpected character${e.length > 1 ? "s" : ""} ${showUnexpected(ch)}`,
        file,
        span,
        ...(hint ? { hint } : {}),
      });
    }
    for (const t of lexed.groups["errors"] ?? []) diagnostics.push(lexerErrorDiagnostic(t, file));
    for (const t of lexed.tokens) {
      if (t.tokenType === T.UnterminatedString || t.tokenType === T.UnterminatedTripleString) diagnostics.push(lexerErrorDiagnostic(t, file));
    }
    const comments: Comment[] = (lexed.groups["comments"] ?? []).map((t) => ({ text: t.image, span: tokenSpan(t)! }));

    // a recipe past the structural limits is not parsed at all: the parser would run out of stack
    const limit = structureLimits(lexed.tokens);
    if (limit) {
      diagnostics.push({ code: limit.code, severity: "error", message: limit.message, file, span: tokenSpan(limit.token) ?? at(limit.token.startOffset) });
      return { ast: { type: "File", items: [], comments, span: fileSpan(text) }, diagnostics };
    }
    t0 = performance.now();
    alignParser.input = lexed.tokens;
    const cst = alignParser.recipeFile() as RecipeFileCstNode;
    parseTimings.parse += performance.now() - t0;
    // A lexical error already explains the token that follows it (an unterminated string leaves a
    // value missing): one mistake, one diagnostic.
    const explained = new Set<number>();
    const afterLexError = (end: number): void => {
      explained.add(lexed.tokens[firstTokenAt(lexed.tokens, end)]?.startOffset ?? -1); // -1: end of file
    };
    for (const e of lexed.errors) afterLexError(e.offset + e.length);
    for (const t of lexed.groups["errors"] ?? []) afterLexError(t.startOffset + t.image.length);
    for (const d of diagnostics) if (d.code === "AL1002" || d.code === "AL1003") afterLexError(d.span!.start + 1);
    const samplesHinted = new Set<number>(); // lines whose `samples(` error already says where its settings go
    for (const e of alignParser.errors) {
      if (explained.has(e.token.tokenType === EOF ? -1 : e.token.startOffset)) continue;
      const span = tokenSpan(e.token) ?? at(e.token.tokenType === EOF ? text.length : reached);
      reached = Math.max(reached, span.start);
      // past the errors that are shown one by one (the rest are summed up in one AL1013), no hint is
      // worked out: each reads its whole line, quadratic on a long one-line file (400 KB: 30 s)
      if (diagnostics.length >= MAX_SYNTAX_ERRORS) {
        diagnostics.push({ code: codeOf(e), severity: "error", message: e.message, file, span });
        continue;
      }
      const reserved = T.reservedWords.includes(e.token.image) && (e.message.startsWith("expected a name") || usedAsName(e.token, lexed.tokens));
      const hint = reserved
        ? `\`${e.token.image}\` is a reserved word (${T.reservedWords.join(", ")}); choose another name`
        : e.token.tokenType === T.Comma && e.message.startsWith("expected `}`")
          ? "entries of a block are separated by spaces or line breaks, not commas (lists use commas)"
          : insideSamplesCall(text, span.start) && !samplesHinted.has(span.line) && samplesHinted.add(span.line)
            ? SAMPLES_HINT
            : undefined;
      diagnostics.push({ code: codeOf(e), severity: "error", message: e.message, file, span, ...(hint ? { hint } : {}) });
    }

    // the parser keeps its input until the next parse: let the tokens go (57,000 objects, ~12 MB at
    // FLAN scale, otherwise marked by every full collection for the rest of the process)
    alignParser.input = [];
    t0 = performance.now();
    const { items, problems } = buildItems(cst);
    parseTimings.build += performance.now() - t0;
    for (const p of problems) diagnostics.push({ code: p.code, severity: "error", message: p.message, file, span: p.span, ...(p.hint ? { hint: p.hint } : {}) });
    diagnostics.sort((a, b) => (a.span?.start ?? 0) - (b.span?.start ?? 0) || byCodeUnits(a.code, b.code));
    if (diagnostics.length > MAX_SYNTAX_ERRORS) {
      // past this many, the file is probably not a recipe at all: more lines would only bury the first
      const last = diagnostics[MAX_SYNTAX_ERRORS - 1]!;
      const more = diagnostics.length - MAX_SYNTAX_ERRORS;
      diagnostics.length = MAX_SYNTAX_ERRORS;
      diagnostics.push({ code: "AL1013", severity: "error", message: `too many syntax errors: ${more} more after this point not shown`, file, span: last.span, hint: "is this an .align recipe? fix the first errors and check again" });
    }
    return { ast: { type: "File", items, comments, span: fileSpan(text) }, diagnostics };
  } catch (err) {
    diagnostics.push({
      code: "AL1999",
      severity: "error",
      message: `internal parser error: ${err instanceof Error ? err.message : String(err)}`,
      file,
      span: pointSpan(typeof text === "string" ? text : "", reached),
      hint: "this is a bug in alignc; please report it with the recipe",
    });
    return { ast: { type: "File", items: [], comments: [], span: fileSpan(typeof text === "string" ? text : "") }, diagnostics };
  }
}
