// CST → AST: a chevrotain visitor (one method per grammar rule, checked by validateVisitor()). Every
// AST node gets a Span computed from its tokens. After error recovery the CST can lack tokens and
// sub-nodes; a piece that lacks something essential is left out (the parse error already says why)
// rather than given made-up names that would cause false semantic errors downstream.
import type { CstNode, IToken } from "../../grammar/chevrotain.js";
import * as T from "../../grammar/lexer.js";
import { alignParser } from "./parser-instance.js";
import type {
  ArgsCstChildren,
  BlockCstChildren,
  BlockCstNode,
  CallArgsCstChildren,
  CallArgsCstNode,
  ClauseCstChildren,
  CompareOpCstChildren,
  ComparisonCstChildren,
  SumCstChildren,
  ConditionsCstChildren,
  DeclarationCstChildren,
  EntryCstChildren,
  HeaderCstChildren,
  ICstNodeVisitor,
  ListCstChildren,
  ListCstNode,
  LiteralCstChildren,
  LiteralCstNode,
  NumberOrRangeCstChildren,
  RecipeFileCstChildren,
  RecipeFileCstNode,
  RefOrCallCstChildren,
  SweepCstChildren,
  TopLevelCstChildren,
  ValueCstNode,
  ValueCstChildren,
} from "../../generated/cst.js";
import type {
  Assignment,
  BlockValue,
  CallValue,
  Clause,
  CompareOp,
  Comparison,
  Term,
  ComponentEntry,
  ConditionBlock,
  Declaration,
  Entry,
  Ident,
  ListValue,
  NumberValue,
  QuantityValue,
  RangeValue,
  RecipeHeader,
  RefValue,
  Span,
  StringValue,
  SweepValue,
  TopLevel,
  Value,
} from "./ast.js";
import type { SyntaxCode } from "./codes.js";
import { unescapeString, tripleStringValue } from "./string-literal.js";
import { joinSpans, tokenSpan } from "./token-span.js";

/** A syntax problem found while building (bad escape, number out of range …). */
export interface BuildProblem {
  code: SyntaxCode;
  message: string;
  span: Span;
  hint?: string;
}

/** Thrown inside the builder when recovery left out a piece the node cannot do without. */
class Missing extends Error {}

const BaseVisitor = alignParser.getBaseCstVisitorConstructor<void, unknown>();

export class AstBuilder extends BaseVisitor implements ICstNodeVisitor<void, unknown> {
  readonly problems: BuildProblem[] = [];
  private headerSeen = false;

  constructor() {
    super();
    this.validateVisitor();
  }

  private span(t: IToken | undefined): Span {
    const s = t ? tokenSpan(t) : null;
    if (!s) throw new Missing();
    return s;
  }

  private ident(t: IToken | undefined): Ident {
    const span = this.span(t); // first: throws Missing when recovery left the token out
    return { type: "Ident", name: t!.image, span };
  }

  private valueNode(node: ValueCstNode | undefined): Value {
    if (!node) throw new Missing();
    return this.visit(node) as Value;
  }

  private blockOf(node: BlockCstNode | undefined): BlockValue {
    if (!node) throw new Missing();
    return this.visit(node) as BlockValue;
  }

  private argsOf(node: CallArgsCstNode | ListCstNode | undefined): { items: Value[]; span: Span } {
    if (!node) throw new Missing();
    return this.visit(node) as { items: Value[]; span: Span };
  }

  /** Visits each node, leaving out those that recovery left incomplete. */
  private each<T>(nodes: CstNode[] | undefined): T[] {
    const out: T[] = [];
    if (!nodes) return out;
    for (const n of nodes) {
      try {
        out.push(this.visit(n) as T);
      } catch (e) {
        if (!(e instanceof Missing)) throw e;
      }
    }
    return out;
  }

  recipeFile(c: RecipeFileCstChildren): TopLevel[] {
    return this.each<TopLevel>(c.topLevel);
  }

  topLevel(c: TopLevelCstChildren): TopLevel {
    const node = c.header?.[0] ?? c.conditions?.[0] ?? c.declaration?.[0];
    if (!node) throw new Missing();
    return this.visit(node) as TopLevel;
  }

  header(c: HeaderCstChildren): RecipeHeader {
    const keyword = this.span(c.Recipe?.[0]);
    const name = this.ident(c.name?.[0]);
    const base = c.base?.[0] ? this.stringToken(c.base[0]) : null;
    const body = this.blockOf(c.block?.[0]);
    if (this.headerSeen) {
      this.problems.push({
        code: "AL1020",
        message: `a second \`recipe\` header (\`${name.name}\`): a file has at most one`,
        span: joinSpans(keyword, name.span),
        hint: "merge the two headers' properties into the first one",
      });
    }
    this.headerSeen = true;
    return { type: "RecipeHeader", name, extends: base, body, span: joinSpans(keyword, body.span) };
  }

  conditions(c: ConditionsCstChildren): ConditionBlock {
    const kw = c.Expect?.[0] ?? c.Budget?.[0];
    const start = this.span(kw);
    const items = this.each<Comparison>(c.comparison);
    const close = c.RBrace?.[0] ? tokenSpan(c.RBrace[0]) : null;
    const last = close ?? items[items.length - 1]?.span ?? start;
    const scope = c.scope?.[0] ? this.ident(c.scope[0]) : null;
    return { type: "Conditions", keyword: c.Expect?.[0] ? "expect" : "budget", ...(scope ? { scope } : {}), items, span: joinSpans(start, last) };
  }

  comparison(c: ComparisonCstChildren): Comparison {
    if (!c.left?.[0]) throw new Missing();
    const left = this.visit(c.left[0]) as { head: Value; terms: Term[]; span: Span };
    if (!c.compareOp?.[0]) throw new Missing();
    const op = this.visit(c.compareOp[0]) as CompareOp;
    if (!c.right?.[0]) throw new Missing();
    const right = this.visit(c.right[0]) as { head: Value; terms: Term[]; span: Span };
    return {
      type: "Comparison",
      left: left.head,
      op,
      right: right.head,
      ...(left.terms.length ? { leftTerms: left.terms } : {}),
      ...(right.terms.length ? { rightTerms: right.terms } : {}),
      span: joinSpans(left.span, right.span),
    };
  }

  sum(c: SumCstChildren): { head: Value; terms: Term[]; span: Span } {
    const head = this.valueNode(c.head?.[0]);
    const values = (c.terms ?? []).map((n) => this.valueNode(n));
    // the operators in source order, paired with the values that follow them
    const ops = [...(c.Plus ?? []), ...(c.Minus ?? [])].sort((a, b) => a.startOffset - b.startOffset);
    if (ops.length !== values.length) throw new Missing();
    const terms = values.map((value, i): Term => ({ op: ops[i]!.image as "+" | "-", value }));
    return { head, terms, span: joinSpans(head.span, values.length ? values[values.length - 1]!.span : head.span) };
  }

  compareOp(c: CompareOpCstChildren): CompareOp {
    const t = c.LessEq?.[0] ?? c.GreaterEq?.[0] ?? c.EqEq?.[0] ?? c.NotEq?.[0] ?? c.Less?.[0] ?? c.Greater?.[0];
    this.span(t); // throws Missing when there is no operator
    return t!.image as CompareOp;
  }

  declaration(c: DeclarationCstChildren): Declaration {
    const keyword = this.ident(c.keyword?.[0]);
    const name = this.ident(c.name?.[0]);
    const kind = this.ident(c.kind?.[0]);
    const call = c.callArgs?.[0] ? this.argsOf(c.callArgs[0]) : null;
    const role = c.role?.[0] ? this.ident(c.role[0]) : null;
    const body = c.block?.[0] ? this.blockOf(c.block[0]) : null;
    const end = body?.span ?? role?.span ?? call?.span ?? kind.span;
    return { type: "Declaration", keyword, name, kind, args: call ? call.items : null, role, body, span: joinSpans(keyword.span, end) };
  }

  block(c: BlockCstChildren): BlockValue {
    const open = this.span(c.LBrace?.[0]);
    const entries = this.each<Entry>(c.entry);
    const close = c.RBrace?.[0] ? tokenSpan(c.RBrace[0]) : null;
    const last = close ?? entries[entries.length - 1]?.span ?? open;
    return { type: "Block", entries, span: joinSpans(open, last) };
  }

  entry(c: EntryCstChildren): Entry {
    if (c.key?.[0]) return this.keyEntry(c);
    const head = this.ident(c.head?.[0]);
    if (c.Colon) {
      const clauses = this.each<Clause>(c.clause);
      const colon = tokenSpan(c.Colon[0]!) ?? head.span;
      const end = clauses[clauses.length - 1]?.span ?? colon;
      const entry: ComponentEntry = { type: "Component", name: head, clauses, span: joinSpans(head.span, end) };
      return entry;
    }
    const path = [head, ...(c.tail ?? []).map((t) => this.ident(t))];
    if (!c.Equals?.[0]) throw new Missing();
    const value = this.valueNode(c.value?.[0]);
    const entry: Assignment = { type: "Assignment", path, value, span: joinSpans(head.span, value.span) };
    return entry;
  }

  /** `"Science/Tech" = 3`, `1 = "World"`, `true = "yes"`: a table key written as a literal. */
  private keyEntry(c: EntryCstChildren): Entry {
    const t = c.key![0]!;
    const span = this.span(t);
    const keyKind = t.tokenType === T.StringLiteral || t.tokenType === T.UnterminatedString ? "string" : t.tokenType === T.NumberLiteral || t.tokenType === T.UnreadableNumber ? "number" : "boolean";
    // a number key is read as a number value is (AL1006, AL1008 for `0x10` or `1_000`: kept as its text it
    // passed check and failed at data time as a key the rows never match; reviewR41 H1)
    const name = keyKind === "string" ? unescapeString(t.image, true, span, this.problems) : keyKind === "number" ? String(this.number(t).value) : t.image;
    if (c.Colon || c.tail) {
      const at = c.Colon?.[0] ?? c.tail![0]!;
      this.problems.push({ code: "AL1010", span: this.span(at), message: `a ${keyKind} key takes \`= value\` only (a dotted path or \`:\` needs a name), found ${JSON.stringify(at.image)}` });
      throw new Missing();
    }
    if (!c.Equals?.[0]) throw new Missing();
    const value = this.valueNode(c.value?.[0]);
    const entry: Assignment = { type: "Assignment", path: [{ type: "Ident", name, span }], keyKind, value, span: joinSpans(span, value.span) };
    return entry;
  }

  clause(c: ClauseCstChildren): Clause {
    const name = this.ident(c.Identifier?.[0]);
    const arg = c.literal?.[0] ? (this.visit(c.literal[0]) as Value) : null;
    return { type: "Clause", name, arg, span: arg ? joinSpans(name.span, arg.span) : name.span };
  }

  value(c: ValueCstChildren): Value {
    const node: LiteralCstNode | undefined = c.literal?.[0];
    if (node) return this.visit(node) as Value;
    if (!c.refOrCall?.[0]) throw new Missing();
    return this.visit(c.refOrCall[0]) as Value;
  }

  refOrCall(c: RefOrCallCstChildren): RefValue | CallValue {
    const head = this.ident(c.head?.[0]);
    if (c.callArgs?.[0]) {
      const call = this.argsOf(c.callArgs[0]);
      return { type: "Call", callee: head, args: call.items, span: joinSpans(head.span, call.span) };
    }
    const path = [head, ...(c.tail ?? []).map((t) => this.ident(t))];
    return { type: "Ref", path, span: joinSpans(head.span, path[path.length - 1]!.span) };
  }

  literal(c: LiteralCstChildren): Value {
    const sub = c.sweep?.[0] ?? c.list?.[0] ?? c.block?.[0] ?? c.numberOrRange?.[0];
    if (sub) return this.visit(sub) as Value;
    if (c.Quantity?.[0]) return this.quantity(c.Quantity[0]);
    if (c.StringLiteral?.[0]) return this.stringToken(c.StringLiteral[0]);
    if (c.TripleString?.[0]) {
      const t = c.TripleString[0];
      return { type: "String", value: tripleStringValue(t.image, t.tokenType !== T.UnterminatedTripleString), multiline: true, span: this.span(t) };
    }
    const b = c.True?.[0] ?? c.False?.[0];
    return { type: "Bool", value: b === c.True?.[0], span: this.span(b) };
  }

  private stringToken(t: IToken): StringValue {
    const span = this.span(t);
    return { type: "String", value: unescapeString(t.image, t.tokenType !== T.UnterminatedString, span, this.problems), multiline: false, span };
  }

  private number(t: IToken | undefined): NumberValue {
    const span = this.span(t);
    const raw = t!.image;
    if (t!.tokenType === T.UnreadableNumber) {
      this.problems.push({ code: "AL1008", message: `\`${raw}\` is not a number alignc reads`, span, hint: "write numbers in decimal (16, 1000, 1e3): no 0x/0o/0b prefixes and no `_` between digits" });
      return { type: "Number", value: Number.NaN, isInt: false, raw, span };
    }
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      this.problems.push({ code: "AL1006", message: `number \`${raw}\` is out of range`, span, hint: "the largest magnitude is about 1.8e308" });
    } else if (value === 0 && /[1-9]/.test(raw.split(/[eE]/)[0]!)) {
      // a literal too small for a double (1e-400) read as 0 without a word: `holdout = 1e-400`
      // was then reported as "holdout = 0", a value the recipe does not hold
      this.problems.push({ code: "AL1006", message: `number \`${raw}\` is out of range: it would read as 0`, span, hint: "the smallest magnitude is about 5e-324; write 0 for zero" });
    }
    return { type: "Number", value, isInt: !/[.eE]/.test(raw), raw, span };
  }

  private quantity(t: IToken): QuantityValue {
    const span = this.span(t);
    // the lexer's exponent is taken only before a unit letter, so a greedy optional exponent here splits the same way
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([A-Za-z]+)$/.exec(t.image)!;
    const value = Number(m[1]);
    if (!Number.isFinite(value)) this.problems.push({ code: "AL1006", message: `quantity \`${t.image}\` is out of range`, span, hint: "the largest magnitude is about 1.8e308" });
    else if (value === 0 && /[1-9]/.test(m[1]!.split(/[eE]/)[0]!))
      this.problems.push({ code: "AL1006", message: `quantity \`${t.image}\` is out of range: it would read as 0${m[2]}`, span, hint: "the smallest magnitude is about 5e-324; write 0 for zero" });
    return { type: "Quantity", value, unit: m[2]!, raw: t.image, span };
  }

  numberOrRange(c: NumberOrRangeCstChildren): NumberValue | RangeValue {
    const lo = this.number(c.lo?.[0]);
    if (!c.DotDot) return lo;
    const hi = this.number(c.hi?.[0]);
    return { type: "Range", lo, hi, span: joinSpans(lo.span, hi.span) };
  }

  sweep(c: SweepCstChildren): SweepValue {
    const kw = this.span(c.Sweep?.[0]);
    const list = this.argsOf(c.list?.[0]);
    const values: ListValue = { type: "List", items: list.items, span: list.span };
    return { type: "Sweep", values, span: joinSpans(kw, list.span) };
  }

  list(c: ListCstChildren): ListValue {
    const open = this.span(c.LBracket?.[0]);
    const close = this.span(c.RBracket?.[0]);
    return { type: "List", items: c.args?.[0] ? (this.visit(c.args[0]) as Value[]) : [], span: joinSpans(open, close) };
  }

  callArgs(c: CallArgsCstChildren): { items: Value[]; span: Span } {
    const open = this.span(c.LParen?.[0]);
    const close = this.span(c.RParen?.[0]);
    return { items: c.args?.[0] ? (this.visit(c.args[0]) as Value[]) : [], span: joinSpans(open, close) };
  }

  args(c: ArgsCstChildren): Value[] {
    return (c.value ?? []).map((v) => this.valueNode(v));
  }
}

/** Builds the top-level items of a parsed file; build problems (bad escapes …) come back beside them. */
export function buildItems(cst: RecipeFileCstNode): { items: TopLevel[]; problems: BuildProblem[] } {
  const builder = new AstBuilder();
  const items = builder.visit(cst) as TopLevel[];
  return { items, problems: builder.problems };
}
