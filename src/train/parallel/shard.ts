// Splitting a batch across data-parallel replicas, and the loss of one share. Every stage's batch
// loss is a sum over rows, groups or pairs divided by the batch's count of them (LM: masked tokens;
// reward model: groups, accuracy over pairs; DPO: pairs; PPO's policy update: response tokens of
// the rollout batch and masked tokens of the ptx batch, stages/ppo-shard.ts). Each replica
// computes its share's part of the numerator over the *whole batch's* count, so the shares' losses
// and gradients add up to the batch's: the same loss, the same gradient, in exact arithmetic. (In
// float32 the sums are taken in another order, so they agree to rounding: README.md, "Both cores".)
import { tf } from "../backend.js";
import { splitRows, type LmBatch, type RowShare, type TokenComparisonGroup } from "../batch.js";
import type { Gpt } from "../model.js";
import { tokenLogProbs } from "../ops.js";
import { dpoShardLoss, type PreferencePair } from "../stages/dpo.js";
import { ppoShareLoss, splitPpo, splitValue, valueShareLoss, type PpoShare, type PpoUpdateSpec, type ValueShare, type ValueUpdateSpec } from "../stages/ppo-shard.js";
import { rmShardLoss } from "../stages/reward-model.js";

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
  | { kind: "rm"; groups: TokenComparisonGroup[]; pad: number; totals: { groups: number; pairs: number }; dropoutSeed?: number }
  | { kind: "dpo"; pairs: PreferencePair[]; beta: number; pad: number; count: number; dropoutSeed?: number }
  | PpoShare
  | ValueShare;

/** Sizes of `n` contiguous ranges over `items`, as even as possible (the first items mod n get one more); never empty. */
export function shares(items: number, n: number): number[] {
  const parts = Math.max(1, Math.min(n, items));
  return Array.from({ length: parts }, (_, p) => Math.floor(items / parts) + (p < items % parts ? 1 : 0));
}

function chunks<T>(xs: T[], n: number): T[][] {
  let at = 0;
  return shares(xs.length, n).map((k) => xs.slice(at, (at += k)));
}

/** `n` contiguous row ranges of a packed LM batch, as even as possible; never empty. */
export function splitLm(b: LmBatch, n: number): LmShard[] {
  return splitRows(b, n).map((s) => s.rows);
}

/** At most `n` shares of a micro-batch (fewer when it has fewer rows, groups, pairs or rollouts). */
export function splitBatch(spec: BatchSpec, n: number): Shard[] {
  if (spec.kind === "ppo") return splitPpo(spec, n); // PPO trains without dropout
  if (spec.kind === "value") return splitValue(spec, n);
  const seed = spec.dropoutSeed !== undefined ? { dropoutSeed: spec.dropoutSeed } : {};
  if (spec.kind === "lm") return splitLm(spec.batch, n).map((s) => ({ kind: "lm", ...s, ...seed }));
  if (spec.kind === "rm") {
    const totals = { groups: spec.groups.length, pairs: spec.groups.reduce((a, g) => a + g.pairs.length, 0) };
    return chunks(spec.groups, n).map((groups) => ({ kind: "rm", groups, pad: spec.pad, totals, ...seed }));
  }
  return chunks(spec.pairs, n).map((pairs) => ({ kind: "dpo", pairs, beta: spec.beta, pad: spec.pad, count: spec.pairs.length, ...seed }));
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
export function shardGrads(net: Gpt, reference: Gpt | null, s: Shard, vars: tf.Variable[]): { loss: number; aux: Record<string, number>; grads: tf.NamedTensorMap } {
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
