// fast-check generators of .align ASTs (fc.letrec over values, blocks and entries). Every node gets
// the same dummy span: the printer then lays everything out from the AST alone.
import fc from "fast-check";
import type {
  Assignment,
  BlockValue,
  Clause,
  CompareOp,
  ComponentEntry,
  ConditionBlock,
  Declaration,
  Entry,
  Ident,
  ListValue,
  NumberValue,
  RecipeFile,
  RecipeHeader,
  Span,
  StringValue,
  TopLevel,
  Value,
} from "../../src/lang/ast.js";
import { reservedWords } from "../../grammar/lexer.js";
import { fitsTripleString } from "../../src/lang/print.js";

export const span: Span = { start: 0, end: 0, line: 1, col: 1, endLine: 1, endCol: 1 };

export const ident: fc.Arbitrary<Ident> = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/)
  .map((name) => ({ type: "Ident" as const, name: reservedWords.includes(name) ? `${name}_` : name, span }));

const path = fc.array(ident, { minLength: 1, maxLength: 3 });

/** The value is always Number(raw), as the parser computes it. */
export const numberValue: fc.Arbitrary<NumberValue> = fc
  .oneof(
    fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
    fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -12, max: 12 })).map(([m, e]) => `${m}e${e}`),
  )
  .map((raw) => ({ type: "Number" as const, value: Number(raw), isInt: !/[.eE]/.test(raw), raw, span }));

const quantity = fc
  .tuple(fc.oneof(fc.nat(100_000).map(String), fc.constantFrom("0.5", "1.25", "-3"), fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -12, max: 12 })).map(([m, e]) => `${m}e${e}`)), fc.constantFrom("s", "m", "h", "MiB", "GiB", "GB", "k", "M"))
  .map(([n, unit]) => ({ type: "Quantity" as const, value: Number(n), unit, raw: `${n}${unit}`, span }));

const plainString = fc
  .oneof(fc.string({ unit: "binary", maxLength: 12 }), fc.string({ maxLength: 12 }))
  .map((value): StringValue => ({ type: "String", value, multiline: false, span }));

const tripleString = fc
  .array(fc.stringMatching(/^([a-z{}.:'"]+( [a-z{}"]+)*)?$/), { maxLength: 4 })
  .map((lines): StringValue => {
    const value = lines.join("\n");
    return { type: "String", value, multiline: fitsTripleString(value), span };
  });

const bool = fc.boolean().map((value) => ({ type: "Bool" as const, value, span }));
const range = fc.tuple(numberValue, numberValue).map(([lo, hi]) => ({ type: "Range" as const, lo, hi, span }));
const ref = path.map((p) => ({ type: "Ref" as const, path: p, span }));

const op = fc.constantFrom<CompareOp>("<", "<=", ">", ">=", "==", "!=");

// a type alias, not an interface: fc.letrec's typed overload needs an index-compatible record
type Rec = {
  value: Value;
  literal: Value;
  list: ListValue;
  block: BlockValue;
  entry: Entry;
};

const depth = { depthSize: "small", maxDepth: 3, depthIdentifier: "value" } as const;

export const tree = fc.letrec<Rec>((tie) => ({
  // a literal is any value that does not start with a name (clause arguments)
  literal: fc.oneof(
    depth,
    numberValue,
    quantity,
    plainString,
    tripleString,
    bool,
    range,
    tie("list"),
    tie("block"),
    tie("list").map((values) => ({ type: "Sweep" as const, values, span })),
  ),
  value: fc.oneof(
    depth,
    tie("literal"),
    ref,
    fc.tuple(ident, fc.array(tie("value"), { maxLength: 3 })).map(([callee, args]) => ({ type: "Call" as const, callee, args, span })),
  ),
  list: fc.array(tie("value"), { maxLength: 3 }).map((items): ListValue => ({ type: "List", items, span })),
  block: fc.array(tie("entry"), { maxLength: 3 }).map((entries): BlockValue => ({ type: "Block", entries, span })),
  entry: fc.oneof(
    fc.tuple(path, tie("value")).map(([p, value]): Assignment => ({ type: "Assignment", path: p, value, span })),
    fc
      .tuple(ident, fc.array(fc.tuple(ident, fc.option(tie("literal"), { nil: null })), { maxLength: 3 }))
      .map(([name, cs]): ComponentEntry => ({
        type: "Component",
        name,
        clauses: cs.map(([n, arg]): Clause => ({ type: "Clause", name: n, arg, span })),
        span,
      })),
  ),
}));

const header = fc
  .tuple(ident, fc.option(plainString, { nil: null }), tree.block)
  .map(([name, ext, body]): RecipeHeader => ({ type: "RecipeHeader", name, extends: ext, body, span }));

const declaration = fc
  .record({
    keyword: ident,
    name: ident,
    kind: ident,
    args: fc.option(fc.array(tree.value, { maxLength: 3 }), { nil: null }),
    role: fc.option(ident, { nil: null }),
    body: fc.option(tree.block, { nil: null }),
  })
  .map((d): Declaration => ({ type: "Declaration", ...d, span }));

const conditions = fc
  .tuple(fc.constantFrom<"expect" | "budget">("expect", "budget"), fc.array(fc.tuple(tree.value, op, tree.value), { maxLength: 3 }))
  .map(([keyword, cs]): ConditionBlock => ({
    type: "Conditions",
    keyword,
    items: cs.map(([left, o, right]) => ({ type: "Comparison" as const, left, op: o, right, span })),
    span,
  }));

export const recipeFile: fc.Arbitrary<RecipeFile> = fc
  .tuple(fc.option(header, { nil: null }), fc.array(fc.oneof(declaration, declaration, conditions), { maxLength: 5 }))
  .map(([h, rest]): RecipeFile => ({ type: "File", items: [...(h ? [h] : []), ...rest] as TopLevel[], comments: [], span }));
