// The tokenizer a recipe declares: byte_level (default), bpe trained on its corpus, or gpt2.
import type { CheckedRecipe } from "../check/ir.js";
import { buildValue } from "./build.js";
import { CODES, fail } from "./diag.js";
import { findBlock, isRef, num } from "./ir.js";
import { bpeTokenizer, byteLevel, gpt2, trainBpe } from "./tokenizers.js";
import type { Tokenizer } from "./types.js";

const cache = new WeakMap<CheckedRecipe, Map<string, Promise<Tokenizer>>>();

/**
 * A tokenizer block by name; with no name, the tokenizer of the recipe's first model (or
 * byte_level when the recipe declares none).
 */
export function recipeTokenizer(recipe: CheckedRecipe, name?: string): Promise<Tokenizer> {
  if (name === undefined) {
    const model = recipe.blocks.find((b) => b.keyword === "model");
    const ref = model?.props.tokenizer;
    if (isRef(ref)) name = ref.$ref;
    else {
      const tb = recipe.blocks.find((b) => b.keyword === "tokenizer");
      if (!tb) return Promise.resolve(byteLevel());
      name = tb.name;
    }
  }
  let m = cache.get(recipe);
  if (!m) cache.set(recipe, (m = new Map()));
  let p = m.get(name);
  if (!p) {
    p = makeTokenizer(recipe, name);
    m.set(name, p);
  }
  return p;
}

async function makeTokenizer(recipe: CheckedRecipe, name: string): Promise<Tokenizer> {
  const b = findBlock(recipe, name);
  if (b.keyword !== "tokenizer") fail(CODES.tokenizer, `\`${name}\` is not a tokenizer`, recipe.file, b.decl.span);
  switch (b.kind) {
    case "byte_level":
      return byteLevel();
    case "gpt2":
      return gpt2();
    case "bpe": {
      const corpus = await buildValue(recipe, b.props.corpus, {}, `tokenizer \`${name}\`.corpus`);
      if (corpus.kind !== "text") fail(CODES.tokenizer, `tokenizer \`${name}\`: corpus must be text`, recipe.file, b.propSpans.corpus ?? b.decl.span);
      return bpeTokenizer(trainBpe([...corpus.train.lines, ...corpus.heldout.lines], num(b.props.vocab_size) ?? 512));
    }
    default:
      fail(CODES.tokenizer, `unknown tokenizer kind \`${b.kind}\``, recipe.file, b.decl.span);
  }
}
