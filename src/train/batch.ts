// Packing token sequences into right-padded tensors' contents (plain typed arrays; tensors are made
// inside the step's tidy). Rows are padded to the longest row of the batch, not to the context.
import { TrainInputError } from "./errors.js";
import { pushAll } from "../common/arrays.js";

/** A token sequence with its loss mask (structurally data's TokenizedExample). */
export interface TokenSequence {
  tokens: number[];
  /** 1 where the token is trained on (the response); absent = every token (pretraining). */
  lossMask?: number[];
}

/** K responses to one prompt in token form (data's ComparisonGroup after tokenisation). */
export interface TokenComparisonGroup {
  prompt: number[];
  responses: number[][];
  /** [winner, loser] indices into responses: C(K,2) minus ties. */
  pairs: [number, number][];
}

/** Next-token batch: inputs/targets/mask are [B, T] row-major; mask marks trained target positions. */
export interface LmBatch {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  /** Real (non-pad) input tokens in the batch. */
  tokens: number;
}

export function checkTokens(tokens: number[], vocabSize: number, what: string): void {
  for (const t of tokens)
    if (!Number.isInteger(t) || t < 0 || t >= vocabSize) throw new TrainInputError(`${what}: token id ${t} is outside the vocabulary [0, ${vocabSize})`);
}

/** Shift each sequence into (input, target) pairs, truncated to `context` inputs, right-padded with `pad`. */
export function packLm(seqs: TokenSequence[], context: number, pad: number): LmBatch {
  const rows = seqs.map((s) => {
    if (s.lossMask && s.lossMask.length !== s.tokens.length) throw new TrainInputError(`example has ${s.tokens.length} tokens but ${s.lossMask.length} loss-mask entries`);
    if (s.tokens.length < 2) throw new TrainInputError(`example needs at least 2 tokens to predict one, has ${s.tokens.length}`);
    const n = Math.min(s.tokens.length, context + 1);
    return { tok: s.tokens.slice(0, n), mask: s.lossMask ? s.lossMask.slice(0, n) : new Array<number>(n).fill(1) };
  });
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.tok.length - 1));
  const inputs = new Int32Array(B * T).fill(pad);
  const targets = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * T);
  let tokens = 0;
  rows.forEach((r, b) => {
    for (let t = 0; t + 1 < r.tok.length; t++) {
      inputs[b * T + t] = r.tok[t]!;
      targets[b * T + t] = r.tok[t + 1]!;
      mask[b * T + t] = r.mask[t + 1]! ? 1 : 0;
      tokens++;
    }
  });
  return { B, T, inputs, targets, mask, tokens };
}

/** Whole sequences for scoring (reward at the last token): keep the last `context` tokens of each. */
export function packScore(seqs: number[][], context: number, pad: number): { B: number; T: number; inputs: Int32Array; last: number[]; tokens: number } {
  const rows = seqs.map((s) => (s.length > context ? s.slice(s.length - context) : s));
  if (rows.some((r) => r.length === 0)) throw new TrainInputError("cannot score an empty sequence");
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const inputs = new Int32Array(B * T).fill(pad);
  rows.forEach((r, b) => inputs.set(r, b * T));
  return { B, T, inputs, last: rows.map((r) => r.length - 1), tokens: rows.reduce((a, r) => a + r.length, 0) };
}

/** Split documents into windows of context + 1 tokens (stride context) for pretraining, each document ended by eos. */
export function chunkDocuments(docs: number[][], context: number, eos: number): TokenSequence[] {
  const stream: number[] = [];
  for (const d of docs) pushAll(stream, d).push(eos);
  const out: TokenSequence[] = [];
  for (let i = 0; i + 1 < stream.length; i += context) {
    const w = stream.slice(i, i + context + 1);
    if (w.length >= 2) out.push({ tokens: w });
  }
  return out;
}

/** Rows of a packed batch (same T) and the whole batch's max(Σ mask, 1): one data-parallel share (src/train/parallel). */
export interface RowShare {
  B: number;
  T: number;
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  /** max(Σ mask, 1) over the whole batch: the divisor every share's masked sums use */
  count: number;
}

/** Up to `n` contiguous row shares of `b` (the first B mod n get one more row; never empty), each with its first value's offset. */
export function splitRows(b: LmBatch, n: number): { rows: RowShare; from: number }[] {
  let count = 0;
  for (let i = 0; i < b.mask.length; i++) count += b.mask[i]!;
  count = Math.max(count, 1);
  const parts = Math.max(1, Math.min(n, b.B));
  let row = 0;
  return Array.from({ length: parts }, (_, p) => {
    const k = Math.floor(b.B / parts) + (p < b.B % parts ? 1 : 0);
    const a = row * b.T;
    const z = (row + k) * b.T;
    row += k;
    return { rows: { B: k, T: b.T, inputs: b.inputs.slice(a, z), targets: b.targets.slice(a, z), mask: b.mask.slice(a, z), count }, from: a };
  });
}
