// Formatted examples → token ids with a loss mask. The prompt part, the response and what follows are
// encoded separately, so the mask is exact at the response boundary for any tokenizer. Truncation to
// `maxLength` follows the stage's `truncate` policy (truncation.ts; default prompt_first: prompt
// tokens from the left first, the end of the prompt being what the response depends on). No
// response token left → an error, never a fully masked sample.
import { CODES, fail } from "./diag.js";
import { cutsFromLeft, exampleParts, keep, keptParts, truncatePolicy, type TruncatePolicy } from "./truncation.js";
import type { SFTExample, TokenizedExample, Tokenizer } from "./types.js";

export interface TokenizeOptions {
  maxLength?: number; // tokens, EOS included
  lossOn?: "response" | "all";
  addEos?: boolean; // default true: the model learns to stop
  /** the stage's `truncate` (truncation.ts); default prompt_first */
  truncate?: TruncatePolicy;
}

export function tokenizeExample(ex: SFTExample, tok: Tokenizer, opts: TokenizeOptions = {}): TokenizedExample {
  const parts = { ...exampleParts(ex, tok), eos: opts.addEos === false ? [] : [tok.eos] };
  if (parts.resp.length === 0) fail(CODES.emptyResponse, `example ${ex.id}: the response encodes to no tokens`, "");
  const policy = truncatePolicy(opts.truncate);
  const all = { pre: parts.pre.length, resp: parts.resp.length, post: parts.post.length, eos: parts.eos.length };
  const kept = keptParts(all, opts.maxLength, policy);
  const truncated = kept.pre + kept.resp + kept.post + kept.eos < all.pre + all.resp + all.post + all.eos;
  if (kept.resp === 0) fail(CODES.emptyResponse, `example ${ex.id}: no response token is left after truncation to ${opts.maxLength} tokens (truncate = "${policy}")`, "", null, "raise max_length / the model context, shorten the prompts, or use truncate = \"prompt_first\"");
  const cut = (k: keyof typeof all) => keep(parts[k], kept[k], cutsFromLeft(k, policy));
  const pre = cut("pre");
  const tail = [...cut("resp"), ...cut("post"), ...cut("eos")];
  const preMask = opts.lossOn === "all" ? 1 : 0;
  return {
    id: ex.id,
    tokens: [...pre, ...tail],
    lossMask: [...pre.map(() => preMask), ...tail.map(() => 1)],
    ...(truncated ? { truncated } : {}),
  };
}

/** A text line → tokens (pretraining: every token is trained on). */
export function tokenizeText(text: string, tok: Tokenizer, maxLength?: number): number[] {
  const ids = [...tok.encode(text), tok.eos];
  return maxLength !== undefined ? ids.slice(0, maxLength) : ids;
}
