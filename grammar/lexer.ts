// The .align lexer: token definitions only. Order matters (chevrotain takes the first pattern that
// matches), so longer or more specific patterns come before the ones they overlap with.
import { createToken, Lexer, type ITokenConfig, type TokenType } from "./chevrotain.js";

/** Every token says whether it can span lines (`line_breaks`; false unless given): for a token that
 * does not, chevrotain works it out when the lexer is built by parsing the token's pattern, ~10 ms of
 * every `alignc` start-up. test/lang/grammar.test.ts checks each declaration against that analysis. */
const token = (config: ITokenConfig): TokenType => createToken({ line_breaks: false, ...config });
// Every token also says which characters can start it (`start_chars_hint`): without it chevrotain
// parses each pattern (regexp-to-ast) at start-up to find them, for its first-character dispatch.
// test/lang/grammar.test.ts checks that dispatch table against the one chevrotain's analysis builds.
const NUMBER_START = ["-", ..."0123456789"];
const NAME_START = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"];

// Whitespace (newlines included) is insignificant: entries are separated by their shape, not lines.
export const WhiteSpace = token({ name: "WhiteSpace", pattern: /[ \t\r\n\f\uFEFF]+/, group: Lexer.SKIPPED, line_breaks: true, start_chars_hint: [" ", "\t", "\r", "\n", "\f", "\uFEFF"] });

// Comments are kept on their own token group so the formatter can put them back.
export const LineComment = token({ name: "LineComment", pattern: /\/\/[^\n\r]*/, group: "comments", start_chars_hint: ["/"] });
export const BlockComment = token({ name: "BlockComment", pattern: /\/\*[\s\S]*?\*\//, group: "comments", line_breaks: true, start_chars_hint: ["/"] });
// An unterminated `/*` swallows the rest of the file; it is its own token so the error can say so.
export const UnterminatedComment = token({ name: "UnterminatedComment", pattern: /\/\*[\s\S]*/, group: "errors", line_breaks: true, start_chars_hint: ["/"] });

// `"""…"""` multi-line strings (raw: no escapes), then `"…"` with escapes. The unterminated forms are
// tokens of their own that the parser accepts as strings (token categories), so one missing quote
// gives one diagnostic (AL1002/AL1003, reported by src/lang/parse.ts) instead of a cascade.
export const TripleString = token({ name: "TripleString", pattern: /"""[\s\S]*?"""/, line_breaks: true, start_chars_hint: ['"'] });
export const UnterminatedTripleString = token({ name: "UnterminatedTripleString", pattern: /"""[\s\S]*/, line_breaks: true, start_chars_hint: ['"'], categories: [TripleString] });
// Scanned by hand, not by a regular expression: `"(?:[^"\\\n\r]|\\[^\n\r])*"` (the strings these
// match) made V8 backtrack through one stack frame per character or escape, so a 10M-character string
// overflowed the stack (AL1999 at 1:1); this scan is one loop. `"…"` ends at the first unescaped `"`;
// the unterminated form ends at a line break or the end of the file (with its trailing `\`).
function scanString(terminated: boolean) {
  return (text: string, offset: number): [string] | null => {
    if (text.charCodeAt(offset) !== 34 /* " */) return null;
    let i = offset + 1;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 34) return terminated ? [text.slice(offset, i + 1)] : [text.slice(offset, i)];
      if (Number.isNaN(c) || c === 10 || c === 13) return terminated ? null : [text.slice(offset, i)];
      if (c === 92 /* \ */) {
        const next = text.charCodeAt(i + 1);
        if (Number.isNaN(next) || next === 10 || next === 13) return terminated ? null : [text.slice(offset, i + 1)];
        i += 2;
      } else i++;
    }
  };
}
export const StringLiteral = token({ name: "StringLiteral", pattern: { exec: scanString(true) }, start_chars_hint: ['"'] });
export const UnterminatedString = token({ name: "UnterminatedString", pattern: { exec: scanString(false) }, start_chars_hint: ['"'], categories: [StringLiteral] });

// `10m`, `4GiB`, `1.5h`, `2k`, `1e3s`: a number (an exponent included, as numbers are written
// elsewhere) immediately followed by a unit. An exponent is taken only when a unit follows it, and
// without one the lookahead keeps `3e-4` and `1e5` numbers (an exponent is not a unit: not `1e` + `5`).
export const Quantity = token({ name: "Quantity", pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+(?=[A-Za-z])|(?![eE][+-]?\d))[A-Za-z]+/, start_chars_hint: NUMBER_START });
// `3`, `-1`, `0.5`, `3e-4`. `0..2` lexes as Number Range Number because a `.` must be followed by a digit.
export const NumberLiteral = token({ name: "NumberLiteral", pattern: /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/, start_chars_hint: NUMBER_START });

// `0x10`, `0o17`, `0b101`, `1_000`: numbers as other languages write them, which alignc does not read.
// One token, a number to the parser (so the value is not missing and nothing cascades), that the AST
// builder reports as AL1008 at the number; lexed as `0` and `x10` (or `1` and `_000`) they gave
// "expected `=` after the name" past it (huntZ40 L4).
export const UnreadableNumber = token({
  name: "UnreadableNumber",
  pattern: /-?(?:0(?:[xX][0-9A-Za-z_]|[oObB][0-9_])[0-9A-Za-z_]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?_[0-9A-Za-z_]*(?:\.[0-9A-Za-z_]+)*)/,
  start_chars_hint: NUMBER_START,
  categories: [NumberLiteral],
});
export const Identifier = token({ name: "Identifier", pattern: /[A-Za-z_][A-Za-z0-9_]*/, start_chars_hint: NAME_START });
// Reserved words. Declaration keywords (model, stage …) and kinds (gpt, ppo …) are plain identifiers,
// so an unknown one is a located semantic error with "did you mean", not a syntax error.
const keyword = (name: string, word: string): TokenType =>
  token({ name, pattern: new RegExp(word), start_chars_hint: [word[0]!], longer_alt: Identifier, label: `\`${word}\`` });
export const Recipe = keyword("Recipe", "recipe");
export const Extends = keyword("Extends", "extends");
export const As = keyword("As", "as");
export const Sweep = keyword("Sweep", "sweep");
export const Expect = keyword("Expect", "expect");
export const Budget = keyword("Budget", "budget");
export const True = keyword("True", "true");
export const False = keyword("False", "false");

export const LBrace = token({ name: "LBrace", pattern: /\{/, start_chars_hint: ["{"], label: "`{`" });
export const RBrace = token({ name: "RBrace", pattern: /\}/, start_chars_hint: ["}"], label: "`}`" });
export const LParen = token({ name: "LParen", pattern: /\(/, start_chars_hint: ["("], label: "`(`" });
export const RParen = token({ name: "RParen", pattern: /\)/, start_chars_hint: [")"], label: "`)`" });
export const LBracket = token({ name: "LBracket", pattern: /\[/, start_chars_hint: ["["], label: "`[`" });
export const RBracket = token({ name: "RBracket", pattern: /\]/, start_chars_hint: ["]"], label: "`]`" });
export const Comma = token({ name: "Comma", pattern: /,/, start_chars_hint: [","], label: "`,`" });
export const DotDot = token({ name: "DotDot", pattern: /\.\./, start_chars_hint: ["."], label: "`..`" });
export const Dot = token({ name: "Dot", pattern: /\./, start_chars_hint: ["."], label: "`.`" });
export const Colon = token({ name: "Colon", pattern: /:/, start_chars_hint: [":"], label: "`:`" });
export const LessEq = token({ name: "LessEq", pattern: /<=/, start_chars_hint: ["<"], label: "`<=`" });
export const GreaterEq = token({ name: "GreaterEq", pattern: />=/, start_chars_hint: [">"], label: "`>=`" });
export const EqEq = token({ name: "EqEq", pattern: /==/, start_chars_hint: ["="], label: "`==`" });
export const NotEq = token({ name: "NotEq", pattern: /!=/, start_chars_hint: ["!"], label: "`!=`" });
export const Less = token({ name: "Less", pattern: /</, start_chars_hint: ["<"], label: "`<`" });
export const Greater = token({ name: "Greater", pattern: />/, start_chars_hint: [">"], label: "`>`" });
export const Equals = token({ name: "Equals", pattern: /=/, start_chars_hint: ["="], label: "`=`" });
// `+` and `-` between the terms of an expect line (`after.baseline + 0.2`). A `-` directly before a
// digit lexes as part of the number (NumberLiteral comes first), so subtraction is written `x - 0.2`.
export const Plus = token({ name: "Plus", pattern: /\+/, start_chars_hint: ["+"], label: "`+`" });
export const Minus = token({ name: "Minus", pattern: /-/, start_chars_hint: ["-"], label: "`-`" });

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  TripleString,
  UnterminatedTripleString,
  StringLiteral,
  UnterminatedString,
  UnreadableNumber,
  Quantity,
  NumberLiteral,
  Recipe,
  Extends,
  As,
  Sweep,
  Expect,
  Budget,
  True,
  False,
  Identifier,
  LBrace,
  RBrace,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  DotDot,
  Dot,
  Colon,
  LessEq,
  GreaterEq,
  EqEq,
  NotEq,
  Less,
  Greater,
  Equals,
  Plus,
  Minus,
];

/** Words that cannot be used as names (the printer and the random-AST tests avoid them). */
export const reservedWords: readonly string[] = ["recipe", "extends", "as", "sweep", "expect", "budget", "true", "false"];

/** positionTracking "full" gives the end line/column every Span needs. `validate` runs chevrotain's
 * checks of the token definitions (test/lang/grammar.test.ts does); alignc skips them at start-up. */
export function makeLexer(validate: boolean): InstanceType<typeof Lexer> {
  return new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: validate, skipValidations: !validate });
}

export const AlignLexer = makeLexer(false);
