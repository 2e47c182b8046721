// Syntax diagnostic codes (AL1xxx): the one table. Codes are stable: a code is never reused for a
// different meaning; a retired code stays here marked as such. Semantic codes (AL2xxx) live in
// src/check/. Each code has a test on an inline snippet in test/lang/codes.test.ts.

export const SYNTAX_CODES = {
  AL1001: "unexpected character: no token starts with it",
  AL1002: "unterminated string: a `\"` string must close on the same line",
  AL1003: "unterminated multi-line string: `\"\"\"` has no closing `\"\"\"`",
  AL1004: "unterminated block comment: `/*` has no closing `*/`",
  AL1005: "invalid escape sequence in a string (valid: \\n \\t \\r \\\" \\\\ \\u{hex})",
  AL1006: "number out of range: the literal does not fit a finite double",
  AL1007: "the file is not UTF-8: a byte that is not part of a UTF-8 character (a latin1 `é`, say); alignc reads recipes as UTF-8 only",
  AL1008: "a number in a form alignc does not read: a 0x/0o/0b prefix or `_` between digits (write it in decimal)",
  AL1010: "unexpected token: a specific token was expected here (`=`, `}`, a name …)",
  AL1011: "unexpected token: none of the constructs that may appear here starts with it",
  AL1012: "unexpected token after the last complete item of the file",
  AL1013: "too many syntax errors: the first 100 are reported, then this one counts the rest",
  AL1014: "too deeply nested: more than 64 brackets, braces or parentheses open at once (src/lang/limits.ts)",
  AL1015: "too many entries: more than 20,000 in one block, list or call (src/lang/limits.ts)",
  AL1020: "more than one `recipe` header in a file",
  AL1999: "internal error in the parser (a bug in alignc): reported with the location it reached",
} as const satisfies Record<string, string>;

export type SyntaxCode = keyof typeof SYNTAX_CODES;
