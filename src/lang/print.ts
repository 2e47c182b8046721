// The canonical printer behind `alignc fmt`. Layout rules (a function of the AST and its spans, so
// fmt is idempotent):
// - two-space indentation; entries of an inline block are separated by two spaces: `{ a = 1  b = 2 }`;
// - a block (or expect/budget) is printed on several lines, one entry per line, when the source put
//   a line break after its `{` (as Prettier does for objects), when it holds a comment or a multi-line
//   value, or when the inline form would pass column 100; otherwise on one line;
// - lists are inline (`[a, b]`) unless that passes column 100 or an item spans lines; then one item
//   per line with a trailing comma;
// - one blank line is kept where the source had one or more between two items; none elsewhere;
// - comments are attached by position: a comment before an item (or inside it, outside its nested
//   blocks) is printed on its own line before it; one on the line where an item ends stays at the end
//   of that line; comments before a `}` stay inside the block.
import type { BlockValue, Comment, Comparison, Entry, RecipeFile, Span, StringValue, TopLevel, Value } from "./ast.js";

const WIDTH = 100;
const IND = "  ";

/** `"…"` with the escapes the lexer understands. */
export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f || (cp >= 0xd800 && cp <= 0xdfff)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Whether `"""…"""` (no escapes, common indentation stripped) can carry this text unchanged. */
export function fitsTripleString(s: string): boolean {
  if (s.includes('"""') || s.includes("\r")) return false;
  const lines = s.split("\n");
  if (lines.some((l) => l !== "" && l.trim() === "")) return false; // blank lines come back empty
  const nonBlank = lines.filter((l) => l !== "");
  return nonBlank.length === 0 || nonBlank.some((l) => !/^[ \t]/.test(l));
}

function isNumberRaw(raw: string): boolean {
  return /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(raw);
}

interface Stmt {
  span: Span;
  blocks: Span[]; // spans of the blocks nested in it (they place their own comments)
  render: (indent: string) => string; // first line unindented, later lines absolutely indented
}

/** Blocks reachable from a value without entering another block. */
function nestedBlocks(v: Value | null, out: Span[]): Span[] {
  if (!v) return out;
  switch (v.type) {
    case "Block":
      out.push(v.span);
      break;
    case "List":
      for (const i of v.items) nestedBlocks(i, out);
      break;
    case "Sweep":
      nestedBlocks(v.values, out);
      break;
    case "Call":
      for (const a of v.args) nestedBlocks(a, out);
      break;
    case "Range":
    case "Number":
    case "String":
    case "Bool":
    case "Quantity":
    case "Ref":
      break;
  }
  return out;
}

const inside = (s: Span, outer: Span): boolean => s.start >= outer.start && s.end <= outer.end;

class Printer {
  private readonly comments: Comment[];
  private readonly done: boolean[];
  private first = 0; // index of the first comment not printed yet

  constructor(comments: Comment[]) {
    this.comments = [...comments].sort((a, b) => a.span.start - b.span.start);
    this.done = this.comments.map(() => false);
  }

  /** Takes (marks printed) the comments before offset `before` that satisfy `pred`, at most `limit`. */
  private take(before: number, pred: (c: Comment) => boolean = () => true, limit = Infinity): Comment[] {
    const got: Comment[] = [];
    for (let i = this.first; i < this.comments.length && this.comments[i]!.span.start < before && got.length < limit; i++) {
      if (!this.done[i] && pred(this.comments[i]!)) {
        this.done[i] = true;
        got.push(this.comments[i]!);
      }
    }
    while (this.first < this.comments.length && this.done[this.first]) this.first++;
    return got;
  }

  private hasCommentsIn(span: Span): boolean {
    for (let i = this.first; i < this.comments.length && this.comments[i]!.span.start < span.end; i++) {
      if (!this.done[i] && inside(this.comments[i]!.span, span)) return true;
    }
    return false;
  }

  /** Statements one per line at `indent`, with their comments and the source's blank lines. */
  body(stmts: Stmt[], indent: string, end: number): string[] {
    const lines: string[] = [];
    let lastLine = -1; // source line of the previous thing printed in this container
    const gap = (line: number): void => {
      if (lastLine >= 0 && line > lastLine + 1) lines.push("");
    };
    const comment = (c: Comment): void => {
      gap(c.span.line);
      lines.push(indent + c.text);
      lastLine = c.span.endLine;
    };
    stmts.forEach((s, i) => {
      for (const c of this.take(s.span.start)) comment(c);
      // comments inside the statement but outside its nested blocks go before it
      for (const c of this.take(s.span.end, (c) => !s.blocks.some((b) => inside(c.span, b)))) comment(c);
      gap(s.span.line);
      let text = indent + s.render(indent);
      lastLine = s.span.endLine;
      const next = stmts[i + 1]?.span.start ?? end;
      // one comment stays at the end of the line; any further ones go before the next statement
      const trailing = this.take(next, (c) => c.span.start >= s.span.end && c.span.line === s.span.endLine, 1)[0];
      if (trailing) {
        text += ` ${trailing.text}`;
        lastLine = trailing.span.endLine;
      }
      lines.push(...text.split("\n"));
    });
    for (const c of this.take(end)) comment(c);
    return lines;
  }

  private stmtOfEntry(e: Entry): Stmt {
    if (e.type === "Assignment") {
      return {
        span: e.span,
        blocks: nestedBlocks(e.value, []),
        render: (indent) => {
          const head = `${e.keyKind === "string" ? quoteString(e.path[0]!.name) : e.path.map((p) => p.name).join(".")} = `;
          return head + this.value(e.value, indent, indent.length + head.length);
        },
      };
    }
    const blocks: Span[] = [];
    for (const c of e.clauses) nestedBlocks(c.arg, blocks);
    return {
      span: e.span,
      blocks,
      render: (indent) => {
        let text = `${e.name.name}:`;
        for (const c of e.clauses) {
          text += ` ${c.name.name}`;
          if (c.arg) text += ` ${this.value(c.arg, indent, indent.length + text.length + 1)}`;
        }
        return text;
      },
    };
  }

  private stmtOfComparison(c: Comparison): Stmt {
    return {
      span: c.span,
      blocks: nestedBlocks(c.right, nestedBlocks(c.left, [])),
      render: (indent) => {
        // a side is its value and its `+`/`-` terms (`after.baseline + 0.2`)
        const side = (v: Value, terms: Comparison["leftTerms"], col: number): string => {
          let text = this.value(v, indent, col);
          for (const t of terms ?? []) text += ` ${t.op} ${this.value(t.value, indent, col + text.length + 3)}`;
          return text;
        };
        const head = `${side(c.left, c.leftTerms, indent.length)} ${c.op} `;
        return head + side(c.right, c.rightTerms, indent.length + head.length);
      },
    };
  }

  /** `{ … }` around statements: inline when allowed and short, else one per line. */
  private braces(stmts: Stmt[], span: Span, firstLine: number, indent: string, col: number): string {
    const hasComments = this.hasCommentsIn(span);
    if (stmts.length === 0 && !hasComments) return "{}";
    if (!hasComments && !(stmts[0] && stmts[0].span.line > firstLine)) {
      const inner = indent + IND;
      const parts = stmts.map((s) => s.render(inner));
      const inline = `{ ${parts.join("  ")} }`;
      if (!inline.includes("\n") && col + inline.length <= WIDTH) return inline;
    }
    return `{\n${this.body(stmts, indent + IND, span.end).join("\n")}\n${indent}}`;
  }

  block(b: BlockValue, indent: string, col: number): string {
    return this.braces(
      b.entries.map((e) => this.stmtOfEntry(e)),
      b.span,
      b.span.line,
      indent,
      col,
    );
  }

  private string(v: StringValue, indent: string): string {
    if (!v.multiline || !fitsTripleString(v.value)) return quoteString(v.value);
    const inner = indent + IND;
    return `"""\n${v.value
      .split("\n")
      .map((l) => (l === "" ? "" : inner + l))
      .join("\n")}\n${indent}"""`;
  }

  private list(items: Value[], indent: string, col: number): string {
    const inline = `[${items.map((i) => this.value(i, indent, col)).join(", ")}]`;
    if (!inline.includes("\n") && col + inline.length <= WIDTH) return inline;
    const inner = indent + IND;
    return `[\n${items.map((i) => `${inner}${this.value(i, inner, inner.length)},`).join("\n")}\n${indent}]`;
  }

  /** value()'s renderings, by node and place: a list or block renders its items inline first and, when
   * that is too wide, again one per line, so without this every level of nesting past the line width
   * doubled the work (huntZ40: 54 nested lists took 27 s, 63 never ended). A node's text depends only on
   * the node, its indent and its column. */
  private readonly rendered = new Map<Value, Map<string, string>>();

  value(v: Value, indent: string, col: number): string {
    const at = `${indent.length}:${col}`;
    let byPlace = this.rendered.get(v);
    const known = byPlace?.get(at);
    if (known !== undefined) return known;
    const text = this.render(v, indent, col);
    if (!byPlace) this.rendered.set(v, (byPlace = new Map()));
    byPlace.set(at, text);
    return text;
  }

  private render(v: Value, indent: string, col: number): string {
    switch (v.type) {
      case "Number":
        return isNumberRaw(v.raw) ? v.raw : String(v.value);
      case "Quantity":
        return /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[A-Za-z]+$/.test(v.raw) ? v.raw : `${v.value}${v.unit}`;
      case "String":
        return this.string(v, indent);
      case "Bool":
        return v.value ? "true" : "false";
      case "Range":
        return `${this.value(v.lo, indent, col)}..${this.value(v.hi, indent, col)}`;
      case "List":
        return this.list(v.items, indent, col);
      case "Sweep":
        return `sweep ${this.list(v.values.items, indent, col + 6)}`;
      case "Block":
        return this.block(v, indent, col);
      case "Ref":
        return v.path.map((p) => p.name).join(".");
      case "Call": {
        const head = `${v.callee.name}(`;
        return `${head}${v.args.map((a) => this.value(a, indent, col + head.length)).join(", ")})`;
      }
    }
  }

  topLevel(item: TopLevel): Stmt {
    switch (item.type) {
      case "RecipeHeader":
        return {
          span: item.span,
          blocks: [item.body.span],
          render: (indent) => {
            const head = `recipe ${item.name.name}${item.extends ? ` extends ${quoteString(item.extends.value)}` : ""} `;
            return head + this.block(item.body, indent, indent.length + head.length);
          },
        };
      case "Declaration": {
        return {
          span: item.span,
          blocks: [...(item.args ?? []).flatMap((a) => nestedBlocks(a, [])), ...(item.body ? [item.body.span] : [])],
          render: (indent) => {
            let head = `${item.keyword.name} ${item.name.name} = ${item.kind.name}`;
            if (item.args) head += `(${item.args.map((a) => this.value(a, indent, indent.length + head.length + 1)).join(", ")})`;
            if (item.role) head += ` as ${item.role.name}`;
            return item.body ? `${head} ${this.block(item.body, indent, indent.length + head.length + 1)}` : head;
          },
        };
      }
      case "Conditions":
        return {
          span: item.span,
          blocks: [item.span],
          render: (indent) =>
            `${item.keyword}${item.scope ? ` ${item.scope.name}` : ""} ${this.braces(
              item.items.map((c) => this.stmtOfComparison(c)),
              item.span,
              item.span.line,
              indent,
              indent.length + item.keyword.length + (item.scope ? item.scope.name.length + 1 : 0) + 1,
            )}`,
        };
    }
  }
}

/** Canonical text of a recipe file; comments (when the AST has them) are kept. */
export function printRecipe(ast: RecipeFile): string {
  const p = new Printer(ast.comments);
  const lines = p.body(
    ast.items.map((i) => p.topLevel(i)),
    "",
    Number.POSITIVE_INFINITY,
  );
  return lines.length ? `${lines.join("\n")}\n` : "";
}
