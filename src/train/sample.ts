// Seeded sampling with a KV cache: prompts are left-padded (pads masked out of attention, positions
// counted from each prompt's first real token), then one token per step reuses the cached keys/values.
import { tf } from "./backend.js";
import { disposeCache, type Gpt, type KvCache } from "./model.js";
import { tidyObj } from "./ops.js";
import { Rng } from "../common/rng.js";
import { TrainInputError } from "./errors.js";

export interface SampleOptions {
  /** Response length cap (also capped by the context). */
  maxNewTokens: number;
  /** Softmax temperature; 0 = greedy. */
  temperature: number;
  /** Keep the k most likely tokens; 0 = off. */
  topK: number;
  /** Nucleus: keep the smallest set whose probability reaches p; 1 = off. */
  topP: number;
  /** Stop a row when it emits this token (kept in its output); undefined: rows run to maxNewTokens. */
  eos?: number;
  /** Seeded stream; its state advances, so successive calls differ but reproduce. Or a seed for a fresh stream.
   * At temperature 0 (greedy) nothing is drawn and neither is needed. */
  rng?: Rng;
  seed?: number;
  /** The tokenizer's padding token, used for left padding (never attended to). */
  pad: number;
}

/** No truncation of the distribution (top-k and nucleus off): for callers with no such parameter. */
export const FULL_DISTRIBUTION = { topK: 0, topP: 1 } as const;

/** Pick one token id from logits (Float32Array view of one row). */
export function sampleToken(logits: ArrayLike<number>, o: { temperature: number; topK: number; topP: number }, rng: Rng | null): number {
  const V = logits.length;
  if (o.temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  let idx = Array.from({ length: V }, (_, i) => i);
  const needSort = (o.topK > 0 && o.topK < V) || o.topP < 1;
  if (needSort) idx.sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (o.topK > 0 && o.topK < V) idx = idx.slice(0, o.topK);
  let max = -Infinity;
  for (const i of idx) max = Math.max(max, logits[i]! / o.temperature);
  let probs = idx.map((i) => Math.exp(logits[i]! / o.temperature - max));
  let total = probs.reduce((a, b) => a + b, 0);
  if (o.topP < 1) {
    let cum = 0;
    let keep = 0;
    while (keep < probs.length) {
      cum += probs[keep]! / total;
      keep++;
      if (cum >= o.topP) break;
    }
    idx = idx.slice(0, keep);
    probs = probs.slice(0, keep);
    total = probs.reduce((a, b) => a + b, 0);
  }
  if (!rng) throw new TrainInputError("sampleToken: sampling at temperature > 0 needs an rng");
  let u = rng.next() * total;
  for (let j = 0; j < idx.length; j++) {
    u -= probs[j]!;
    if (u <= 0) return idx[j]!;
  }
  return idx[idx.length - 1]!;
}

/** Generate a response per prompt (token ids after the prompt; eos included when emitted). */
export function generate(model: Gpt, prompts: number[][], opts: SampleOptions): number[][] {
  const c = model.config;
  const so = { temperature: opts.temperature, topK: opts.topK, topP: opts.topP };
  const pad = opts.pad;
  if (prompts.length === 0) return [];
  // greedy decoding (temperature 0) draws nothing, so it needs no stream; sampling needs one, and none is made up
  const rng = opts.rng ?? (opts.seed !== undefined ? new Rng(opts.seed) : null);
  if (so.temperature !== 0 && !rng) throw new TrainInputError("generate: sampling at temperature > 0 needs a seed or an rng");
  // Keep room for at least one new token: prompts longer than context − 1 keep their last tokens.
  const rows = prompts.map((p) => (p.length > c.context - 1 ? p.slice(p.length - (c.context - 1)) : p));
  if (rows.some((r) => r.length === 0)) throw new Error("generate: empty prompt (give at least a BOS or one token)");
  const B = rows.length;
  const Tp = Math.max(...rows.map((r) => r.length));
  const maxNew = Math.max(0, Math.min(opts.maxNewTokens, c.context - Tp));
  const padLen = rows.map((r) => Tp - r.length);
  const ids = new Int32Array(B * Tp).fill(pad);
  const pos = new Int32Array(B * Tp);
  const keyBias: number[][] = rows.map(() => []);
  rows.forEach((r, b) => {
    ids.set(r, b * Tp + padLen[b]!);
    for (let t = 0; t < Tp; t++) {
      pos[b * Tp + t] = Math.max(0, t - padLen[b]!);
      keyBias[b]!.push(t < padLen[b]! ? -1e9 : 0);
    }
  });
  const out: number[][] = rows.map(() => []);
  const done = rows.map(() => false);
  let cache: KvCache = { layers: [], length: 0 };
  let logits: Float32Array;
  {
    const r = tidyObj(() => {
      const { h, cache: next } = model.hidden(tf.tensor2d(ids, [B, Tp], "int32"), {
        positions: tf.tensor2d(pos, [B, Tp], "int32"),
        keyBias: tf.tensor2d(keyBias.flat(), [B, Tp]),
        cache,
      });
      const lastRows = tf.gather(h, tf.tensor1d(rows.map((_, b) => b * Tp + Tp - 1), "int32")) as tf.Tensor2D; // [B, C]
      return { logits: model.lmLogits(lastRows), cache: next! };
    });
    logits = r.logits.dataSync() as Float32Array;
    r.logits.dispose();
    cache = r.cache;
  }
  const V = c.vocabSize;
  try {
    for (let step = 0; step < maxNew; step++) {
      const next = new Int32Array(B).fill(pad);
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        const tok = sampleToken(logits.subarray(b * V, (b + 1) * V), so, rng);
        out[b]!.push(tok);
        next[b] = tok;
        if (opts.eos !== undefined && tok === opts.eos) done[b] = true;
      }
      if (done.every(Boolean) || step === maxNew - 1) break;
      for (let b = 0; b < B; b++) keyBias[b]!.push(0);
      const old = cache;
      const r = tidyObj(() => {
        const { h, cache: nc } = model.hidden(tf.tensor2d(next, [B, 1], "int32"), {
          positions: tf.tensor2d(
            rows.map((r0, b) => r0.length + step),
            [B, 1],
            "int32",
          ),
          keyBias: tf.tensor2d(keyBias.flat(), [B, keyBias[0]!.length]),
          cache: old,
        });
        return { logits: model.lmLogits(h), cache: nc! }; // h: [B·1, C]
      });
      disposeCache(old);
      cache = r.cache;
      logits = r.logits.dataSync() as Float32Array;
      r.logits.dispose();
    }
  } finally {
    disposeCache(cache);
  }
  return out;
}
