// The recipe's default tokenizer: what a source, task or mixture is counted in when no stage names
// one (`alignc data`, the plan's size column). One rule for the count (src/data/recipe-tokenizer.ts)
// and for the sizes cache's key (src/compile.ts), which keyed a count by the set of every tokenizer
// and model, so renaming a model that changed which one counted showed the other's count (audit33 L4).
// The choice is blind to block names, as every other choice alignc makes (review33 L10: "the first
// model" was first by id, so renaming a model changed the sizes shown): the tokenizer the most models
// name, ties broken by the tokenizer's own settings in canonical JSON (two tokenizers with equal
// settings count alike, so their names never decide a figure).
import type { Json } from "./types.js";
import { refOf } from "./params.js";
import { canonicalJson } from "./canonical.js";

type Node = { id: string; kind: string; op?: string; params: Record<string, Json> };

/** The tokenizer node the most models name, else the recipe's one tokenizer by its settings; undefined: byte_level. */
export function defaultTokenizerId(nodes: Iterable<Node>): string | undefined {
  const all = [...nodes];
  const tokenizers = new Map(all.filter((n) => n.kind === "tokenizer").map((n) => [n.id, n]));
  const votes = new Map<string, number>();
  for (const m of all) {
    if (m.kind !== "model") continue;
    const t = refOf(m.params.tokenizer);
    if (t !== null) votes.set(t, (votes.get(t) ?? 0) + 1);
  }
  const settings = (id: string): string => {
    const n = tokenizers.get(id);
    if (!n) return "";
    const { seed: _seed, ...own } = n.params; // the recipe seed every node carries decides nothing between two
    return canonicalJson({ op: n.op ?? "", params: own });
  };
  const candidates = votes.size ? [...votes.keys()] : [...tokenizers.keys()];
  if (candidates.length === 0) return undefined;
  const score = (id: string): number => votes.get(id) ?? 0;
  return candidates.reduce((best, id) => {
    if (score(id) !== score(best)) return score(id) > score(best) ? id : best;
    const a = settings(id);
    const b = settings(best);
    return a < b || (a === b && id < best) ? id : best;
  });
}
