// Truncation: how a stage cuts a sequence longer than its max_length, by its `truncate` policy
// (kinds.ts TRUNCATE_POLICIES; left out: prompt_first), one rule for training and for the counts
// that `alignc data --stats`, `check` and `plan` report.
//
// A prompt/response example is four parts in order: prompt, response, what the format puts after
// the response (an end-of-turn marker), EOS. The loss covers the last three: "response tokens"
// below means them. Cutting `over` tokens takes them, part by part, in this order:
//   prompt_first  prompt (from its left), end of turn, EOS, response (from its right)
//   left          prompt, response, end of turn, EOS — each from its left (the sequence from the left)
//   right         EOS, end of turn, response, prompt — each from its right (the sequence from the right)
// A comparison group shares one prompt between K responses (response + end of turn + EOS each):
//   prompt_first  each response keeps its first context-1 tokens, the prompt its last tokens
//   left          each response keeps its last context-1 tokens, the prompt its last tokens
//   right         the prompt keeps its first context-1 tokens, each response its first tokens
// (the prompt keeps ≥ 1 token, so every sequence has something to condition on).
import { TRUNCATE_DEFAULT, type TRUNCATE_POLICIES } from "../check/kinds.js";
import type { ChatFormat, ComparisonGroup, SFTExample, Tokenizer } from "./types.js";

export type TruncatePolicy = (typeof TRUNCATE_POLICIES)[number];

/** A stage's policy from its (checked) `truncate` value; left out means TRUNCATE_DEFAULT. */
export function truncatePolicy(v: unknown): TruncatePolicy {
  return v === "left" || v === "right" || v === "prompt_first" ? v : TRUNCATE_DEFAULT;
}

/** Token counts of an example's parts. */
export interface Parts {
  pre: number;
  resp: number;
  post: number;
  eos: number;
}

const ORDER: Record<TruncatePolicy, (keyof Parts)[]> = {
  prompt_first: ["pre", "post", "eos", "resp"],
  left: ["pre", "resp", "post", "eos"],
  right: ["eos", "post", "resp", "pre"],
};

/** How many tokens of each part fit in `max` (no limit: all of them). */
export function keptParts(p: Parts, max: number | undefined, policy: TruncatePolicy): Parts {
  const kept = { ...p };
  let over = max === undefined ? 0 : p.pre + p.resp + p.post + p.eos - max;
  for (const k of ORDER[policy]) {
    if (over <= 0) break;
    const n = Math.min(over, kept[k]);
    kept[k] -= n;
    over -= n;
  }
  return kept;
}

/** Whether a part loses its tokens from the left (its start) under `policy`. */
export function cutsFromLeft(part: keyof Parts, policy: TruncatePolicy): boolean {
  return policy === "left" || (policy === "prompt_first" && part === "pre");
}

/** `xs` kept to `n` tokens, cut from the left or the right. */
export function keep<T>(xs: T[], n: number, fromLeft: boolean): T[] {
  return n >= xs.length ? xs : fromLeft ? xs.slice(xs.length - n) : xs.slice(0, n);
}

/** The token parts of a formatted example (the mask is exact at the response boundary for any tokenizer). */
export function exampleParts(ex: SFTExample, tok: Tokenizer): { pre: number[]; resp: number[]; post: number[] } {
  const [rs, re] = ex.responseSpan;
  return { pre: tok.encode(ex.text.slice(0, rs)), resp: tok.encode(ex.text.slice(rs, re)), post: tok.encode(ex.text.slice(re)) };
}

/** Prompt tokens as the format presents them to the model (everything before the response), keeping the last `maxLength`. */
export function promptTokens(fmt: ChatFormat, tok: Tokenizer, prompt: string, system: string | undefined, maxLength: number): number[] {
  const ids = tok.encode(fmt.promptOnly(prompt, system ?? ""));
  return ids.length > maxLength ? ids.slice(ids.length - maxLength) : ids;
}

/** Each response's length in tokens after its prompt, as a reward model reads a ranking group: through the
 * chat format, with its closing text and EOS. One count for plan's sizes and `alignc data --stats`, which
 * counted prompt + response unformatted and said "0 over context" where the plan said AL4005 (review35 M2). */
export function comparisonLengths(fmt: ChatFormat, tok: Tokenizer, g: { prompt: string; system?: string; responses: readonly string[] }): number[] {
  const prompt = promptTokens(fmt, tok, g.prompt, g.system, Infinity).length;
  return g.responses.map((r) => prompt + responseTokens(fmt, tok, g.prompt, r, g.system).length);
}

/** The tokens that follow the prompt for a given response: response, the format's closing text, EOS. */
export function responseTokens(fmt: ChatFormat, tok: Tokenizer, prompt: string, response: string, system?: string): number[] {
  const f = fmt.format(prompt, response, system ?? "");
  return [...tok.encode(f.text.slice(f.responseSpan[0])), tok.eos];
}

/** A comparison group's prompt and responses cut to `context` tokens a sequence (rules above); `lost`: some response lost tokens. */
export function truncateGroup(prompt: number[], responses: number[][], context: number, policy: TruncatePolicy): { prompt: number[]; responses: number[][]; lost: boolean } {
  if (policy === "right") {
    const p = prompt.slice(0, Math.max(1, context - 1));
    const rs = responses.map((r) => r.slice(0, Math.max(0, context - p.length)));
    return { prompt: p, responses: rs, lost: rs.some((r, i) => r.length < responses[i]!.length) };
  }
  const rs = responses.map((r) => keep(r, context - 1, policy === "left"));
  const longest = Math.max(0, ...rs.map((r) => r.length));
  return { prompt: keep(prompt, Math.max(1, context - longest), true), responses: rs, lost: rs.some((r, i) => r.length < responses[i]!.length) };
}

/** What truncation does to a set of examples: how many there are, lose prompt tokens, lose response tokens. */
export interface TruncationCount {
  examples: number;
  losePrompt: number;
  loseResponse: number;
  /** prompt/response examples that keep no response token (the run refuses them: AL3030); counted by countSft only */
  noResponse: number;
  /** the first of them, to name in the error */
  firstNoResponse?: NoResponseExample;
}

/** An example that keeps no response token, as check and plan name it (src/data/no-response-left.ts). */
export interface NoResponseExample {
  id: string;
  source: string;
  line?: number; // 1-based line of its row in the source's file
  promptTokens: number;
  responseTokens: number;
}

/** Counts for prompt/response examples tokenized into sequences of at most `maxLength` tokens (EOS included). */
export function countSft(xs: readonly SFTExample[], tok: Tokenizer, maxLength: number, policy: TruncatePolicy): TruncationCount {
  const c: TruncationCount = { examples: xs.length, losePrompt: 0, loseResponse: 0, noResponse: 0 };
  for (const ex of xs) {
    const t = exampleParts(ex, tok);
    const all = { pre: t.pre.length, resp: t.resp.length, post: t.post.length, eos: 1 };
    const k = keptParts(all, maxLength, policy);
    if (k.pre < all.pre) c.losePrompt++;
    if (k.resp + k.post + k.eos < all.resp + all.post + all.eos) c.loseResponse++;
    // tokenizeExample refuses such an example (NoResponseLeft); check and plan say so before the run
    if (k.resp === 0 && c.noResponse++ === 0) c.firstNoResponse = { id: ex.id, source: ex.meta.source, ...(ex.meta.line !== undefined ? { line: ex.meta.line } : {}), promptTokens: all.pre, responseTokens: all.resp };
  }
  return c;
}

/** Counts for comparison groups (a group loses response tokens when any of its responses does). */
export function countGroups(gs: readonly ComparisonGroup[], fmt: ChatFormat, tok: Tokenizer, context: number, policy: TruncatePolicy): TruncationCount {
  const c: TruncationCount = { examples: gs.length, losePrompt: 0, loseResponse: 0, noResponse: 0 };
  for (const g of gs) {
    const prompt = promptTokens(fmt, tok, g.prompt, g.system, Infinity);
    const t = truncateGroup(prompt, g.responses.map((r) => responseTokens(fmt, tok, g.prompt, r, g.system)), context, policy);
    if (t.prompt.length < prompt.length) c.losePrompt++;
    if (t.lost) c.loseResponse++;
  }
  return c;
}

/** Over this share of a stage's examples losing response tokens, check and plan warn (issue 13). */
export const LOSE_RESPONSE_WARN = 0.01;

export function pct(n: number, of: number): string {
  return `${((100 * n) / Math.max(1, of)).toFixed(1)}%`;
}
