// PPO's advantages on plain arrays (no gradient flows through rewards or advantages): the
// leave-one-out baseline of several samples per prompt, per-token KL-penalised rewards turned into
// advantages by GAE with a value network or by the reward-to-go alone (RLOO), and the batch scaling.
import { gae, klEstimates, klPenalisedRewards, whiten } from "../losses.js";

/** gae: a value network and GAE (InstructGPT); rloo: no value network, the KL-penalised reward-to-go of the leave-one-out score. */
export type AdvantageMode = "gae" | "rloo";
/** whiten: zero mean, unit variance; rms: divided by the root mean square (floored), not re-centred. */
export type AdvantageScale = "whiten" | "rms";

/**
 * The floor of the RMS divisor: a batch whose leave-one-out scores are all near zero (every
 * response of every prompt judged alike) carries no signal, and dividing by its tiny RMS would
 * turn noise into unit-sized steps. 0.1 is a tenth of the rule reward's step between classes.
 */
export const RMS_FLOOR = 0.1;

/** Each score minus the mean of its group's other scores (a group of one keeps its score). */
export function leaveOneOut(scores: ArrayLike<number>, groups: readonly number[]): Float64Array {
  const sum = new Map<number, number>();
  const count = new Map<number, number>();
  groups.forEach((g, i) => {
    sum.set(g, (sum.get(g) ?? 0) + scores[i]!);
    count.set(g, (count.get(g) ?? 0) + 1);
  });
  return Float64Array.from(groups, (g, i) => {
    const n = count.get(g)!;
    return n > 1 ? scores[i]! - (sum.get(g)! - scores[i]!) / (n - 1) : scores[i]!;
  });
}

/** xs / max(RMS(xs), floor): the sign of every advantage is kept (no re-centring). */
export function rmsScale(xs: Float64Array, floor = RMS_FLOOR): Float64Array {
  if (xs.length === 0) return xs;
  let ss = 0;
  for (const x of xs) ss += x * x;
  const d = Math.max(Math.sqrt(ss / xs.length), floor);
  return xs.map((x) => x / d);
}

export interface RolloutRow {
  /** terminal score of the response (already leave-one-out when samples_per_prompt > 1) */
  score: number;
  /** log-probs of the response tokens under the policy that sampled them and under the reference */
  logp: ArrayLike<number>;
  logpRef: ArrayLike<number>;
  /** value estimates at the response tokens (gae only) */
  values?: ArrayLike<number>;
}

export interface AdvantageOptions {
  mode: AdvantageMode;
  scale: AdvantageScale;
  klCoef: number;
  discount: number;
  gaeLambda: number;
}

export interface Advantages {
  /** per response, per token: scaled advantages */
  advantages: Float64Array[];
  /** per response, per token: value targets (gae only) */
  returns: Float64Array[] | null;
  /** Σ over the batch of the per-sequence KL estimates k1 and k3 (nats) */
  klSum: number;
  klK3Sum: number;
}

/**
 * Token advantages of a rollout batch. Per response, InstructGPT's per-token rewards (−β·KL on every
 * token, the score on the last); gae: GAE against the value estimates; rloo: the reward-to-go
 * (GAE with zero values and λ = 1), the leave-one-out score being the baseline. Then the whole
 * batch is whitened or RMS-scaled.
 */
export function rolloutAdvantages(rows: readonly RolloutRow[], o: AdvantageOptions): Advantages {
  const advs: Float64Array[] = [];
  const rets: Float64Array[] = [];
  let klSum = 0;
  let klK3Sum = 0;
  for (const r of rows) {
    const est = klEstimates(r.logp, r.logpRef);
    klSum += est.k1.reduce((a, x) => a + x, 0);
    klK3Sum += est.k3.reduce((a, x) => a + x, 0);
    const rewards = klPenalisedRewards(r.score, r.logp, r.logpRef, o.klCoef);
    if (o.mode === "gae") {
      if (!r.values) throw new Error("gae advantages need value estimates");
      const g = gae(rewards, r.values, o.discount, o.gaeLambda);
      advs.push(g.advantages);
      rets.push(g.returns);
    } else {
      advs.push(gae(rewards, new Float64Array(rewards.length), o.discount, 1).advantages);
    }
  }
  const flat = Float64Array.from(advs.flatMap((a) => Array.from(a)));
  const scaled = o.scale === "rms" ? rmsScale(flat) : whiten(flat);
  let at = 0;
  const out = advs.map((a) => {
    const s = scaled.slice(at, at + a.length);
    at += a.length;
    return s;
  });
  return { advantages: out, returns: o.mode === "gae" ? rets : null, klSum, klK3Sum };
}
