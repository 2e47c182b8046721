// PPO's rollout scoring under the policy and the frozen reference, in the recipe's fixed row shares
// (`parallel_shares`, as the updates: splitRows). A share's log-probabilities depend on nothing but
// the share, so any thread may compute them (a worker of the policy's pool, which then also holds
// the reference: src/run/nodes/parallel.ts) and the figures are the same for any --workers. The
// reward model's scores and the value network's values stay on the main thread.
import { tf } from "../backend.js";
import { splitRows, type LmBatch, type RowShare } from "../batch.js";
import type { Gpt } from "../model.js";
import type { GradientPool } from "../parallel/pool.js";
import { batchLogProbs } from "./common.js";

/** One share of the rollout batch to score, at the sampling temperature. */
export interface ScoreShare {
  rows: RowShare;
  temperature: number;
}

/** Per target token of a share: log-probabilities under the sampling policy and under the reference. */
export interface ShareLogProbs {
  old: Float32Array;
  ref: Float32Array;
}

/** The log-probabilities of one share, as any thread computes them. */
export function shareLogProbs(policy: Gpt, reference: Gpt, s: ScoreShare): ShareLogProbs {
  const b: LmBatch = { ...s.rows, tokens: 0 };
  const t = tf.tidy(() => ({ old: batchLogProbs(policy, b, undefined, s.temperature).logp, ref: batchLogProbs(reference, b, undefined, s.temperature).logp }));
  const out = { old: Float32Array.from(t.old.dataSync()), ref: Float32Array.from(t.ref.dataSync()) };
  tf.dispose([t.old, t.ref]);
  return out;
}

/** Flat [B·T] log-probabilities of the whole rollout batch, computed in `shareCount` row shares (on `pool` when given). */
export function rolloutLogProbs(policy: Gpt, reference: Gpt, pool: GradientPool | null, b: LmBatch, shareCount: number, temperature: number): ShareLogProbs {
  const parts = splitRows(b, shareCount);
  const shares = parts.map(({ rows }) => ({ rows, temperature }));
  const got = pool ? pool.logProbs(policy, shares) : shares.map((s) => shareLogProbs(policy, reference, s));
  const old = new Float32Array(b.B * b.T);
  const ref = new Float32Array(b.B * b.T);
  parts.forEach(({ from }, i) => {
    old.set(got[i]!.old, from);
    ref.set(got[i]!.ref, from);
  });
  return { old, ref };
}
