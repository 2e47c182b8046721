// How many token positions a training step really computes. The trainers pad each packed batch (or
// each data-parallel share of one, for the reward model and DPO) to its *own* longest row
// (src/train/batch.ts), not to the data's longest example: a batch of B rows costs B × the longest
// of B draws. From the data layer's row-length quantiles (DataSize.lengths, src/data/stats.ts) the
// expected longest of n draws is Σ_i v_i·(((i+1)/Q)^n − (i/Q)^n): the i-th of Q equally likely
// values is the longest when all n draws are at most it and not all below it. Without measured
// lengths the data's longest example (capped) stands for every row, as before.
import { shares as shareSizes } from "../common/shares.js";
import type { DataSize } from "./types.js";

/** Expected longest of `n` draws from `size`'s rows, each row's length mapped by `row` (monotone). */
export function expectedLongest(size: DataSize | undefined, n: number, row: (tokens: number) => number, fallback: number): number {
  const q = size?.lengths;
  if (!q || q.length === 0 || n < 1) return size ? row(size.max_tokens) : fallback;
  const Q = q.length;
  let e = 0;
  for (let i = 0; i < Q; i++) e += row(q[i]!) * (((i + 1) / Q) ** n - (i / Q) ** n);
  return e;
}

/**
 * Token positions of one micro-batch of `units` items (examples, ranking groups or pairs) of
 * `rowsPerUnit` rows each (1; the reward model: K responses; DPO: chosen and rejected), packed
 * per share (`shares`: 1 for LM stages, whose shares split one packed batch; parallel_shares for
 * the reward model and DPO, which pack each share apart), each share padded to its longest row.
 */
export function paddedTokens(size: DataSize | undefined, units: number, rowsPerUnit: number, shares: number, row: (tokens: number) => number, fallback: number): number {
  return shareSizes(units, shares).reduce((s, g) => s + g * rowsPerUnit * expectedLongest(size, g, row, fallback), 0);
}

/**
 * Token positions of one micro-batch of `batch` rows under `group_by_length` (src/train/batch-order.ts):
 * a window of `windowBatches` batches of random draws, sorted longest first and cut into batches, so
 * batch j is padded to the (j·batch + 1)-th longest of the window's draws. The mean over the window's
 * batches of batch × the expected value of that order statistic (from the same length quantiles).
 * A data set smaller than a window sorts what it has: as many batches as it fills, and with fewer
 * than two nothing is grouped.
 */
export function groupedPaddedTokens(size: DataSize | undefined, batch: number, windowBatches: number, row: (tokens: number) => number, fallback: number): number {
  const q = size?.lengths;
  if (!q || q.length === 0 || batch < 1) return batch * (size ? row(size.max_tokens) : fallback);
  const windows = Math.min(windowBatches, Math.floor(size!.examples / batch));
  if (windows < 2) return paddedTokens(size, batch, 1, 1, row, fallback);
  const W = batch * windows;
  const Q = q.length;
  const logFact = [0];
  for (let i = 1; i <= W; i++) logFact.push(logFact[i - 1]! + Math.log(i));
  // P(at least m of the W draws are ≤ the i-th quantile value): the k-th longest is ≤ it when m = W − k + 1
  const atLeast = (m: number, p: number): number => {
    if (p >= 1) return 1;
    if (p <= 0) return m <= 0 ? 1 : 0;
    let s = 0;
    for (let x = m; x <= W; x++) s += Math.exp(logFact[W]! - logFact[x]! - logFact[W - x]! + x * Math.log(p) + (W - x) * Math.log1p(-p));
    return Math.min(1, s);
  };
  let total = 0;
  for (let j = 0; j < windows; j++) {
    const m = W - j * batch; // the (j·batch + 1)-th longest is ≤ v when at least W − j·batch draws are
    let e = 0;
    let below = 0;
    for (let i = 0; i < Q; i++) {
      const upTo = atLeast(m, (i + 1) / Q);
      e += row(q[i]!) * (upTo - below);
      below = upTo;
    }
    total += batch * e;
  }
  return total / windows;
}
