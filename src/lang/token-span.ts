// Source spans from chevrotain tokens: a token's span (none for a token inserted by error recovery)
// and the span covering two others. The parser's diagnostics and the AST builder both use them.
import type { IToken } from "../../grammar/chevrotain.js";
import type { Span } from "./ast.js";

export function tokenSpan(t: IToken): Span | null {
  if (!Number.isFinite(t.startOffset) || t.isInsertedInRecovery) return null;
  const endOffset = Number.isFinite(t.endOffset) ? (t.endOffset as number) : t.startOffset + t.image.length - 1;
  return {
    start: t.startOffset,
    end: endOffset + 1,
    line: t.startLine ?? 1,
    col: t.startColumn ?? 1,
    endLine: t.endLine ?? t.startLine ?? 1,
    endCol: (t.endColumn ?? t.startColumn ?? 0) + 1,
  };
}

/** The span from the start of `a` to the end of `b`. */
export function joinSpans(a: Span, b: Span): Span {
  const first = a.start <= b.start ? a : b;
  const last = a.end >= b.end ? a : b;
  return { start: first.start, line: first.line, col: first.col, end: last.end, endLine: last.endLine, endCol: last.endCol };
}
