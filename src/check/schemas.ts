// The ajv side of the checker: one validator per block kind, never compiled per entry. The
// validators are precompiled by ajv's standalone code generation into validators.gen.ts (regenerate:
// `node --import tsx src/check/gen-validators.ts`), because compiling the ~16 schemas of the
// quickstart at every start costs more than the rest of `alignc check`. When kinds.ts changed and the
// generated file is stale (its schema hash differs), the validators are compiled at run time instead:
// slower, never wrong.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Ajv as AjvClass, Options, ValidateFunction } from "ajv";
import { KINDS, HEADER_PROPS } from "./kinds.js";
import { orList } from "./suggest.js";
import { UNIT_KIND } from "./units.js";
import * as generated from "./validators.gen.js";

export type Schema = Record<string, unknown>;

export interface KindSpec {
  args?: Schema;
  roles?: string[];
  props: Record<string, Schema>;
  required?: string[];
}

// validateSchema off: the schemas are ours and fixed (the generator and test/check compile them),
// and meta-validation doubles the compile time.
export const AJV_OPTIONS: Options = { allErrors: true, useDefaults: true, strict: true, validateSchema: false, addUsedSchema: false };

/** A new Ajv that knows `refTo` (metadata for the kind-compatibility check; ajv only has to accept it). */
export function newAjv(extra: Options = {}): AjvClass {
  const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  ajv.addKeyword({ keyword: "refTo", schemaType: "array" });
  return ajv;
}

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

/** Every schema the checker validates with, by key: `props:stage:ppo`, `args:source:jsonl`, `header`. */
export function schemaTable(): Record<string, Schema> {
  const table: Record<string, Schema> = { header: objectSchema(HEADER_PROPS) };
  for (const [keyword, kinds] of Object.entries(KINDS))
    for (const [kind, spec] of Object.entries(kinds)) {
      table[`props:${keyword}:${kind}`] = objectSchema(spec.props, spec.required);
      if (spec.args) table[`args:${keyword}:${kind}`] = spec.args;
    }
  return table;
}

/** Identifies the schemas and options a generated validator set was made from. */
export function schemaHash(table: Record<string, Schema> = schemaTable()): string {
  return createHash("sha256").update(JSON.stringify({ options: AJV_OPTIONS, table })).digest("hex").slice(0, 16);
}

/** `props:stage:ppo` → `props_stage_ppo`, the generated module's export name. */
export function exportName(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, "_");
}

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
