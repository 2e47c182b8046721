// The recipe's default tokenizer: what a source, task or mixture is counted in when no stage names
// one (`alignc data`, the plan's size column). One rule for the count (src/data/recipe-tokenizer.ts)
// and for the sizes cache's key (src/compile.ts), which keyed a count by the set of every tokenizer
// and model, so renaming a model that changed which one counted showed the other's count (audit33 L4).
import type { Json } from "./types.js";
import { refOf } from "./params.js";

/** The tokenizer node the plan's first model names, else its first tokenizer node; undefined: byte_level. */
export function defaultTokenizerId(nodes: Iterable<{ id: string; kind: string; params: Record<string, Json> }>): string | undefined {
  const all = [...nodes];
  const model = all.find((n) => n.kind === "model");
  return (model ? refOf(model.params.tokenizer) : null) ?? all.find((n) => n.kind === "tokenizer")?.id;
}
