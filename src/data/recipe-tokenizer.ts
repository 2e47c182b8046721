// The tokenizer a plan's tokenizer node declares: byte_level, bpe trained on its corpus, or gpt2.
// Built from the node's parameters (vocab_size filled by the checker from the kinds table) and
// memoised per plan by the node's seed key, so prepare(), the stage and its evals share one.
import type { CheckedRecipe } from "../check/ir.js";
import { refOf } from "../plan/params.js";
import { defaultTokenizerId } from "../plan/default-tokenizer.js";
import { buildParam } from "./build.js";
import { cached, numP } from "./build-source.js";
import { CODES, fail } from "./diag.js";
import { dataPlanOf, keyOf, nodeOf, siteOf, type DataNode, type DataPlan } from "./plan-input.js";
import { bpeTokenizer, byteLevel, gpt2, trainBpe } from "./tokenizers.js";
import type { Tokenizer } from "./types.js";

/** The tokenizer of a tokenizer node. */
export function tokenizerOfNode(dp: DataPlan, id: string): Promise<Tokenizer> {
  const node = nodeOf(dp, id);
  return cached(dp, `tokenizer:${keyOf(dp, id)}`, () => makeTokenizer(dp, node));
}

/**
 * The tokenizer behind a plan node: a tokenizer node itself, else the tokenizer of the model at the
 * root of the node's `init` (or an eval's `model`) chain.
 */
export function tokenizerOf(dp: DataPlan, id: string): Promise<Tokenizer> {
  let node: DataNode = nodeOf(dp, id);
  for (let guard = 0; node.kind !== "tokenizer"; guard++) {
    const next = refOf(node.kind === "model" ? node.params.tokenizer : (node.params.init ?? node.params.model));
    const at = siteOf(dp, node);
    if (next === null || guard > dp.nodes.size) fail(CODES.tokenizer, `\`${id}\`: no tokenizer at the root of its init chain`, at.file, at.span);
    node = nodeOf(dp, next);
  }
  return tokenizerOfNode(dp, node.id);
}

/**
 * The tokenizer a recipe tokenizes with when nothing names one (`alignc data`, the planner's sizes):
 * the named tokenizer node, else the recipe's default tokenizer (src/plan/default-tokenizer.ts: the one
 * the most models name, chosen blind to names), else byte_level (a recipe that declares none).
 */
export function recipeTokenizer(recipe: CheckedRecipe, name?: string): Promise<Tokenizer> {
  const dp = dataPlanOf(recipe);
  if (name !== undefined) return tokenizerOfNode(dp, name);
  const id = defaultTokenizerId(dp.nodes.values(), (n) => keyOf(dp, n));
  return id === undefined ? Promise.resolve(byteLevel()) : tokenizerOfNode(dp, id);
}

/** Every line a `bpe` tokenizer node trains on (its corpus, both splits): what the tokenizer is built
 * from and what `alignc data --leaks` reports evaluated texts against (tokenizer-corpora.ts). */
export async function bpeCorpus(dp: DataPlan, node: DataNode): Promise<string[]> {
  const corpus = await buildParam(dp, node, node.params.corpus, {}, `tokenizer \`${node.id}\`.corpus`);
  const at = siteOf(dp, node, "corpus");
  if (corpus.kind !== "text") fail(CODES.tokenizer, `tokenizer \`${node.id}\`: corpus must be text`, at.file, at.span);
  const lines = [...corpus.train.lines, ...corpus.heldout.lines];
  // no text, no merges: the "subword" tokenizer would be bytes alone, said nowhere (hunt36)
  if (!lines.some((l) => l.trim() !== "")) fail(CODES.tokenizer, `tokenizer \`${node.id}\`: its corpus holds no text to learn merges from (an empty file, or blank lines only)`, at.file, at.span, "point `corpus` at the text the model is pretrained on");
  return lines;
}

async function makeTokenizer(dp: DataPlan, node: DataNode): Promise<Tokenizer> {
  const at = siteOf(dp, node);
  if (node.kind !== "tokenizer") fail(CODES.tokenizer, `\`${node.id}\` is not a tokenizer`, at.file, at.span);
  switch (node.op) {
    case "byte_level":
      return byteLevel();
    case "gpt2":
      return gpt2();
    case "bpe": {
      const vocab = numP(node.params.vocab_size); // filled by the checker (kinds.ts)
      if (vocab === undefined) fail(CODES.tokenizer, `tokenizer \`${node.id}\` lacks its resolved vocab_size: plan the recipe again`, at.file, at.span);
      return bpeTokenizer(trainBpe(await bpeCorpus(dp, node), vocab));
    }
    default:
      fail(CODES.tokenizer, `unknown tokenizer kind \`${node.op}\``, at.file, at.span);
  }
}
