// The one parser instance alignc uses (chevrotain parsers are reusable: set `input`, call a rule),
// configured with alignc's own error messages. build.ts takes its CST visitor base from it.
import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "../../grammar/chevrotain.js";
import * as T from "../../grammar/lexer.js";
import { AlignParser } from "../../grammar/parser.js";

/** How a token reads in a message: `{`, `stage`, "end of file". */
function describe(t: IToken | undefined): string {
  if (!t || t.tokenType === EOF) return "end of file";
  const image = t.image.length > 24 ? `${t.image.slice(0, 21)}…` : t.image;
  return `\`${image.replace(/\n/g, "\\n")}\``;
}

export const TOP_LEVEL_WANTED = "expected a declaration (`KEYWORD NAME = KIND …`), `recipe`, `expect` or `budget`";

/** What each rule expects when none of its alternatives matches. */
const RULE_WANTS: Record<string, string> = {
  topLevel: TOP_LEVEL_WANTED.slice("expected ".length),
  conditions: "`expect` or `budget`",
  compareOp: "a comparison operator (`<`, `<=`, `>`, `>=`, `==`, `!=`)",
  entry: "`=` (a property) or `:` (a mixture component) after the name",
  value: "a value (number, string, list, block, name or call)",
  literal: "a literal (number, quantity, string, bool, list, block or sweep)",
  refOrCall: "`.` or `(`",
};

function tokenLabel(t: TokenType): string {
  if (t === EOF) return "end of file";
  if (t === T.Identifier) return "a name";
  if (t === T.StringLiteral || t === T.TripleString) return "a string";
  if (t === T.Quantity) return "a quantity";
  if (t === T.NumberLiteral) return "a number";
  return t.LABEL ?? t.name;
}

// Messages are built here (not from chevrotain's defaults) so they read as alignc's own.
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    expected === EOF ? `unexpected ${describe(actual)}: ${TOP_LEVEL_WANTED}` : `expected ${tokenLabel(expected)}, found ${describe(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) => `unexpected ${describe(firstRedundant)}: ${TOP_LEVEL_WANTED}`,
  buildNoViableAltMessage: ({ actual, ruleName }) => `expected ${RULE_WANTS[ruleName] ?? ruleName}, found ${describe(actual[0])}`,
  buildEarlyExitMessage: ({ actual, ruleName }) => `expected ${RULE_WANTS[ruleName] ?? ruleName}, found ${describe(actual[0])}`,
};

export const alignParser = new AlignParser({ errorMessageProvider: messages, skipValidations: true });
