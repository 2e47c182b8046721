// The schemas the checker validates with, by key, and the ajv options: what both the run-time
// compiler (schemas.ts) and the validator generator (gen-validators.ts) start from. Kept apart from
// schemas.ts so that the generator never imports the file it writes.
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Ajv as AjvClass, Options } from "ajv";
import { KINDS, HEADER_PROPS } from "./kinds.js";

import type { KindSpec, Schema } from "./kind-schemas.js";

export type { KindSpec, Schema };

// validateSchema off: the schemas are ours and fixed (the generator and test/check compile them),
// and meta-validation doubles the compile time.
export const AJV_OPTIONS: Options = { allErrors: true, useDefaults: true, strict: true, validateSchema: false, addUsedSchema: false, messages: false };

/** A new Ajv that knows `refTo` (metadata for the kind-compatibility check; ajv only has to accept it). */
export function newAjv(extra: Options = {}): AjvClass {
  const { Ajv } = createRequire(import.meta.url)("ajv") as typeof import("ajv");
  const ajv = new Ajv({ ...AJV_OPTIONS, ...extra });
  ajv.addKeyword({ keyword: "refTo", schemaType: "array" });
  ajv.addKeyword({ keyword: "maxReason", schemaType: "string" }); // why a `maximum` (kinds.ts), shown as a hint
  ajv.addKeyword({ keyword: "pretrainSplit", schemaType: "boolean" }); // a split of a pretrain stage is accepted here (kind-schemas.ts)
  ajv.addKeyword({ keyword: "splitOf", schemaType: "array" }); // the blocks a split call may name here (kind-schemas.ts)
  ajv.addKeyword({ keyword: "defaultWhen", schemaType: "object" }); // a default that depends on another property (kind-schemas.ts)
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

export function objectSchema(props: Record<string, Schema>, required: string[] = []): Schema {
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

