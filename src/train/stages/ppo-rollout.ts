// PPO's rollouts in the recipe's fixed shares (`parallel_shares`): the rollout batch's prompt groups
// (samples_per_prompt rows of one prompt stay together) are cut into contiguous shares, and each
// share samples from its own stream, seeded from (stage seed, step, share index). So a share's
// samples depend on nothing but the share: any thread may compute it (a worker of the policy's
// pool, src/train/parallel/pool.ts), the batch is the same for any --workers, and a resumed run
// needs no saved generator to draw what the uninterrupted one drew.
import { seedFor } from "../../common/rng.js";
import type { Gpt } from "../model.js";
import type { GradientPool } from "../parallel/pool.js";
import { shares } from "../parallel/shard.js";
import { generate, type SampleOptions } from "../sample.js";

/** Sampling settings without a stream: each share brings its own seed. */
export type ShareSampleOptions = Omit<SampleOptions, "rng" | "seed">;

/** One share of a rollout batch: its prompt rows and its stream's seed. */
export interface RolloutShare {
  prompts: number[][];
  seed: number;
}

/**
 * The rollout batch of one PPO step: `groups` (prompt indices, one per group) each repeated
 * `perPrompt` times, cut into `shareCount` contiguous shares of whole groups.
 */
export function rolloutShares(prompts: readonly number[][], groups: readonly number[], perPrompt: number, shareCount: number, stageSeed: number, step: number): RolloutShare[] {
  let at = 0;
  return shares(groups.length, shareCount).map((n, s) => {
    const rows = groups.slice(at, (at += n)).flatMap((i) => Array<number[]>(perPrompt).fill(prompts[i]!));
    return { prompts: rows, seed: seedFor(stageSeed, "ppo rollout", step, s) };
  });
}

/** One share's responses, as any thread computes them. */
export function sampleShare(model: Gpt, share: RolloutShare, opts: ShareSampleOptions): number[][] {
  return generate(model, share.prompts, { ...opts, seed: share.seed });
}

/** Every share's responses in share order: on this thread, or spread over `pool`'s replicas (the same samples). */
export function sampleShares(model: Gpt, pool: GradientPool | null, parts: RolloutShare[], opts: ShareSampleOptions): number[][] {
  const out = pool ? pool.sample(model, parts, opts) : parts.map((p) => sampleShare(model, p, opts));
  return out.flat();
}
