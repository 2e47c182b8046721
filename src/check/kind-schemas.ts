// The builders the kinds table (src/check/kinds.ts) writes its JSON Schemas with, and the upper
// bounds its properties share: small functions, so that a property reads as one line there.

export type Schema = Record<string, unknown>;

/** One kind of a keyword: its constructor arguments, roles (sources), properties and required ones. */
export interface KindSpec {
  args?: Schema;
  roles?: string[];
  props: Record<string, Schema>;
  required?: string[];
}

/** A property's default when another property is a given call: `{ prop: "templates", call:
 * "flan_templates", value: 1 }` (FLAN patterns show their options always). Part of the kinds table like
 * `default`, filled by the checker (src/check/context.ts) where the recipe leaves the property out. */
export interface DefaultWhen {
  prop: string;
  call: string;
  value: number | string | boolean;
}

/** The value `defaultWhen` gives a property left out of `props`, or undefined. */
export function conditionalDefault(schema: Schema, props: Record<string, unknown>): DefaultWhen["value"] | undefined {
  const when = schema["defaultWhen"] as DefaultWhen | undefined;
  const v = when ? props[when.prop] : undefined;
  return when && typeof v === "object" && v !== null && (v as { $call?: unknown }).$call === when.call ? when.value : undefined;
}

export const num = (description: string, extra: Schema = {}): Schema => ({ type: "number", description, ...extra });
// Every integer within ±(2^53 − 1) unless its property bounds it tighter: past that a number holds no
// integer exactly (`seed = 1e300` and `seed = 1e300 + 1` would be one seed). AL2008 on the literal catches
// only integers written out in digits; an exponent literal (`1e20`) is exact-looking and needs the bound.
// A property with its own maximum keeps its own reason (or none): never this one's.
const SAFE_MAX: Schema = { maximum: Number.MAX_SAFE_INTEGER, maxReason: "an integer past 2^53 − 1 is not held exactly: neighbouring values would read as one" };
export const int = (description: string, extra: Schema = {}): Schema => ({
  type: "integer",
  description,
  minimum: -Number.MAX_SAFE_INTEGER,
  ...(extra.maximum === undefined ? SAFE_MAX : {}),
  ...extra,
});
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
/** A call value. `pretrainSplit`: heldout(pre) / train(pre) of a pretrain stage are accepted here (its
 * corpus is text: an lm_loss eval's data, PPO's ptx_data); elsewhere a split names a data block only. */
/** The chat format a model that never trained in one is prompted in, by an eval or a draw (src/plan/base-format.ts). */
export const BASE_FORMAT = refSchema(
  ["format"],
  "chat format a model that never trained in one (a base or pretrained model) is prompted in here; left out: the format of the stages trained from it, when they agree (AL4026 when they do not)",
);

/** Stages whose network has an LM head (a reward model's was replaced by its scalar head): what generates or is scored as a language model. */
export const LM_STAGES = ["stage:pretrain", "stage:sft", "stage:ppo", "stage:dpo"];

/** `splitOf`: the blocks a split call's argument may name here (refSchema's targets), else any data block. */
export const callSchema = (callees: string[], description: string, opts: { pretrainSplit?: true; splitOf?: string[] } = {}): Schema => ({
  type: "object",
  required: ["$call", "args"],
  properties: { $call: { enum: callees }, args: { type: "array" } },
  additionalProperties: false,
  ...(opts.pretrainSplit ? { pretrainSplit: true } : {}),
  ...(opts.splitOf ? { splitOf: opts.splitOf } : {}),
  description,
});
export const range = (description: string, extra: Schema = {}, maxItem?: number): Schema => ({
  type: "object",
  required: ["$range"],
  properties: { $range: { type: "array", items: { type: "integer", ...(maxItem !== undefined ? { maximum: maxItem } : {}) }, minItems: 2, maxItems: 2 } },
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

/** Readers a data property may call: `jsonl("x.jsonl")`, `csv(...)`, `text(...)`. Paths resolve against the recipe. */
/** Language-model data (text, or examples with a response): what SFT-style losses read, a ptx term and an
 * lm_loss eval; not comparisons, not prompts alone. */
export const LM_DATA = ["mixture", "task", "source:demonstrations", "source:text", "source:records"];

export const READERS = ["jsonl", "json", "csv", "tsv", "text", "parquet"] as const;
export const dataCall = (d: string) => callSchema([...READERS], d);

// Upper bounds (issue 15): a value past these is a typo or a unit slip, never an experiment alignc
// can run; each bound is far above any real recipe and says why. The plan's time estimate adds the
// finer check (AL4016/AL4017: over 24 h warns, over the ceiling refuses).
// `maxReason` (a custom keyword, read by schema-errors.ts) is the hint shown when a bound is crossed.
export const bound = (maximum: number, maxReason: string): Schema => ({ maximum, maxReason });
export const MAX_STEPS = bound(10_000_000, "alignc trains at ~1–100 optimizer steps/s on a CPU: 10M steps is days to years");
export const MAX_BATCH = bound(65_536, "a micro-batch's activations are held in memory at once");
export const MAX_ACCUMULATE = bound(65_536, "65,536 micro-batches per step is past any published batch size");
export const MAX_LR = bound(10, "a peak learning rate above 10 diverges with every optimizer and model here (Adam uses ≤ 1e-2)");
export const MAX_EXAMPLES = bound(10_000_000, "a mixture's examples are held in memory: 10M of the smallest (5-row source, 6 Dec 2026) took 3.3 GB of Node's ~4 GB heap, and 100M ended in \"Invalid array length\" (exit 70)");
export const MAX_CONTEXT = bound(65_536, "attention memory grows with the square of the context");
