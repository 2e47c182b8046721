// The text each BPE tokenizer of a recipe trains on, as pools for the contamination report
// (`alignc data --leaks`). No model trains on a tokenizer's corpus, so an evaluated text found there is
// no leak and is not counted in `leaks: N`; but the merges the tokenizer learns are fit to it, so the
// report says so beside the leaks (the quickstart's tokenizer reads pre's held-out lines).
import type { Pool } from "./leaks.js";
import type { DataPlan } from "./plan-input.js";

/** One pool per `bpe` tokenizer node: the lines it trains on (recipe-tokenizer.ts's bpeCorpus). */
export async function tokenizerPools(dp: DataPlan): Promise<Pool[]> {
  // loaded when pools are built, as leaks.ts loads the build layer (dataLayer): a leak check its cache answers loads neither
  const { bpeCorpus } = await import("./recipe-tokenizer.js");
  const pools: Pool[] = [];
  for (const n of dp.nodes.values())
    if (n.kind === "tokenizer" && n.op === "bpe") pools.push({ name: `tokenizer ${n.id}.corpus`, block: n.id, prop: "corpus", kind: "text", texts: await bpeCorpus(dp, n) });
  return pools;
}

/** Per BPE tokenizer of the recipe, how many of `lines` (a text pool's held-out lines, say) its corpus
 * holds as lines: `alignc data --stats` says "held-out" of pre's held-out lines, which the quickstart's
 * tokenizer reads (figures38 #13). */
export async function linesInTokenizerCorpora(dp: DataPlan, lines: readonly string[]): Promise<{ tokenizer: string; count: number }[]> {
  const { normalizeWhitespace } = await import("./normalize.js");
  const wanted = lines.map(normalizeWhitespace).filter((l) => l.length > 0);
  if (!wanted.length) return [];
  const out: { tokenizer: string; count: number }[] = [];
  for (const pool of await tokenizerPools(dp)) {
    const corpus = new Set(pool.texts.map(normalizeWhitespace));
    const count = wanted.filter((l) => corpus.has(l)).length;
    if (count) out.push({ tokenizer: pool.block, count });
  }
  return out;
}
