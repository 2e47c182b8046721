// The recipe's default tokenizer: what a source, task or mixture is counted in when no stage names
// one (`alignc data`, the plan's size column), and the model whose context `alignc data` measures such a
// block against. One rule for the count (src/data/recipe-tokenizer.ts), for the sizes cache's key
// (src/compile.ts), which keyed a count by the set of every tokenizer and model, so renaming a model
// that changed which one counted showed the other's count (audit33 L4), and for the context
// (src/data/stage-truncation.ts). The choice is blind to block names and file paths, as every other
// choice alignc makes (review33 L10: "the first model" was first by id, so renaming a model changed the
// sizes shown): the tokenizer the most models name, ties broken by the nodes' seed keys (their hashes
// with a fixed engine: parameters, files by content, references by their nodes' keys; review34 M1: a
// tie broken by raw settings still read a referenced block's name).
import type { Json } from "./types.js";
import { refOf } from "./params.js";

type Node = { id: string; kind: string; params: Record<string, Json> };

/** The id whose key sorts first (keys are content hashes, so two equal keys are the same settings). */
const lowestKey = (ids: string[], keyOf: (id: string) => string): string | undefined =>
  ids.reduce<string | undefined>((best, id) => (best === undefined || keyOf(id) < keyOf(best) || (keyOf(id) === keyOf(best) && id < best) ? id : best), undefined);

/** The tokenizer node the most models name (else, with no model naming one, the recipe's tokenizers by key); undefined: byte_level. */
export function defaultTokenizerId(nodes: Iterable<Node>, keyOf: (id: string) => string): string | undefined {
  const all = [...nodes];
  const votes = new Map<string, number>();
  for (const m of all) {
    if (m.kind !== "model") continue;
    const t = refOf(m.params.tokenizer);
    if (t !== null) votes.set(t, (votes.get(t) ?? 0) + 1);
  }
  if (votes.size === 0) return lowestKey(all.filter((n) => n.kind === "tokenizer").map((n) => n.id), keyOf);
  const most = Math.max(...votes.values());
  return lowestKey([...votes].filter(([, v]) => v === most).map(([id]) => id), keyOf);
}

/** The model a block no stage trains on is measured against (its context): one naming the default tokenizer, by key. */
export function defaultModelId(nodes: Iterable<Node>, keyOf: (id: string) => string): string | undefined {
  const all = [...nodes];
  const tok = defaultTokenizerId(all, keyOf);
  const models = all.filter((n) => n.kind === "model");
  const naming = models.filter((m) => refOf(m.params.tokenizer) === (tok ?? null));
  return lowestKey((naming.length ? naming : models).map((m) => m.id), keyOf);
}
