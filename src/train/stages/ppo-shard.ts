// PPO's policy and value-network updates split across data-parallel replicas (src/train/parallel):
// rows of the rollout batch (with their old log-probabilities and advantages, or value targets) and
// rows of the ptx batch. The clipped
// surrogate, clip fraction and entropy are masked means over the rollout batch's response tokens,
// and the ptx term the masked NLL over the ptx batch's; each share computes its rows' part of each
// numerator over the whole batch's count, so the shares add up to the batch's loss and values.
import { tf } from "../backend.js";
import { splitRows, type LmBatch, type RowShare } from "../batch.js";
import { ppoPolicyLoss } from "../losses.js";
import type { Gpt } from "../model.js";
import { entropyFromLogits, tokenLogProbs } from "../ops.js";

/** One policy-update pass as the PPO trainer hands it to a pool. */
export interface PpoUpdateSpec {
  kind: "ppo";
  batch: LmBatch;
  /** per target token of `batch`: log-probabilities at rollout time, advantages */
  old: Float32Array;
  advantages: Float32Array;
  temperature: number;
  clip: number;
  ptx?: { batch: LmBatch; coef: number };
}

export interface PpoShare {
  kind: "ppo";
  rows: RowShare;
  old: Float32Array;
  advantages: Float32Array;
  temperature: number;
  clip: number;
  /** this share's ptx rows (none when the ptx batch has fewer rows than there are shares) */
  ptx?: { rows: RowShare; coef: number };
  /** whether the update has a ptx term at all (so every share reports ptx_loss) */
  hasPtx: boolean;
}

export function splitPpo(spec: PpoUpdateSpec, n: number): PpoShare[] {
  const ptx = spec.ptx ? splitRows(spec.ptx.batch, n) : [];
  return splitRows(spec.batch, n).map(({ rows, from }, i) => ({
    kind: "ppo",
    rows,
    old: spec.old.slice(from, from + rows.B * rows.T),
    advantages: spec.advantages.slice(from, from + rows.B * rows.T),
    temperature: spec.temperature,
    clip: spec.clip,
    ...(ptx[i] ? { ptx: { rows: ptx[i]!.rows, coef: spec.ptx!.coef } } : {}),
    hasPtx: spec.ptx !== undefined,
  }));
}

/** This share's part of the PPO-ptx loss and of policy_loss, clip_fraction, entropy (and ptx_loss), inside variableGrads. */
export function ppoShareLoss(model: Gpt, s: PpoShare): { loss: tf.Scalar; aux: Record<string, tf.Scalar> } {
  const r = s.rows;
  const { h } = model.hidden(tf.tensor2d(r.inputs, [r.B, r.T], "int32"));
  const raw = model.lmLogits(h);
  const logits = s.temperature === 1 ? raw : (tf.div(raw, s.temperature) as tf.Tensor2D);
  const logp = tokenLogProbs(logits, tf.tensor1d(r.targets, "int32"));
  const mask = tf.tensor1d(r.mask);
  const pg = ppoPolicyLoss(logp, tf.tensor1d(s.old), tf.tensor1d(s.advantages), mask, s.clip, r.count);
  const ent = tf.div(tf.sum(tf.mul(entropyFromLogits(logits), mask)), r.count) as tf.Scalar;
  // entropy is reported, not optimised (as in ppo.ts): no recipe parameter weights an entropy bonus
  let loss = tf.clone(pg.loss) as tf.Scalar;
  const aux: Record<string, tf.Scalar> = { policy_loss: pg.loss, clip_fraction: pg.clipFraction, entropy: ent };
  if (s.ptx) {
    const p = s.ptx.rows;
    const { h: hp } = model.hidden(tf.tensor2d(p.inputs, [p.B, p.T], "int32"));
    const lp = tokenLogProbs(model.lmLogits(hp), tf.tensor1d(p.targets, "int32"));
    const lm = tf.div(tf.neg(tf.sum(tf.mul(lp, tf.tensor1d(p.mask)))), p.count) as tf.Scalar;
    loss = tf.add(loss, tf.mul(s.ptx.coef, lm)) as tf.Scalar;
    aux.ptx_loss = lm;
  } else if (s.hasPtx) aux.ptx_loss = tf.scalar(0);
  return { loss, aux };
}

/** One value-network update as the PPO trainer hands it to a pool (gae advantages). */
export interface ValueUpdateSpec {
  kind: "value";
  batch: LmBatch;
  /** per target token of `batch`: the value targets */
  returns: Float32Array;
  vfCoef: number;
}

export interface ValueShare {
  kind: "value";
  rows: RowShare;
  returns: Float32Array;
  vfCoef: number;
}

export function splitValue(spec: ValueUpdateSpec, n: number): ValueShare[] {
  return splitRows(spec.batch, n).map(({ rows, from }) => ({ kind: "value", rows, returns: spec.returns.slice(from, from + rows.B * rows.T), vfCoef: spec.vfCoef }));
}

/** This share's part of vf_coef × ½ masked mean (V − R)², and of the unweighted value loss (aux value_loss). */
export function valueShareLoss(value: Gpt, s: ValueShare): { loss: tf.Scalar; aux: Record<string, tf.Scalar> } {
  const r = s.rows;
  const v = value.tokenValues(value.hidden(tf.tensor2d(r.inputs, [r.B, r.T], "int32")).h);
  const vl = tf.div(tf.mul(0.5, tf.sum(tf.mul(tf.square(tf.sub(v, tf.tensor1d(s.returns))), tf.tensor1d(r.mask)))), r.count) as tf.Scalar;
  return { loss: tf.mul(s.vfCoef, vl) as tf.Scalar, aux: { value_loss: vl } };
}
