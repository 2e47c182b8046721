// Best-of-n answers for a win_rate eval (`best_of = k  select = …`): k samples of model a per prompt,
// the best kept, as Stiennon et al. (2020) and Gao et al. (2022) compare RL with rejection sampling.
// Picked by a reward model, it is the baseline PPO on that reward model must beat with one sample;
// picked by the rule (which reads each prompt's reference answer), it is the ceiling of what
// sharpening the model's own distribution can reach with k tries, an oracle no policy has.
import type { Asked, ChatFormat, PromptResponse, Tokenizer } from "../../data/types.js";
import { createHash } from "node:crypto";
import { dataPlanFromPlan, keyOf, valueKey } from "../../data/plan-input.js";
import { Rng } from "../../common/rng.js";
import { ruleReward } from "../evaluation/rule-judge.js";
import { ruleReference } from "../evaluation/eval-metrics.js";
import type { NodeContext } from "../handler.js";
import type { HandlerEnv } from "./env.js";
import { decodeResponse } from "./decode.js";
import { networkOf } from "./models.js";
import { askedIds } from "./tokens.js";
import { FULL_DISTRIBUTION, generateAllAsync, type Gpt } from "./train-api.js";

export interface BestOfSettings {
  model: string; // the node whose samples are drawn (win_rate's a)
  k: number;
  temperature: number;
  select: string; // a reward model node, or "rule"
  context: number;
  maxNewTokens: number;
}

export interface BestOf {
  texts: string[]; // the picked answer per prompt
  candidates: string[][]; // [prompt][k] every sample, in draw order
  picked: number[]; // index of the picked sample per prompt
}

/**
 * The index of the best score; the first drawn of equal ones (so identical samples, which a reward
 * model scores alike, never make the pick depend on anything but the draw order). A NaN score never
 * wins over a number.
 */
export function argmaxFirst(scores: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]! || (Number.isNaN(scores[best]!) && !Number.isNaN(scores[i]!))) best = i;
  return best;
}

/** The rule's score of each candidate against its prompt's reference response (correct 1 … garbage −1). */
export function ruleScores(candidates: readonly (readonly string[])[], references: readonly string[]): number[][] {
  return candidates.map((c, i) => c.map((text) => ruleReward(text, ruleReference(references[i]!))));
}

/**
 * The picked candidate of each prompt: by the rule against its reference, or by `score`, a reward
 * model's scores of each prompt's candidates (read together, as one group).
 */
export function pickBest(items: readonly PromptResponse[], candidates: readonly (readonly string[])[], select: "rule" | ((asked: readonly Asked[], candidates: readonly (readonly string[])[]) => number[][])): number[] {
  if (select === "rule") return ruleScores(candidates, items.map((x) => x.response)).map(argmaxFirst);
  return select(items, candidates).map(argmaxFirst);
}

/**
 * The seed of the samples: a's node, the prompts, how many, k, the temperature and the length cap, and
 * not what picks or judges them, so best-of evals that differ only in `select` or `judge` pick from the
 * same samples (a paired comparison). Seed keys use a fixed engine (plan-input.ts): a new alignc
 * version draws the same samples.
 */
function sampleSeed(env: HandlerEnv, ctx: NodeContext, s: BestOfSettings, n: number): number {
  const dp = dataPlanFromPlan(ctx.plan, env.recipe);
  const key = createHash("sha256")
    .update(JSON.stringify([keyOf(dp, s.model), valueKey(dp, ctx.node.params.prompts ?? null), n, s.k, s.temperature, s.maxNewTokens]))
    .digest("hex");
  return Number.parseInt(key.slice(0, 8), 16);
}

/**
 * Draws `k` samples of the model per prompt and keeps the best by `select`. `score` scores a reward
 * model's candidates per prompt (the eval's judgeScores, so a selector and a judge read answers alike).
 */
export async function bestOfAnswers(
  env: HandlerEnv,
  ctx: NodeContext,
  items: readonly PromptResponse[],
  d: { fmt: ChatFormat; tok: Tokenizer },
  s: BestOfSettings,
  score: (rm: Gpt, asked: readonly Asked[], candidates: readonly (readonly string[])[]) => number[][],
): Promise<BestOf> {
  const ids = askedIds(d.fmt, d.tok, items, s.context - s.maxNewTokens);
  const rng = new Rng(sampleSeed(env, ctx, s, items.length));
  const model = await networkOf(env, ctx.plan, await ctx.input(s.model));
  let flat: string[];
  try {
    // prompt-major: prompt i's samples are flat[i*k … i*k+k-1]
    const outs = await generateAllAsync(
      model,
      ids.flatMap((p) => Array.from({ length: s.k }, () => p)),
      { maxNewTokens: s.maxNewTokens, temperature: s.temperature, topK: FULL_DISTRIBUTION.topK, topP: FULL_DISTRIBUTION.topP, eos: d.tok.eos, pad: d.tok.pad, rng, batchSize: 32 },
    );
    flat = outs.map((o) => decodeResponse(o, d.tok, d.fmt));
  } finally {
    model.dispose();
  }
  const candidates = items.map((_, i) => flat.slice(i * s.k, (i + 1) * s.k));
  let picked: number[];
  if (s.select === "rule") picked = pickBest(items, candidates, "rule");
  else {
    const rm = await networkOf(env, ctx.plan, await ctx.input(s.select));
    try {
      picked = pickBest(items, candidates, (asked, cands) => score(rm, asked, cands));
    } finally {
      rm.dispose();
    }
  }
  return { texts: picked.map((j, i) => candidates[i]![j]!), candidates, picked };
}
