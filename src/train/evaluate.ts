// Evaluation helpers: held-out LM loss, reward-model pairwise accuracy, scoring, generation-based
// exact match, and win rate with its confidence interval. All run without gradients, batch by batch.
import { tf } from "./backend.js";
import { packLm, packScore, type LmBatch, type TokenComparisonGroup, type TokenSequence } from "./batch.js";
import type { Gpt } from "./model.js";
import { tokenLogProbs } from "./ops.js";
import { generate, type SampleOptions } from "./sample.js";
import { groupWeightedAccuracy } from "../common/pair-credit.js";

/**
 * Rows per no-gradient forward when a caller does not choose: it bounds memory only (every result
 * here is a per-row or token-weighted sum). An engine constant, not a recipe parameter.
 */
export const EVAL_BATCH_ROWS = 16;

/** What every evaluation helper takes: the tokenizer's padding token and, optionally, rows per forward. */
export interface EvalOptions {
  pad: number;
  batchSize?: number;
}

/** The summed masked NLL of one packed batch (nats): what lmLoss adds up, batch by batch. */
export function batchNll(model: Gpt, b: LmBatch): number {
  const s = tf.tidy(() => {
    const { h } = model.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32"));
    const logp = tokenLogProbs(model.lmLogits(h), tf.tensor1d(b.targets, "int32"));
    return tf.neg(tf.sum(tf.mul(logp, tf.tensor1d(b.mask))));
  });
  const nll = s.dataSync()[0]!;
  s.dispose();
  return nll;
}

/** Computes batchNll of several batches with `model`'s weights, possibly across threads (src/train/parallel/pool.ts). */
export interface NllPool {
  batchNlls(model: Gpt, batches: LmBatch[]): number[];
}

/**
 * Token-weighted mean NLL (nats/token) over the masked tokens of `examples`. With a `pool`, the
 * batches are scored across its replicas; each batch's sum is computed as here and they are added
 * in batch order, so the figure is bit-identical to one thread's.
 */
export function lmLoss(model: Gpt, examples: TokenSequence[], opts: EvalOptions & { pool?: NllPool | null }): number {
  const bs = opts.batchSize ?? EVAL_BATCH_ROWS;
  const batches: LmBatch[] = [];
  for (let i = 0; i < examples.length; i += bs) batches.push(packLm(examples.slice(i, i + bs), model.config.context, opts.pad));
  const nlls = opts.pool && batches.length > 1 ? opts.pool.batchNlls(model, batches) : batches.map((b) => batchNll(model, b));
  let nll = 0;
  let count = 0;
  batches.forEach((b, i) => {
    nll += nlls[i]!;
    count += b.mask.reduce((a, x) => a + x, 0);
  });
  return count > 0 ? nll / count : NaN;
}

/**
 * lmLoss's trivial baseline (nats/token): the loss of the best constant next-token distribution on the
 * same masked targets, chosen in hindsight. That distribution is the targets' own unigram frequencies,
 * so its loss is their entropy: what a model scores that ignores its context entirely. Like accuracy's
 * baseline (the best constant answer on the same examples), a loss only shows learning below it.
 * The targets are packLm's, so windowing and masking are exactly lmLoss's. Pure arithmetic, no tensors.
 */
export function constantLoss(examples: TokenSequence[], context: number, pad: number): number {
  const counts = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < examples.length; i += EVAL_BATCH_ROWS) {
    const b = packLm(examples.slice(i, i + EVAL_BATCH_ROWS), context, pad);
    b.mask.forEach((m, j) => {
      if (!m) return;
      const t = b.targets[j]!;
      counts.set(t, (counts.get(t) ?? 0) + 1);
      n++;
    });
  }
  if (n === 0) return NaN;
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n);
  return h;
}

/** Reward-model scores of whole sequences (prompt ++ response). */
export function scoreSequences(rm: Gpt, seqs: number[][], opts: EvalOptions): number[] {
  const bs = opts.batchSize ?? EVAL_BATCH_ROWS;
  const out: number[] = [];
  for (let i = 0; i < seqs.length; i += bs) {
    const b = packScore(seqs.slice(i, i + bs), rm.config.context, opts.pad);
    const r = tf.tidy(() => rm.rewards(rm.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32")).h, b.T, b.last));
    out.push(...r.dataSync());
    r.dispose();
  }
  return out;
}

/** The reward model's held-out accuracy, weighted as its training weighs groups (groupWeightedAccuracy:
 * each group's share of pairs ordered right, a tie ½, averaged over groups), the rm_accuracy eval's
 * `accuracy`: a reward model that scores every response alike is at chance, 0.5. */
export function rmAccuracy(rm: Gpt, groups: TokenComparisonGroup[], opts: EvalOptions): number {
  // every response of every group in one batched pass, as the rm_accuracy eval scores them
  // (src/run/nodes/evals.ts): the same rows in the same batches, so the two figures agree to the bit
  // (a row's score moves ~1e-7 with its batch's padding, enough to flip a near-tie)
  const flat = scoreSequences(rm, groups.flatMap((g) => g.responses.map((r) => [...g.prompt, ...r])), opts);
  let at = 0;
  return groupWeightedAccuracy(
    groups.map((g) => {
      const scores = flat.slice(at, at + g.responses.length);
      at += g.responses.length;
      return { pairs: g.pairs, scores };
    }),
  );
}

/** Responses for many prompts, in batches (seeded through opts.rng / opts.seed). */
export function generateAll(model: Gpt, prompts: number[][], opts: SampleOptions & { batchSize?: number }): number[][] {
  const bs = opts.batchSize ?? EVAL_BATCH_ROWS;
  const out: number[][] = [];
  for (let i = 0; i < prompts.length; i += bs) out.push(...generate(model, prompts.slice(i, i + bs), opts));
  return out;
}

/** generateAll, giving the event loop a turn between batches: a Ctrl-C during a long eval is read there
 * (a second one stops at once; the first lets the node finish, as the run's Interrupt says), where the
 * synchronous loop held every signal until the run ended (huntG40 M2). The same batches in the same
 * order, the same rng draws: the same answers. */
export async function generateAllAsync(model: Gpt, prompts: number[][], opts: SampleOptions & { batchSize?: number }): Promise<number[][]> {
  const bs = opts.batchSize ?? EVAL_BATCH_ROWS;
  const out: number[][] = [];
  for (let i = 0; i < prompts.length; i += bs) {
    if (i > 0) await new Promise((r) => setImmediate(r));
    out.push(...generate(model, prompts.slice(i, i + bs), opts));
  }
  return out;
}

/** Exact-match accuracy of generated answers (compared up to EOS, which is dropped from both). */
export function exactMatch(model: Gpt, items: { prompt: number[]; answer: number[] }[], opts: SampleOptions & { batchSize?: number }): { accuracy: number; outputs: number[][] } {
  const outputs = generateAll(
    model,
    items.map((x) => x.prompt),
    opts,
  );
  const strip = (xs: number[]) => (opts.eos !== undefined && xs[xs.length - 1] === opts.eos ? xs.slice(0, -1) : xs);
  let right = 0;
  items.forEach((x, i) => {
    const a = strip(x.answer);
    const o = strip(outputs[i]!);
    if (a.length === o.length && a.every((t, j) => t === o[j])) right++;
  });
  return { accuracy: items.length ? right / items.length : NaN, outputs };
}
