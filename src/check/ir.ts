// The typed IR: what the checker produces from an AST that checked clean, and what the plan
// compiler (src/plan/) lowers into a DAG. Values are plain JSON so they hash canonically; the few
// non-JSON shapes of the language are tagged objects with a `$` key.
import type { Declaration, Span, CompareOp } from "../lang/ast.js";

export type IRValue =
  | null
  | boolean
  | number
  | string
  | IRValue[]
  | IRRange
  | IRRef
  | IRCall
  | IRQuantity
  | IRSweep
  | IRRecord;

/** `0..2` */
export interface IRRange {
  $range: [number, number];
}
/** A reference to another block, with an optional member: `prefs.prompts` → { $ref: "prefs", member: "prompts" }. */
export interface IRRef {
  $ref: string;
  member?: string;
}
/** `jsonl("data/x.jsonl")` → { $call: "jsonl", args: ["/abs/recipes/data/x.jsonl"] }: paths resolved against the recipe's folder. */
export interface IRCall {
  $call: string;
  args: IRValue[];
}
/** `10m` → { $quantity: 600, unit: "s" }; `4GiB` → { $quantity: 4294967296, unit: "B" }; `2k` → { $quantity: 2000, unit: "" }. */
export interface IRQuantity {
  $quantity: number;
  unit: "s" | "B" | "";
}
/** `sweep [0.01, 0.02]`, kept for src/plan/variants.ts to expand. */
export interface IRSweep {
  $sweep: IRValue[];
}
/** Nested block `{ … }`. Mixture components go to props.components (`sentiment: proportional cap 3000` →
 * props.components.sentiment = { proportional: true, cap: 3000 }). */
export interface IRRecord {
  [key: string]: IRValue;
}

export type BlockKeyword = "tokenizer" | "model" | "source" | "task" | "mixture" | "format" | "stage" | "eval";

export interface CheckedBlock {
  keyword: BlockKeyword;
  name: string;
  kind: string; // gpt, flan, jsonl, mix, sft, ppo, win_rate …
  role: string | null; // demonstrations | rankings | pairs | text for sources
  args: IRValue[]; // constructor arguments, paths resolved
  props: IRRecord; // every property of the kind, defaults filled from its JSON Schema
  deps: string[]; // names of the blocks this one references, sorted
  decl: Declaration; // for spans in later diagnostics
  propSpans: Record<string, Span>; // span of each written property's value ("components.<name>" for mixture components)
  file?: string; // file the declaration is written in, named as diagnostics name it (the path as given, a key of
  //                checkRecipeFile's `sources`); a variant's inherited blocks live in the base file
  propFiles?: Record<string, string>; // for properties overridden by a variant: the file their propSpans point into
}

export interface IRTerm {
  op: "+" | "-";
  value: IRValue;
}

/** An `expect` line (`rm.accuracy >= 0.7`: sides are `{ $ref, member }` metrics or numbers) or a `budget`
 * line (`time <= 10m`: left is the budget's name as a string, right an IRQuantity or a number). */
export interface IRCondition {
  left: IRValue;
  op: CompareOp;
  right: IRValue;
  /** `+`/`-` terms after a side's value (`after.baseline + 0.2`): absent when there are none */
  leftTerms?: IRTerm[];
  rightTerms?: IRTerm[];
  /** written in `expect full_size { … }`: a gate of full-size runs, skipped by `--tiny` */
  fullSizeOnly?: true;
  span: Span;
  text: string; // as written, for messages: "rm.accuracy >= 0.7"
  file?: string; // file the condition is written in (as block.file names it; the base's for inherited lines)
}

export interface CheckedRecipe {
  file: string; // absolute path of the recipe
  dir: string; // folder that relative paths resolve against
  name: string;
  header: IRRecord; // recipe-level properties: seed …
  seed: number;
  blocks: CheckedBlock[]; // dependencies before dependents; ties by name
  expects: IRCondition[];
  budget: IRCondition[];
  extendsFile: string | null; // absolute path of the base recipe for variants
}
