// Builders of the JSON Schema fragments the kinds table (kinds.ts) is written in: one line per
// property there, the shapes here.

export type Schema = Record<string, unknown>;

export const num = (description: string, extra: Schema = {}): Schema => ({ type: "number", description, ...extra });
export const int = (description: string, extra: Schema = {}): Schema => ({ type: "integer", description, ...extra });
export const str = (description: string, extra: Schema = {}): Schema => ({ type: "string", description, ...extra });
export const bool = (description: string, extra: Schema = {}): Schema => ({ type: "boolean", description, ...extra });
export const oneOfStr = (values: string[], description: string, dflt?: string): Schema => ({
  type: "string",
  enum: values,
  description,
  ...(dflt !== undefined ? { default: dflt } : {}),
});
export const refSchema = (refTo: string[], description: string): Schema => ({
  type: "object",
  required: ["$ref"],
  properties: { $ref: { type: "string" }, member: { type: "string" } },
  additionalProperties: false,
  refTo,
  description,
});
export const callSchema = (callees: string[], description: string): Schema => ({
  type: "object",
  required: ["$call", "args"],
  properties: { $call: { enum: callees }, args: { type: "array" } },
  additionalProperties: false,
  description,
});
export const range = (description: string, extra: Schema = {}): Schema => ({
  type: "object",
  required: ["$range"],
  properties: { $range: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 } },
  additionalProperties: false,
  description,
  ...extra,
});
export const quantity = (unit: "s" | "B" | "", description: string): Schema => ({
  type: "object",
  required: ["$quantity", "unit"],
  properties: { $quantity: { type: "number", exclusiveMinimum: 0 }, unit: { const: unit } },
  additionalProperties: false,
  description,
});
export const either = (description: string, ...alts: Schema[]): Schema => ({ anyOf: alts, description });

// `maxReason` (a custom keyword, read by schema-errors.ts) is the hint shown when a bound is crossed.
export const bound = (maximum: number, maxReason: string): Schema => ({ maximum, maxReason });
