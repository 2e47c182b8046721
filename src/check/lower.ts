// AST values → IR values (src/check/ir.ts), guided by the property's JSON Schema: a bare word such
// as `loss_on = response` becomes the string "response" where the schema wants one of its enum
// values, and a reference `{ $ref }` where it wants a block. Lowering never reports: it records, for
// the checks, where each IR value came from (a JSON-pointer index back to the AST node) and every
// reference it made (for dangling-reference, member and kind-compatibility checks).
import type { Span, Value, RefValue, ComponentEntry } from "../lang/ast.js";
import type { IRValue, IRRecord, IRRef } from "./ir.js";
import { CALLS } from "./calls.js";
import { branches, enumOf, refTargets, shapeOf, type Schema } from "./schemas.js";
import { normaliseQuantity } from "./units.js";
import { resolveFromRecipe } from "./recipe-folder.js";

/** `rec[key] = value` as an own property, even for user words like `__proto__` (which `=` would turn into a prototype). */
export function setOwn(rec: IRRecord, key: string, value: IRValue): void {
  Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
}

export interface Located {
  span: Span;
}

/** A reference made by a value, with what it may point to (null: checked elsewhere, e.g. expect). */
export interface RefUse {
  node: Located; // the RefValue, or the component's name
  name: string;
  member: string | undefined;
  extraParts: number; // parts after the member (`a.b.c` has 1): always an error
  refTo: string[];
  what: string; // "`init`", "heldout(…)", "mixture component" — for messages
}

export interface LowerContext {
  fileOf(node: object): string;
}

/** Everything lowering learned about one block (or the header), for the checks and the IR. */
export class LoweredBlock {
  readonly index = new Map<string, Located>(); // JSON pointer in the IR → AST node
  readonly refs: RefUse[] = [];
  readonly sweeps = new Map<string, number>(); // property → number of values

  constructor(private readonly ctx: LowerContext) {}

  /** The AST node behind an ajv instancePath: the longest registered prefix. */
  nodeAt(pointer: string): Located | undefined {
    let p = pointer;
    for (;;) {
      const n = this.index.get(p);
      if (n) return n;
      const cut = p.lastIndexOf("/");
      if (cut < 0) return undefined;
      p = p.slice(0, cut);
    }
  }

  lower(v: Value, schema: Schema | undefined, ptr: string, what: string, top = false): IRValue {
    this.index.set(ptr, v);
    switch (v.type) {
      case "Number":
      case "Bool":
        return v.value;
      case "String":
        return v.value;
      case "Quantity":
        // an unknown unit is reported by checkQuantity; the raw text keeps the IR JSON
        return normaliseQuantity(v.value, v.unit) ?? v.raw;
      case "Range":
        this.index.set(`${ptr}/$range/0`, v.lo);
        this.index.set(`${ptr}/$range/1`, v.hi);
        return { $range: [v.lo.value, v.hi.value] };
      case "List": {
        const items = schema?.["items"] as Schema | undefined;
        const listSchema = branches(schema).find((b) => shapeOf(b) === "array");
        const itemSchema = items ?? (listSchema?.["items"] as Schema | undefined);
        return v.items.map((item, i) => this.lower(item, itemSchema, `${ptr}/${i}`, what));
      }
      case "Block": {
        const rec: IRRecord = {};
        const props = (branches(schema).find((b) => shapeOf(b) === "object")?.["properties"] ?? {}) as Record<string, Schema>;
        for (const e of v.entries) {
          if (e.type !== "Assignment" || e.path.length !== 1) continue; // reported by checkBlockValue
          const key = e.path[0]!.name;
          if (Object.hasOwn(rec, key)) continue; // duplicate: reported, first wins
          setOwn(rec, key, this.lower(e.value, Object.hasOwn(props, key) ? props[key] : undefined, `${ptr}/${key}`, `\`${key}\``));
        }
        return rec;
      }
      case "Ref":
        return this.lowerRef(v, schema, ptr, what);
      case "Call":
        return this.lowerCall(v, ptr, schema);
      case "Sweep": {
        if (top) this.sweeps.set(ptr.slice(1), v.values.items.length);
        this.index.set(`${ptr}/$sweep`, v.values);
        return { $sweep: v.values.items.map((item, i) => this.lower(item, schema, `${ptr}/$sweep/${i}`, what)) };
      }
    }
  }

  private lowerRef(v: RefValue, schema: Schema | undefined, ptr: string, what: string): IRValue {
    const name = v.path[0]?.name ?? "";
    if (v.path.length === 1 && schema) {
      const bs = branches(schema);
      if (bs.some((b) => enumOf(b)?.includes(name))) return name;
      const refTo = refTargets(schema);
      if (!refTo && bs.some((b) => shapeOf(b) === "string")) return name;
    }
    const refTo = refTargets(schema);
    const ir: IRRef = { $ref: name };
    if (v.path.length > 1) ir.member = v.path[1]!.name;
    if (refTo) this.refs.push({ node: v, name, member: ir.member, extraParts: Math.max(0, v.path.length - 2), refTo, what });
    return ir;
  }

  private lowerCall(v: Extract<Value, { type: "Call" }>, ptr: string, schema: Schema | undefined): IRValue {
    const spec = Object.hasOwn(CALLS, v.callee.name) ? CALLS[v.callee.name] : undefined;
    // a pretrain stage's corpus is text: its splits are data only where the property reads text
    const pretrainHere = schema !== undefined && branches(schema).some((b) => b["pretrainSplit"] === true);
    // and where the property reads one role of data (ptx_data: language-model data), only blocks of it
    const splitOf = schema === undefined ? undefined : branches(schema).find((b) => Array.isArray(b["splitOf"]))?.["splitOf"] as string[] | undefined;
    const splitTo = spec?.args !== "split" ? [] : splitOf ? [...splitOf, ...(pretrainHere ? ["stage:pretrain"] : [])] : spec.refTo.filter((t) => pretrainHere || t !== "stage:pretrain");
    this.index.set(`${ptr}/$call`, v.callee);
    const args = v.args.map((a, i): IRValue => {
      const argPtr = `${ptr}/args/${i}`;
      if (spec?.args === "path" && a.type === "String") {
        this.index.set(argPtr, a);
        // only the first argument is a path; the optional ones after it (flan_templates' task name) are strings
        return i === 0 ? resolveFromRecipe(this.ctx.fileOf(a), a.value) : a.value;
      }
      if (spec?.args === "split" && a.type === "Ref") {
        this.index.set(argPtr, a);
        const ir: IRRef = { $ref: a.path[0]?.name ?? "" };
        if (a.path.length > 1) ir.member = a.path[1]!.name;
        this.refs.push({ node: a, name: ir.$ref, member: ir.member, extraParts: Math.max(0, a.path.length - 2), refTo: splitTo, what: `${v.callee.name}(…)` });
        return ir;
      }
      return this.lower(a, undefined, argPtr, `${v.callee.name}(…)`);
    });
    return { $call: v.callee.name, args };
  }

  /** `sentiment: proportional cap 600` → { proportional: true, cap: 600 }; unknown clauses are left out (reported). */
  lowerComponent(c: ComponentEntry, ptr: string, clauseSchemas: Record<string, Schema>): IRRecord {
    this.index.set(ptr, c);
    this.refs.push({ node: c.name, name: c.name.name, member: undefined, extraParts: 0, refTo: ["task", "source:demonstrations"], what: "mixture component" });
    const rec: IRRecord = {};
    for (const cl of c.clauses) {
      const key = cl.name.name;
      if (!Object.hasOwn(clauseSchemas, key) || Object.hasOwn(rec, key)) continue;
      if (cl.arg === null) {
        this.index.set(`${ptr}/${key}`, cl);
        rec[key] = true;
      } else rec[key] = this.lower(cl.arg, clauseSchemas[key], `${ptr}/${key}`, `\`${key}\``);
    }
    return rec;
  }
}

/** Path arguments of a declaration (`source x = jsonl("…")`), resolved against the declaring file. */
export function resolvePathArg(ctx: LowerContext, node: Located & { value: string }): string {
  return resolveFromRecipe(ctx.fileOf(node), node.value);
}
