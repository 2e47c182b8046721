// The .align grammar: a chevrotain CstParser holding rules only. The AST is built from the CST by the
// visitor in src/lang/build.ts; errors are collected as data (parser.errors) and turned into AL1xxx
// diagnostics by src/lang/parse.ts. `npm run generate` writes generated/cst.d.ts (the CST types the
// visitor codes against) and grammar/diagrams.html (railroad diagrams) from this file.
//
//   file        := topLevel*
//   topLevel    := header | conditions | declaration
//   header      := "recipe" NAME ["extends" STRING] block
//   conditions  := ("expect" [NAME] | "budget") "{" comparison* "}"     (expect full_size { … })
//   comparison  := sum ("<" | "<=" | ">" | ">=" | "==" | "!=") sum
//   sum         := value (("+" | "-") value)*
//   declaration := KEYWORD NAME "=" KIND ["(" args ")"] ["as" ROLE] [block]
//   block       := "{" entry* "}"
//   entry       := NAME ("." NAME)* "=" value  |  NAME ":" clause*  |  (STRING | NUMBER | "true" | "false") "=" value
//   clause      := NAME [literal]                       (proportional | cap 3000 | weight 1.0)
//   value       := literal | NAME ("." NAME)* | NAME "(" args ")"
//   literal     := "sweep" list | list | block | NUMBER [".." NUMBER] | QUANTITY | STRING | """STRING""" | "true" | "false"
//   list        := "[" args "]"      args := [value ("," value)* [","]]      (commas required, trailing allowed)
//   QUANTITY    := NUMBER UNIT, no space between    (10m, 4GiB, 2k; 1e3s is 1000 s: an exponent as in a NUMBER)
import { CstParser, type IParserConfig } from "./chevrotain.js";
import * as T from "./lexer.js";

export class AlignParser extends CstParser {
  /** `config` changes presentation and start-up only (messages, skipping the grammar validations that
   * test/lang/grammar.test.ts runs); the grammar is fixed. */
  constructor(config: Pick<IParserConfig, "errorMessageProvider" | "skipValidations"> = {}) {
    super(T.allTokens, { ...config, recoveryEnabled: true, maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  public recipeFile = this.RULE("recipeFile", () => {
    this.MANY(() => this.SUBRULE(this.topLevel));
  });

  private topLevel = this.RULE("topLevel", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.header) },
      { ALT: () => this.SUBRULE(this.conditions) },
      { ALT: () => this.SUBRULE(this.declaration) },
    ]);
  });

  private header = this.RULE("header", () => {
    this.CONSUME(T.Recipe);
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.OPTION(() => {
      this.CONSUME(T.Extends);
      this.CONSUME(T.StringLiteral, { LABEL: "base" });
    });
    this.SUBRULE(this.block);
  });

  private conditions = this.RULE("conditions", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Expect);
          this.OPTION(() => this.CONSUME(T.Identifier, { LABEL: "scope" }));
        },
      },
      { ALT: () => this.CONSUME(T.Budget) },
    ]);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.comparison));
    this.CONSUME(T.RBrace);
  });

  private comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.sum, { LABEL: "left" });
    this.SUBRULE(this.compareOp);
    this.SUBRULE2(this.sum, { LABEL: "right" });
  });

  private sum = this.RULE("sum", () => {
    this.SUBRULE(this.value, { LABEL: "head" });
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
      this.SUBRULE2(this.value, { LABEL: "terms" });
    });
  });

  private compareOp = this.RULE("compareOp", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.LessEq) },
      { ALT: () => this.CONSUME(T.GreaterEq) },
      { ALT: () => this.CONSUME(T.EqEq) },
      { ALT: () => this.CONSUME(T.NotEq) },
      { ALT: () => this.CONSUME(T.Less) },
      { ALT: () => this.CONSUME(T.Greater) },
    ]);
  });

  private declaration = this.RULE("declaration", () => {
    this.CONSUME(T.Identifier, { LABEL: "keyword" });
    this.CONSUME2(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.CONSUME3(T.Identifier, { LABEL: "kind" });
    this.OPTION(() => this.SUBRULE(this.callArgs));
    this.OPTION2(() => {
      this.CONSUME(T.As);
      this.CONSUME4(T.Identifier, { LABEL: "role" });
    });
    this.OPTION3(() => this.SUBRULE(this.block));
  });

  private block = this.RULE("block", () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.entry));
    this.CONSUME(T.RBrace);
  });

  private entry = this.RULE("entry", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: "head" }) },
      // a table key that is not a name: `"Science/Tech" = 3`, `1 = "World"`, `true = "yes"` (label
      // maps); only `key = value` (the AST builder rejects a dotted path or `:` after one)
      { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: "key" }) },
      { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: "key" }) },
      { ALT: () => this.CONSUME(T.True, { LABEL: "key" }) },
      { ALT: () => this.CONSUME(T.False, { LABEL: "key" }) },
    ]);
    this.OR2([
      {
        ALT: () => {
          this.MANY(() => {
            this.CONSUME(T.Dot);
            this.CONSUME2(T.Identifier, { LABEL: "tail" });
          });
          this.CONSUME(T.Equals);
          this.SUBRULE(this.value);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Colon);
          // A clause is a name with an optional literal argument; the next entry also starts with a
          // name, told apart by what follows it (`=`, `:` or `.`).
          this.MANY2({
            GATE: () => {
              const next = this.LA(2).tokenType;
              return next !== T.Equals && next !== T.Colon && next !== T.Dot;
            },
            DEF: () => this.SUBRULE(this.clause),
          });
        },
      },
    ]);
  });

  private clause = this.RULE("clause", () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => this.SUBRULE(this.literal));
  });

  private value = this.RULE("value", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.literal) }, { ALT: () => this.SUBRULE(this.refOrCall) }]);
  });

  private refOrCall = this.RULE("refOrCall", () => {
    this.CONSUME(T.Identifier, { LABEL: "head" });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () =>
            this.AT_LEAST_ONE(() => {
              this.CONSUME(T.Dot);
              this.CONSUME2(T.Identifier, { LABEL: "tail" });
            }),
        },
        { ALT: () => this.SUBRULE(this.callArgs) },
      ]);
    });
  });

  private literal = this.RULE("literal", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.sweep) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.block) },
      { ALT: () => this.SUBRULE(this.numberOrRange) },
      { ALT: () => this.CONSUME(T.Quantity) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.TripleString) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
    ]);
  });

  private numberOrRange = this.RULE("numberOrRange", () => {
    this.CONSUME(T.NumberLiteral, { LABEL: "lo" });
    this.OPTION(() => {
      this.CONSUME(T.DotDot);
      this.CONSUME2(T.NumberLiteral, { LABEL: "hi" });
    });
  });

  private sweep = this.RULE("sweep", () => {
    this.CONSUME(T.Sweep);
    this.SUBRULE(this.list);
  });

  private list = this.RULE("list", () => {
    this.CONSUME(T.LBracket);
    this.SUBRULE(this.args);
    this.CONSUME(T.RBracket);
  });

  private callArgs = this.RULE("callArgs", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.args);
    this.CONSUME(T.RParen);
  });

  private args = this.RULE("args", () => {
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.value);
      });
      this.OPTION2(() => this.CONSUME2(T.Comma, { LABEL: "trailing" }));
    });
  });
}
