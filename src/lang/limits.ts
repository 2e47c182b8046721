// Structural limits, checked on the token stream before parsing: the parser, checker and printer
// recurse once per nesting level, and a recipe nested ~300 deep ran out of stack ("internal parser
// error" at 1:1); a block of 150,000 entries took 20 s and 500 MB before it overflowed. Real recipes
// nest at most ~5 levels and their largest block has a few thousand entries, so these limits are far
// above any real recipe and far below where anything breaks. Each is reported at the token that
// crosses it.
import type { IToken } from "../../grammar/chevrotain.js";
import * as T from "../../grammar/lexer.js";

/** Brackets, braces and parentheses open at once. */
export const MAX_NESTING = 64;
/** Entries of one block (`name = value`, `component: …`) or elements of one list or call. */
export const MAX_ENTRIES = 20_000;

export interface LimitProblem {
  code: "AL1014" | "AL1015";
  message: string;
  token: IToken;
}

export function structureLimits(tokens: readonly IToken[]): LimitProblem | null {
  // a list's or call's elements are counted where each starts (its first token after the opener or a
  // comma), not by its commas: 20,001 values without a trailing comma passed, and fmt, which writes one per
  // line with a comma after each, then refused its own output (huntZ40)
  const open: { token: IToken; count: number; expect: boolean }[] = [];
  const tooMany = (top: { token: IToken }, t: IToken): LimitProblem => ({ code: "AL1015", message: `too many entries: a block, list or call holds at most ${MAX_ENTRIES} (this one opens at line ${top.token.startLine})`, token: t });
  /** t starts an element of the list or call open at the top, if one is expected there */
  const element = (t: IToken): LimitProblem | null => {
    const top = open[open.length - 1];
    if (!top || top.token.tokenType === T.LBrace || !top.expect) return null;
    top.expect = false;
    return ++top.count > MAX_ENTRIES ? tooMany(top, t) : null;
  };
  for (const t of tokens) {
    const tt = t.tokenType;
    if (tt === T.LBrace || tt === T.LBracket || tt === T.LParen) {
      const over = element(t);
      if (over) return over;
      open.push({ token: t, count: 0, expect: true });
      if (open.length > MAX_NESTING) return { code: "AL1014", message: `too deeply nested: more than ${MAX_NESTING} brackets, braces or parentheses open at once`, token: t };
    } else if (tt === T.RBrace || tt === T.RBracket || tt === T.RParen) open.pop();
    else {
      const top = open[open.length - 1];
      if (!top) continue;
      if (top.token.tokenType === T.LBrace) {
        if ((tt === T.Equals || tt === T.Colon) && ++top.count > MAX_ENTRIES) return tooMany(top, t);
      } else if (tt === T.Comma) top.expect = true;
      else {
        const over = element(t);
        if (over) return over;
      }
    }
  }
  return null;
}
