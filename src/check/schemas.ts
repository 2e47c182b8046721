// The ajv side of the checker: one Ajv instance, one compiled validator per block kind (compiled on
// first use and cached, never per entry), and the words that describe a schema in a message.
import { Ajv, type ValidateFunction } from "ajv";
import { KINDS, HEADER_PROPS } from "./kinds.js";
import { orList } from "./suggest.js";
import { UNIT_KIND } from "./units.js";

export type Schema = Record<string, unknown>;

export interface KindSpec {
  args?: Schema;
  roles?: string[];
  props: Record<string, Schema>;
  required?: string[];
}

// validateSchema off: the schemas are ours and fixed (test/check covers them), and meta-validation
// doubles the compile time that `alignc check` pays on every start.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, validateSchema: false, addUsedSchema: false });
// `refTo` is metadata read by the checker's kind-compatibility check; ajv only has to accept it.
ajv.addKeyword({ keyword: "refTo", schemaType: "array" });

const propValidators = new Map<string, ValidateFunction>();
const argValidators = new Map<string, ValidateFunction>();
let headerValidator: ValidateFunction | null = null;

/** `table[key]` for own keys only: user words such as `constructor` must not reach Object.prototype. */
export function own<T>(table: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function kindSpec(keyword: string, kind: string): KindSpec | undefined {
  const kinds = own(KINDS, keyword);
  return kinds ? own(kinds, kind) : undefined;
}

function objectSchema(props: Record<string, Schema>, required: string[] = []): Schema {
  return { type: "object", properties: props, required, additionalProperties: false };
}

/** The validator of a kind's properties (useDefaults: validating fills the defaults in). */
export function propsValidator(keyword: string, kind: string, spec: KindSpec): ValidateFunction {
  const key = `${keyword}:${kind}`;
  let v = propValidators.get(key);
  if (!v) {
    v = ajv.compile(objectSchema(spec.props, spec.required));
    propValidators.set(key, v);
  }
  return v;
}

export function argsValidator(keyword: string, kind: string, spec: KindSpec & { args: Schema }): ValidateFunction {
  const key = `${keyword}:${kind}`;
  let v = argValidators.get(key);
  if (!v) {
    v = ajv.compile(spec.args);
    argValidators.set(key, v);
  }
  return v;
}

export function recipeHeaderValidator(): ValidateFunction {
  headerValidator ??= ajv.compile(objectSchema(HEADER_PROPS));
  return headerValidator;
}

// ---- what a schema accepts, for lowering bare words and for messages ----

export type Shape = "ref" | "call" | "range" | "quantity" | "string" | "number" | "integer" | "boolean" | "array" | "object" | "null";

/** The alternatives of a schema: the branches of an anyOf, or the schema itself. */
export function branches(schema: Schema | undefined): Schema[] {
  if (!schema) return [];
  const any = schema["anyOf"];
  return Array.isArray(any) ? (any as Schema[]).flatMap((b) => branches(b)) : [schema];
}

export function shapeOf(schema: Schema): Shape | null {
  const req = schema["required"];
  if (Array.isArray(req)) {
    if (req.includes("$ref")) return "ref";
    if (req.includes("$call")) return "call";
    if (req.includes("$range")) return "range";
    if (req.includes("$quantity")) return "quantity";
  }
  const t = schema["type"];
  return typeof t === "string" ? (t as Shape) : null;
}

export function refTargets(schema: Schema | undefined): string[] | null {
  const refs = branches(schema).filter((b) => shapeOf(b) === "ref");
  if (refs.length === 0) return null;
  return refs.flatMap((b) => (Array.isArray(b["refTo"]) ? (b["refTo"] as string[]) : []));
}

export function enumOf(schema: Schema): string[] | null {
  const e = schema["enum"];
  return Array.isArray(e) ? (e as string[]) : null;
}

export function callees(schema: Schema): string[] {
  const props = schema["properties"] as Record<string, Schema> | undefined;
  const e = props?.["$call"]?.["enum"];
  return Array.isArray(e) ? (e as string[]) : [];
}

/** "a reward_model stage", "a rankings or pairs source", "a model or stage". */
export function describeRefTo(refTo: readonly string[]): string {
  const byKeyword = new Map<string, string[]>();
  for (const t of refTo) {
    const [kw, qual] = t.split(":") as [string, string | undefined];
    const list = byKeyword.get(kw) ?? [];
    if (qual) list.push(qual);
    byKeyword.set(kw, list);
  }
  const parts = [...byKeyword].map(([kw, quals]) => (quals.length ? `${orList(quals)} ${kw}` : kw));
  const text = orList(parts);
  return `${/^[aeiou]/.test(text) ? "an" : "a"} ${text}`;
}

export function describeSchema(schema: Schema): string {
  const alts = branches(schema).map((b) => describeBranch(b));
  return orList([...new Set(alts)]);
}

function describeBranch(s: Schema): string {
  switch (shapeOf(s)) {
    case "ref":
      return `a reference to ${describeRefTo((s["refTo"] as string[]) ?? []).replace(/^an? /, "a ")}`.replace(/to a ([aeiou])/, "to an $1");
    case "call":
      return orList(callees(s).map((c) => `${c}(…)`));
    case "range":
      return "a range lo..hi";
    case "quantity": {
      const props = s["properties"] as Record<string, Schema>;
      const unit = (props["unit"]?.["const"] ?? "") as keyof typeof UNIT_KIND;
      return UNIT_KIND[unit];
    }
    case "string": {
      const e = enumOf(s);
      return e ? `one of ${e.map((w) => `\`${w}\``).join(", ")}` : "a string";
    }
    case "integer":
      return "an integer";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    case "array": {
      const items = s["items"] as Schema | undefined;
      return items && shapeOf(items) === "string" ? "a list of strings" : "a list";
    }
    case "object":
      return "a block { … }";
    default:
      return "a value";
  }
}
