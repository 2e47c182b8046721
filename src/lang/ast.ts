// The .align abstract syntax tree: the contract between the parser (grammar/ + src/lang/build.ts),
// the checker (src/check/), the formatter and the plan compiler. Every node carries a Span.
//
// Surface syntax (the grammar in grammar/parser.ts is the one definition; this is its shape):
//
//   recipe quickstart { seed = 17 }                          // header: at most one per file
//   recipe b extends "a.align" { policy.kl_coef = 0.05 }     // variant: dotted overrides
//   tokenizer bytes = byte_level {}
//   model base = gpt { tokenizer = bytes  layers = 4 }
//   source demos = jsonl("data/demos.jsonl") as demonstrations { prompt = "{{instruction}}" }
//   task sentiment = flan { data = jsonl("data/s.jsonl")  shots = 0..2 }
//   mixture sft_data = mix { sentiment: proportional cap 3000   demos: weight 1.0 }
//   format chat = chat_template("templates/chat/llama2.hbs")
//   stage sft = sft { init = pre  data = sft_data  lr = 3e-4  kl_coef = sweep [0.01, 0.02] }
//   eval judge = win_rate { a = policy  b = sft  prompts = heldout(prefs) }
//   expect { rm.accuracy >= 0.7   policy.reward > sft.reward }
//   budget { time <= 10m  memory <= 4GiB }
//
// A declaration is `KEYWORD NAME = KIND [ (ARGS) ] [ as ROLE ] [ { ENTRIES } ]`. KEYWORD and KIND are
// plain identifiers in the grammar, so an unknown one is a located semantic error with "did you
// mean", not a syntax error. Entries are `path = value` or `name: clause clause…` (mixture
// components: `proportional`, `cap 3000`, `weight 1.0`). Comments: `// …` and `/* … */`.

/** Half-open character range plus 1-based line/column of its start and end (end column exclusive). */
export interface Span {
  start: number; // offset of the first character
  end: number; // offset one past the last character
  line: number; // 1-based
  col: number; // 1-based
  endLine: number;
  endCol: number;
}

export interface Ident {
  type: "Ident";
  name: string;
  span: Span;
}

export type Value =
  | NumberValue
  | StringValue
  | BoolValue
  | QuantityValue
  | RangeValue
  | ListValue
  | BlockValue
  | RefValue
  | CallValue
  | SweepValue;

/** `3`, `-1`, `3e-4`, `0.5`. `isInt` is true when written without `.` or exponent. */
export interface NumberValue {
  type: "Number";
  value: number;
  isInt: boolean;
  raw: string;
  span: Span;
}

/** `"…"` with escapes \n \t \" \\ \u{…}, or `"""…"""` multi-line (common indentation stripped). */
export interface StringValue {
  type: "String";
  value: string;
  multiline: boolean;
  span: Span;
}

export interface BoolValue {
  type: "Bool";
  value: boolean;
  span: Span;
}

/** A number with a unit: durations `90s` `10m` `2h`, sizes `512MiB` `4GiB` `1GB`, counts `1k` `2M`. */
export interface QuantityValue {
  type: "Quantity";
  value: number; // as written (10 for `10m`)
  unit: string; // as written ("m")
  raw: string;
  span: Span;
}

/** `lo..hi`, inclusive on both ends. */
export interface RangeValue {
  type: "Range";
  lo: NumberValue;
  hi: NumberValue;
  span: Span;
}

export interface ListValue {
  type: "List";
  items: Value[];
  span: Span;
}

export interface BlockValue {
  type: "Block";
  entries: Entry[];
  span: Span;
}

/** A bare or dotted name: `bytes`, `prefs.prompts`, `rm.accuracy`. Also bare words like `response`. */
export interface RefValue {
  type: "Ref";
  path: Ident[];
  span: Span;
}

/** `jsonl("data/x.jsonl")`, `heldout(prefs)`, `dir("templates/flan/sentiment")`. */
export interface CallValue {
  type: "Call";
  callee: Ident;
  args: Value[];
  span: Span;
}

/** `sweep [0.01, 0.02, 0.05]`: expands into one plan variant per value. */
export interface SweepValue {
  type: "Sweep";
  values: ListValue;
  span: Span;
}

export type Entry = Assignment | ComponentEntry;

/** `key = value`, or in an `extends` header `policy.kl_coef = 0.05` (a dotted path). */
export interface Assignment {
  type: "Assignment";
  path: Ident[];
  /** a table key written as a literal (`"Science/Tech" = 3`, `1 = "World"`, `true = "yes"`): path is
   * then one Ident holding the key's text; absent for a name */
  keyKind?: "string" | "number" | "boolean";
  value: Value;
  span: Span;
}

/** `sentiment: proportional cap 3000` */
export interface ComponentEntry {
  type: "Component";
  name: Ident;
  clauses: Clause[];
  span: Span;
}

/** `proportional` (no argument) or `cap 3000` / `weight 1.0`. */
export interface Clause {
  type: "Clause";
  name: Ident;
  arg: Value | null;
  span: Span;
}

export interface RecipeHeader {
  type: "RecipeHeader";
  name: Ident;
  extends: StringValue | null;
  body: BlockValue;
  span: Span;
}

/** `KEYWORD NAME = KIND [(ARGS)] [as ROLE] [{ … }]` */
export interface Declaration {
  type: "Declaration";
  keyword: Ident; // tokenizer | model | source | task | mixture | format | stage | eval
  name: Ident;
  kind: Ident; // gpt, flan, jsonl, mix, sft, ppo, win_rate …
  args: Value[] | null; // null when written without parentheses
  role: Ident | null; // `as demonstrations`
  body: BlockValue | null; // null when written without braces
  span: Span;
}

export type CompareOp = "<" | "<=" | ">" | ">=" | "==" | "!=";

/** `rm.accuracy >= 0.7`, `policy.reward > sft.reward`, `time <= 10m` */
export interface Comparison {
  type: "Comparison";
  left: Value;
  op: CompareOp;
  right: Value;
  span: Span;
}

/** `expect { … }` (keyword "expect") or `budget { … }` (keyword "budget"). */
export interface ConditionBlock {
  type: "Conditions";
  keyword: "expect" | "budget";
  items: Comparison[];
  span: Span;
}

export type TopLevel = RecipeHeader | Declaration | ConditionBlock;

export interface Comment {
  text: string; // including the `//` or `/* */` markers
  span: Span;
}

export interface RecipeFile {
  type: "File";
  items: TopLevel[];
  comments: Comment[];
  span: Span;
}
