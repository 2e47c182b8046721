// Splitting a micro-batch into its fixed shares, and the loss of one share. Every stage's batch
// loss is a sum over rows, groups or pairs divided by the batch's count of them (LM: masked tokens;
// reward model: groups, accuracy over pairs; DPO: pairs; PPO's policy update: response tokens of
// the rollout batch and masked tokens of the ptx batch, stages/ppo-shard.ts). Each share's loss is
// its part of the numerator over the *whole batch's* count, so the shares add up to the batch's.
// How many shares is the recipe's `parallel_shares` (not the thread count), and they are added in
// share order (share-sum.ts), so the figures are the same for any number of worker threads.
import { Rng } from "../../common/rng.js";
import { shares } from "../../common/shares.js";
import { tf } from "../backend.js";
import { splitRows, type LmBatch, type RowShare, type TokenComparisonGroup } from "../batch.js";
import type { Gpt } from "../model.js";
import { tokenLogProbs } from "../ops.js";
import { dpoShardLoss, type PreferencePair } from "../stages/dpo-loss.js";
import { ppoShareLoss, splitPpo, splitValue, valueShareLoss, type PpoShare, type PpoUpdateSpec, type ValueShare, type ValueUpdateSpec } from "../stages/ppo-shard.js";
import { rmShardLoss } from "../stages/reward-model-loss.js";
import type { GradientPool } from "./pool.js";
import { ShareSum, type ShareResult } from "./share-sum.js";

/** A micro-batch as a stage hands it to a pool: what it is made of, before splitting. */
export type BatchSpec =
  | { kind: "lm"; batch: LmBatch; dropoutSeed?: number }
  | { kind: "rm"; groups: TokenComparisonGroup[]; pad: number; dropoutSeed?: number }
  | { kind: "dpo"; pairs: PreferencePair[]; beta: number; pad: number; dropoutSeed?: number }
  | PpoUpdateSpec
  | ValueUpdateSpec;

/** Rows of a packed LM batch and the whole batch's masked-token count. */
export type LmShard = RowShare;

export type Shard =
  | ({ kind: "lm"; dropoutSeed?: number } & LmShard)
  | { kind: "rm"; groups: TokenComparisonGroup[]; pad: number; totals: { groups: number }; dropoutSeed?: number }
  | { kind: "dpo"; pairs: PreferencePair[]; beta: number; pad: number; count: number; dropoutSeed?: number }
  | PpoShare
  | ValueShare;

export { shares } from "../../common/shares.js";

function chunks<T>(xs: T[], n: number): T[][] {
  let at = 0;
  return shares(xs.length, n).map((k) => xs.slice(at, (at += k)));
}

/** `n` contiguous row ranges of a packed LM batch, as even as possible; never empty. */
export function splitLm(b: LmBatch, n: number): LmShard[] {
  return splitRows(b, n).map((s) => s.rows);
}

/**
 * At most `n` shares of a micro-batch (fewer when it has fewer rows, groups, pairs or rollouts).
 * With dropout, share `i` draws its masks from its own seed, derived from (the micro-batch's seed, i).
 */
export function splitBatch(spec: BatchSpec, n: number): Shard[] {
  if (spec.kind === "ppo") return splitPpo(spec, n); // PPO trains without dropout
  if (spec.kind === "value") return splitValue(spec, n);
  const base = spec.dropoutSeed;
  const seed = (i: number) => (base !== undefined ? { dropoutSeed: Rng.derive(base, 0x5a4e, i) } : {});
  if (spec.kind === "lm") return splitLm(spec.batch, n).map((s, i) => ({ kind: "lm", ...s, ...seed(i) }));
  if (spec.kind === "rm") {
    const totals = { groups: spec.groups.length };
    return chunks(spec.groups, n).map((groups, i) => ({ kind: "rm", groups, pad: spec.pad, totals, ...seed(i) }));
  }
  return chunks(spec.pairs, n).map((pairs, i) => ({ kind: "dpo", pairs, beta: spec.beta, pad: spec.pad, count: spec.pairs.length, ...seed(i) }));
}

/**
 * Loss, aux values and gradients (keyed by variable name) of a micro-batch computed in
 * `shareCount` fixed shares, added in share order: on this thread one share after the other, or
 * spread over `pool`'s replicas (which changes no bit of the result). `reference`: the frozen
 * network a share's loss also reads (DPO's), on this thread.
 */
export function microBatchGrads(net: Gpt, reference: Gpt | null, spec: BatchSpec, shareCount: number, pool: GradientPool | null): ShareResult {
  const shards = splitBatch(spec, shareCount);
  if (pool) return pool.grads(net, shards);
  const vars = net.trainableVariables();
  const sum = new ShareSum(vars);
  try {
    for (const s of shards) sum.addTensors(shardGrads(net, reference, s, vars));
    return sum.result();
  } catch (err) {
    sum.dispose();
    throw err;
  }
}

/** This LM share's part of the batch loss (inside the caller's tidy / variableGrads). */
export function lmShardLoss(model: Gpt, s: LmShard, dropoutSeed?: number): tf.Scalar {
  const { h } = model.hidden(tf.tensor2d(s.inputs, [s.B, s.T], "int32"), { dropoutSeed });
  const logp = tokenLogProbs(model.lmLogits(h), tf.tensor1d(s.targets, "int32"));
  return tf.div(tf.neg(tf.sum(tf.mul(logp, tf.tensor1d(s.mask)))), s.count) as tf.Scalar;
}

/**
 * The loss closure of a share, for tf.variableGrads: its part of the batch loss and of the stage's
 * reported values (aux). Work on frozen networks (DPO's reference) is done now, outside the tape.
 */
export function shardLoss(net: Gpt, reference: Gpt | null, s: Shard): () => { loss: tf.Scalar; aux: Record<string, tf.Scalar> } {
  if (s.kind === "lm") return () => ({ loss: lmShardLoss(net, s, s.dropoutSeed), aux: {} });
  if (s.kind === "rm") return () => rmShardLoss(net, s.groups, s.pad, s.totals, s.dropoutSeed);
  if (s.kind === "ppo") return () => ppoShareLoss(net, s);
  if (s.kind === "value") return () => valueShareLoss(net, s);
  if (!reference) throw new Error("a dpo share needs the reference network");
  return dpoShardLoss(net, reference, s.pairs, s.beta, s.pad, s.count, s.dropoutSeed);
}

/**
 * Loss, aux values and gradients of one share: the closure's loss under tf.variableGrads, the aux
 * values read out as numbers (they are the share's parts of the batch's, to be added up).
 */
export function shardGrads(net: Gpt, reference: Gpt | null, s: Shard, vars: tf.Variable[]): ShareResult {
  const f = shardLoss(net, reference, s);
  let aux: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const r = f();
    aux = r.aux;
    for (const a of Object.values(aux)) tf.keep(a);
    return r.loss;
  }, vars);
  const loss = value.dataSync()[0]!;
  value.dispose();
  const out: Record<string, number> = {};
  for (const [k, a] of Object.entries(aux)) {
    out[k] = a.dataSync()[0]!;
    a.dispose();
  }
  return { loss, aux: out, grads };
}
