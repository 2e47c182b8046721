// The ajv side of the checker: one validator per block kind, never compiled per entry. The
// validators are precompiled by ajv's standalone code generation into generated/validators.ts
// (regenerate: `npm run generate:validators`), because compiling the ~16 schemas of the quickstart at
// every start costs more than the rest of `alignc check`. When kinds.ts changed and the generated
// file is stale (its schema hash differs), the validators are compiled at run time instead: slower,
// never wrong.
import type { Ajv as AjvClass, ValidateFunction } from "ajv";
import { HEADER_PROPS } from "./kinds.js";
import { newAjv, objectSchema, schemaHash, exportName, type KindSpec, type Schema } from "./schema-table.js";
import { orList } from "../common/did-you-mean.js";
import { UNIT_KIND } from "./units.js";
import * as generated from "../../generated/validators.js";

export { AJV_OPTIONS, exportName, kindSpec, newAjv, own, schemaHash, schemaTable, type KindSpec, type Schema } from "./schema-table.js";

let useGenerated: boolean | null = null;
let runtimeAjv: AjvClass | null = null;
const compiled = new Map<string, ValidateFunction>(); // key → validator, generated or compiled once

function validatorFor(key: string, schema: () => Schema): ValidateFunction {
  let v = compiled.get(key);
  if (v) return v;
  useGenerated ??= (generated as { SCHEMA_HASH?: string }).SCHEMA_HASH === schemaHash();
  v = useGenerated ? (generated as unknown as Record<string, ValidateFunction | undefined>)[exportName(key)] : undefined;
  if (!v) {
    runtimeAjv ??= newAjv();
    v = runtimeAjv.compile(schema());
  }
  compiled.set(key, v);
  return v;
}

/** The validator of a kind's properties (useDefaults: validating fills the defaults in). */
export function propsValidator(keyword: string, kind: string, spec: KindSpec): ValidateFunction {
  return validatorFor(`props:${keyword}:${kind}`, () => objectSchema(spec.props, spec.required));
}

export function argsValidator(keyword: string, kind: string, spec: KindSpec & { args: Schema }): ValidateFunction {
  return validatorFor(`args:${keyword}:${kind}`, () => spec.args);
}

export function recipeHeaderValidator(): ValidateFunction {
  return validatorFor("header", () => objectSchema(HEADER_PROPS));
}

/** Whether the precompiled validators match kinds.ts (false: they are compiled at run time). */
export function generatedValidatorsCurrent(): boolean {
  return (generated as { SCHEMA_HASH?: string }).SCHEMA_HASH === schemaHash();
}

// ---- what a schema accepts, for lowering bare words and for messages ----

export type Shape = "ref" | "call" | "range" | "quantity" | "string" | "number" | "integer" | "boolean" | "array" | "object" | "null";

const branchCache = new WeakMap<Schema, Schema[]>();
const refTargetCache = new WeakMap<Schema, string[] | null>();

/** The alternatives of a schema: the branches of an anyOf, or the schema itself (cached: lowering asks per value). */
export function branches(schema: Schema | undefined): Schema[] {
  if (!schema) return [];
  let b = branchCache.get(schema);
  if (!b) {
    const any = schema["anyOf"];
    b = Array.isArray(any) ? (any as Schema[]).flatMap((x) => branches(x)) : [schema];
    branchCache.set(schema, b);
  }
  return b;
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

/** What a reference at this schema may point to (`refTo` of its reference branches); null: no reference accepted. */
export function refTargets(schema: Schema | undefined): string[] | null {
  if (!schema) return null;
  let t = refTargetCache.get(schema);
  if (t === undefined) {
    const refs = branches(schema).filter((b) => shapeOf(b) === "ref");
    t = refs.length === 0 ? null : refs.flatMap((b) => (Array.isArray(b["refTo"]) ? (b["refTo"] as string[]) : []));
    refTargetCache.set(schema, t);
  }
  return t;
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
