// ajv's errors → located diagnostics. ajv reports against the IR value (instancePath `/shots/$range/0`);
// the lowering index maps that pointer back to the AST node the user wrote, and the schema path
// says what was expected there, so the message can read "`lr` must be > 0, got 0".
import type { ErrorObject } from "ajv";
import type { IRValue } from "./ir.js";
import type { Located } from "./lower.js";
import { branches, callees, describeSchema, own, shapeOf, type Schema, type Shape } from "./schemas.js";
import { didYouMean } from "../common/did-you-mean.js";
import { UNIT_KIND } from "./units.js";
import { CALLS } from "./calls.js";

export interface SchemaIssue {
  code: "AL2006" | "AL2007" | "AL2008" | "AL2018";
  node: Located | null; // null: the owner as a whole (a missing required property)
  message: string;
  hint?: string;
}

function decode(seg: string): string {
  return decodeURIComponent(seg).replace(/~1/g, "/").replace(/~0/g, "~");
}

/** The schema object at a JSON pointer like `#/properties/x/anyOf/0`. */
export function schemaAt(root: Schema, path: string): Schema | undefined {
  let cur: unknown = root;
  for (const seg of path.replace(/^#\/?/, "").split("/")) {
    if (seg === "") continue;
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[decode(seg)];
  }
  return cur !== null && typeof cur === "object" ? (cur as Schema) : undefined;
}

function valueAt(data: IRValue, pointer: string): IRValue | undefined {
  let cur: unknown = data;
  for (const seg of pointer.split("/").slice(1)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[decode(seg)];
  }
  return cur as IRValue | undefined;
}

/** The shape of an IR value, in the vocabulary of schemas.shapeOf. */
export function valueShape(v: IRValue | undefined): Shape | null {
  if (v === undefined) return null;
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    case "boolean":
      return "boolean";
    default:
      if ("$ref" in v) return "ref";
      if ("$call" in v) return "call";
      if ("$range" in v) return "range";
      if ("$quantity" in v) return "quantity";
      return "object";
  }
}

function shapeFits(schemaShape: Shape | null, v: Shape | null): boolean {
  return schemaShape === v || (schemaShape === "number" && v === "integer");
}

/** "the number 0", "`jsonl(…)`", "the reference `pre`" … for "got …". */
export function describeNode(node: Located | undefined): string {
  if (!node) return "nothing";
  const n = node as Located & Record<string, unknown>;
  switch (n["type"]) {
    case "Number":
      return `${n["raw"] as string}`;
    case "String":
      return `the string ${JSON.stringify(n["value"])}`;
    case "Bool":
      return String(n["value"]);
    case "Quantity":
      return `\`${n["raw"] as string}\``;
    case "Range":
      return "a range";
    case "List":
      return "a list";
    case "Block":
      return "a block { … }";
    case "Ref":
      return `\`${(n["path"] as { name: string }[]).map((p) => p.name).join(".")}\``;
    case "Call":
      return `\`${(n["callee"] as { name: string }).name}(…)\``;
    case "Sweep":
      return "a sweep";
    case "Clause":
      return `\`${(n["name"] as { name: string }).name}\` without a value`;
    case "Ident":
      return `\`${n["name"] as string}\``;
    default:
      return "this value";
  }
}

/** The property a pointer is about: `/components/sentiment/cap` → cap, `/shots/$range/0` → shots. */
function propertyName(pointer: string): string {
  const segs = pointer.split("/").slice(1).map(decode);
  for (let i = segs.length - 1; i >= 0; i--) if (!/^\d+$/.test(segs[i]!) && !segs[i]!.startsWith("$")) return segs[i]!;
  return segs[0] ?? "";
}

function boundText(e: ErrorObject): string {
  const p = e.params as { comparison?: string; limit?: number };
  switch (e.keyword) {
    case "minItems":
      return `at least ${p.limit} item${p.limit === 1 ? "" : "s"}`;
    case "maxItems":
      return `at most ${p.limit} item${p.limit === 1 ? "" : "s"}`;
    default:
      return `${p.comparison} ${p.limit}`;
  }
}

const BOUNDS = new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems"]);

/**
 * Turn ajv's errors for one validated object into issues, one per offending value.
 * `nodeAt` maps an instancePath (already in IR coordinates) to the AST node.
 */
export function schemaIssues(
  errors: readonly ErrorObject[],
  data: IRValue,
  root: Schema,
  nodeAt: (pointer: string) => Located | undefined,
  requiredHint: (prop: string) => string,
): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const seen = new Set<Located | null>();
  const push = (issue: SchemaIssue): void => {
    if (seen.has(issue.node)) return; // one message per offending value
    seen.add(issue.node);
    issues.push(issue);
  };

  // anyOf: when the value has the shape of exactly one branch, that branch's errors say more than
  // "matches none of"; otherwise one message lists the alternatives.
  const anyOfs = errors.filter((e) => e.keyword === "anyOf");
  const handled = new Set<ErrorObject>();
  for (const a of anyOfs) {
    const schema = schemaAt(root, a.schemaPath.replace(/\/anyOf$/, "")) ?? {};
    const alts = (schema["anyOf"] as Schema[] | undefined) ?? [];
    const inside = errors.filter((e) => e !== a && e.schemaPath.startsWith(`${a.schemaPath}/`));
    for (const e of inside) handled.add(e);
    handled.add(a);
    const v = valueAt(data, a.instancePath);
    const fitting = alts.map((b, i) => [b, i] as const).filter(([b]) => branches(b).some((x) => shapeFits(shapeOf(x), valueShape(v))));
    if (fitting.length === 1) {
      const prefix = `${a.schemaPath}/${fitting[0]![1]}/`;
      const own = inside.filter((e) => e.schemaPath.startsWith(prefix));
      for (const e of own) issueFor(e);
      if (own.length > 0) continue;
    }
    const node = nodeAt(a.instancePath);
    push({ code: "AL2006", node: node ?? null, message: `\`${propertyName(a.instancePath)}\` expects ${describeSchema(schema)}, got ${describeNode(node)}` });
  }
  for (const e of errors) if (!handled.has(e)) issueFor(e);
  return issues;

  function issueFor(e: ErrorObject): void {
    const prop = propertyName(e.instancePath);
    if (e.keyword === "required" && e.instancePath === "") {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      issues.push({ code: "AL2007", node: null, message: `missing required property \`${missing}\`: ${requiredHint(missing)}` });
      return;
    }
    if (e.keyword === "additionalProperties" && e.instancePath === "") return; // unknown properties are reported before validation
    const node = nodeAt(e.instancePath);
    if (BOUNDS.has(e.keyword)) {
      // an upper bound says why (its `maxReason` in the kinds table)
      const why = e.keyword === "maximum" ? (schemaAt(root, e.schemaPath.replace(/\/maximum$/, ""))?.["maxReason"] as string | undefined) : undefined;
      push({ code: "AL2008", node: node ?? null, message: `\`${prop}\` must be ${boundText(e)}, got ${describeNode(node)}`, ...(why ? { hint: why } : {}) });
      return;
    }
    if (e.keyword === "enum" && e.instancePath.endsWith("/$call")) {
      // a function alignc does not know is AL2018 (src/check/checks/call.ts), with its did-you-mean: not also "expects …"
      if (!own(CALLS, String(valueAt(data, e.instancePath)))) return;
      const callSchema = schemaAt(root, e.schemaPath.replace(/\/properties\/%24call\/enum$/, "").replace(/\/properties\/\$call\/enum$/, "")) ?? {};
      const call = nodeAt(e.instancePath.slice(0, -"/$call".length));
      // a property that also takes a reference (`prompts = prefs.prompts`) says so: the call branch alone
      // named only heldout(…) or train(…) (hunt36)
      const whole = schemaAt(root, e.schemaPath.replace(/\/(?:anyOf|oneOf)\/\d+\/properties\/(?:%24|\$)call\/enum$/, ""));
      const expected = whole && whole !== callSchema && (whole["anyOf"] ?? whole["oneOf"]) ? whole : callSchema;
      push({ code: "AL2006", node: call ?? node ?? null, message: `\`${prop}\` expects ${describeSchema(expected)}, got ${describeNode(call)}`, ...hintFor(callees(callSchema), valueAt(data, e.instancePath)) });
      return;
    }
    if (e.keyword === "enum") {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const words = allowed.map((w) => `\`${w}\``);
      const must = words.length === 1 ? words[0] : `one of ${words.join(", ")}`;
      push({ code: "AL2006", node: node ?? null, message: `\`${prop}\` must be ${must}, got ${describeNode(node)}`, ...hintFor(allowed, valueAt(data, e.instancePath)) });
      return;
    }
    if (e.keyword === "const" && e.instancePath.endsWith("/unit")) {
      const q = nodeAt(e.instancePath.slice(0, -"/unit".length));
      const want = (e.params as { allowedValue: keyof typeof UNIT_KIND }).allowedValue;
      push({ code: "AL2006", node: q ?? null, message: `\`${prop}\` expects ${UNIT_KIND[want]}, got ${describeNode(q)}` });
      return;
    }
    // a shape mismatch: describe what the property (or list item) expects
    const owner = schemaAt(root, e.schemaPath.slice(0, e.schemaPath.lastIndexOf("/"))) ?? {};
    const expected = ownerOfShape(root, e.schemaPath) ?? owner;
    const at = e.keyword === "type" || e.keyword === "const" ? node : nodeAt(e.instancePath);
    push({ code: "AL2006", node: at ?? null, message: `\`${prop}\` expects ${describeSchema(expected)}, got ${describeNode(at)}` });
  }
}

/** For an error inside a `{ $ref }` / `{ $range }` shape, the shape's own schema (to say "a range lo..hi"). */
function ownerOfShape(root: Schema, schemaPath: string): Schema | undefined {
  const m = /^(.*?)\/properties\/(%24|\$)(ref|range|call|quantity|member)\//.exec(schemaPath) ?? /^(.*?)\/(required|additionalProperties)$/.exec(schemaPath);
  if (!m) return undefined;
  const s = schemaAt(root, m[1]!);
  return s && shapeOf(s) !== "object" ? s : undefined;
}

function hintFor(candidates: string[], got: IRValue | undefined): { hint?: string } {
  if (typeof got !== "string") return {};
  const h = didYouMean(got, candidates);
  return h ? { hint: h } : {};
}

