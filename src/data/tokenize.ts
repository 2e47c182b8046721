// Formatted examples → token ids with a loss mask. The prompt part, the response and what follows are
// encoded separately, so the mask is exact at the response boundary for any tokenizer. Truncation to
// `maxLength` follows the stage's `truncate` policy (truncation.ts; default prompt_first: prompt
// tokens from the left first, the end of the prompt being what the response depends on). No
// response token left → an error, never a fully masked sample: NoResponseLeft, which the run
// locates at the stage (src/data/no-response-left.ts), as check and plan do from their counts.
import { CODES, DataError, dataDiag } from "./diag.js";
import { cutsFromLeft, exampleParts, keep, keptParts, truncatePolicy, type TruncatePolicy } from "./truncation.js";
import type { SFTExample, TokenizedExample, Tokenizer } from "./types.js";

export interface TokenizeOptions {
  maxLength?: number; // tokens, EOS included
  lossOn?: "response" | "all";
  addEos?: boolean; // default true: the model learns to stop
  /** the stage's `truncate` (truncation.ts); default prompt_first */
  truncate?: TruncatePolicy;
}

/** An example that keeps no response token at `maxLength` (AL3030). Unlocated here (the tokenizer
 * knows no recipe); the run relocates it at the stage's `truncate`/`max_length` (no-response-left.ts). */
export class NoResponseLeft extends DataError {
  constructor(
    readonly example: SFTExample,
    readonly maxLength: number,
    readonly policy: TruncatePolicy,
    readonly promptTokens: number,
    readonly responseTokens: number,
  ) {
    super([dataDiag(CODES.emptyResponse, `example ${example.id}: no response token is left after truncation to ${maxLength} tokens (truncate = "${policy}")`, "", null, 'raise max_length / the model context, shorten the prompts, or use truncate = "prompt_first"')]);
  }
}

export function tokenizeExample(ex: SFTExample, tok: Tokenizer, opts: TokenizeOptions = {}): TokenizedExample {
  const parts = { ...exampleParts(ex, tok), eos: opts.addEos === false ? [] : [tok.eos] };
  // unreachable from a recipe: every reader refuses an empty response (AL3030 at its row) and every
  // tokenizer alignc builds is byte-level underneath (a non-empty string is at least one token), so
  // this is a bug (exit 70), not bad input
  if (parts.resp.length === 0) throw new Error(`example ${ex.id}: its response ${JSON.stringify(ex.response.slice(0, 40))} encodes to no tokens`);
  const policy = truncatePolicy(opts.truncate);
  const all = { pre: parts.pre.length, resp: parts.resp.length, post: parts.post.length, eos: parts.eos.length };
  const kept = keptParts(all, opts.maxLength, policy);
  const truncated = kept.pre + kept.resp + kept.post + kept.eos < all.pre + all.resp + all.post + all.eos;
  if (kept.resp === 0) throw new NoResponseLeft(ex, opts.maxLength ?? 0, policy, all.pre, all.resp);
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
