// What the stage trainers share: log-probabilities of packed batches, the masked LM loss, the
// response-only sequence of (prompt, response), and input checks.
import { tf } from "../backend.js";
import { checkTokens, type LmBatch, type TokenSequence } from "../batch.js";
import { TrainInputError } from "../errors.js";
import { maskedNll } from "../losses.js";
import type { Gpt } from "../model.js";
import { tokenLogProbs } from "../ops.js";

/**
 * Per-target log-probabilities [B·T] of a packed batch (inside a tidy), of the distribution at
 * `temperature` (PPO scores its samples under the distribution it sampled them from).
 */
export function batchLogProbs(model: Gpt, b: LmBatch, dropoutSeed?: number, temperature = 1): { logp: tf.Tensor1D; logits: tf.Tensor2D; h: tf.Tensor2D } {
  const { h } = model.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32"), { dropoutSeed });
  const raw = model.lmLogits(h); // [B·T, V]
  const logits = temperature === 1 ? raw : (tf.div(raw, temperature) as tf.Tensor2D);
  return { logp: tokenLogProbs(logits, tf.tensor1d(b.targets, "int32")), logits, h };
}

/** Masked LM loss of a packed batch (inside a tidy). */
export function lmLossOf(model: Gpt, b: LmBatch, dropoutSeed?: number): tf.Scalar {
  return maskedNll(batchLogProbs(model, b, dropoutSeed).logp, tf.tensor1d(b.mask));
}

export function prepareSequences(seqs: TokenSequence[], model: Gpt, what: string, lossOn: "response" | "all"): TokenSequence[] {
  if (seqs.length === 0) throw new TrainInputError(`${what}: no training examples`);
  for (const s of seqs) checkTokens(s.tokens, model.config.vocabSize, what);
  return lossOn === "all" ? seqs.map((s) => ({ tokens: s.tokens })) : seqs;
}

/** Response-only sequence of (prompt ++ response): loss mask 1 on the response tokens. */
export function responseSequence(prompt: number[], response: number[]): TokenSequence {
  return { tokens: [...prompt, ...response], lossMask: [...prompt.map(() => 0), ...response.map(() => 1)] };
}
